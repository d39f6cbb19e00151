// tinyforge native kernel helpers: the output stage of TFLM's conv / depthwise / fully-connected reference kernels.
#pragma once
#include <stdint.h>
#include "../tf_fixedpoint.h"

// int32 add with C's two's-complement wrap (TFLM adds the bias to the accumulator in int32).
static inline int32_t tf_wrap_add(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}

// Accumulator + bias, scaled by the quantized multiplier. The accumulator type
// picks TFLM's path: int32 (int8 activations: sums cannot overflow), uint32
// (int16 activations with an int32 accumulator: wraps like TFLM's int32 sum),
// int64 (int16 activations with an int64 accumulator and the int64 multiplier).
static inline int32_t tf_scale_acc(int32_t acc, int32_t bias, int32_t multiplier, int shift) {
  return tf_mbqm(tf_wrap_add(acc, bias), multiplier, shift);
}
static inline int32_t tf_scale_acc(uint32_t acc, int32_t bias, int32_t multiplier, int shift) {
  return tf_mbqm((int32_t)(acc + (uint32_t)bias), multiplier, shift);
}
static inline int32_t tf_scale_acc(int64_t acc, int64_t bias, int32_t multiplier, int shift) {
  return tf_mbqm64(acc + bias, multiplier, shift);
}

// Scaled value -> + out_zp -> clamp to [act_min, act_max]. The clamp happens
// before the zero point is added (bounds shifted by -out_zp): the same result
// as TFLM, without any int32 overflow.
template <typename OUT_T, int OUT_ZP, int ACT_MIN, int ACT_MAX>
static inline OUT_T tf_requant_out(int32_t v) {
  return (OUT_T)(tf_clamp(v, ACT_MIN - OUT_ZP, ACT_MAX - OUT_ZP) + OUT_ZP);
}
