import { describe, it, expect } from 'vitest';
import { fillKernel } from '../../../sim/kernels/fill.js';
import { zerosLikeKernel } from '../../../sim/kernels/zeros_like.js';
import { runOp } from './_op_harness.js';

describe('FILL', () => {
  it('constant int8 value', () => {
    const r = runOp(fillKernel, 'FILL', {},
      [{ dtype: 'int32', shape: [2], data: [2, 2] }, { dtype: 'int8', shape: [], scale: 1, data: [-3] }], [{ dtype: 'int8', shape: [2, 2], scale: 1 }]);
    expect([...r.run()[0]!]).toEqual([-3, -3, -3, -3]);
  });

  it('runtime float32 value, read each eval', () => {
    const r = runOp(fillKernel, 'FILL', {},
      [{ dtype: 'int64', shape: [1], data: [3n] }, { dtype: 'float32', shape: [] }], [{ dtype: 'float32', shape: [3] }]);
    expect([...r.run([-1.25])[0]!]).toEqual([-1.25, -1.25, -1.25]);
    expect([...r.run([7])[0]!]).toEqual([7, 7, 7]);
  });

  it('refuses dims that differ from the output shape', () => {
    expect(() => runOp(fillKernel, 'FILL', {},
      [{ dtype: 'int32', shape: [1], data: [4] }, { dtype: 'int8', shape: [], scale: 1, data: [1] }], [{ dtype: 'int8', shape: [3], scale: 1 }])).toThrow(/dims/);
  });
});

describe('ZEROS_LIKE', () => {
  it('writes stored zeros (not the zero point)', () => {
    const r = runOp(zerosLikeKernel, 'ZEROS_LIKE', {}, [{ dtype: 'int8', shape: [3], scale: 1, zeroPoint: -5 }], [{ dtype: 'int8', shape: [3], scale: 1, zeroPoint: -5 }]);
    (r.outputs[0] as Int8Array).fill(9);
    expect([...r.run([1, 2, 3])[0]!]).toEqual([0, 0, 0]);
  });
});
