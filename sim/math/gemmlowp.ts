/**
 * gemmlowp fixed-point transcendental functions (fixedpoint/fixedpoint.h,
 * gemmlowp 719139ce, the scalar int32 path) and TFLite's GetReciprocal
 * (tensorflow/lite/kernels/internal/common.h). These are exact integer
 * algorithms: every result here must equal TFLM's bit for bit.
 *
 * A FixedPoint<int32, N> value is represented by its raw int32; N (the integer
 * bits) is passed at run time where the algorithm depends on it. Rules that
 * decide bytes:
 * - FixedPoint `+` and `-` are plain int32 adds that WRAP (`| 0` here); only
 *   the int16 flavour of gemmlowp saturates, and TFLM only uses int32 here.
 * - FixedPoint `*` is SaturatingRoundingDoublingHighMul (the integer bits of
 *   the operands add up; the raw operation does not care).
 * - Rescale / SaturatingRoundingMultiplyByPOT: a rounding right shift for a
 *   negative exponent, a saturating left shift for a positive one.
 * - Constants are the raw values gemmlowp hard-codes (its double-valued
 *   twins are only used in its optional self-checks).
 */
import { roundingDivideByPOT, saturatingRoundingDoublingHighMul as srdhm } from './fixedpoint.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * gemmlowp SaturatingRoundingMultiplyByPOT<exponent>(x) for int32 raw values.
 * exponent < 0: RoundingDivideByPOT(x, -exponent). exponent > 0: x * 2^exponent,
 * saturated to the int32 range (gemmlowp compares against ±(2^(31-e) - 1)).
 */
export function saturatingRoundingMultiplyByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  if (exponent < 0) return roundingDivideByPOT(x, -exponent);
  const threshold = (1 << (31 - exponent)) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return x << exponent;
}

/** gemmlowp Rescale<dstIntegerBits>(FixedPoint<int32, srcIntegerBits>): raw in, raw out. */
export function rescale(x: number, srcIntegerBits: number, dstIntegerBits: number): number {
  return saturatingRoundingMultiplyByPOT(x, srcIntegerBits - dstIntegerBits);
}

/** gemmlowp RoundingHalfSum for int32: (a + b + sign) / 2 in 64 bits, truncated toward zero. */
export function roundingHalfSum(a: number, b: number): number {
  const sum = a + b; // exact: |sum| < 2^32
  return Math.trunc((sum >= 0 ? sum + 1 : sum - 1) / 2) | 0;
}

/**
 * gemmlowp SaturatingRoundingDoublingHighMul for int16 raw values:
 * (a*b + nudge) / 2^15 truncated toward zero, nudge = 2^14 or 1 - 2^14 by the
 * sign of the product; (-32768)*(-32768) saturates to 32767.
 */
export function saturatingRoundingDoublingHighMulInt16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  const p = a * b; // |p| <= 2^30: exact
  return Math.trunc((p >= 0 ? p + 16384 : p + 1 - 16384) / 32768) | 0;
}

/** exp(-1/8) in Q0.31, the Taylor expansion point. */
const EXP_MINUS_ONE_EIGHTH = 1895147668;
/** 1/3 in Q0.31. */
const ONE_THIRD = 715827883;

/**
 * gemmlowp exp_on_interval_between_negative_one_quarter_and_0_excl: a in
 * Q0.31, a in [-1/4, 0). Fourth-order Taylor series of exp around -1/8.
 */
export function expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a: number): number {
  const x = (a + (1 << 28)) | 0; // a + 1/8
  const x2 = srdhm(x, x);
  const x3 = srdhm(x2, x);
  const x4 = srdhm(x2, x2);
  const x4Over4 = roundingDivideByPOT(x4, 2);
  const poly = roundingDivideByPOT((srdhm((x4Over4 + x3) | 0, ONE_THIRD) + x2) | 0, 1);
  return (EXP_MINUS_ONE_EIGHTH + srdhm(EXP_MINUS_ONE_EIGHTH, (x + poly) | 0)) | 0;
}

/**
 * Barrel-shifter multipliers exp(-2^e) in Q0.31 for e = -2 .. 4 (gemmlowp's
 * GEMMLOWP_EXP_BARREL_SHIFTER table), indexed by e + 2.
 */
const EXP_BARREL = [1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242] as const;

/**
 * gemmlowp exp_on_negative_values(FixedPoint<int32, integerBits> a) -> Q0.31.
 * a <= 0. Splits a into a multiple of 1/4 and a remainder in [-1/4, 0): the
 * remainder goes through the Taylor step, each set bit of the multiple
 * multiplies by a table constant. exp(0) is INT32_MAX (FixedPoint<.,0>::One()).
 */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const oneQuarter = 1 << (fractionalBits - 2);
  const aModQuarterMinusQuarter = ((a & (oneQuarter - 1)) - oneQuarter) | 0;
  // Rescale<0> from integerBits integer bits: a saturating left shift.
  let result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(saturatingRoundingMultiplyByPOT(aModQuarterMinusQuarter, integerBits));
  const remainder = (aModQuarterMinusQuarter - a) | 0;
  for (let e = -2; e <= 4; e++) {
    if (integerBits > e && (remainder & (1 << (fractionalBits + e))) !== 0) result = srdhm(result, EXP_BARREL[e + 2]!);
  }
  // Below -32 the result is zero (only reachable when there are more than 5 integer bits).
  if (integerBits > 5 && a < -(1 << (36 - integerBits))) result = 0;
  return a === 0 ? INT32_MAX : result;
}

/** 48/17 and -32/17 in Q2.29: the Newton-Raphson start for 1/d, d in [1/2, 1]. */
const FORTY_EIGHT_OVER_17 = 1515870810;
const NEG_THIRTY_TWO_OVER_17 = -1010580540;
const ONE_Q2 = 1 << 29;

/** Shared Newton-Raphson core: x ~ 1/half_denominator in Q2.29 after three steps. */
function reciprocalOfHalfDenominatorQ2(halfDenominator: number): number {
  let x = (FORTY_EIGHT_OVER_17 + srdhm(halfDenominator, NEG_THIRTY_TWO_OVER_17)) | 0;
  for (let i = 0; i < 3; i++) {
    const oneMinusHalfDenTimesX = (ONE_Q2 - srdhm(halfDenominator, x)) | 0;
    // x * (1 - d*x) is Q4.27; Rescale<2> is a saturating left shift by 2.
    x = (x + saturatingRoundingMultiplyByPOT(srdhm(x, oneMinusHalfDenTimesX), 2)) | 0;
  }
  return x;
}

/** gemmlowp one_over_one_plus_x_for_x_in_0_1: a in Q0.31 (a >= 0), result 1/(1+a) in Q0.31. */
export function oneOverOnePlusXForXIn01(a: number): number {
  const x = reciprocalOfHalfDenominatorQ2(roundingHalfSum(a, INT32_MAX));
  // ExactMulByPot<-1>: same raw read as Q1.30; Rescale<0>: saturating left shift by 1.
  return saturatingRoundingMultiplyByPOT(x, 1);
}

/** gemmlowp one_minus_x_over_one_plus_x_for_x_in_0_1: a in Q0.31, result (1-a)/(1+a) in Q0.31. */
export function oneMinusXOverOnePlusXForXIn01(a: number): number {
  const x = reciprocalOfHalfDenominatorQ2(roundingHalfSum(a, INT32_MAX));
  return saturatingRoundingMultiplyByPOT((x - ONE_Q2) | 0, 2);
}

/**
 * gemmlowp logistic(FixedPoint<int32, integerBits> a) -> Q0.31.
 * logistic(0) = 1/2 (2^30); negative inputs use One() - logistic(|a|),
 * One() being INT32_MAX; negation wraps (INT32_MIN stays INT32_MIN).
 */
export function logistic(a: number, integerBits: number): number {
  if (a === 0) return 1 << 30;
  const positive = a > 0;
  const absA = positive ? a : -a | 0;
  const ifPositive = oneOverOnePlusXForXIn01(expOnNegativeValues(-absA | 0, integerBits));
  return positive ? ifPositive : (INT32_MAX - ifPositive) | 0;
}

/**
 * gemmlowp tanh(FixedPoint<int32, integerBits> a) -> Q0.31. Computed from
 * -|a| as (1 - e)/(1 + e) with e = exp(2·(-|a|)); the doubling is
 * ExactMulByPot<1>, i.e. the same raw read with one more integer bit.
 */
export function tanh(a: number, integerBits: number): number {
  if (a === 0) return 0;
  const negative = a < 0;
  const n = negative ? a : -a | 0;
  const t = oneMinusXOverOnePlusXForXIn01(expOnNegativeValues(n, integerBits + 1));
  return negative ? -t | 0 : t;
}

/**
 * TFLite GetReciprocal(x, x_integer_digits, &num_bits_over_unit): x is a
 * positive FixedPoint<int32, xIntegerDigits> (e.g. a softmax sum); the result
 * is 1/x normalised into Q0.31, with the extra power of two returned through
 * `numBitsOverUnitOut[0]` (x_integer_digits - clz(x)). The shift by clz and
 * the subtraction of 2^31 are uint32 operations in C.
 */
export function getReciprocal(x: number, xIntegerDigits: number, numBitsOverUnitOut: Int32Array): number {
  const headroomPlusOne = Math.clz32(x);
  numBitsOverUnitOut[0] = xIntegerDigits - headroomPlusOne;
  // x << 32 (x == 0) is undefined in C; x86 masks the count like JS does.
  const shiftedSumMinusOne = ((x << headroomPlusOne) - 0x80000000) | 0;
  return oneOverOnePlusXForXIn01(shiftedSumMinusOne);
}
