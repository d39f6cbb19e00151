// tinyforge native kernel: MAXIMUM / MINIMUM (TFLM reference/maximum_minimum.h: raw stored values compared, no requantization).
#pragma once
#include <stdint.h>
#include "binary.h"

template <typename T>
struct tf_max_op {
  T operator()(T x, T y) const { return x > y ? x : y; }
};

template <typename T>
struct tf_min_op {
  T operator()(T x, T y) const { return x < y ? x : y; }
};
