import { describe, it, expect } from 'vitest';
import { addKernel } from '../../../sim/kernels/add.js';
import { runOp, HarnessError, type TensorSpec } from './_op_harness.js';

const i8 = (shape: number[], scale = 1, zeroPoint = 0): TensorSpec => ({ dtype: 'int8', shape, scale, zeroPoint });
const i32 = (shape: number[], data?: number[]): TensorSpec => ({ dtype: 'int32', shape, data });

describe('ADD int8', () => {
  it('unit scales add exactly and saturate', () => {
    // T = 2: input ratios 1/2 -> (2^30, 0), so a_i = x_i * 2^19; output 2/2^20 -> (2^30, -18) gives back x1 + x2.
    const op = runOp(addKernel, 'ADD', { activation: 'NONE' }, [i8([4]), i8([4])], [i8([4])]);
    expect([...op.run([1, -5, 100, -100], [2, 3, 100, -100])[0]!]).toEqual([3, -2, 127, -128]);
  });

  it('rounds the output half away from zero', () => {
    // S_out = 2: output ratio 2^-20 -> (2^30, -19): y = RoundingDivideByPOT(2^18 (x1 + x2), 19) = round((x1 + x2) / 2).
    const op = runOp(addKernel, 'ADD', { activation: 'NONE' }, [i8([6]), i8([6])], [i8([6], 2)]);
    expect([...op.run([1, -1, 3, -3, 2, 0], [0, 0, 0, 0, 0, 1])[0]!]).toEqual([1, -1, 2, -2, 1, 1]);
  });

  it('applies zero points and the fused RELU in the output domain', () => {
    // zp_in 10 and -20 cancel out of the sum; zp_out 5: RELU clamps at 5.
    const op = runOp(addKernel, 'ADD', { activation: 'RELU' }, [i8([3], 1, 10), i8([3], 1, -20)], [i8([3], 1, 5)]);
    expect([...op.run([12, 5, 10], [-17, -20, -30])[0]!]).toEqual([10, 5, 5]);
  });

  it('broadcasts a per-channel operand', () => {
    const op = runOp(addKernel, 'ADD', { activation: 'NONE' }, [i8([1, 2, 2, 2]), i8([1, 1, 1, 2])], [i8([1, 2, 2, 2])]);
    expect([...op.run([0, 0, 1, 1, 2, 2, 3, 3], [10, -10])[0]!]).toEqual([10, -10, 11, -9, 12, -8, 13, -7]);
  });

  it('refuses an output multiplier >= 1 (QuantizeMultiplierSmallerThanOneExp CHECK)', () => {
    // 2 * 1 / (2^20 * 2^-21) = 4.
    expect(() => runOp(addKernel, 'ADD', {}, [i8([2]), i8([2])], [i8([2], 2 ** -21)])).toThrow(HarnessError);
  });
});

describe('ADD int16', () => {
  it('takes the general-scale path (left shift 15) even when pot_scale_int16 is set', () => {
    // S = 1 everywhere: a_i = x_i * 2^14, output ratio 2/2^15 -> (2^30, -13): y = x1 + x2, saturating.
    const t = (s = 1): TensorSpec => ({ dtype: 'int16', shape: [3], scale: s, zeroPoint: 0 });
    const op = runOp(addKernel, 'ADD', { activation: 'NONE', potScaleInt16: true }, [t(), t()], [t()]);
    expect([...op.run([1000, -30000, 30000], [234, -30000, 30000])[0]!]).toEqual([1234, -32768, 32767]);
  });
});

describe('ADD int32', () => {
  it('wraps on overflow and IGNORES the fused activation (TFLM clamps to the full int32 range)', () => {
    const op = runOp(addKernel, 'ADD', { activation: 'RELU' }, [i32([3]), i32([3])], [i32([3])]);
    expect([...op.run([-5, 2147483647, 7], [3, 1, -7])[0]!]).toEqual([-2, -2147483648, 0]);
  });

  it('broadcasts on two axes: [2,1,3] + [4,1] -> [2,4,3]', () => {
    const op = runOp(addKernel, 'ADD', {}, [i32([2, 1, 3]), i32([4, 1])], [i32([2, 4, 3])]);
    const want: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) want.push(10 * i + k + 100 * (j + 1));
    expect([...op.run([0, 1, 2, 10, 11, 12], [100, 200, 300, 400])[0]!]).toEqual(want);
  });

  it('adds a constant scalar', () => {
    const op = runOp(addKernel, 'ADD', {}, [i32([4]), i32([], [333])], [i32([4])]);
    expect([...op.run([0, 1, -333, -1000])[0]!]).toEqual([333, 334, 0, -667]);
  });

  it('refuses quantized int32 inputs and mixed types', () => {
    expect(() => runOp(addKernel, 'ADD', {}, [{ dtype: 'int32', shape: [1], scale: 1 }, i32([1])], [i32([1])])).toThrow(HarnessError);
    expect(() => runOp(addKernel, 'ADD', {}, [i8([1]), i32([1])], [i32([1])])).toThrow(HarnessError);
  });
});
