import { describe, it, expect } from 'vitest';
import { argMinMaxKernel } from '../../../sim/kernels/arg_min_max.js';
import type { DType } from '../../../sim/ir/types.js';
import { runOp } from './_op_harness.js';

const am = (op: string, dtype: DType, shape: number[], axis: number, outShape: number[]) => runOp(argMinMaxKernel, op, { outputType: 'int32' },
  [{ dtype, shape, scale: 1 }, { dtype: 'int32', shape: [1], data: [axis] }], [{ dtype: 'int32', shape: outShape }]);

describe('ARG_MAX / ARG_MIN', () => {
  it('ties keep the first index', () => {
    const x = [1, 5, 5, -3, -3, -4];
    expect([...am('ARG_MAX', 'int8', [2, 3], 1, [2]).run(x)[0]!]).toEqual([1, 0]);
    expect([...am('ARG_MIN', 'int8', [2, 3], 1, [2]).run(x)[0]!]).toEqual([0, 2]);
  });

  it('negative axis on the outer dimension', () => {
    expect([...am('ARG_MAX', 'int8', [2, 3], -2, [3]).run([1, 5, -4, 2, -5, -4])[0]!]).toEqual([1, 0, 0]);
  });

  it('float32 NaN never replaces and is never replaced', () => {
    expect([...am('ARG_MAX', 'float32', [3], 0, []).run([0.5, NaN, 2])[0]!]).toEqual([2]);
    expect([...am('ARG_MAX', 'float32', [3], 0, []).run([NaN, 1, 2])[0]!]).toEqual([0]);
  });

  it('refuses an int64 output', () => {
    expect(() => runOp(argMinMaxKernel, 'ARG_MAX', { outputType: 'int64' },
      [{ dtype: 'int8', shape: [3], scale: 1 }, { dtype: 'int32', shape: [1], data: [0] }], [{ dtype: 'int64', shape: [] }])).toThrow(/int64/);
  });
});
