import { describe, it, expect } from 'vitest';
import { packKernel } from '../../../sim/kernels/pack.js';
import { unpackKernel } from '../../../sim/kernels/unpack.js';
import { runOp } from './_op_harness.js';

describe('PACK', () => {
  it('stacks along a new inner axis (axis -1)', () => {
    const r = runOp(packKernel, 'PACK', { valuesCount: 2, axis: -1 },
      [{ dtype: 'int8', shape: [3], scale: 1 }, { dtype: 'int8', shape: [3], scale: 1 }],
      [{ dtype: 'int8', shape: [3, 2], scale: 1 }]);
    expect([...r.run([1, 2, 3], [-1, -2, -3])[0]!]).toEqual([1, -1, 2, -2, 3, -3]);
  });

  it('stacks along axis 0 (int32)', () => {
    const r = runOp(packKernel, 'PACK', { valuesCount: 2, axis: 0 },
      [{ dtype: 'int32', shape: [2] }, { dtype: 'int32', shape: [2] }],
      [{ dtype: 'int32', shape: [2, 2] }]);
    expect([...r.run([1, 2], [3, 4])[0]!]).toEqual([1, 2, 3, 4]);
  });
});

describe('UNPACK', () => {
  it('splits off axis 1', () => {
    const r = runOp(unpackKernel, 'UNPACK', { num: 3, axis: 1 },
      [{ dtype: 'int16', shape: [2, 3], scale: 1 }],
      [{ dtype: 'int16', shape: [2], scale: 1 }, { dtype: 'int16', shape: [2], scale: 1 }, { dtype: 'int16', shape: [2], scale: 1 }]);
    const outs = r.run([0, 1, 2, 3, 4, 5]);
    expect(outs.map((o) => [...o])).toEqual([[0, 3], [1, 4], [2, 5]]);
  });
});
