// tinyforge native kernel: int8 -> int8 through a 256-entry table (TFLM's int8 LOGISTIC, TANH, HARD_SWISH, RELU, LEAKY_RELU; the table is the simulator's own arithmetic, evaluated at generation time).
#pragma once
#include <stdint.h>

// out[i] = table[in[i] + 128]. in and out may be the same buffer.
template <int N>
static inline void tf_lut_s8(const int8_t* in, int8_t* out, const int8_t* table) {
  for (int i = 0; i < N; i++) out[i] = table[in[i] + 128];
}
