import { describe, it, expect } from 'vitest';
import { mulKernel } from '../../../sim/kernels/mul.js';
import { runOp, HarnessError, type TensorSpec } from './_op_harness.js';

const q = (dtype: 'int8' | 'int16', shape: number[], scale = 1, zeroPoint = 0): TensorSpec => ({ dtype, shape, scale, zeroPoint });
const i32 = (shape: number[]): TensorSpec => ({ dtype: 'int32', shape });

describe('MUL int8', () => {
  it('multiplies offsets and rescales with a rounding multiplier', () => {
    // S1 * S2 / S_out = 0.25 -> (2^30, -1): p = (x1 - 2)(x2 + 1), y = RDBPOT(SRDHM(p, 2^30), 1).
    // 6: SRDHM = 3 (3.5 truncated after the +2^30 nudge), RDBPOT(3, 1) = 2.
    // -6: SRDHM = -3, RDBPOT(-3, 1) = -2 (the tie went up in the high-mul, so no second rounding away).
    const op = runOp(mulKernel, 'MUL', {}, [q('int8', [4], 0.5, 2), q('int8', [4], 0.5, -1)], [q('int8', [4], 1, 0)]);
    expect([...op.run([4, 0, 12, -100], [2, 2, 15, 126])[0]!]).toEqual([2, -2, 40, -128]);
  });

  it('shift > 0 (real multiplier above 1) and RELU', () => {
    // 1 * 1 / 0.25 = 4 -> (2^30, 3): y = 4 * x1 * x2; RELU clamps at zp_out = 0.
    const op = runOp(mulKernel, 'MUL', { activation: 'RELU' }, [q('int8', [3]), q('int8', [3])], [q('int8', [3], 0.25)]);
    expect([...op.run([3, -3, 10], [5, 5, 10])[0]!]).toEqual([60, 0, 127]);
  });
});

describe('MUL int16', () => {
  it('needs zero points of 0', () => {
    expect(() => runOp(mulKernel, 'MUL', {}, [q('int16', [1], 1, 1), q('int16', [1])], [q('int16', [1])])).toThrow(HarnessError);
  });
  it('full-range product stays exact: (-32768)^2 * 2^-15', () => {
    const op = runOp(mulKernel, 'MUL', {}, [q('int16', [2], 2 ** -15), q('int16', [2], 2 ** -15)], [q('int16', [2], 2 ** -15)]);
    expect([...op.run([-32768, 16384], [-32768, -16384])[0]!]).toEqual([32767, -8192]);
  });
});

describe('MUL int32', () => {
  it('wraps like C int32 multiplication and applies RELU6 as [0, 6]', () => {
    const op = runOp(mulKernel, 'MUL', {}, [i32([3]), i32([3])], [i32([3])]);
    expect([...op.run([65536, 2147483647, -7], [65536, 2, 3])[0]!]).toEqual([0, -2, -21]);
    const r6 = runOp(mulKernel, 'MUL', { activation: 'RELU6' }, [i32([3]), i32([1])], [i32([3])]);
    expect([...r6.run([1, 5, -1], [2])[0]!]).toEqual([2, 6, 0]);
  });
});
