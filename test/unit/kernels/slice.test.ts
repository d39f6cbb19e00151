import { describe, it, expect } from 'vitest';
import { sliceKernel } from '../../../sim/kernels/slice.js';
import { runOp } from './_op_harness.js';

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('SLICE', () => {
  it('size -1 runs to the end', () => {
    const r = runOp(sliceKernel, 'SLICE', {},
      [{ dtype: 'int8', shape: [3, 4], scale: 1 }, { dtype: 'int32', shape: [2], data: [1, 1] }, { dtype: 'int32', shape: [2], data: [2, -1] }],
      [{ dtype: 'int8', shape: [2, 3], scale: 1 }]);
    expect([...r.run(iota(12))[0]!]).toEqual([5, 6, 7, 9, 10, 11]);
  });

  it('int64 begin/size, int32 data', () => {
    const r = runOp(sliceKernel, 'SLICE', {},
      [{ dtype: 'int32', shape: [4] }, { dtype: 'int64', shape: [1], data: [2n] }, { dtype: 'int64', shape: [1], data: [2n] }],
      [{ dtype: 'int32', shape: [2] }]);
    expect([...r.run([10, -20, 300000, -4000000])[0]!]).toEqual([300000, -4000000]);
  });

  it('refuses a box past the input', () => {
    expect(() => runOp(sliceKernel, 'SLICE', {},
      [{ dtype: 'int8', shape: [4], scale: 1 }, { dtype: 'int32', shape: [1], data: [3] }, { dtype: 'int32', shape: [1], data: [2] }],
      [{ dtype: 'int8', shape: [2], scale: 1 }])).toThrow(/does not fit/);
  });
});
