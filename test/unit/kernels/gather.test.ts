import { describe, it, expect } from 'vitest';
import { gatherKernel } from '../../../sim/kernels/gather.js';
import { runOp } from './_op_harness.js';

const g = (axis: number, batchDims: number, inShape: number[], cShape: number[], outShape: number[]) => runOp(gatherKernel, 'GATHER', { axis, batchDims },
  [{ dtype: 'int8', shape: inShape, scale: 1 }, { dtype: 'int32', shape: cShape }], [{ dtype: 'int8', shape: outShape, scale: 1 }]);

describe('GATHER', () => {
  it('axis 0 picks rows', () => {
    expect([...g(0, 0, [3, 2], [2], [2, 2]).run([1, 2, 3, 4, 5, 6], [2, 0])[0]!]).toEqual([5, 6, 1, 2]);
  });

  it('axis 1 picks columns, repeats allowed', () => {
    expect([...g(1, 0, [3, 2], [3], [3, 3]).run([1, 2, 3, 4, 5, 6], [1, 1, 0])[0]!]).toEqual([2, 2, 1, 4, 4, 3, 6, 6, 5]);
  });

  it('batch_dims 1: each batch row uses its own coordinates', () => {
    expect([...g(1, 1, [2, 3], [2, 2], [2, 2]).run([1, 2, 3, 4, 5, 6], [2, 0, 1, 1])[0]!]).toEqual([3, 1, 5, 5]);
  });

  it('long slabs (float32 rows of 64)', () => {
    const r = runOp(gatherKernel, 'GATHER', { axis: 0, batchDims: 0 },
      [{ dtype: 'float32', shape: [2, 64] }, { dtype: 'int32', shape: [3], data: [1, 0, 1] }], [{ dtype: 'float32', shape: [3, 64] }]);
    const input = Array.from({ length: 128 }, (_, i) => i / 4 - 10);
    const out = [...r.run(input)[0]!];
    expect(out).toEqual([...input.slice(64), ...input.slice(0, 64), ...input.slice(64)]);
  });

  it('throws on an out-of-range coordinate', () => {
    expect(() => g(0, 0, [3, 2], [1], [1, 2]).run([1, 2, 3, 4, 5, 6], [3])).toThrow(/position 3/);
  });
});
