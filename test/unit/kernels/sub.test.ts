import { describe, it, expect } from 'vitest';
import { subKernel } from '../../../sim/kernels/sub.js';
import type { AddSubData } from '../../../sim/kernels/_add_sub.js';
import { runOp, HarnessError, type TensorSpec } from './_op_harness.js';

const i8 = (shape: number[], scale = 1, zeroPoint = 0): TensorSpec => ({ dtype: 'int8', shape, scale, zeroPoint });
const i16 = (shape: number[], scale = 1, zeroPoint = 0): TensorSpec => ({ dtype: 'int16', shape, scale, zeroPoint });
const i32 = (shape: number[]): TensorSpec => ({ dtype: 'int32', shape });

describe('SUB int8', () => {
  it('unit scales subtract exactly with zero points and RELU6', () => {
    // zp 3 and 3 cancel; S_out 1, zp_out -10: RELU6 keeps [-10, -4].
    const op = runOp(subKernel, 'SUB', { activation: 'RELU6' }, [i8([4], 1, 3), i8([4], 1, 3)], [i8([4], 1, -10)]);
    expect([...op.run([10, 3, 0, 3], [5, 3, 3, 10])[0]!]).toEqual([-5, -10, -10, -10]);
    expect([...op.run([10, 4, 5, 20], [6, 0, 0, 0])[0]!]).toEqual([-6, -6, -5, -4]);
  });

  it('computes the scale ratios in float32, not double (the multipliers differ from ADD\'s)', () => {
    // S1 = 0.1f, S2 = 0.3f, S_out = 0.2f. Double: 0.1f / (2 * 0.3f) = 0.16666666252745538 -> M1 1431655730.
    // Float32: f32(0.1f / 0.6f) = 0.1666666567325592 (= 11184810 * 2^-26) -> M1 = 11184810 * 2^7 = 1431655680.
    // Output: double 2.8610230202730227e-6 vs float32 2^-20 * 3 exactly = 2.86102294921875e-6 -> (3 * 2^29, -18).
    const f = Math.fround;
    const op = runOp(subKernel, 'SUB', {}, [i8([1], f(0.1)), i8([1], f(0.3))], [i8([1], f(0.2))]);
    const d = op.data as AddSubData;
    expect([d.mult1, d.shift1]).toEqual([1431655680, -2]);
    expect([d.mult2, d.shift2]).toEqual([1073741824, 0]);
    expect([d.outMult, d.outShift]).toEqual([3 * 2 ** 29, -18]);
  });
});

describe('SUB int16', () => {
  it('broadcast path with unit scales', () => {
    const op = runOp(subKernel, 'SUB', {}, [i16([2, 2]), i16([2])], [i16([2, 2])]);
    expect([...op.run([100, 200, -30000, 30000], [1, 10000])[0]!]).toEqual([99, -9800, -30001, 20000]);
  });

  it('refuses same-shape inputs with non-zero zero points (TFLM DCHECK), allows them when broadcasting', () => {
    expect(() => runOp(subKernel, 'SUB', {}, [i16([2], 1, 1), i16([2])], [i16([2])])).toThrow(HarnessError);
    const op = runOp(subKernel, 'SUB', {}, [i16([2], 1, 1), i16([1])], [i16([2])]);
    expect([...op.run([1, 11], [4])[0]!]).toEqual([-4, 6]);
  });
});

describe('SUB int32', () => {
  it('wraps and applies the fused activation as raw bounds (unlike ADD)', () => {
    const relu = runOp(subKernel, 'SUB', { activation: 'RELU' }, [i32([3]), i32([3])], [i32([3])]);
    expect([...relu.run([3, -2147483648, 10], [5, 1, 4])[0]!]).toEqual([0, 2147483647, 6]);
    const n1 = runOp(subKernel, 'SUB', { activation: 'RELU_N1_TO_1' }, [i32([3]), i32([3])], [i32([3])]);
    expect([...n1.run([3, 0, 10], [5, 0, 4])[0]!]).toEqual([-1, 0, 1]);
  });
});
