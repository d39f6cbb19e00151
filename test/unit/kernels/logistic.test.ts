import { describe, it, expect } from 'vitest';
import { logisticKernel } from '../../../sim/kernels/logistic.js';
import { runOp, HarnessError } from './_op_harness.js';

function logistic(dtype: 'int8' | 'int16', n: number, sIn: number, zpIn: number, sOut: number, zpOut: number) {
  return runOp(logisticKernel, 'LOGISTIC', {}, [{ dtype, shape: [1, n], scale: sIn, zeroPoint: zpIn }], [{ dtype, shape: [1, n], scale: sOut, zeroPoint: zpOut }]);
}

describe('LOGISTIC int8', () => {
  it('saturates at ±radius and rounds in between', () => {
    // S_in = 1/16: S_in·2^27 = 2^23 -> multiplier 2^30, shift 24, radius floor(15·2^27 / 2^24) = 120.
    // 119 -> 7.4375 -> 0.99941·256 rounds to 256 -> clamped 127; 0 -> 128 - 128 = 0;
    // 16 (1.0) -> logistic 1569936226 / 2^23 = 187.15 -> 59; -16 -> 68.85 -> -59.
    const op = logistic('int8', 7, 1 / 16, 0, 1 / 256, -128);
    expect([...op.run([-120, 120, 119, 0, -119, 16, -16])[0]!]).toEqual([-128, 127, 127, 0, -128, 59, -59]);
  });
  it('ignores the output scale (only zp -128 is checked)', () => {
    const op = logistic('int8', 2, 1 / 16, 0, 0.5, -128);
    expect([...op.run([16, -16])[0]!]).toEqual([59, -59]);
    expect(() => logistic('int8', 2, 1 / 16, 0, 1 / 256, 0)).toThrow(HarnessError);
  });
});

describe('LOGISTIC int16', () => {
  it('power-of-two scale 2^-12 takes the multiplier-0 form (native values)', () => {
    const op = logistic('int16', 6, 2 ** -12, 0, 2 ** -15, 0);
    expect(op.data.multiplier).toBe(0);
    expect(op.data.shift).toBe(0);
    expect([...op.run([0, 4096, -4096, 32767, -32768, 100])[0]!]).toEqual([16384, 23956, 8812, 32757, 11, 16584]);
  });
  it('2^-11 is not the power-of-two case for LOGISTIC: multiplier 6 doubled to 24576, shift 12', () => {
    const op = logistic('int16', 6, 2 ** -11, 0, 2 ** -15, 0);
    expect(op.data.multiplier).toBe(24576);
    expect(op.data.shift).toBe(12);
    expect([...op.run([0, 4096, -4096, 32767, -32768, 100])[0]!]).toEqual([16384, 28862, 3906, 32767, 1, 16784]);
  });
  it('needs zero points 0 and output scale 2^-15', () => {
    expect(() => logistic('int16', 2, 2 ** -12, 1, 2 ** -15, 0)).toThrow(HarnessError);
    expect(() => logistic('int16', 2, 2 ** -12, 0, 2 ** -14, 0)).toThrow(HarnessError);
  });
});
