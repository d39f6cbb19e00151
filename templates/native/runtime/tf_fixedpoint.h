// tinyforge native runtime: TFLite Micro's fixed-point arithmetic (default
// build: double rounding), as the simulator's sim/math/fixedpoint.ts does it.
// Each function is named after the TFLite / gemmlowp function it mirrors.
#pragma once
#include <stdint.h>

// gemmlowp SaturatingRoundingDoublingHighMul: (a*b + nudge) / 2^31, truncating
// toward zero; nudge = 2^30 for a non-negative product, 1 - 2^30 otherwise.
static inline int32_t tf_srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  const int64_t ab = (int64_t)a * (int64_t)b;
  const int64_t nudge = ab >= 0 ? (1LL << 30) : (1 - (1LL << 30));
  return (int32_t)((ab + nudge) / (1LL << 31));
}

// gemmlowp RoundingDivideByPOT: arithmetic shift right, ties away from zero.
static inline int32_t tf_rdbpot(int32_t x, int exponent) {
  const int32_t mask = (int32_t)((1LL << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// TFLite MultiplyByQuantizedMultiplier(int32 x, int32 M, int shift), double rounding.
static inline int32_t tf_mbqm(int32_t x, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  // The left shift is an int32 multiply in TFLM: wrap like the hardware does.
  const int32_t shifted = (int32_t)((uint32_t)x << left);
  return tf_rdbpot(tf_srdhm(shifted, multiplier), right);
}

// TFLite MultiplyByQuantizedMultiplierSmallerThanOneExp (left_shift <= 0).
static inline int32_t tf_mbqm_stoe(int32_t x, int32_t multiplier, int left_shift) {
  return tf_rdbpot(tf_srdhm(x, multiplier), -left_shift);
}

// TFLite MultiplyByQuantizedMultiplierGreaterThanOne (left_shift >= 0).
static inline int32_t tf_mbqm_gto(int32_t x, int32_t multiplier, int left_shift) {
  return tf_srdhm((int32_t)((uint32_t)x << left_shift), multiplier);
}

// TFLite MultiplyByQuantizedMultiplier(int64 x, int32 M, int shift): the int16x8
// path. M reduced to 16 bits with rounding, one rounding shift, no saturation.
static inline int32_t tf_mbqm64(int64_t x, int32_t multiplier, int shift) {
  const int32_t m16 = multiplier < 0x7FFF0000 ? ((multiplier + (1 << 15)) >> 16) : 0x7FFF;
  const int total = 15 - shift;
  const int64_t round = total > 0 ? ((int64_t)1 << (total - 1)) : 0;
  return (int32_t)((x * m16 + round) >> total);
}

static inline int32_t tf_clamp(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

// Count of leading zero bits of a uint32 (32 for 0), as gemmlowp CountLeadingZeros.
static inline int tf_clz32(uint32_t x) {
#if defined(__GNUC__)
  return x == 0 ? 32 : __builtin_clz(x);
#else
  int n = 0;
  while (n < 32 && !(x & 0x80000000u)) { x <<= 1; n++; }
  return n;
#endif
}

// gemmlowp SaturatingRoundingMultiplyByPOT(x, exponent) on raw int32: a rounding
// right shift for exponent < 0, a saturating left shift for exponent > 0.
static inline int32_t tf_srmbpot(int32_t x, int exponent) {
  if (exponent < 0) return tf_rdbpot(x, -exponent);
  if (exponent == 0) return x;
  const int32_t threshold = (int32_t)((1LL << (31 - exponent)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << exponent);
}

// gemmlowp RoundingHalfSum for int32.
static inline int32_t tf_rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = (int64_t)a + (int64_t)b;
  return (int32_t)((sum >= 0 ? sum + 1 : sum - 1) / 2);
}

// gemmlowp one_over_one_plus_x_for_x_in_0_1: a in Q0.31 (a >= 0) -> 1/(1+a) in Q0.31.
// Three Newton-Raphson steps in Q2.29 from 48/17 - 32/17 d; FixedPoint adds wrap.
static inline int32_t tf_one_over_one_plus_x_for_x_in_0_1(int32_t a) {
  const int32_t half_denominator = tf_rounding_half_sum(a, INT32_MAX);
  const int32_t one_q2 = 1 << 29;
  int32_t x = (int32_t)((uint32_t)1515870810 + (uint32_t)tf_srdhm(half_denominator, -1010580540));
  for (int i = 0; i < 3; i++) {
    const int32_t one_minus = (int32_t)((uint32_t)one_q2 - (uint32_t)tf_srdhm(half_denominator, x));
    x = (int32_t)((uint32_t)x + (uint32_t)tf_srmbpot(tf_srdhm(x, one_minus), 2));
  }
  return tf_srmbpot(x, 1);
}

// TFLite GetReciprocal: 1/x for a positive FixedPoint<int32, x_integer_digits>,
// normalised into Q0.31; *num_bits_over_unit receives the extra power of two.
static inline int32_t tf_get_reciprocal(int32_t x, int x_integer_digits, int* num_bits_over_unit) {
  const int headroom_plus_one = tf_clz32((uint32_t)x);
  *num_bits_over_unit = x_integer_digits - headroom_plus_one;
  // The shift count is taken mod 32 where x == 0 (as x86 does); the subtraction is uint32.
  const uint32_t shifted = (uint32_t)x << (headroom_plus_one & 31);
  return tf_one_over_one_plus_x_for_x_in_0_1((int32_t)(shifted - 0x80000000u));
}
