/**
 * Fixed-point helpers, each named after the TFLite / gemmlowp function it
 * mirrors (tensorflow/lite/kernels/internal/common.h, quantization_util.cc;
 * gemmlowp fixedpoint.h). TFLM's default build uses double rounding
 * (TFLITE_SINGLE_ROUNDING undefined): MultiplyByQuantizedMultiplier is
 * SaturatingRoundingDoublingHighMul followed by RoundingDivideByPOT.
 *
 * JavaScript numbers are doubles: an int32 x int32 product can need 62 bits,
 * past the 53 exact ones. The high-mul below is exact for all int32 inputs:
 * small operands take a direct path (product < 2^53), large ones split the
 * multiplier into 16-bit halves so every partial product stays exact.
 */

const TWO_31 = 2147483648;
const TWO_30 = 1073741824;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * gemmlowp SaturatingRoundingDoublingHighMul(a, b) for int32: (a*b + nudge) / 2^31
 * truncated toward zero, nudge = 2^30 for a non-negative product, 1 - 2^30 otherwise.
 * The one overflow case (INT32_MIN * INT32_MIN) saturates to INT32_MAX.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const p = a * b;
  if (p < 4503599627370496 && p > -4503599627370496) {
    // |p| < 2^52: the product and p ± 2^30 are exact, and so is the division by 2^31.
    return Math.trunc((p >= 0 ? p + TWO_30 : p + 1 - TWO_30) / TWO_31) | 0;
  }
  // |a*b| >= 2^53: both operands are large. Work on magnitudes with b split in 16-bit halves.
  const neg = (a < 0) !== (b < 0);
  const x = Math.abs(a);
  const y = Math.abs(b);
  const yh = Math.floor(y / 65536);
  const yl = y - yh * 65536;
  const hi = x * yh; // < 2^47, exact
  const hiQ = Math.floor(hi / 32768); // hi = hiQ * 2^15 + hiR
  const hiR = hi - hiQ * 32768;
  // |p| = hiQ * 2^31 + (hiR * 2^16 + x * yl); the bracket is < 2^48, exact.
  const nudge = neg ? TWO_30 - 1 : TWO_30;
  const q = hiQ + Math.floor((hiR * 65536 + x * yl + nudge) / TWO_31);
  return (neg ? -q : q) | 0;
}

/**
 * gemmlowp RoundingDivideByPOT(x, exponent): arithmetic shift right with
 * round-half-away-from-zero. exponent in [0, 31].
 */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = exponent >= 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * TFLite MultiplyByQuantizedMultiplier(int32 x, int32 M, int shift), double-rounding build.
 * A positive shift is a left shift before the high-mul (an int32 multiply in C:
 * wraps here as it does on every target TFLM runs on).
 */
export function multiplyByQuantizedMultiplier(x: number, quantizedMultiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(left === 0 ? x : Math.imul(x, 1 << left), quantizedMultiplier), right);
}

/** TFLite MultiplyByQuantizedMultiplierSmallerThanOneExp: shift <= 0. */
export function multiplyByQuantizedMultiplierSmallerThanOneExp(x: number, quantizedMultiplier: number, leftShift: number): number {
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, quantizedMultiplier), -leftShift);
}

/** TFLite MultiplyByQuantizedMultiplierGreaterThanOne: shift >= 0, no final rounding shift. */
export function multiplyByQuantizedMultiplierGreaterThanOne(x: number, quantizedMultiplier: number, leftShift: number): number {
  return saturatingRoundingDoublingHighMul(Math.imul(x, 1 << leftShift), quantizedMultiplier);
}

/**
 * TFLite MultiplyByQuantizedMultiplier(int64 x, int32 M, int shift): used by the
 * int16x8 conv / FC / transpose-conv paths with int64 accumulators. Same code in
 * both rounding builds: M is reduced to 16 bits (rounded), then one rounding
 * shift; the result is truncated to int32 without saturation.
 */
export function multiplyByQuantizedMultiplierInt64(x: bigint, quantizedMultiplier: number, shift: number): number {
  const m16 = quantizedMultiplier < 0x7fff0000 ? (quantizedMultiplier + (1 << 15)) >> 16 : 0x7fff;
  const total = 15 - shift;
  const round = total > 0 ? 1n << BigInt(total - 1) : 0n;
  const r = (x * BigInt(m16) + round) >> BigInt(total);
  return Number(BigInt.asIntN(32, r));
}

/**
 * TFLite QuantizeMultiplier(double): real multiplier -> (int32 multiplier in
 * [2^30, 2^31), shift) with real = M * 2^(shift-31). TfLiteRound rounds half
 * away from zero. Double-rounding build: no clamp of large shifts.
 */
export function quantizeMultiplier(real: number): { multiplier: number; shift: number } {
  if (real === 0) return { multiplier: 0, shift: 0 };
  const [q, e] = frexp(real);
  let shift = e;
  let qFixed = tfliteRound(q * TWO_31);
  if (qFixed === TWO_31) {
    qFixed /= 2;
    shift += 1;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: qFixed, shift };
}

/** C frexp: x = m * 2^e with |m| in [0.5, 1). */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  const abs = Math.abs(x);
  let e = Math.max(-1073, Math.floor(Math.log2(abs)) + 1);
  let m = abs * 2 ** -e;
  // log2 can be off by one near powers of two; fix up exactly.
  while (m < 0.5) {
    m *= 2;
    e -= 1;
  }
  while (m >= 1) {
    m /= 2;
    e += 1;
  }
  return [x < 0 ? -m : m, e];
}

/** TfLiteRound / std::round: half away from zero. */
export function tfliteRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** float32 rounding of a double (C's implicit conversion to float). */
export const f32 = Math.fround;

/** gemmlowp CountLeadingZeros for uint32. */
export function countLeadingZeros(x: number): number {
  return Math.clz32(x);
}

/** TFLite CountLeadingSignBits for int32. */
export function countLeadingSignBits(x: number): number {
  if (x === 0) return 31;
  return x < 0 ? Math.clz32(~x) - 1 : Math.clz32(x) - 1;
}

export const INT8_MIN = -128;
export const INT8_MAX = 127;
export const INT16_MIN = -32768;
export const INT16_MAX = 32767;
export { INT32_MIN, INT32_MAX };

/** Integer range of a quantized dtype. */
export function typeRange(dtype: string): [number, number] {
  switch (dtype) {
    case 'int8': return [-128, 127];
    case 'uint8': return [0, 255];
    case 'int16': return [-32768, 32767];
    case 'int32': return [INT32_MIN, INT32_MAX];
    default: return [INT32_MIN, INT32_MAX];
  }
}

/**
 * TFLite CalculateActivationRangeQuantized: the fused activation's real range
 * quantized with the output's scale / zero point (division in float32, round
 * half away from zero), clamped to the type range.
 */
export function calculateActivationRangeQuantized(activation: string, dtype: string, scale: number, zeroPoint: number): [number, number] {
  const [qmin, qmax] = typeRange(dtype);
  const quantize = (v: number) => zeroPoint + tfliteRound(f32(v / scale));
  switch (activation) {
    case 'RELU':
      return [Math.max(qmin, quantize(0)), qmax];
    case 'RELU6':
      return [Math.max(qmin, quantize(0)), Math.min(qmax, quantize(6))];
    case 'RELU_N1_TO_1':
      return [Math.max(qmin, quantize(-1)), Math.min(qmax, quantize(1))];
    default:
      return [qmin, qmax];
  }
}
