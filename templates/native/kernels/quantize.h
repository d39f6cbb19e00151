// tinyforge native kernel: QUANTIZE (TFLM reference_ops::AffineQuantize / Requantize) and DEQUANTIZE (reference_ops::Dequantize).
#pragma once
#include <stdint.h>
#include "../tf_fixedpoint.h"

// static_cast<int32_t>(TfLiteRound(q)) as the golden x86-64 build executes it:
// round half away from zero, then truncation; out of range or NaN gives INT32_MIN.
static inline int32_t tf_round_float_to_int32(float q) {
  if (!(q > -2147483648.0f - 1.0f && q < 2147483648.0f)) return INT32_MIN;
  const float a = q < 0.0f ? -q : q;
  if (a >= 8388608.0f) return (int32_t)q;  // already an integer
  int32_t t = (int32_t)a;                  // truncation, exact below 2^23
  if (a - (float)t >= 0.5f) t += 1;
  return q < 0.0f ? -t : t;
}

// float32 -> int8 / int16: q = clamp(round(x / scale) + zp). The division is float32.
template <typename OUT_T, int N, int ZP, int QMIN, int QMAX>
static inline void tf_quantize_from_float(const float* input, float scale, OUT_T* output) {
  for (int i = 0; i < N; i++) {
    const int32_t q = (int32_t)((uint32_t)tf_round_float_to_int32(input[i] / scale) + (uint32_t)ZP);
    output[i] = (OUT_T)(q < QMIN ? QMIN : (q > QMAX ? QMAX : q));
  }
}

// Integer -> integer: y = clamp(MBQM(x - zp_in, M, s) + zp_out). In place is fine.
template <typename IN_T, typename OUT_T, int N, int IN_ZP, int MULT, int SHIFT, int OUT_ZP, int QMIN, int QMAX>
static inline void tf_requantize(const IN_T* input, OUT_T* output) {
  for (int i = 0; i < N; i++) {
    const int32_t d = (int32_t)((uint32_t)(int32_t)input[i] - (uint32_t)IN_ZP);
    const int32_t v = (int32_t)((uint32_t)tf_mbqm(d, MULT, SHIFT) + (uint32_t)OUT_ZP);
    output[i] = (OUT_T)(v < QMIN ? QMIN : (v > QMAX ? QMAX : v));
  }
}

// y = float(scale * (x - zp)): the product of a float32 scale and an integer
// below 2^24 is exact in double, so one float32 multiply rounds it the same way.
template <typename IN_T, int N, int ZP>
static inline void tf_dequantize(const IN_T* input, float scale, float* output) {
  for (int i = 0; i < N; i++) output[i] = scale * (float)((int32_t)input[i] - ZP);
}
