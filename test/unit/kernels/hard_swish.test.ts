import { describe, it, expect } from 'vitest';
import { hardSwishKernel } from '../../../sim/kernels/hard_swish.js';
import { runOp, HarnessError } from './_op_harness.js';

function hardSwish(n: number, sIn: number, zpIn: number, sOut: number, zpOut: number) {
  return runOp(hardSwishKernel, 'HARD_SWISH', {}, [{ dtype: 'int8', shape: [1, n], scale: sIn, zeroPoint: zpIn }], [{ dtype: 'int8', shape: [1, n], scale: sOut, zeroPoint: zpOut }]);
}

describe('HARD_SWISH int8', () => {
  it('S_in = S_out = 1/16: worked through the int16 pipeline', () => {
    // hires = 2^-11; output multiplier 2^-7 -> int16 16384, exponent -6; reluish 16/3 -> int16 21845, exponent 3.
    // x = 16 (1.0): pre = 1024, reluish = sat(2048<<2) -> 5461 -> 10922 -> 21845, 21845·1024/2^15 -> 682, /64 -> 11.
    // x = -16: pre = -1024, reluish 10923, -341 -> -5.   x = 64 (4.0): reluish saturates at 32767 -> 4095 -> 64.
    // x = -64: reluish -32768 -> 0 -> 0.   x = 127: 8127 -> 127.
    const op = hardSwish(6, 1 / 16, 0, 1 / 16, 0);
    expect(op.data.outputMultiplier).toBe(16384);
    expect(op.data.outputExponent).toBe(-6);
    expect(op.data.reluishMultiplier).toBe(21845);
    expect(op.data.reluishExponent).toBe(3);
    expect([...op.run([16, -16, 64, -64, 127, 0])[0]!]).toEqual([11, -5, 64, 0, 127, 0]);
  });
  it('small scales take the right-shift branch of the reluish multiplier (native values)', () => {
    const op = hardSwish(8, 2 ** -12, -10, 2 ** -12, 5);
    expect(op.data.reluishExponent).toBeLessThan(0);
    expect([...op.run([-128, -10, 0, 50, 100, 127, -100, -11])[0]!]).toEqual([-53, 5, 10, 35, 60, 74, -40, 5]);
  });
  it('refuses a positive output multiplier exponent', () => {
    // hires / S_out = (1/128) / (1/256) = 2 -> exponent 2.
    expect(() => hardSwish(2, 1, 0, 1 / 256, 0)).toThrow(HarnessError);
  });
});
