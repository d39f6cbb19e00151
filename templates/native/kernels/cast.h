// tinyforge native kernel: CAST (TFLM cast.cc: element-wise static_cast, as sim/kernels/cast.ts and sim/math/static_cast.ts).
#pragma once
#include <stdint.h>

// Integer -> integer keeps the low bits (two's complement); integer -> float
// rounds to nearest. In place allowed when the element sizes match.
template <typename TI, typename TO, int N>
static inline void tf_cast(const TI* in, TO* out) {
  for (int i = 0; i < N; i++) out[i] = (TO)in[i];
}

// float -> int8 / int16 / int32: truncation, and INT32_MIN (then its low bits)
// out of range or NaN, as the x86-64 oracle's conversion gives (defined here
// instead of C's undefined behaviour).
static inline int32_t tf_float_to_i32(float x) {
  return (x > -2147483649.0 && x < 2147483648.0) ? (int32_t)x : INT32_MIN;
}

// float -> uint32: through a signed 64-bit conversion (0 out of the int64 range or NaN).
static inline uint32_t tf_float_to_u32(float x) {
  return (x > -9223372036854775808.0 && x < 9223372036854775808.0) ? (uint32_t)(uint64_t)(int64_t)x : 0u;
}

template <typename TO, int N>
static inline void tf_cast_from_float_i(const float* in, TO* out) {
  for (int i = 0; i < N; i++) out[i] = (TO)tf_float_to_i32(in[i]);
}

template <int N>
static inline void tf_cast_from_float_u32(const float* in, uint32_t* out) {
  for (int i = 0; i < N; i++) out[i] = tf_float_to_u32(in[i]);
}
