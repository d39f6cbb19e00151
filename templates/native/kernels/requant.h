// tinyforge native kernel helpers: the output stage of TFLM's conv / depthwise / fully-connected reference kernels.
#pragma once
#include <stdint.h>
#include "../tf_fixedpoint.h"

// The output stage runs once per output value inside the kernels' loops: always inline it.
#if defined(__GNUC__)
#define TF_RQ_INLINE static inline __attribute__((always_inline))
#define TF_RQ_MEMBER inline __attribute__((always_inline))
// Kernel entry points stay separate functions (one per layer): each gets the
// registers to itself instead of sharing tf_invoke()'s allocation with every other layer.
#define TF_KERNEL static __attribute__((noinline))
#else
#define TF_RQ_INLINE static inline
#define TF_RQ_MEMBER inline
#define TF_KERNEL static inline
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

// Output-stage parameters of an op, one of two kinds chosen at generation time.
// scale(acc, oc) gives channel oc's accumulator + bias scaled by its multiplier.
//
// tf_rq_channels: bias, multiplier and shift arrays, any accumulator type.
template <bool LEFT, typename BIAS_T>
struct tf_rq_channels {
  const BIAS_T* bias;
  const int32_t* multiplier;
  const int32_t* shift;
  template <typename ACC_T>
  TF_RQ_MEMBER int32_t scale(ACC_T acc, int oc) const {
    return tf_scale_acc<LEFT>(acc, bias[oc], multiplier[oc], shift[oc]);
  }
};

// tf_rq_packed: int32 accumulators and every channel shifting right by
// e = -shift >= 1. Five int32 per channel: bias, multiplier, round_lo,
// round_hi, e - 1. The two roundings of MultiplyByQuantizedMultiplier then
// merge into one: with p = x * M (x = acc + bias),
//   RoundingDivideByPOT(SRDHM(x, M), e) = floor((p + R) / 2^(31 + e)),
//   R = 2^30 + 2^(30 + e) - (p < 0 ? 2^31 : 0)
// (round = 2^30 + 2^(30 + e) as a 64-bit value, from the generator), so the
// result is the high word of p + R shifted right by e - 1.
struct tf_rq_packed {
  const int32_t* p;
  TF_RQ_MEMBER int32_t scale(int32_t acc, int oc) const {
    const int32_t* q = p + 5 * oc;
    const int32_t x = tf_wrap_add(acc, q[0]);
    const int64_t round = (int64_t)(((uint64_t)(uint32_t)q[3] << 32) | (uint32_t)q[2]);
    // x < 0 means p < 0 (the multiplier is >= 0; for 0 the correction changes nothing).
    const int64_t v = (int64_t)x * q[1] + round - (int64_t)((uint64_t)((uint32_t)x >> 31) << 31);
    return (int32_t)(v >> 32) >> q[4];
  }
};

// tf_rq_tensor: tf_rq_packed for one multiplier shared by every channel
// (per-tensor fully-connected): a bias per channel and one set of the other
// four words. (They stay in flash and are loaded where used: as compile-time
// constants the compiler would keep them in registers across the inner loop.)
struct tf_rq_tensor {
  const int32_t* bias;
  const int32_t* q;
  TF_RQ_MEMBER int32_t scale(int32_t acc, int oc) const {
    const int32_t x = tf_wrap_add(acc, bias[oc]);
    const int64_t round = (int64_t)(((uint64_t)(uint32_t)q[2] << 32) | (uint32_t)q[1]);
    const int64_t v = (int64_t)x * q[0] + round - (int64_t)((uint64_t)((uint32_t)x >> 31) << 31);
    return (int32_t)(v >> 32) >> q[3];
  }
};

// Scaled value -> + out_zp -> clamp to [act_min, act_max]. The clamp happens
// before the zero point is added (bounds shifted by -out_zp): the same result
// as TFLM, without any int32 overflow.
template <typename OUT_T, int OUT_ZP, int ACT_MIN, int ACT_MAX>
TF_RQ_INLINE OUT_T tf_requant_out(int32_t v) {
  return (OUT_T)(tf_clamp(v, ACT_MIN - OUT_ZP, ACT_MAX - OUT_ZP) + OUT_ZP);
}

// The output stage of a block of 4 channels oc..oc+3 of which the first n
// exist (n is 4 except at a tail).
template <typename OUT_T, int OUT_ZP, int ACT_MIN, int ACT_MAX, typename ACC_T, typename RQ>
TF_RQ_INLINE void tf_requant4(OUT_T* out, int oc, int n, ACC_T a0, ACC_T a1, ACC_T a2, ACC_T a3, const RQ& rq) {
  out[oc] = tf_requant_out<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(rq.scale(a0, oc));
  if (n > 1) out[oc + 1] = tf_requant_out<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(rq.scale(a1, oc + 1));
  if (n > 2) out[oc + 2] = tf_requant_out<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(rq.scale(a2, oc + 2));
  if (n > 3) out[oc + 3] = tf_requant_out<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(rq.scale(a3, oc + 3));
}

// tf_mbqm(x, M, S) (MultiplyByQuantizedMultiplier, double rounding) for a
// compile-time multiplier M (0 or in [2^30, 2^31)) and shift S, any int32 x.
// The left shift wraps as in TFLM; a right shift e = -S >= 1 uses the merged
// rounding of tf_rq_packed: floor((p + 2^30 + 2^(30+e) - (p < 0 ? 2^31 : 0)) / 2^(31+e)),
// p = (x << max(S, 0)) * M (p < 0 exactly when the shifted x is, for M >= 0).
template <int32_t M, int S>
TF_RQ_INLINE int32_t tf_mbqm_c(int32_t x) {
  const int L = S > 0 ? S : 0;
  const int E = S > 0 ? 0 : -S;
  const int32_t y = (int32_t)((uint32_t)x << L);
  if (E == 0) return (int32_t)(((int64_t)y * M + (1LL << 30)) >> 31);
  const int64_t v = (int64_t)y * M + ((1LL << 30) + (1LL << (30 + E))) - (int64_t)((uint64_t)((uint32_t)y >> 31) << 31);
  return (int32_t)(v >> 32) >> (E > 0 ? E - 1 : 0);
}

// Saturation to int16 / int8 (one SSAT where the core has it).
#if defined(__ARM_FEATURE_SAT) && __ARM_FEATURE_SAT && defined(__GNUC__)
#include <arm_acle.h>
TF_RQ_INLINE int32_t tf_sat16(int32_t v) { return __ssat(v, 16); }
TF_RQ_INLINE int32_t tf_sat8(int32_t v) { return __ssat(v, 8); }
#else
TF_RQ_INLINE int32_t tf_sat16(int32_t v) { return tf_clamp(v, -32768, 32767); }
TF_RQ_INLINE int32_t tf_sat8(int32_t v) { return tf_clamp(v, -128, 127); }
#endif

// tf_mbqm_c for an x with |x << max(S, 0)| < 2^30 (the caller guarantees it).
// With the DSP extension: SMMULR of the doubled value is SRDHM
// (floor((2 y M + 2^31) / 2^32)), then RoundingDivideByPOT as one rounding
// add and a shift (|SRDHM| < 2^30: no overflow).
template <int32_t M, int S>
TF_RQ_INLINE int32_t tf_mbqm_small(int32_t x) {
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__GNUC__)
  const int L = S > 0 ? S : 0;
  const int E = S > 0 ? 0 : -S;
  const int32_t y2 = (int32_t)((uint32_t)x << (L + 1));
  int32_t h;
  __asm__("smmulr %0, %1, %2" : "=r"(h) : "r"(y2), "r"(M));
  if (E == 0) return h;
  return (h + (1 << (E > 0 ? E - 1 : 0)) + (h < 0 ? -1 : 0)) >> E;
#else
  return tf_mbqm_c<M, S>(x);
#endif
}
