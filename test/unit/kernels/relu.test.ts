import { describe, it, expect } from 'vitest';
import { reluKernel } from '../../../sim/kernels/relu.js';
import { relu6Kernel } from '../../../sim/kernels/relu6.js';
import { leakyReluKernel } from '../../../sim/kernels/leaky_relu.js';
import { runOp, HarnessError, type TensorSpec } from './_op_harness.js';

const q = (dtype: 'int8' | 'int16', scale: number, zeroPoint: number, n: number): TensorSpec => ({ dtype, shape: [n], scale, zeroPoint });

describe('RELU', () => {
  it('int8 requantizes: S_in/S_out = 0.5 -> (2^30, 0), clamp below at zp_out', () => {
    // y = -5 + SRDHM(x - 3, 2^30) = -5 + round-half-up((x - 3) / 2).
    const op = runOp(reluKernel, 'RELU', {}, [q('int8', 0.5, 3, 6)], [q('int8', 1, -5, 6)]);
    expect([...op.run([3, 4, 5, 2, -128, 127])[0]!]).toEqual([-5, -4, -4, -5, -5, 57]);
  });
  it('int16 needs zero points of 0 and scales the whole range', () => {
    expect(() => runOp(reluKernel, 'RELU', {}, [q('int16', 1, 1, 1)], [q('int16', 1, 0, 1)])).toThrow(HarnessError);
    const op = runOp(reluKernel, 'RELU', {}, [q('int16', 2, 0, 4)], [q('int16', 1, 0, 4)]);
    expect([...op.run([-1, 0, 1000, 20000])[0]!]).toEqual([0, 0, 2000, 32767]);
  });
});

describe('RELU6', () => {
  it('ignores the output quantization: clamps raw input to [zp_in, round(6 / S_in) + zp_in]', () => {
    // S_in = 0.1 (float32): 6 / 0.1f = 59.999999 in float32 = 60 -> six = 60 + 10 = 70.
    const op = runOp(relu6Kernel, 'RELU6', {}, [q('int8', Math.fround(0.1), 10, 5)], [q('int8', 0.5, -100, 5)]);
    expect([...op.run([-128, 9, 10, 70, 71])[0]!]).toEqual([10, 10, 10, 70, 70]);
  });
  it('six saturates at the type maximum', () => {
    const op = runOp(relu6Kernel, 'RELU6', {}, [q('int16', 2 ** -14, 0, 3)], [q('int16', 1, 0, 3)]);
    expect([...op.run([-5, 32000, 32767])[0]!]).toEqual([0, 32000, 32767]);
  });
});

describe('LEAKY_RELU', () => {
  it('int8 with alpha 0.25, identity and alpha multipliers from float32 math', () => {
    // S_in = S_out = 1: identity (2^30, 1) -> d; alpha 0.25 -> (2^30, -1) -> RDBPOT(SRDHM(d, 2^30), 1).
    // d = -3: SRDHM = -1 (-1.5 rounds up), RDBPOT(-1, 1) = -1; d = -6: -3 -> -2 (the tie -1.5 was already rounded up).
    const op = runOp(leakyReluKernel, 'LEAKY_RELU', { alpha: 0.25 }, [q('int8', 1, 0, 5)], [q('int8', 1, 0, 5)]);
    expect([...op.run([5, 0, -3, -6, -128])[0]!]).toEqual([5, 0, -1, -2, -32]);
  });
  it('negative alpha negates the product of |alpha| (int16, zero points allowed)', () => {
    // alpha -0.5 -> multiplier magnitude (2^30, 0): -SRDHM(d, 2^30). d = -3 -> -(-1) = 1; zp_out 10.
    const op = runOp(leakyReluKernel, 'LEAKY_RELU', { alpha: -0.5 }, [q('int16', 1, 2, 4)], [q('int16', 1, 10, 4)]);
    expect([...op.run([-1, -4, 2, 7])[0]!]).toEqual([11, 13, 10, 15]);
  });
});
