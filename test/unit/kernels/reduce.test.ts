import { describe, it, expect } from 'vitest';
import { meanKernel } from '../../../sim/kernels/mean.js';
import { sumKernel } from '../../../sim/kernels/sum.js';
import { reduceMaxKernel } from '../../../sim/kernels/reduce_max.js';
import type { DType } from '../../../sim/ir/types.js';
import { runOp } from './_op_harness.js';

function reduce(kernel: any, op: string, dtype: DType, inShape: number[], axes: number[], outShape: number[], q: { sIn: number; zIn: number; sOut: number; zOut: number }, keepDims = false) {
  return runOp(kernel, op, { keepDims },
    [{ dtype, shape: inShape, scale: q.sIn, zeroPoint: q.zIn }, { dtype: 'int32', shape: [axes.length], data: axes }],
    [{ dtype, shape: outShape, scale: q.sOut, zeroPoint: q.zOut }]);
}

describe('MEAN (QuantizedMeanOrSum)', () => {
  it('folds 1/N into the multiplier and rounds 2.5 away from zero', () => {
    // S 1 -> 1: M = 2^30, s = 1; N = 4: k = 2, M' = 2^30, s' = -1.
    // sum 10: SRDHM(10, 2^30) = 5, RDBPOT(5, 1) = 3.
    const r = reduce(meanKernel, 'MEAN', 'int8', [1, 4], [1], [1, 1], { sIn: 1, zIn: 0, sOut: 1, zOut: 0 }, true);
    expect([...r.run([1, 2, 3, 4])[0]!]).toEqual([3]);
  });

  it('subtracts zp_in * N and adds zp_out', () => {
    // real 1..4 stored with zp 2: (18 - 8) = 10 -> 3, + zp_out -1 = 2.
    const r = reduce(meanKernel, 'MEAN', 'int8', [1, 4], [-1], [1], { sIn: 1, zIn: 2, sOut: 1, zOut: -1 });
    expect([...r.run([3, 4, 5, 6])[0]!]).toEqual([2]);
  });

  it('int16, duplicate and negative axes resolve to one axis (N = 3)', () => {
    // M' = (2^30 << 1) / 3 = 715827882, s' = 0: sum 6 -> 2, sum 15 -> 5.
    const r = reduce(meanKernel, 'MEAN', 'int16', [1, 2, 3], [-1, 2], [1, 2], { sIn: 1, zIn: 0, sOut: 1, zOut: 0 });
    expect([...r.run([1, 2, 3, 4, 5, 6])[0]!]).toEqual([2, 5]);
  });

  it('reduces a middle axis keeping the layout of the others', () => {
    // [2, 2, 2] over axis 1 with N = 2: k = 1, M' = 2^30, s' = 0 -> SRDHM(sum, 2^30) = round-half-up(sum / 2).
    const r = reduce(meanKernel, 'MEAN', 'int8', [2, 2, 2], [1], [2, 1, 2], { sIn: 1, zIn: 0, sOut: 1, zOut: 0 }, true);
    // out[0,0] = (0+2)/2 = 1, out[0,1] = (1+3)/2 = 2, out[1,0] = (10+21)/2 = 15.5 -> 16, out[1,1] = (-5-8)/2 = -6.5 -> -6 (ties up).
    expect([...r.run([0, 1, 2, 3, 10, -5, 21, -8])[0]!]).toEqual([1, 2, 16, -6]);
  });

  it('refuses a non-constant axis tensor', () => {
    expect(() => runOp(meanKernel, 'MEAN', { keepDims: false }, [{ dtype: 'int8', shape: [4], scale: 1 }, { dtype: 'int32', shape: [1] }], [{ dtype: 'int8', shape: [], scale: 1 }])).toThrow(/constant/);
  });
});

describe('SUM', () => {
  it('requantizes the sum without 1/N', () => {
    // S 0.5 -> 1: M = 2^30, s = 0: 61 -> SRDHM = (61 + 1) / 2 = 31.
    const r = reduce(sumKernel, 'SUM', 'int8', [3], [0], [], { sIn: 0.5, zIn: 0, sOut: 1, zOut: 0 });
    expect([...r.run([10, 20, 31])[0]!]).toEqual([31]);
  });

  it('saturates to the type range', () => {
    const r = reduce(sumKernel, 'SUM', 'int8', [3], [0], [1], { sIn: 1, zIn: 0, sOut: 1, zOut: 0 }, true);
    expect([...r.run([100, 100, 100])[0]!]).toEqual([127]);
  });
});

describe('REDUCE_MAX', () => {
  it('takes the max per kept index, raw', () => {
    const r = reduce(reduceMaxKernel, 'REDUCE_MAX', 'int8', [1, 2, 3], [1], [1, 3], { sIn: 0.1, zIn: 3, sOut: 0.1, zOut: 3 });
    expect([...r.run([1, -5, 7, 3, -9, 7])[0]!]).toEqual([3, -5, 7]);
  });

  it('refuses requantization', () => {
    expect(() => reduce(reduceMaxKernel, 'REDUCE_MAX', 'int8', [2], [0], [], { sIn: 0.1, zIn: 3, sOut: 0.2, zOut: 3 })).toThrow(/quantization/);
  });
});
