import { describe, expect, it } from 'vitest';
import {
  saturatingRoundingDoublingHighMul as srdhm,
  roundingDivideByPOT as rdbpot,
  multiplyByQuantizedMultiplier as mbqm,
  multiplyByQuantizedMultiplierInt64 as mbqm64,
  quantizeMultiplier,
  frexp,
  tfliteRound,
  calculateActivationRangeQuantized,
  countLeadingSignBits,
} from '../../sim/math/fixedpoint.js';

const MIN = -2147483648;
const MAX = 2147483647;

/** Reference SRDHM in BigInt: (a*b + nudge) / 2^31 truncated toward zero. */
function srdhmRef(a: number, b: number): number {
  if (a === MIN && b === MIN) return MAX;
  const p = BigInt(a) * BigInt(b);
  const nudge = p >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((p + nudge) / (1n << 31n)); // BigInt division truncates toward zero, like C
}

describe('saturatingRoundingDoublingHighMul', () => {
  it('saturates INT32_MIN * INT32_MIN', () => {
    expect(srdhm(MIN, MIN)).toBe(MAX);
  });
  it('handles the extremes exactly', () => {
    expect(srdhm(MIN, MAX)).toBe(-2147483647); // -2^31*(2^31-1)/2^31 = -(2^31-1)
    expect(srdhm(MAX, MAX)).toBe(2147483646); // (2^62 - 2^32 + 1 + 2^30) >> 31
    expect(srdhm(MIN, 1)).toBe(-1);
    expect(srdhm(1, 1)).toBe(0);
    expect(srdhm(0, MIN)).toBe(0);
  });
  it('rounds exact halves toward +infinity (nudge rule)', () => {
    // a*b = 2^30 -> (2^30 + 2^30) / 2^31 = 1
    expect(srdhm(1 << 15, 1 << 15)).toBe(1);
    // a*b = -2^30 -> (-2^30 + 1 - 2^30) / 2^31 = -0.99.. -> trunc 0
    expect(srdhm(-(1 << 15), 1 << 15)).toBe(0);
    // a*b = 3*2^30 -> 1.5 + 0.5 = 2
    expect(srdhm(3 << 15, 1 << 15)).toBe(2);
    expect(srdhm(-(3 << 15), 1 << 15)).toBe(-1);
  });
  it('matches a BigInt reference over large and small operands', () => {
    let s = 0x1234567;
    const rnd = () => {
      s = (Math.imul(s, 1103515245) + 12345) | 0;
      return s;
    };
    const specials = [MIN, MIN + 1, -1, 0, 1, MAX, MAX - 1, 1 << 30, -(1 << 30), 1 << 21, -(1 << 21), 1 << 22];
    for (const a of specials) for (const b of specials) expect(srdhm(a, b)).toBe(srdhmRef(a, b));
    for (let i = 0; i < 20000; i++) {
      const a = rnd();
      const b = i % 3 === 0 ? rnd() >> (i % 31) : rnd();
      expect(srdhm(a, b)).toBe(srdhmRef(a, b));
    }
  });
});

describe('roundingDivideByPOT', () => {
  it('rounds halves away from zero', () => {
    expect(rdbpot(5, 1)).toBe(3); // 2.5 -> 3
    expect(rdbpot(-5, 1)).toBe(-3); // -2.5 -> -3
    expect(rdbpot(6, 2)).toBe(2); // 1.5 -> 2
    expect(rdbpot(-6, 2)).toBe(-2); // -1.5 -> -2
    expect(rdbpot(-7, 2)).toBe(-2); // -1.75 -> -2
    expect(rdbpot(-5, 2)).toBe(-1); // -1.25 -> -1
  });
  it('handles exponent 0 and 31', () => {
    expect(rdbpot(-123, 0)).toBe(-123);
    expect(rdbpot(MAX, 31)).toBe(1);
    expect(rdbpot(MIN, 31)).toBe(-1);
    expect(rdbpot(1 << 29, 31)).toBe(0);
  });
});

describe('multiplyByQuantizedMultiplier (double rounding)', () => {
  it('applies a negative shift after the high-mul', () => {
    // M = 2^30 is 0.5; shift -1 -> x * 0.25
    expect(mbqm(100, 1 << 30, -1)).toBe(25);
    expect(mbqm(-100, 1 << 30, -1)).toBe(-25);
    expect(mbqm(102, 1 << 30, -2)).toBe(13); // 12.75 -> 51 >> 2 with rounding = 13
    expect(mbqm(-102, 1 << 30, -2)).toBe(-13);
  });
  it('double rounding differs from single rounding on a known case', () => {
    // x = 3, M = 2^30 (0.5), shift -1: SRDHM(3, 2^30) = round(1.5) = 2, then 2/2 = 1.
    // A single rounding of 3 * 0.25 = 0.75 would give 1 too; choose x = 5: SRDHM = round(2.5) = 3, 3/2 -> 2; single: 1.25 -> 1.
    expect(mbqm(5, 1 << 30, -1)).toBe(2);
  });
  it('applies a positive shift before the high-mul', () => {
    expect(mbqm(3, 1 << 30, 2)).toBe(6); // 3 * 4 * 0.5
  });
  it('large negative shift', () => {
    expect(mbqm(MAX, 1 << 30, -31)).toBe(1); // SRDHM gives 2^30 exactly, then 2^30 / 2^31 = 0.5 rounds away from zero
    expect(mbqm(1 << 29, 1 << 30, -31)).toBe(0); // 0.125 rounds to 0
    expect(mbqm(MAX, MAX, -30)).toBe(2);
  });
});

describe('multiplyByQuantizedMultiplierInt64', () => {
  it('reduces the multiplier to 16 bits with rounding and one rounding shift', () => {
    // M = 2^30 -> m16 = 2^14; shift 0 -> total 15: (x * 2^14 + 2^14) >> 15
    expect(mbqm64(3n, 1 << 30, 0)).toBe(2); // (49152 + 16384) >> 15 = 2
    expect(mbqm64(-3n, 1 << 30, 0)).toBe(-1); // (-49152 + 16384) >> 15 = -1 (ties toward +inf)
    expect(mbqm64(1n << 40n, 1 << 30, 0)).toBe(0); // truncated to int32: 2^39 wraps to 0
  });
  it('saturates the 16-bit multiplier near 2^31', () => {
    expect(mbqm64(1n << 16n, 0x7fff8000, 0)).toBe(65534); // m16 = 0x7fff
  });
});

describe('quantizeMultiplier', () => {
  it('maps reals to (M, shift) with M in [2^30, 2^31)', () => {
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 1 << 30, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 1 << 30, shift: 1 });
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 1610612736, shift: 0 });
    expect(quantizeMultiplier(2 ** -40)).toEqual({ multiplier: 0, shift: 0 }); // shift < -31 flushes to zero
  });
  it('carries when rounding reaches 2^31', () => {
    // q just below 1: q * 2^31 rounds to 2^31 -> M = 2^30, shift + 1
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ multiplier: 1 << 30, shift: 1 });
  });
  it('frexp is exact at powers of two', () => {
    expect(frexp(1)).toEqual([0.5, 1]);
    expect(frexp(0.25)).toEqual([0.5, -1]);
    expect(frexp(-3)).toEqual([-0.75, 2]);
  });
});

describe('rounding and activation ranges', () => {
  it('tfliteRound rounds halves away from zero', () => {
    expect(tfliteRound(2.5)).toBe(3);
    expect(tfliteRound(-2.5)).toBe(-3);
    expect(tfliteRound(-0.4)).toBe(-0);
  });
  it('RELU6 range in a quantized domain', () => {
    expect(calculateActivationRangeQuantized('RELU6', 'int8', 0.05, -10)).toEqual([-10, 110]);
    expect(calculateActivationRangeQuantized('RELU', 'int8', 0.05, -128)).toEqual([-128, 127]);
    expect(calculateActivationRangeQuantized('NONE', 'int16', 1, 0)).toEqual([-32768, 32767]);
  });
  it('countLeadingSignBits', () => {
    expect(countLeadingSignBits(0)).toBe(31);
    expect(countLeadingSignBits(1)).toBe(30);
    expect(countLeadingSignBits(-1)).toBe(31);
    expect(countLeadingSignBits(MIN)).toBe(0);
  });
});
