// tinyforge native kernel: RELU6 (clamp in the input's own quantization), RELU and LEAKY_RELU int16 (TFLM activations.h ReluQuantized / Relu6Quantized, reference/leaky_relu.h QuantizeLeakyRelu).
#pragma once
#include <stdint.h>
#include "../tf_fixedpoint.h"

// out[i] = clamp(in[i], LO, HI), raw values (RELU6 ignores the output quantization). In place allowed.
template <typename T, int N, int LO, int HI>
static inline void tf_clamp_copy(const T* in, T* out) {
  for (int i = 0; i < N; i++) {
    const T v = in[i];
    out[i] = v > HI ? (T)HI : (v < LO ? (T)LO : v);
  }
}

// RELU int16: clamp(OUT_ZP + MBQM(x - IN_ZP, MULT, SHIFT), LO, HI).
template <int N, int IN_ZP, int OUT_ZP, int MULT, int SHIFT, int LO, int HI>
static inline void tf_relu_s16(const int16_t* in, int16_t* out) {
  for (int i = 0; i < N; i++) {
    const int32_t y = OUT_ZP + tf_mbqm((int32_t)in[i] - IN_ZP, MULT, SHIFT);
    out[i] = (int16_t)tf_clamp(y, LO, HI);
  }
}

// LEAKY_RELU int16: d = x - IN_ZP; OUT_ZP + (d >= 0 ? MBQM(d, M_ID, S_ID) : +-MBQM(d, M_ALPHA, S_ALPHA))
// (the alpha product is negated when alpha < 0), clamped to int16.
template <int N, int IN_ZP, int OUT_ZP, int M_ID, int S_ID, int M_ALPHA, int S_ALPHA, int ALPHA_NEG>
static inline void tf_leaky_relu_s16(const int16_t* in, int16_t* out) {
  for (int i = 0; i < N; i++) {
    const int32_t d = (int32_t)in[i] - IN_ZP;
    int32_t y = OUT_ZP;
    if (d >= 0) {
      y += tf_mbqm(d, M_ID, S_ID);
    } else {
      const int32_t s = tf_mbqm(d, M_ALPHA, S_ALPHA);
      y += ALPHA_NEG ? -s : s;
    }
    out[i] = (int16_t)tf_clamp(y, -32768, 32767);
  }
}
