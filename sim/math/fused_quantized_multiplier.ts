/**
 * MultiplyByQuantizedMultiplier (double-rounding build, sim/math/fixedpoint.ts)
 * as ONE rounding step, for hot output stages. The same identity the native
 * engine uses (templates/native/kernels/requant.h, tf_rq_packed), evaluated
 * exactly in doubles.
 *
 * With x' = x * 2^left (int32 wrap, as the reference helper), p = x' * M and
 * e = max(0, -shift):
 *   SaturatingRoundingDoublingHighMul(x', M) = floor((p + 2^30) / 2^31)
 *     (gemmlowp's two nudges, truncated toward zero, are both this floor;
 *     M is never INT32_MIN, so it never saturates), and
 *   RoundingDivideByPOT(s, e) = floor((s + 2^(e-1) - (s < 0 ? 1 : 0)) / 2^e)
 *     (round half away from zero) for e >= 1.
 * Nested floors of integer quotients merge, so the result is
 *   floor((p + R) / 2^(31+e)),  R = 2^30 + 2^(30+e) - (s < 0 ? 2^31 : 0)  (e >= 1),
 *                               R = 2^30                                 (e = 0).
 * s < 0 may be replaced by p < 0: they differ only for -2^30 <= p < 0, where
 * s = 0, and there p + R with the p < 0 constant lies in [0, 2^(30+e)) for
 * e >= 1, so the floor is 0 as well. test/unit/kernels/fused_quantized_multiplier.test.ts
 * checks the identity against the reference helper on edge and random values.
 *
 * Exactness in doubles: p is exact when |p| < 2^53 and p + R when |p + R| <
 * 2^53 (both integers); a double product or sum whose exact value reaches
 * 2^53 rounds to at least 2^53, so testing the computed values against 2^53
 * decides it. Multiplying by 2^-(31+e) is exact, and Math.floor then is the
 * floor. Beyond the bound the caller falls back to the reference helper
 * (never met by int8 convolution accumulators: |x| < 2^22 always fits).
 */

import { multiplyByQuantizedMultiplier } from './fixedpoint.js';

/** 2^53: operands below it in magnitude are exact integers. */
export const EXACT_LIMIT = 9007199254740992;

/** Per-channel constants of the single-step form. */
export interface FusedMultipliers {
  /** M as a double. */
  multiplier: Float64Array;
  /** 2^left for channels with a positive shift, else 1 (applied with Math.imul). */
  leftMul: Int32Array;
  /** R for p >= 0 and for p < 0. */
  roundPos: Float64Array;
  roundNeg: Float64Array;
  /** 2^-(31+e). */
  scale: Float64Array;
}

/**
 * The constants for per-channel (multiplier, shift) pairs as QuantizeMultiplier
 * produces them, or null if some shift is outside [-31, 30] (then use
 * multiplyByQuantizedMultiplier).
 */
export function fuseMultipliers(multiplier: Int32Array, shift: Int32Array): FusedMultipliers | null {
  const n = multiplier.length;
  const f: FusedMultipliers = {
    multiplier: new Float64Array(n), leftMul: new Int32Array(n), roundPos: new Float64Array(n), roundNeg: new Float64Array(n),
    scale: new Float64Array(n),
  };
  for (let c = 0; c < n; c++) {
    const m = multiplier[c]!;
    const s = shift[c]!;
    if (s < -31 || s > 30 || m < 0) return null;
    const e = s > 0 ? 0 : -s;
    f.multiplier[c] = m;
    f.leftMul[c] = s > 0 ? 2 ** s : 1;
    f.roundPos[c] = e === 0 ? 2 ** 30 : 2 ** 30 + 2 ** (30 + e);
    f.roundNeg[c] = e === 0 ? 2 ** 30 : 2 ** 30 + 2 ** (30 + e) - 2 ** 31;
    f.scale[c] = 2 ** -(31 + e);
  }
  return f;
}

/**
 * multiplyByQuantizedMultiplier(x, M[c], shift[c]) for int32 x, or NaN when the
 * double evaluation could be inexact (the caller then uses the reference helper).
 * Hot loops inline the same three lines instead of calling this.
 */
export function fusedMultiply(f: FusedMultipliers, c: number, x: number): number {
  const p = Math.imul(x, f.leftMul[c]!) * f.multiplier[c]!;
  const t = p + (p < 0 ? f.roundNeg[c]! : f.roundPos[c]!);
  if (p < EXACT_LIMIT && p > -EXACT_LIMIT && t < EXACT_LIMIT && t > -EXACT_LIMIT) return Math.floor(t * f.scale[c]!);
  return NaN;
}

/** Largest right shift e for which fusedMultiplyWide is exact. */
export const WIDE_MAX_SHIFT = 20;

/**
 * The single-step form for EVERY int32 x, valid when e = max(0, -shift) <=
 * WIDE_MAX_SHIFT (arguments: channel constants from fuseMultipliers). When
 * |p| >= 2^52, x' = 2^16 xh + xl (xl in [0, 2^16)) splits p = 2^16 ph + pl with
 * ph = xh M (|ph| <= 2^46) and pl = xl M (< 2^47), both exact; with D =
 * 2^(31+e) = 2^16 * 2^(15+e) and ph = qh 2^(15+e) + rh (0 <= rh < 2^(15+e)):
 *   floor((p + R) / D) = qh + floor((2^16 rh + pl + R) / D),
 * whose numerator is below 2^(31+e) + 2^47 + 2^(31+e) <= 2^53 for e <= 20.
 * The rounding constant goes by the sign of x' (M = 0 gives 0 with either).
 */
export function fusedMultiplyWide(x: number, leftMul: number, multiplier: number, roundPos: number, roundNeg: number, scale: number): number {
  const xs = Math.imul(x, leftMul);
  const p = xs * multiplier;
  const r = xs < 0 ? roundNeg : roundPos;
  // |p| < 2^52 and R <= 2^30 + 2^50: p + R is exact.
  if (p < 4503599627370496 && p > -4503599627370496) return Math.floor((p + r) * scale);
  const ph = (xs >> 16) * multiplier;
  const hScale = scale * 65536; // 2^-(15+e)
  const qh = Math.floor(ph * hScale);
  const rh = ph - qh / hScale;
  return qh + Math.floor((rh * 65536 + (xs & 0xffff) * multiplier + r) * scale);
}

/**
 * Half the margin fusedMultiplyChecked keeps from an integer: 2^-20.
 * The rounding error of its double evaluation is below 2^-21.
 */
const CHECK_MARGIN = 9.5367431640625e-7;

/**
 * multiplyByQuantizedMultiplier(x, qm, shift) for every int32 x and every
 * shift fuseMultipliers accepts, from the single-step constants (leftMul,
 * multiplier, roundPos, roundNeg, scale of one channel) with no branch on the
 * size of x: t = (x'M + R) 2^-(31+e) is evaluated in doubles, rounding
 * included, and its floor is the answer whenever t is not within 2^-20 of an
 * integer; otherwise (rare) the reference helper decides.
 *
 * Why: |x'M| < 2^62 and |R| <= 2^(31+e), so the two rounded operations (the
 * product, then the sum) each err by at most 2^-53 of a value below 2^(62-31-e)
 * + 1 after scaling (the power-of-two scale is exact): the computed t is
 * within 2^-21 of the exact one. If its fractional part (computed within
 * 2^-53) lies in [2^-20, 1 - 2^-20], the exact t lies strictly between the
 * same two integers, so the floors agree. Cheaper than the two-branch
 * fusedMultiplyWide when accumulators are large (SVDF's time sums, LSTM
 * products of two int16 values), and it needs no bound on e.
 */
export function fusedMultiplyChecked(
  x: number, leftMul: number, multiplier: number, roundPos: number, roundNeg: number, scale: number, qm: number, shift: number,
): number {
  const xs = Math.imul(x, leftMul);
  const t = (xs * multiplier + (xs < 0 ? roundNeg : roundPos)) * scale;
  const f = Math.floor(t);
  const frac = t - f;
  if (frac >= CHECK_MARGIN && frac <= 1 - CHECK_MARGIN) return f;
  return multiplyByQuantizedMultiplier(x, qm, shift);
}

/** One channel's single-step constants as plain numbers (for per-tensor rescales). */
export interface OneStep {
  multiplier: number;
  leftMul: number;
  roundPos: number;
  roundNeg: number;
  /** NaN when fuseMultipliers refuses the shift: fusedMultiplyChecked then always takes the reference helper. */
  scale: number;
}

/** The constants of fusedMultiplyChecked for one (multiplier, shift) pair as QuantizeMultiplier produces it. */
export function fuseOne(multiplier: number, shift: number): OneStep {
  const f = fuseMultipliers(Int32Array.of(multiplier), Int32Array.of(shift));
  if (!f) return { multiplier: 0, leftMul: 1, roundPos: 0, roundNeg: 0, scale: NaN };
  return { multiplier: f.multiplier[0]!, leftMul: f.leftMul[0]!, roundPos: f.roundPos[0]!, roundNeg: f.roundNeg[0]!, scale: f.scale[0]! };
}

/**
 * Whether every int32 x with |x| <= maxAbs may skip fusedMultiplyChecked's
 * check and wrap: floor((x (M 2^left) + R) scale), R chosen by the sign of x,
 * is then the reference value. It is when |x 2^left| < 2^31 (Math.imul would
 * not wrap), |x 2^left M| < 2^52 and e <= 21 (R < 2^52): the product and the
 * sum are then exact integers below 2^53, and the floor is the identity's.
 * Kernels bound their accumulators at prepare (weights and bias known) and
 * pick the unchecked loop when this holds.
 */
export function uncheckedFits(maxAbs: number, one: OneStep): boolean {
  const xs = maxAbs * one.leftMul;
  return one.scale >= 2 ** -52 && xs < 2 ** 31 && xs * one.multiplier < 2 ** 52;
}
