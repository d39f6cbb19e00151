// tinyforge native kernel: int16 sigmoid / tanh by table lookup with linear interpolation (TFLite reference_integer_ops::Logistic / Tanh int16, as sim/math/int16_activations.ts).
#pragma once
#include <stdint.h>

// table: TFLite's 256-entry sigmoid table, sigmoid(i / 24) in unsigned Q0.16
// (emitted as a constant by the generator). mul / shift are the input scaling
// with TFLM's power-of-two form (multiplier 0) already turned into (3 << shift, 0).
// The scaled input is an int32 product that wraps, as in C on every TFLM target.
static inline int32_t tf_s16_act_input(int16_t v, int32_t mul, int shift) {
  const uint32_t round = shift > 0 ? (uint32_t)1 << (shift - 1) : 0u;
  return (int32_t)((uint32_t)(int32_t)v * (uint32_t)mul + round) >> shift;
}

// Sigmoid, Q0.15 output (0..32767). in and out may be the same buffer.
static inline void tf_logistic_s16(const int16_t* in, int16_t* out, int n, int32_t mul, int shift, const uint16_t* table) {
  for (int i = 0; i < n; i++) {
    const int32_t x = tf_s16_act_input(in[i], mul, shift);
    const uint32_t ax = x < 0 ? 0u - (uint32_t)x : (uint32_t)x;
    const uint32_t uh = ax >> 9;
    int32_t r;
    if (uh >= 255) {
      r = 0x7fff << 10;
    } else {
      const int32_t ua = table[uh];
      r = ua * 512 + (int32_t)(ax & 0x1ff) * ((int32_t)table[uh + 1] - ua);
    }
    // Sign restore with the reference's asymmetric rounding (r < 2^25).
    r = x >= 0 ? r + 512 : 33554432 - r + 511;
    out[i] = (int16_t)(r >> 10);
  }
}

// Tanh, Q0.15 output (-32767..32767): 2 sigmoid(2x) - 1 on the same table, 8-bit step.
static inline void tf_tanh_s16(const int16_t* in, int16_t* out, int n, int32_t mul, int shift, const uint16_t* table) {
  for (int i = 0; i < n; i++) {
    const int32_t x = tf_s16_act_input(in[i], mul, shift);
    const uint32_t ax = x < 0 ? 0u - (uint32_t)x : (uint32_t)x;
    const uint32_t uh = ax >> 8;
    int32_t r;
    if (uh >= 255) {
      r = 0xffff << 8;
    } else {
      const int32_t ua = table[uh];
      r = ua * 256 + (int32_t)(ax & 0xff) * ((int32_t)table[uh + 1] - ua);
    }
    r = x >= 0 ? r - 8388608 + 128 : 8388608 + 128 - 1 - r;
    out[i] = (int16_t)(r >> 8);
  }
}

// One element of tf_logistic_s16 / tf_tanh_s16 with the input scaling as
// compile-time constants (the LSTM gates): the same arithmetic, no call.
template <int32_t MUL, int SHIFT>
static inline int32_t tf_s16_act_input_c(int32_t v) {
  const uint32_t round = SHIFT > 0 ? (uint32_t)1 << (SHIFT > 0 ? SHIFT - 1 : 0) : 0u;
  return (int32_t)((uint32_t)v * (uint32_t)MUL + round) >> SHIFT;
}
template <int32_t MUL, int SHIFT>
static inline int32_t tf_logistic_s16_c(int32_t v, const uint16_t* table) {
  const int32_t x = tf_s16_act_input_c<MUL, SHIFT>(v);
  const uint32_t ax = x < 0 ? 0u - (uint32_t)x : (uint32_t)x;
  const uint32_t uh = ax >> 9;
  int32_t r;
  if (uh >= 255) {
    r = 0x7fff << 10;
  } else {
    const int32_t ua = table[uh];
    r = ua * 512 + (int32_t)(ax & 0x1ff) * ((int32_t)table[uh + 1] - ua);
  }
  r = x >= 0 ? r + 512 : 33554432 - r + 511;
  return r >> 10;
}
template <int32_t MUL, int SHIFT>
static inline int32_t tf_tanh_s16_c(int32_t v, const uint16_t* table) {
  const int32_t x = tf_s16_act_input_c<MUL, SHIFT>(v);
  const uint32_t ax = x < 0 ? 0u - (uint32_t)x : (uint32_t)x;
  const uint32_t uh = ax >> 8;
  int32_t r;
  if (uh >= 255) {
    r = 0xffff << 8;
  } else {
    const int32_t ua = table[uh];
    r = ua * 256 + (int32_t)(ax & 0xff) * ((int32_t)table[uh + 1] - ua);
  }
  r = x >= 0 ? r - 8388608 + 128 : 8388608 + 128 - 1 - r;
  return r >> 8;
}
