import { describe, it, expect } from 'vitest';
import { addKernel } from '../../../sim/kernels/add.js';
import { subKernel } from '../../../sim/kernels/sub.js';
import { mulKernel } from '../../../sim/kernels/mul.js';
import { PAIR_TABLE_MIN_ELEMENTS } from '../../../sim/kernels/_int8_lookup.js';
import type { Kernel } from '../../../sim/kernels/types.js';
import { runOp, type TensorSpec } from './_op_harness.js';

// Large int8 ADD/SUB/MUL switch from per-element arithmetic to a table of all input pairs.
// Both paths must give the same byte for every pair (and the per-element path is pinned by
// the hand-computed tests and the golden cases).
const cases: [string, Kernel, Record<string, unknown>][] = [
  ['ADD', addKernel, { activation: 'RELU6' }],
  ['SUB', subKernel, { activation: 'NONE' }],
  ['MUL', mulKernel, { activation: 'RELU' }],
];

describe('int8 pair table', () => {
  for (const [name, kernel, options] of cases) {
    it(`${name}: the table path equals the per-element path on all 65536 pairs`, () => {
      const spec = (shape: number[], scale: number, zeroPoint: number): TensorSpec => ({ dtype: 'int8', shape, scale, zeroPoint });
      const a = new Int8Array(65536);
      const b = new Int8Array(65536);
      for (let i = 0; i < 65536; i++) {
        a[i] = (i >> 8) - 128;
        b[i] = (i & 255) - 128;
      }
      expect(65536).toBeGreaterThanOrEqual(PAIR_TABLE_MIN_ELEMENTS);
      const big = runOp(kernel, name, options, [spec([1, 256, 256], 0.0371, -7), spec([1, 256, 256], 0.0213, 19)], [spec([1, 256, 256], 0.0452, -3)]);
      const got = big.run(a, b)[0] as Int8Array;
      const small = runOp(kernel, name, options, [spec([256], 0.0371, -7), spec([256], 0.0213, 19)], [spec([256], 0.0452, -3)]);
      expect((small.data as { pairTable: unknown }).pairTable).toBeNull();
      expect((big.data as { pairTable: unknown }).pairTable).not.toBeNull();
      for (let x = 0; x < 256; x++) {
        const want = small.run(a.subarray(x * 256, x * 256 + 256), b.subarray(0, 256))[0] as Int8Array;
        expect(got.subarray(x * 256, x * 256 + 256)).toEqual(want);
      }
    });
  }

  it('the table path also walks broadcasts', () => {
    const spec = (shape: number[]): TensorSpec => ({ dtype: 'int8', shape, scale: 1, zeroPoint: 0 });
    const op = runOp(addKernel, 'ADD', {}, [spec([1, 64, 64, 4]), spec([4])], [spec([1, 64, 64, 4])]);
    const a = new Int8Array(16384).fill(1);
    a[5] = 100;
    const out = op.run(a, [0, 10, -10, 127])[0] as Int8Array;
    expect([...out.subarray(0, 8)]).toEqual([1, 11, -9, 127, 1, 110, -9, 127]);
  });
});
