import { describe, it, expect } from 'vitest';
import { transposeKernel } from '../../../sim/kernels/transpose.js';
import type { DType } from '../../../sim/ir/types.js';
import { runOp } from './_op_harness.js';

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);
const tr = (dtype: DType, shape: number[], perm: number[], outShape: number[]) => runOp(transposeKernel, 'TRANSPOSE', {},
  [{ dtype, shape, scale: 1 }, { dtype: 'int32', shape: [perm.length], data: perm }], [{ dtype, shape: outShape, scale: 1 }]);

describe('TRANSPOSE', () => {
  it('2-D', () => {
    expect([...tr('int8', [2, 3], [1, 0], [3, 2]).run(iota(6))[0]!]).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('3-D int16, innermost axis moved to the front', () => {
    // out[k][i][j] = in[i][j][k] = 6i + 3j + k.
    expect([...tr('int16', [2, 2, 3], [2, 0, 1], [3, 2, 2]).run(iota(12))[0]!]).toEqual([0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]);
  });

  it('long contiguous runs (outer axes swapped, 64 channels kept)', () => {
    const input = iota(2 * 3 * 64).map((v) => (v % 251) - 125);
    const out = tr('int8', [2, 3, 64], [1, 0, 2], [3, 2, 64]).run(input)[0]!;
    const want: number[] = [];
    for (let j = 0; j < 3; j++) for (let i = 0; i < 2; i++) for (let c = 0; c < 64; c++) want.push(input[(i * 3 + j) * 64 + c]!);
    expect([...out]).toEqual(want);
  });

  it('float32 keeps bits; refuses int32 like TFLM', () => {
    expect([...tr('float32', [1, 2], [1, 0], [2, 1]).run([-0, 2.5])[0]!]).toEqual([-0, 2.5]);
    expect(() => tr('int32', [2], [0], [2])).toThrow(/int32/);
  });
});
