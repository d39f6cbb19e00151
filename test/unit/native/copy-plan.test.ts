import { describe, expect, it } from 'vitest';
import { fitAffine } from '../../../generator/native/ops/_copy.js';

describe('fitAffine (native copy loops from a source-index map)', () => {
  it('finds nested strided loops, outermost first', () => {
    // A 2x3 box out of rows of 10 starting at 12: rows 12..14, 22..24.
    expect(fitAffine([12, 13, 14, 22, 23, 24])).toEqual({ n: [2, 3], s: [10, 1] });
    // Negative strides (reversed axes).
    expect(fitAffine([9, 7, 5, 19, 17, 15])).toEqual({ n: [2, 3], s: [10, -2] });
    // One element, and a plain contiguous run.
    expect(fitAffine([5])).toEqual({ n: [1], s: [0] });
    expect(fitAffine([3, 4, 5, 6])).toEqual({ n: [4], s: [1] });
  });

  it('merges levels that continue one progression and splits at the first break that divides the length', () => {
    // 0,2,4 | 10,12,14: inner progression of 3, then +10.
    expect(fitAffine([0, 2, 4, 10, 12, 14])).toEqual({ n: [2, 3], s: [10, 2] });
    // A progression longer than the block: 0..3 then 10..13 (length 8, inner 4).
    expect(fitAffine([0, 1, 2, 3, 10, 11, 12, 13])).toEqual({ n: [2, 4], s: [10, 1] });
  });

  it('returns null for maps that are not affine or need too many levels', () => {
    expect(fitAffine([0, 1, 5])).toBeNull();
    expect(fitAffine([0, 1, 2, 10, 11, 30])).toBeNull();
    expect(fitAffine([])).toBeNull();
    // 5 levels of 2 (strides 1, 3, 7, 15, 31 never merge) with the default limit of 4.
    const map: number[] = [];
    for (let i = 0; i < 32; i++) map.push((i & 1) + ((i >> 1) & 1) * 3 + ((i >> 2) & 1) * 7 + ((i >> 3) & 1) * 15 + ((i >> 4) & 1) * 31);
    expect(fitAffine(map)).toBeNull();
    expect(fitAffine(map, 5)).toEqual({ n: [2, 2, 2, 2, 2], s: [31, 15, 7, 3, 1] });
  });
});
