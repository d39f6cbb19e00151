import { describe, it, expect } from 'vitest';
import { tanhKernel } from '../../../sim/kernels/tanh.js';
import { runOp, HarnessError } from './_op_harness.js';

function tanh(dtype: 'int8' | 'int16', n: number, sIn: number, zpIn: number, sOut: number, zpOut: number) {
  return runOp(tanhKernel, 'TANH', {}, [{ dtype, shape: [1, n], scale: sIn, zeroPoint: zpIn }], [{ dtype, shape: [1, n], scale: sOut, zeroPoint: zpOut }]);
}

describe('TANH int8', () => {
  it('uses zp_in, saturates at ±radius, and ignores the output quantization entirely', () => {
    // S_in = 1/16, zp 5: radius 120. d = 16 (1.0) -> tanh 1635510876 / 2^24 = 97.48 -> 97 (scale 1/128, zp 0
    // whatever the output tensor says); d = 120 -> 127; d = -120 -> -128; d = -119 rounds to -128 too.
    const op = tanh('int8', 6, 1 / 16, 5, 0.3, 7);
    expect([...op.run([21, 5, -11, 125, -115, -114])[0]!]).toEqual([97, 0, -97, 127, -128, -128]);
  });
});

describe('TANH int16', () => {
  it('2^-11 IS a power-of-two case for TANH (shift 1): multiplier 0 (native values)', () => {
    const op = tanh('int16', 6, 2 ** -11, 0, 2 ** -15, 0);
    expect(op.data.multiplier).toBe(0);
    expect(op.data.shift).toBe(1);
    expect([...op.run([0, 4096, -4096, 32767, -32768, 100])[0]!]).toEqual([0, 31589, -31589, 32767, -32767, 1599]);
  });
  it('needs zero points 0 and output scale 2^-15', () => {
    expect(() => tanh('int16', 2, 2 ** -12, 0, 2 ** -15, 3)).toThrow(HarnessError);
    expect(() => tanh('int16', 2, 2 ** -12, 0, 1 / 30000, 0)).toThrow(HarnessError);
  });
});
