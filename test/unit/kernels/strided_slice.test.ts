import { describe, it, expect } from 'vitest';
import { stridedSliceKernel } from '../../../sim/kernels/strided_slice.js';
import type { DType } from '../../../sim/ir/types.js';
import { runOp } from './_op_harness.js';

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

function ss(shape: number[], begin: number[], end: number[], strides: number[], outShape: number[], masks: { beginMask?: number; endMask?: number; shrinkAxisMask?: number; ellipsisMask?: number; newAxisMask?: number } = {}, dtype: DType = 'int8') {
  const n = begin.length;
  return runOp(stridedSliceKernel, 'STRIDED_SLICE',
    { beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0, offset: false, ...masks },
    [{ dtype, shape, scale: 1 }, { dtype: 'int32', shape: [n], data: begin }, { dtype: 'int32', shape: [n], data: end }, { dtype: 'int32', shape: [n], data: strides }],
    [{ dtype, shape: outShape, scale: 1 }]);
}

describe('STRIDED_SLICE', () => {
  it('negative stride from a negative begin, stopping before end', () => {
    // start -1 + 6 = 5, stop 0 (exclusive): 5, 4, 3, 2, 1.
    expect([...ss([6], [-1], [0], [-1], [5]).run(iota(6))[0]!]).toEqual([5, 4, 3, 2, 1]);
  });

  it('end_mask with a negative stride runs to the first element', () => {
    expect([...ss([6], [4], [0], [-2], [3], { endMask: 1 }).run(iota(6))[0]!]).toEqual([4, 2, 0]);
  });

  it('masks and strides on 2-D', () => {
    // rows 1.. (end_mask on axis 0), columns 1, 3 exclusive stride 2 -> column 1.
    expect([...ss([3, 4], [1, 1], [0, 3], [1, 2], [2, 1], { endMask: 1 }).run(iota(12))[0]!]).toEqual([5, 9]);
  });

  it('shrink axis with a negative begin', () => {
    expect([...ss([3, 4], [-2, 0], [0, 4], [1, 1], [4], { shrinkAxisMask: 1 }).run(iota(12))[0]!]).toEqual([4, 5, 6, 7]);
  });

  it('ignores ellipsis_mask and new_axis_mask like TFLM', () => {
    expect([...ss([3, 4], [1, 1], [0, 3], [1, 2], [2, 1], { endMask: 1, ellipsisMask: 1, newAxisMask: 2 }).run(iota(12))[0]!]).toEqual([5, 9]);
  });

  it('clamps begin and end to the dimension, int16 raw copy', () => {
    expect([...ss([4], [-10], [10], [1], [4], {}, 'int16').run([-32768, 1, 2, 32767])[0]!]).toEqual([-32768, 1, 2, 32767]);
  });

  it('refuses a shrink axis with a negative stride (TFLM writes nothing)', () => {
    expect(() => ss([4], [1], [2], [-1], [], { shrinkAxisMask: 1 })).toThrow(/shrink/);
  });
});
