import { describe, it, expect } from 'vitest';
import { spaceToDepthKernel } from '../../../sim/kernels/space_to_depth.js';
import { depthToSpaceKernel } from '../../../sim/kernels/depth_to_space.js';
import { runOp } from './_op_harness.js';

describe('SPACE_TO_DEPTH / DEPTH_TO_SPACE', () => {
  it('SPACE_TO_DEPTH gathers each 2x2 patch into channels (dy, dx) order', () => {
    const r = runOp(spaceToDepthKernel, 'SPACE_TO_DEPTH', { blockSize: 2 },
      [{ dtype: 'int8', shape: [1, 2, 4, 1], scale: 1 }], [{ dtype: 'int8', shape: [1, 1, 2, 4], scale: 1 }]);
    expect([...r.run([1, 2, 3, 4, 5, 6, 7, 8])[0]!]).toEqual([1, 2, 5, 6, 3, 4, 7, 8]);
  });

  it('SPACE_TO_DEPTH keeps channel runs (depth 2)', () => {
    const r = runOp(spaceToDepthKernel, 'SPACE_TO_DEPTH', { blockSize: 2 },
      [{ dtype: 'int8', shape: [1, 2, 2, 2], scale: 1 }], [{ dtype: 'int8', shape: [1, 1, 1, 8], scale: 1 }]);
    // pixels a(0,0) b(0,1) c(1,0) d(1,1), two channels each -> a0 a1 b0 b1 c0 c1 d0 d1.
    expect([...r.run([10, 11, 20, 21, 30, 31, 40, 41])[0]!]).toEqual([10, 11, 20, 21, 30, 31, 40, 41]);
  });

  it('DEPTH_TO_SPACE is the inverse', () => {
    const r = runOp(depthToSpaceKernel, 'DEPTH_TO_SPACE', { blockSize: 2 },
      [{ dtype: 'int8', shape: [1, 1, 2, 4], scale: 1 }], [{ dtype: 'int8', shape: [1, 2, 4, 1], scale: 1 }]);
    expect([...r.run([1, 2, 5, 6, 3, 4, 7, 8])[0]!]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('refuses sizes that are not multiples of the block', () => {
    expect(() => runOp(spaceToDepthKernel, 'SPACE_TO_DEPTH', { blockSize: 2 },
      [{ dtype: 'int8', shape: [1, 3, 2, 1], scale: 1 }], [{ dtype: 'int8', shape: [1, 1, 1, 4], scale: 1 }])).toThrow(/divisible/);
  });
});
