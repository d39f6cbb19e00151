/**
 * TFLite MultiplyByQuantizedMultiplier(int64 x, int32 M, int shift)
 * (tensorflow/lite/kernels/internal/common.cc) for an accumulator held in a
 * plain JS number. The int16x8 conv / depthwise / transpose-conv kernels sum
 * int16*int8 products in doubles (exact below 2^53); converting every output
 * to BigInt would dominate their run time, so this takes a number and only
 * falls back to the BigInt helper where a double could be inexact.
 *
 * The rule (same in both rounding builds): m16 = M rounded to its top 16 bits
 * (saturating at 0x7FFF), t = 15 - shift, result = (x*m16 + 2^(t-1)) >> t as an
 * arithmetic int64 shift, truncated to int32.
 */
import { multiplyByQuantizedMultiplierInt64 } from './fixedpoint.js';

const TWO_37 = 137438953472;

/** `x` must be an integer-valued double (exact int64 value). */
export function multiplyByQuantizedMultiplierInt64Number(x: number, quantizedMultiplier: number, shift: number): number {
  const total = 15 - shift;
  // |x| < 2^37 and m16 < 2^15 keep x*m16 below 2^52; with t <= 52 the rounding
  // term is below 2^51, so the sum is exact and floor(sum / 2^t) is the C >>.
  if (x < TWO_37 && x > -TWO_37 && total > 0 && total <= 52) {
    const m16 = quantizedMultiplier < 0x7fff0000 ? (quantizedMultiplier + 32768) >> 16 : 0x7fff;
    const p = 2 ** total;
    return Math.floor((x * m16 + p / 2) / p) | 0;
  }
  return multiplyByQuantizedMultiplierInt64(BigInt(x), quantizedMultiplier, shift);
}
