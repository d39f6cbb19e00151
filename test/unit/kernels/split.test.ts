import { describe, it, expect } from 'vitest';
import { splitKernel } from '../../../sim/kernels/split.js';
import { splitVKernel } from '../../../sim/kernels/split_v.js';
import { runOp } from './_op_harness.js';

describe('SPLIT', () => {
  it('int16 along a negative axis', () => {
    const r = runOp(splitKernel, 'SPLIT', { numSplits: 2 },
      [{ dtype: 'int32', shape: [1], data: [-1] }, { dtype: 'int16', shape: [2, 4], scale: 1 }],
      [{ dtype: 'int16', shape: [2, 2], scale: 1 }, { dtype: 'int16', shape: [2, 2], scale: 1 }]);
    const [a, b] = r.run([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...a!]).toEqual([0, 1, 4, 5]);
    expect([...b!]).toEqual([2, 3, 6, 7]);
  });
});

describe('SPLIT_V', () => {
  it('unequal parts taken from the output shapes', () => {
    const r = runOp(splitVKernel, 'SPLIT_V', { numSplits: 2 },
      [{ dtype: 'int8', shape: [5], scale: 1 }, { dtype: 'int32', shape: [2], data: [2, 3] }, { dtype: 'int32', shape: [], data: [0] }],
      [{ dtype: 'int8', shape: [2], scale: 1 }, { dtype: 'int8', shape: [3], scale: 1 }]);
    const [a, b] = r.run([-1, -2, -3, -4, -5]);
    expect([...a!]).toEqual([-1, -2]);
    expect([...b!]).toEqual([-3, -4, -5]);
  });

  it('refuses outputs that do not add up', () => {
    expect(() => runOp(splitVKernel, 'SPLIT_V', { numSplits: 2 },
      [{ dtype: 'int8', shape: [5], scale: 1 }, { dtype: 'int32', shape: [2], data: [2, 2] }, { dtype: 'int32', shape: [], data: [0] }],
      [{ dtype: 'int8', shape: [2], scale: 1 }, { dtype: 'int8', shape: [2], scale: 1 }])).toThrow(/add up/);
  });
});
