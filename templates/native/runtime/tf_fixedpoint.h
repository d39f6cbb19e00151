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
