// tinyforge native kernel: TRANSPOSE_CONV int8 and int16 x int8 (TFLM reference_integer_ops::TransposeConv, both overloads).
#pragma once
#include <stdint.h>
#include "../tf_fixedpoint.h"

#ifndef TF_IF_T_DEFINED
#define TF_IF_T_DEFINED
// Compile-time type choice (C++11 has std::conditional, but no <type_traits> is assumed here).
template <bool B, typename T, typename F> struct tf_if_t { typedef T type; };
template <typename T, typename F> struct tf_if_t<false, T, F> { typedef F type; };
#endif

// filter: the model's [OUT_C][FH][FW][IN_C] int8 weights. Every input pixel
// scatter-adds (x - IN_ZP) * w into the taps that land inside the output, in
// a scratch accumulator of one value per output element (TFLM's scratch
// buffer); then bias, per-channel requantization and clamp.
// int8: int32 accumulator (wraps like C), + OUT_ZP.
template <int BATCHES, int IN_H, int IN_W, int IN_C, int OUT_H, int OUT_W, int OUT_C, int FH, int FW,
          int SH, int SW, int PAD_H, int PAD_W, int IN_ZP, int OUT_ZP, int ACT_MIN, int ACT_MAX>
static inline void tf_transpose_conv_s8(const int8_t* input, const int8_t* filter, const int32_t* bias,
                                        const int32_t* multiplier, const int32_t* shift, int8_t* output,
                                        uint32_t* scratch) {
  const int N = BATCHES * OUT_H * OUT_W * OUT_C;
  for (int i = 0; i < N; i++) scratch[i] = 0;
  for (int b = 0; b < BATCHES; b++) {
    for (int iy = 0; iy < IN_H; iy++) {
      for (int ix = 0; ix < IN_W; ix++) {
        const int8_t* px = input + ((b * IN_H + iy) * IN_W + ix) * IN_C;
        for (int fy = 0; fy < FH; fy++) {
          const int oy = iy * SH - PAD_H + fy;
          if (oy < 0 || oy >= OUT_H) continue;
          for (int fx = 0; fx < FW; fx++) {
            const int ox = ix * SW - PAD_W + fx;
            if (ox < 0 || ox >= OUT_W) continue;
            uint32_t* acc = scratch + ((b * OUT_H + oy) * OUT_W + ox) * OUT_C;
            for (int oc = 0; oc < OUT_C; oc++) {
              const int8_t* w = filter + ((oc * FH + fy) * FW + fx) * IN_C;
              int32_t sum = 0;
              for (int c = 0; c < IN_C; c++) sum += ((int32_t)px[c] - IN_ZP) * w[c];
              acc[oc] += (uint32_t)sum;
            }
          }
        }
      }
    }
  }
  for (int i = 0; i < N; i++) {
    const int oc = i % OUT_C;
    uint32_t acc = scratch[i];
    if (bias) acc += (uint32_t)bias[oc];
    const int32_t v = tf_mbqm((int32_t)acc, multiplier[oc], shift[oc]);
    output[i] = (int8_t)(tf_clamp(v, ACT_MIN - OUT_ZP, ACT_MAX - OUT_ZP) + OUT_ZP);
  }
}

// int16: int64 accumulator, int64 bias (or none), int64 MultiplyByQuantizedMultiplier, no zero points.
template <int BATCHES, int IN_H, int IN_W, int IN_C, int OUT_H, int OUT_W, int OUT_C, int FH, int FW,
          int SH, int SW, int PAD_H, int PAD_W, int ACT_MIN, int ACT_MAX>
static inline void tf_transpose_conv_s16(const int16_t* input, const int8_t* filter, const int64_t* bias,
                                         const int32_t* multiplier, const int32_t* shift, int16_t* output,
                                         int64_t* scratch) {
  const int N = BATCHES * OUT_H * OUT_W * OUT_C;
  for (int i = 0; i < N; i++) scratch[i] = 0;
  for (int b = 0; b < BATCHES; b++) {
    for (int iy = 0; iy < IN_H; iy++) {
      for (int ix = 0; ix < IN_W; ix++) {
        const int16_t* px = input + ((b * IN_H + iy) * IN_W + ix) * IN_C;
        for (int fy = 0; fy < FH; fy++) {
          const int oy = iy * SH - PAD_H + fy;
          if (oy < 0 || oy >= OUT_H) continue;
          for (int fx = 0; fx < FW; fx++) {
            const int ox = ix * SW - PAD_W + fx;
            if (ox < 0 || ox >= OUT_W) continue;
            int64_t* acc = scratch + ((b * OUT_H + oy) * OUT_W + ox) * OUT_C;
            for (int oc = 0; oc < OUT_C; oc++) {
              const int8_t* w = filter + ((oc * FH + fy) * FW + fx) * IN_C;
              typename tf_if_t<(IN_C < 512), int32_t, int64_t>::type sum = 0;  // int16 x int8 products: int32 holds 511 of them
              for (int c = 0; c < IN_C; c++) sum += (int32_t)px[c] * w[c];
              acc[oc] += sum;
            }
          }
        }
      }
    }
  }
  for (int i = 0; i < N; i++) {
    const int oc = i % OUT_C;
    int64_t acc = scratch[i];
    if (bias) acc += bias[oc];
    output[i] = (int16_t)tf_clamp(tf_mbqm64(acc, multiplier[oc], shift[oc]), ACT_MIN, ACT_MAX);
  }
}
