import { describe, it, expect } from 'vitest';
import { preluKernel } from '../../../sim/kernels/prelu.js';
import { runOp, HarnessError, type TensorSpec } from './_op_harness.js';

const q = (dtype: 'int8' | 'int16', shape: number[], scale: number, zeroPoint: number, data?: number[]): TensorSpec => ({ dtype, shape, scale, zeroPoint, data });

describe('PRELU', () => {
  it('int8 with a per-channel constant alpha', () => {
    // S_in 0.5, S_alpha 0.25, S_out 0.5: positive side QM(1) = (2^30, 1) -> x; negative side QM(0.25) = (2^30, -1):
    // y = RDBPOT(SRDHM(x * a, 2^30), 1). Channel 0 alpha 2 (0.5): -4 -> -8 -> -4 -> -2. Channel 1 alpha -4 (-1.0): -4 -> 16 -> 8 -> 4.
    // -3 * 2 = -6 -> SRDHM -3 -> RDBPOT(-3, 1) = -2 (-1.5 away from zero); -100 * -4 = 400 -> 200 -> 100.
    const op = runOp(preluKernel, 'PRELU', {}, [q('int8', [1, 3, 2], 0.5, 0), q('int8', [2], 0.25, 0, [2, -4])], [q('int8', [1, 3, 2], 0.5, 0)]);
    expect([...op.run([-4, -4, 7, 7, -3, -100])[0]!]).toEqual([-2, 4, 7, 7, -2, 100]);
  });

  it('applies the input, alpha and output zero points', () => {
    // x - 5, alpha - 1, + zp_out -10, all scales 1 (both multipliers (2^30, 1) = identity).
    const op = runOp(preluKernel, 'PRELU', {}, [q('int8', [3], 1, 5), q('int8', [1], 1, 1, [3])], [q('int8', [3], 1, -10)]);
    expect([...op.run([8, 4, -20])[0]!]).toEqual([-7, -12, -60]);
  });

  it('int16 input takes an int8 alpha; other alpha types are refused', () => {
    const op = runOp(preluKernel, 'PRELU', {}, [q('int16', [2], 1, 0), q('int8', [1], 1, 0, [-3])], [q('int16', [2], 1, 0)]);
    expect([...op.run([-20000, 1000])[0]!]).toEqual([32767, 1000]);
    expect(() => runOp(preluKernel, 'PRELU', {}, [q('int16', [2], 1, 0), q('int16', [1], 1, 0, [1])], [q('int16', [2], 1, 0)])).toThrow(HarnessError);
  });
});
