import { describe, it, expect } from 'vitest';
import { softmaxKernel } from '../../../sim/kernels/softmax.js';
import { runOp, HarnessError } from './_op_harness.js';

/*
 * Values marked "native" come from TFLM's reference_ops::Softmax /
 * SoftmaxInt16 (commit 90b983c2) compiled on x86-64 with the same
 * parameters; the others are worked by hand in the comments.
 */
type IO = 'int8' | 'int16';
function softmax(shape: number[], inType: IO, outType: IO, sIn: number, zpIn: number, sOut: number, zpOut: number, beta = 1) {
  return runOp(softmaxKernel, 'SOFTMAX', { beta }, [{ dtype: inType, shape, scale: sIn, zeroPoint: zpIn }], [{ dtype: outType, shape, scale: sOut, zeroPoint: zpOut }]);
}

describe('SOFTMAX int8 -> int8', () => {
  it('two equal logits give exactly one half', () => {
    // sum = 2 · RDBPOT(INT32_MAX, 12) = 2^20 -> reciprocal INT32_MAX with 1 bit over unit -> exponent 24;
    // RDBPOT(SRDHM(MAX, MAX) = 2^31 - 2, 24) = 128 -> 128 - 128 = 0 (0.5 at scale 1/256).
    const op = softmax([1, 2], 'int8', 'int8', 0.1, 0, 1 / 256, -128);
    expect([...op.run([9, 9])[0]!]).toEqual([0, 0]);
  });
  it('differences below diff_min output -128 and the max saturates to 127', () => {
    // S_in = 1, beta = 1: 2^26 -> multiplier 2^30, shift 27; diff_min = -floor(31·2^26 / 2^27) = -15.
    // The max alone: RDBPOT(2^31 - 2, 23) = 256 -> 128, clamped to 127; diff -16 is skipped.
    const op = softmax([1, 2], 'int8', 'int8', 1, 0, 1 / 256, -128);
    expect([...op.run([0, -16])[0]!]).toEqual([127, -128]);
  });
  it('several rows with beta 0.5 (native)', () => {
    const op = softmax([2, 4], 'int8', 'int8', 0.125, 3, 1 / 256, -128, 0.5);
    expect([...op.run([127, 100, -128, 0, 3, 3, 3, 3])[0]!]).toEqual([88, -88, -128, -128, -64, -64, -64, -64]);
  });
  it('refuses an output that is not exactly 1/256, zp -128', () => {
    expect(() => softmax([1, 2], 'int8', 'int8', 0.1, 0, 1 / 255, -128)).toThrow(HarnessError);
    expect(() => softmax([1, 2], 'int8', 'int8', 0.1, 0, 1 / 256, 0)).toThrow(HarnessError);
  });
  it('refuses beta·S_in·2^26 <= 1 (TFLM aborts in QuantizeMultiplierGreaterThanOne)', () => {
    expect(() => softmax([1, 2], 'int8', 'int8', 2 ** -27, 0, 1 / 256, -128)).toThrow(HarnessError);
  });
  it('throws where TFLM aborts: a row whose exps sum to 512 or more', () => {
    const ok = softmax([1, 511], 'int8', 'int8', 0.1, 0, 1 / 256, -128);
    expect(() => ok.run(new Array(511).fill(5))).not.toThrow();
    const bad = softmax([1, 512], 'int8', 'int8', 0.1, 0, 1 / 256, -128);
    expect(() => bad.run(new Array(512).fill(5))).toThrow(/TFLM aborts/);
  });
});

describe('SOFTMAX int8 -> int16', () => {
  it('four equal logits give exactly one quarter', () => {
    // sum 2^21 -> 2 bits over unit -> exponent 17; RDBPOT(2^31 - 2, 17) = 16384 -> 16384 - 32768.
    const op = softmax([1, 4], 'int8', 'int16', 0.1, 0, 1 / 65536, -32768);
    expect([...op.run([9, 9, 9, 9])[0]!]).toEqual([-16384, -16384, -16384, -16384]);
  });
  it('needs zp -32768 and a scale near 1/65536', () => {
    expect(() => softmax([1, 4], 'int8', 'int16', 0.1, 0, 1 / 65536, 0)).toThrow(HarnessError);
    expect(() => softmax([1, 4], 'int8', 'int16', 0.1, 0, 1.01 / 65536, -32768)).toThrow(HarnessError);
    expect(() => softmax([1, 4], 'int8', 'int16', 0.1, 0, 1.0005 / 65536, -32768)).not.toThrow();
  });
});

describe('SOFTMAX int16 -> int16 (LUT path)', () => {
  it('two rows, saturated and equal logits (native)', () => {
    const op = softmax([2, 5], 'int16', 'int16', 2 ** -11, 0, 2 ** -15, 0);
    expect([...op.run([0, -1000, 2000, 32767, -32768, 5, 5, 5, 5, 5])[0]!]).toEqual([2, 2, 2, 32759, 2, 6554, 6554, 6554, 6554, 6554]);
  });
  it('two equal logits give one half (native)', () => {
    const op = softmax([1, 2], 'int16', 'int16', 2 ** -11, 0, 2 ** -15, 0);
    expect([...op.run([7, 7])[0]!]).toEqual([16384, 16384]);
  });
  it('needs zero points 0 and an int16 output', () => {
    expect(() => softmax([1, 2], 'int16', 'int16', 2 ** -11, 1, 2 ** -15, 0)).toThrow(HarnessError);
    expect(() => softmax([1, 2], 'int16', 'int8', 2 ** -11, 0, 1 / 256, -128)).toThrow(HarnessError);
  });
});
