import { describe, it, expect } from 'vitest';
import { divKernel } from '../../../sim/kernels/div.js';
import { runOp, HarnessError, type TensorSpec } from './_op_harness.js';

const i8 = (shape: number[], scale = 1, zeroPoint = 0, data?: number[]): TensorSpec => ({ dtype: 'int8', shape, scale, zeroPoint, data });
const i32 = (shape: number[], data?: number[]): TensorSpec => ({ dtype: 'int32', shape, data });

describe('DIV int32', () => {
  it('truncates toward zero and clamps to the fused activation', () => {
    const op = runOp(divKernel, 'DIV', {}, [i32([5]), i32([5])], [i32([5])]);
    expect([...op.run([7, -7, 7, -7, -2147483648], [2, 2, -2, -2, 2])[0]!]).toEqual([3, -3, -3, 3, -1073741824]);
    const relu = runOp(divKernel, 'DIV', { activation: 'RELU' }, [i32([2]), i32([], [666])], [i32([2])]);
    expect([...relu.run([-1332, 1999])[0]!]).toEqual([0, 3]);
  });

  it('refuses a constant zero divisor and throws on a computed one', () => {
    expect(() => runOp(divKernel, 'DIV', {}, [i32([2]), i32([2], [1, 0])], [i32([2])])).toThrow(HarnessError);
    const op = runOp(divKernel, 'DIV', {}, [i32([2]), i32([2])], [i32([2])]);
    expect(() => op.run([1, 2], [1, 0])).toThrow(/division by zero/);
    expect(() => op.run([-2147483648, 2], [-1, 1])).toThrow(/INT32_MIN/);
  });
});

describe('DIV int8', () => {
  it('follows GetReciprocal + two high-muls, which rounds 3.5 up but -3.5 toward zero', () => {
    // All scales 1: M = QM(1) = (2^30, 1). 7 / 2: GetReciprocal(2) = (INT32_MAX, 1), headroom 28,
    // q = SRDHM(7 * 2^28, INT32_MAX) = 7 * 2^28 - 1, then SRDHM(q, 2^30) = 7 * 2^27 and
    // RoundingDivideByPOT(7 * 2^27, 28) = 3.5 -> 4. For -7: q = -7 * 2^28 + 1, SRDHM(q, 2^30) = -7 * 2^27 + 1
    // (truncation toward zero), RoundingDivideByPOT -> -3.4999999963 -> -3.
    const op = runOp(divKernel, 'DIV', {}, [i8([6]), i8([6])], [i8([6])]);
    expect([...op.run([7, -7, 6, 0, 100, 127], [2, 2, 3, 5, -1, 1])[0]!]).toEqual([4, -3, 2, 0, -100, 127]);
  });

  it('applies zero points and a negative divisor flips both signs', () => {
    // zp_in 10 / zp_div -5 / zp_out 3: (16 - 10) / (-8 + 5) = 6 / -3 = -2 -> 1; (4 - 10) / (-2 + 5) = -2 -> 1.
    const op = runOp(divKernel, 'DIV', {}, [i8([2], 1, 10), i8([2], 1, -5)], [i8([2], 1, 3)]);
    expect([...op.run([16, 4], [-8, -2])[0]!]).toEqual([1, 1]);
  });

  it('refuses a constant divisor equal to its zero point; throws on a computed one', () => {
    expect(() => runOp(divKernel, 'DIV', {}, [i8([2]), i8([2], 1, 3, [1, 3])], [i8([2])])).toThrow(HarnessError);
    const op = runOp(divKernel, 'DIV', {}, [i8([1]), i8([1], 1, 3)], [i8([1])]);
    expect(() => op.run([1], [3])).toThrow(/zero point/);
  });
});
