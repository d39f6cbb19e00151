import { describe, it, expect } from 'vitest';
import { PACK_MAX_DEPTH, packRowPairs, packedRowDots } from '../../../sim/kernels/_packed_dot.js';

/** Plain int8 dot products, the reference for the packed ones. */
function plainDots(w: Int8Array, rows: number, depth: number, x: Float64Array): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let k = 0; k < depth; k++) s += w[r * depth + k]! * x[k]!;
    out.push(s);
  }
  return out;
}

function packedDots(w: Int8Array, rows: number, depth: number, x: Float64Array): number[] {
  const out = new Array<number>(rows + 2).fill(12345);
  packedRowDots(packRowPairs(w, 0, rows, depth), rows, depth, Array.from(x), out, 1);
  // Nothing outside [oOff, oOff + rows) is written.
  expect(out[0]).toBe(12345);
  expect(out[rows + 1]).toBe(12345);
  return out.slice(1, rows + 1);
}

describe('packed int8 row dot products', () => {
  it('match plain dot products for every rows parity and depth parity (blocks of eight rows and the rest)', () => {
    let seed = 7;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) | 0;
      return (seed >>> 16) & 0xff;
    };
    for (const rows of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17]) {
      for (const depth of [1, 2, 3, 16, 17]) {
        const w = new Int8Array(rows * depth).map(() => rnd() - 128);
        const x = new Float64Array(depth).map(() => rnd() - 128);
        expect(packedDots(w, rows, depth, x)).toEqual(plainDots(w, rows, depth, x));
      }
    }
  });

  it('stay exact at the largest depth with extreme values of both signs', () => {
    const depth = PACK_MAX_DEPTH;
    // Rows (5-periodic): all -128, all 127, alternating, all -128, all 127; x all -128 (|x| at its bound).
    // 2047 * 16384 = 33538048; 2047 * -16256 = -33276032; alternating: 1024 * 16384 - 1023 * 16256 = 147328.
    const period = [33538048, -33276032, 147328, 33538048, -33276032];
    // 5 rows: pairs one at a time; 10 rows: a block of eight rows, then one pair.
    for (const rows of [5, 10]) {
      const w = new Int8Array(rows * depth);
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < depth; k++) {
          w[r * depth + k] = [-128, 127, k % 2 ? 127 : -128, -128, 127][r % 5]!;
        }
      }
      const x = new Float64Array(depth).fill(-128);
      expect(packedDots(w, rows, depth, x)).toEqual(Array.from({ length: rows }, (_, r) => period[r % 5]));
    }
  });
});
