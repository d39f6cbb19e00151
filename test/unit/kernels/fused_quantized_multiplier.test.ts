import { describe, it, expect } from 'vitest';
import { WIDE_MAX_SHIFT, fuseMultipliers, fuseOne, fusedMultiply, fusedMultiplyChecked, fusedMultiplyWide, uncheckedFits } from '../../../sim/math/fused_quantized_multiplier.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../../sim/math/fixedpoint.js';

/** xorshift32, deterministic. */
function rng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

/** Checks fusedMultiply against the reference for x on every listed channel; returns how many took the fast path. */
function check(mult: number[], shift: number[], xs: number[]): number {
  const f = fuseMultipliers(Int32Array.from(mult), Int32Array.from(shift))!;
  expect(f).not.toBeNull();
  let fast = 0;
  for (let c = 0; c < mult.length; c++) {
    for (const x of xs) {
      const got = fusedMultiply(f, c, x);
      if (Number.isNaN(got)) continue;
      fast++;
      const want = multiplyByQuantizedMultiplier(x, mult[c]!, shift[c]!);
      if (got !== want) throw new Error(`x=${x} M=${mult[c]} shift=${shift[c]}: fused ${got}, reference ${want}`);
    }
  }
  return fast;
}

describe('single-step MultiplyByQuantizedMultiplier', () => {
  it('hand-computed values: ties round away from zero, and -2^30 <= p < 0 gives 0', () => {
    // M = 2^30 (0.5), shift -1: x * 0.25 rounded half away from zero at the second step.
    const f = fuseMultipliers(Int32Array.of(1 << 30), Int32Array.of(-1))!;
    expect(fusedMultiply(f, 0, 2)).toBe(1); // 0.5 -> SRDHM 1 -> 1/2 rounds to 1
    expect(fusedMultiply(f, 0, -2)).toBe(-1);
    expect(fusedMultiply(f, 0, 6)).toBe(2); // SRDHM 3 -> 1.5 -> 2
    expect(fusedMultiply(f, 0, -6)).toBe(-2);
    expect(fusedMultiply(f, 0, -1)).toBe(0); // p = -2^30: SRDHM 0 (gemmlowp truncates -0.5 + tiny toward 0)
    expect(fusedMultiply(f, 0, 1)).toBe(1); // p = 2^30: SRDHM 1 (half rounds up), then 1/2 rounds away from zero
  });

  it('equals the reference on edge inputs for every shift', () => {
    const mults = [0, 1 << 30, (1 << 30) + 1, 1518500250, 2147483647, 2147483646, 1395864371];
    const xs: number[] = [0, 1, -1, 2, -2, 3, -3, 127, -128, 255, -255];
    for (let b = 1; b <= 31; b++) {
      const v = 2 ** b;
      xs.push(v, -v, v - 1, -(v - 1), v + 1, -(v + 1));
    }
    xs.push(2147483647, -2147483648);
    for (let s = -31; s <= 30; s++) {
      check(mults, mults.map(() => s), xs.map((x) => x | 0));
    }
  });

  it('equals the reference exhaustively near every rounding boundary (small x, many multipliers)', () => {
    const r = rng(12345);
    let fast = 0;
    for (let trial = 0; trial < 200; trial++) {
      const m = (1 << 30) + (r() & 0x3fffffff);
      const s = -((r() % 20) + 1);
      const xs: number[] = [];
      for (let x = -4096; x <= 4096; x++) xs.push(x);
      fast += check([m], [s], xs);
    }
    expect(fast).toBe(200 * 8193);
  });

  it('equals the reference on random accumulators and random real multipliers', () => {
    const r = rng(987654321);
    let fast = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const real = Math.exp(((r() / 4294967296) - 0.8) * 30); // ~ 1e-10 .. 400
      const { multiplier, shift } = quantizeMultiplier(real);
      const xs: number[] = [];
      for (let i = 0; i < 200; i++) {
        const bits = r() % 32;
        xs.push((r() >>> (31 - bits)) * (r() & 1 ? -1 : 1) | 0);
      }
      fast += check([multiplier], [shift], xs);
    }
    // The fast path covers the bulk (|x| below 2^22 always fits; left shifts widen x first).
    expect(fast).toBeGreaterThan(2000 * 200 * 0.4);
  });

  it('refuses shifts it cannot fuse', () => {
    expect(fuseMultipliers(Int32Array.of(1 << 30), Int32Array.of(31))).toBeNull();
    expect(fuseMultipliers(Int32Array.of(1 << 30), Int32Array.of(-32))).toBeNull();
  });
});

describe('single-step MultiplyByQuantizedMultiplier, full int32 range (fusedMultiplyWide)', () => {
  it('equals the reference for every int32 x on edge and random values, shifts -20..30', () => {
    const r = rng(4242);
    const mults = [0, 1 << 30, (1 << 30) + 1, 1518500250, 2147483647, 1548707584];
    for (let i = 0; i < 30; i++) mults.push((1 << 30) + (r() & 0x3fffffff));
    const xs: number[] = [0, 1, -1, 2147483647, -2147483648, 2147483646, -2147483647, 2146447126, -2146447126];
    for (let b = 0; b <= 31; b++) {
      const v = 2 ** b;
      xs.push(v | 0, -v | 0, (v - 1) | 0, (-(v - 1)) | 0, (v + 1) | 0, (-(v + 1)) | 0);
    }
    for (let i = 0; i < 400; i++) xs.push(r() | 0);
    let slow = 0;
    for (let s = -WIDE_MAX_SHIFT; s <= 30; s++) {
      const f = fuseMultipliers(Int32Array.from(mults), Int32Array.from(mults.map(() => s)))!;
      for (let c = 0; c < mults.length; c++) {
        for (const x of xs) {
          const got = fusedMultiplyWide(x, f.leftMul[c]!, f.multiplier[c]!, f.roundPos[c]!, f.roundNeg[c]!, f.scale[c]!);
          const want = multiplyByQuantizedMultiplier(x, mults[c]!, s);
          if (got !== want) throw new Error(`x=${x} M=${mults[c]} shift=${s}: wide ${got}, reference ${want}`);
          if (Math.abs(x * mults[c]!) >= 2 ** 52) slow++;
        }
      }
    }
    // The split branch was exercised.
    expect(slow).toBeGreaterThan(10000);
  });
});

describe('single-step MultiplyByQuantizedMultiplier, checked (fusedMultiplyChecked) and unchecked (uncheckedFits)', () => {
  const edgeXs = (): number[] => {
    const xs: number[] = [0, 1, -1, 2147483647, -2147483648];
    for (let b = 0; b <= 31; b++) {
      const v = 2 ** b;
      xs.push(v | 0, -v | 0, (v - 1) | 0, (-(v - 1)) | 0, (v + 1) | 0, (-(v + 1)) | 0);
    }
    return xs;
  };

  it('equals the reference for every shift -31..30 on edge and random int32 x, fallback included', () => {
    const r = rng(777);
    const mults = [0, 1 << 30, (1 << 30) + 1, 1518500250, 2147483647, 1548707584];
    for (let i = 0; i < 20; i++) mults.push((1 << 30) + (r() & 0x3fffffff));
    const xs = edgeXs();
    for (let i = 0; i < 300; i++) xs.push(r() | 0);
    for (let i = 0; i < 300; i++) xs.push((r() % 200000) - 100000);
    let fallbacks = 0;
    for (let s = -31; s <= 30; s++) {
      for (const m of mults) {
        const o = fuseOne(m, s);
        expect(o.scale).toBeGreaterThan(0);
        for (const x of xs) {
          const got = fusedMultiplyChecked(x, o.leftMul, o.multiplier, o.roundPos, o.roundNeg, o.scale, m, s);
          const want = multiplyByQuantizedMultiplier(x, m, s);
          if (got !== want) throw new Error(`x=${x} M=${m} shift=${s}: checked ${got}, reference ${want}`);
          const xsh = Math.imul(x, o.leftMul);
          const t = (xsh * o.multiplier + (xsh < 0 ? o.roundNeg : o.roundPos)) * o.scale;
          const frac = t - Math.floor(t);
          if (!(frac >= 2 ** -20 && frac <= 1 - 2 ** -20)) fallbacks++;
        }
      }
    }
    // Exact-integer quotients (e.g. M = 2^30, x = -1, no right shift) take the reference helper.
    expect(fallbacks).toBeGreaterThan(100);
  });

  it('adversarial x whose exact quotient lies just below an integer (doubles round it up): the check catches them', () => {
    // x M + R = k 2^(31+e) - 1 with |x M| near 2^61: the double product rounds by ~2^8 and t
    // comes out as the integer k, while the true floor is k - 1.
    const r = rng(99);
    let caught = 0;
    for (let trial = 0; trial < 200; trial++) {
      const m = ((1 << 30) + (r() & 0x3fffffff)) | 1; // odd: invertible mod 2^(31+e)
      const e = r() % 8;
      const o = fuseOne(m, -e);
      const mod = 2n ** BigInt(31 + e);
      // x = -(R + 1) / M mod 2^(31+e), taken in the upper half so that |x M| is large.
      const R = BigInt(o.roundPos);
      let inv = 1n;
      for (let i = 0; i < 64; i++) inv = (inv * (2n - BigInt(m) * inv)) % mod; // Newton: M^-1 mod 2^(31+e)
      let x = ((-(R + 1n) * inv) % mod + mod) % mod;
      while (x < 2n ** 30n) x += mod;
      if (x > 2147483647n) continue;
      const xn = Number(x);
      const t = (xn * o.multiplier + o.roundPos) * o.scale;
      if (t !== Math.floor(t)) continue; // the double happened to stay below k: not adversarial
      caught++;
      expect(fusedMultiplyChecked(xn, o.leftMul, o.multiplier, o.roundPos, o.roundNeg, o.scale, m, -e)).toBe(multiplyByQuantizedMultiplier(xn, m, -e));
      expect(Math.floor(t)).toBe(multiplyByQuantizedMultiplier(xn, m, -e) + 1);
    }
    expect(caught).toBeGreaterThan(20);
  });

  it('a refused shift always takes the reference helper', () => {
    const o = fuseOne(1 << 30, 31);
    expect(Number.isNaN(o.scale)).toBe(true);
    for (const x of [0, 1, -1, 12345, -2147483648]) {
      expect(fusedMultiplyChecked(x, o.leftMul, o.multiplier, o.roundPos, o.roundNeg, o.scale, 1 << 30, 31)).toBe(multiplyByQuantizedMultiplier(x, 1 << 30, 31));
    }
  });

  it('uncheckedFits: the unchecked form equals the reference up to the bound it accepts', () => {
    const r = rng(31337);
    let accepted = 0;
    for (let trial = 0; trial < 400; trial++) {
      const real = Math.exp(((r() / 4294967296) - 0.7) * 25);
      const { multiplier, shift } = quantizeMultiplier(real);
      const o = fuseOne(multiplier, shift);
      // The largest power-of-two bound accepted (bounds are monotone).
      let maxAbs = 0;
      for (let b = 0; b <= 31; b++) if (uncheckedFits(2 ** b, o)) maxAbs = 2 ** b;
      if (maxAbs === 0) continue;
      if (maxAbs < 2 ** 31) expect(uncheckedFits(maxAbs * 2, o)).toBe(false);
      accepted++;
      const um = o.multiplier * o.leftMul;
      const xs = [0, 1, -1, maxAbs, -maxAbs, maxAbs - 1, -(maxAbs - 1)];
      for (let i = 0; i < 200; i++) xs.push(Math.round((r() / 4294967296 * 2 - 1) * maxAbs));
      for (const x of xs) {
        const got = Math.floor((x * um + (x < 0 ? o.roundNeg : o.roundPos)) * o.scale);
        const want = multiplyByQuantizedMultiplier(x, multiplier, shift);
        if (got !== want) throw new Error(`x=${x} M=${multiplier} shift=${shift}: unchecked ${got}, reference ${want}`);
      }
    }
    expect(accepted).toBeGreaterThan(300);
    // Beyond int32 after the left shift, or a product reaching 2^52: refused.
    expect(uncheckedFits(2 ** 30, fuseOne(1 << 30, 2))).toBe(false);
    expect(uncheckedFits(2 ** 22, fuseOne(2147483647, -5))).toBe(false);
    expect(uncheckedFits(2 ** 20, fuseOne(2147483647, -5))).toBe(true);
  });
});
