// tinyforge native kernel: DIV int32 and int8 (TFLM reference/div.h: int32 truncating division; int8 DivElementwise with GetReciprocal).
#pragma once
#include <stdint.h>
#include "binary.h"
#include "../tf_fixedpoint.h"

// int32: C truncating division clamped to the fused activation's raw bounds.
// A zero divisor or INT32_MIN / -1 (no result in TFLM: it traps) sets `bad`
// and yields 0 instead of executing the undefined division.
template <int32_t ACT_MIN, int32_t ACT_MAX>
struct tf_div_s32_op {
  bool* bad;
  int32_t operator()(int32_t x, int32_t z) const {
    if (z == 0 || (z == -1 && x == INT32_MIN)) {
      *bad = true;
      return 0;
    }
    return tf_clamp(x / z, ACT_MIN, ACT_MAX);
  }
};

// TFLite CountLeadingSignBits for int32 (31 for 0).
static inline int tf_div_cls32(int32_t x) {
  const uint32_t u = x < 0 ? ~(uint32_t)x : (uint32_t)x;
  if (u == 0) return 31;
  int n = 0;
  uint32_t v = u;
  while (!(v & 0x80000000u)) { v <<= 1; n++; }
  return n - 1;
}

// RoundingDivideByPOT as the simulator evaluates it for any exponent in [0, 62]:
// from 31 on the mask is 2^31 - 1 and the shift count is taken mod 32 (the
// exponent can pass 31 only for a zero dividend or an unusually small output multiplier).
static inline int32_t tf_div_rdbpot(int32_t x, int exponent) {
  if (exponent == 0) return x;
  const int32_t mask = exponent >= 31 ? 0x7fffffff : (int32_t)((1u << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> (exponent & 31)) + (remainder > threshold ? 1 : 0);
}

// int8: per divisor byte k = y + 128, sign[k] (+1/-1, 0 for a real zero divisor: sets `bad`),
// recip[k] = GetReciprocal(|y - zp2|, 31) and recip_shift[k], tabulated at generation time.
template <int OFF1, int OUT_ZP, int MULT, int SHIFT, int ACT_MIN, int ACT_MAX>
struct tf_div_s8_op {
  const int8_t* sign;
  const int32_t* recip;
  const int32_t* recip_shift;
  bool* bad;
  int8_t operator()(int8_t x, int8_t y) const {
    const int k = y + 128;
    const int32_t s = sign[k];
    if (s == 0) {
      *bad = true;
      return 0;
    }
    const int32_t d1 = s * ((int32_t)x + OFF1);
    const int headroom = tf_div_cls32(d1);
    const int32_t q = tf_mbqm_gto(d1, recip[k], headroom);
    return (int8_t)tf_clamp(OUT_ZP + tf_div_rdbpot(tf_srdhm(q, MULT), recip_shift[k] + headroom - SHIFT), ACT_MIN, ACT_MAX);
  }
};
