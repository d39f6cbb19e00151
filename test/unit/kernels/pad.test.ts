import { describe, it, expect } from 'vitest';
import { padKernel } from '../../../sim/kernels/pad.js';
import { mirrorPadKernel } from '../../../sim/kernels/mirror_pad.js';
import { runOp } from './_op_harness.js';

describe('PAD / PADV2', () => {
  it('int8 PAD fills with the output zero point and copies raw (no requantization)', () => {
    const r = runOp(padKernel, 'PAD', {},
      [{ dtype: 'int8', shape: [2], scale: 0.5, zeroPoint: 7 }, { dtype: 'int32', shape: [1, 2], data: [1, 2] }],
      [{ dtype: 'int8', shape: [5], scale: 0.25, zeroPoint: -3 }]);
    expect([...r.run([1, 2])[0]!]).toEqual([-3, 1, 2, -3, -3]);
  });

  it('int16 PADV2 uses constant_values', () => {
    const r = runOp(padKernel, 'PADV2', {},
      [{ dtype: 'int16', shape: [1, 2], scale: 1 }, { dtype: 'int32', shape: [2, 2], data: [1, 0, 0, 1] }, { dtype: 'int16', shape: [], scale: 1, data: [-7] }],
      [{ dtype: 'int16', shape: [2, 3], scale: 1 }]);
    expect([...r.run([1, 2])[0]!]).toEqual([-7, -7, -7, 1, 2, -7]);
  });

  it('int16 PAD pads with 0 whatever the zero point', () => {
    const r = runOp(padKernel, 'PAD', {},
      [{ dtype: 'int16', shape: [1], scale: 1, zeroPoint: 5 }, { dtype: 'int32', shape: [1, 2], data: [1, 1] }],
      [{ dtype: 'int16', shape: [3], scale: 1, zeroPoint: 5 }]);
    expect([...r.run([9])[0]!]).toEqual([0, 9, 0]);
  });

  it('float32 PADV2 keeps the bits, including the pad value', () => {
    const r = runOp(padKernel, 'PADV2', {},
      [{ dtype: 'float32', shape: [2] }, { dtype: 'int32', shape: [1, 2], data: [1, 1] }, { dtype: 'float32', shape: [], data: [1.5] }],
      [{ dtype: 'float32', shape: [4] }]);
    expect([...r.run([-0.25, 3])[0]!]).toEqual([1.5, -0.25, 3, 1.5]);
  });

  it('5-D int32 with padding on every axis', () => {
    const r = runOp(padKernel, 'PAD', {},
      [{ dtype: 'int32', shape: [1, 1, 1, 1, 2] }, { dtype: 'int32', shape: [5, 2], data: [0, 1, 0, 0, 0, 0, 1, 0, 0, 1] }],
      [{ dtype: 'int32', shape: [2, 1, 1, 2, 3] }]);
    expect([...r.run([100000, -5])[0]!]).toEqual([0, 0, 0, 100000, -5, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('refuses negative paddings and a mismatched output shape', () => {
    expect(() => runOp(padKernel, 'PAD', {}, [{ dtype: 'int8', shape: [3], scale: 1 }, { dtype: 'int32', shape: [1, 2], data: [-1, 0] }], [{ dtype: 'int8', shape: [2], scale: 1 }])).toThrow(/negative/);
    expect(() => runOp(padKernel, 'PAD', {}, [{ dtype: 'int8', shape: [3], scale: 1 }, { dtype: 'int32', shape: [1, 2], data: [1, 0] }], [{ dtype: 'int8', shape: [5], scale: 1 }])).toThrow(/dimension 0/);
  });
});

describe('MIRROR_PAD', () => {
  const mp = (mode: string, shape: number[], pads: number[], outShape: number[]) => runOp(mirrorPadKernel, 'MIRROR_PAD', { mode },
    [{ dtype: 'int8', shape, scale: 1 }, { dtype: 'int32', shape: [shape.length, 2], data: pads }], [{ dtype: 'int8', shape: outShape, scale: 1 }]);

  it('REFLECT excludes the edge', () => {
    expect([...mp('REFLECT', [3], [2, 2], [7]).run([1, 2, 3])[0]!]).toEqual([3, 2, 1, 2, 3, 2, 1]);
  });

  it('SYMMETRIC repeats the edge', () => {
    expect([...mp('SYMMETRIC', [3], [2, 2], [7]).run([1, 2, 3])[0]!]).toEqual([2, 1, 1, 2, 3, 3, 2]);
  });

  it('2-D SYMMETRIC', () => {
    expect([...mp('SYMMETRIC', [2, 2], [1, 0, 0, 1], [3, 3]).run([1, 2, 3, 4])[0]!]).toEqual([1, 2, 2, 1, 2, 2, 3, 4, 4]);
  });

  it('refuses a REFLECT left padding as wide as the input', () => {
    expect(() => mp('REFLECT', [3], [3, 0], [6])).toThrow(/does not fit/);
  });
});
