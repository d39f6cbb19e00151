// tinyforge native kernel: ADD int32, unquantized (TFLM reference_ops::Add int32: wrapping add, clamped to the activation range).
#pragma once
#include <stdint.h>
#include "binary.h"
#include "../tf_fixedpoint.h"

template <int32_t ACT_MIN, int32_t ACT_MAX>
struct tf_add_s32_op {
  int32_t operator()(int32_t x, int32_t y) const {
    return tf_clamp((int32_t)((uint32_t)x + (uint32_t)y), ACT_MIN, ACT_MAX);
  }
};
