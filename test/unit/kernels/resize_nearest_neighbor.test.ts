import { describe, it, expect } from 'vitest';
import { resizeNearestNeighborKernel } from '../../../sim/kernels/resize_nearest_neighbor.js';
import { runOp } from './_op_harness.js';

const rz = (inShape: number[], size: [number, number], alignCorners: boolean, halfPixelCenters: boolean) => runOp(resizeNearestNeighborKernel, 'RESIZE_NEAREST_NEIGHBOR', { alignCorners, halfPixelCenters },
  [{ dtype: 'int8', shape: inShape, scale: 1 }, { dtype: 'int32', shape: [2], data: size }],
  [{ dtype: 'int8', shape: [inShape[0]!, size[0], size[1], inShape[3]!], scale: 1 }]);

describe('RESIZE_NEAREST_NEIGHBOR', () => {
  it('2x2 -> 3x3 default: floor(x * 2/3) = 0, 0, 1', () => {
    expect([...rz([1, 2, 2, 1], [3, 3], false, false).run([1, 2, 3, 4])[0]!]).toEqual([1, 1, 2, 1, 1, 2, 3, 3, 4]);
  });

  it('2x2 -> 3x3 align_corners: round(x * 1/2) = 0, 1 (0.5 away from zero), 1', () => {
    expect([...rz([1, 2, 2, 1], [3, 3], true, false).run([1, 2, 3, 4])[0]!]).toEqual([1, 2, 2, 3, 4, 4, 3, 4, 4]);
  });

  it('width 4 -> 3: default picks 0, 1, 2; half_pixel_centers picks 0, 2, 3', () => {
    expect([...rz([1, 1, 4, 1], [1, 3], false, false).run([10, 20, 30, 40])[0]!]).toEqual([10, 20, 30]);
    // (x + 0.5) * f32(4/3): 0.667 -> 0, 2.0000000596 rounds to float 2.0 -> 2, 3.33 -> 3.
    expect([...rz([1, 1, 4, 1], [1, 3], false, true).run([10, 20, 30, 40])[0]!]).toEqual([10, 30, 40]);
  });

  it('copies whole channel runs (3 channels)', () => {
    expect([...rz([1, 1, 2, 3], [1, 4], false, false).run([1, 2, 3, 4, 5, 6])[0]!]).toEqual([1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]);
  });
});
