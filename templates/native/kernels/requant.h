// tinyforge native kernel helpers: the output stage of TFLM's conv / depthwise / fully-connected reference kernels.
#pragma once
#include <stdint.h>
#include "../tf_fixedpoint.h"

// The output stage runs once per output value inside the kernels' loops: always inline it.
#if defined(__GNUC__)
#define TF_RQ_INLINE static inline __attribute__((always_inline))
#else
#define TF_RQ_INLINE static inline
#endif

// int32 add with C's two's-complement wrap (TFLM adds the bias to the accumulator in int32).
TF_RQ_INLINE int32_t tf_wrap_add(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}

// SaturatingRoundingDoublingHighMul for a multiplier that is never INT32_MIN
// (QuantizeMultiplier gives 0 or [2^30, 2^31)), so it never saturates.
// gemmlowp truncates (ab + nudge) / 2^31 toward zero with nudge 2^30 or
// 1 - 2^30 by the sign of ab; both cases equal floor((ab + 2^30) / 2^31),
// i.e. one add and an arithmetic shift.
TF_RQ_INLINE int32_t tf_rq_srdhm(int32_t a, int32_t multiplier) {
  return (int32_t)(((int64_t)a * multiplier + (1LL << 30)) >> 31);
}

// gemmlowp RoundingDivideByPOT (as tf_rdbpot), always inlined.
TF_RQ_INLINE int32_t tf_rq_rdbpot(int32_t x, int exponent) {
  const int32_t mask = (int32_t)((1u << exponent) - 1u);
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + ((x & mask) > threshold ? 1 : 0);
}

// MultiplyByQuantizedMultiplier (double rounding). LEFT is false when no
// channel of the op has a positive shift: the left-shift step is then compiled out.
template <bool LEFT>
TF_RQ_INLINE int32_t tf_rq_mbqm(int32_t x, int32_t multiplier, int shift) {
  if (LEFT) {
    const int left = shift > 0 ? shift : 0;
    return tf_rq_rdbpot(tf_rq_srdhm((int32_t)((uint32_t)x << left), multiplier), shift > 0 ? 0 : -shift);
  }
  return tf_rq_rdbpot(tf_rq_srdhm(x, multiplier), -shift);
}

// Accumulator + bias, scaled by the quantized multiplier. The accumulator type
// picks TFLM's path: int32 (int8 activations: sums cannot overflow), uint32
// (int16 activations with an int32 accumulator: wraps like TFLM's int32 sum),
// int64 (int16 activations with an int64 accumulator and the int64 multiplier).
template <bool LEFT>
TF_RQ_INLINE int32_t tf_scale_acc(int32_t acc, int32_t bias, int32_t multiplier, int shift) {
  return tf_rq_mbqm<LEFT>(tf_wrap_add(acc, bias), multiplier, shift);
}
template <bool LEFT>
TF_RQ_INLINE int32_t tf_scale_acc(uint32_t acc, int32_t bias, int32_t multiplier, int shift) {
  return tf_rq_mbqm<LEFT>((int32_t)(acc + (uint32_t)bias), multiplier, shift);
}
template <bool LEFT>
TF_RQ_INLINE int32_t tf_scale_acc(int64_t acc, int64_t bias, int32_t multiplier, int shift) {
  return tf_mbqm64(acc + bias, multiplier, shift);
}

// Scaled value -> + out_zp -> clamp to [act_min, act_max]. The clamp happens
// before the zero point is added (bounds shifted by -out_zp): the same result
// as TFLM, without any int32 overflow.
template <typename OUT_T, int OUT_ZP, int ACT_MIN, int ACT_MAX>
TF_RQ_INLINE OUT_T tf_requant_out(int32_t v) {
  return (OUT_T)(tf_clamp(v, ACT_MIN - OUT_ZP, ACT_MAX - OUT_ZP) + OUT_ZP);
}

// The output stage of a block of 4 channels oc..oc+3 of which the first n exist (n is 4 except at a tail).
template <typename OUT_T, int OUT_ZP, int ACT_MIN, int ACT_MAX, bool LEFT, typename ACC_T, typename BIAS_T>
TF_RQ_INLINE void tf_requant4(OUT_T* out, int oc, int n, ACC_T a0, ACC_T a1, ACC_T a2, ACC_T a3,
                              const BIAS_T* bias, const int32_t* multiplier, const int32_t* shift) {
  out[oc] = tf_requant_out<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(tf_scale_acc<LEFT>(a0, bias[oc], multiplier[oc], shift[oc]));
  if (n > 1) out[oc + 1] = tf_requant_out<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(tf_scale_acc<LEFT>(a1, bias[oc + 1], multiplier[oc + 1], shift[oc + 1]));
  if (n > 2) out[oc + 2] = tf_requant_out<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(tf_scale_acc<LEFT>(a2, bias[oc + 2], multiplier[oc + 2], shift[oc + 2]));
  if (n > 3) out[oc + 3] = tf_requant_out<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(tf_scale_acc<LEFT>(a3, bias[oc + 3], multiplier[oc + 3], shift[oc + 3]));
}
