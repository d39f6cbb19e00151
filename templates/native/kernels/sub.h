// tinyforge native kernel: SUB int8 / int16 / int32 (TFLM reference/sub.h SubElementwise, BroadcastQuantSubSlow; reference_ops::Sub int32).
#pragma once
#include <stdint.h>
#include "binary.h"
#include "../tf_fixedpoint.h"

// int8: t1[x + 128] = MBQM_STOE((x - zp1) << 20, M1, s1) and t2[y + 128] = -MBQM_STOE((y - zp2) << 20, M2, s2),
// tabulated at generation time by the simulator's code (a1 - a2 == a1 + (-a2) in int32).
template <int OUT_MULT, int OUT_SHIFT, int OUT_ZP, int ACT_MIN, int ACT_MAX>
struct tf_sub_s8_op {
  const int32_t* t1;
  const int32_t* t2;
  int8_t operator()(int8_t x, int8_t y) const {
    const int32_t raw = t1[x + 128] + t2[y + 128];
    return (int8_t)tf_clamp(tf_mbqm_stoe(raw, OUT_MULT, OUT_SHIFT) + OUT_ZP, ACT_MIN, ACT_MAX);
  }
};

// int16: both terms per element with left shift 15; the int32 difference wraps like C.
template <int OFF1, int M1, int S1, int OFF2, int M2, int S2, int OUT_MULT, int OUT_SHIFT, int OUT_ZP, int ACT_MIN, int ACT_MAX>
struct tf_sub_s16_op {
  int16_t operator()(int16_t x, int16_t y) const {
    const int32_t a = tf_mbqm_stoe((int32_t)((uint32_t)((int32_t)x + OFF1) << 15), M1, S1);
    const int32_t b = tf_mbqm_stoe((int32_t)((uint32_t)((int32_t)y + OFF2) << 15), M2, S2);
    const int32_t raw = (int32_t)((uint32_t)a - (uint32_t)b);
    return (int16_t)tf_clamp(tf_mbqm_stoe(raw, OUT_MULT, OUT_SHIFT) + OUT_ZP, ACT_MIN, ACT_MAX);
  }
};

// int32 (unquantized): wrapping subtract, clamped to the fused activation's raw bounds.
template <int32_t ACT_MIN, int32_t ACT_MAX>
struct tf_sub_s32_op {
  int32_t operator()(int32_t x, int32_t y) const {
    return tf_clamp((int32_t)((uint32_t)x - (uint32_t)y), ACT_MIN, ACT_MAX);
  }
};
