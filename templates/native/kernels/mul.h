// tinyforge native kernel: MUL int8 / int16 / int32 (TFLM reference_integer_ops::MulElementwise / BroadcastMul6DSlow; reference_ops::Mul int32).
#pragma once
#include <stdint.h>
#include "binary.h"
#include "../tf_fixedpoint.h"

// int8 / int16: clamp(OUT_ZP + MBQM((x + OFF1) * (y + OFF2), MULT, SHIFT)). |product| <= 2^30.
template <typename T, int OFF1, int OFF2, int MULT, int SHIFT, int OUT_ZP, int ACT_MIN, int ACT_MAX>
struct tf_mul_q_op {
  T operator()(T x, T y) const {
    const int32_t p = ((int32_t)x + OFF1) * ((int32_t)y + OFF2);
    return (T)tf_clamp(OUT_ZP + tf_mbqm(p, MULT, SHIFT), ACT_MIN, ACT_MAX);
  }
};

// int32 (unquantized): wrapping multiply, clamped to the fused activation's raw bounds.
template <int32_t ACT_MIN, int32_t ACT_MAX>
struct tf_mul_s32_op {
  int32_t operator()(int32_t x, int32_t y) const {
    return tf_clamp((int32_t)((uint32_t)x * (uint32_t)y), ACT_MIN, ACT_MAX);
  }
};
