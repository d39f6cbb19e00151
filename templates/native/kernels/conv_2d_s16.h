// tinyforge native kernel: CONV_2D int16 activations x int8 weights (TFLM reference_integer_ops::ConvPerChannel, int16 overload).
#pragma once
#include <stdint.h>
#include "../tf_fixedpoint.h"

#ifndef TF_IF_T_DEFINED
#define TF_IF_T_DEFINED
// Compile-time type choice (C++11 has std::conditional, but no <type_traits> is assumed here).
template <bool B, typename T, typename F> struct tf_if_t { typedef T type; };
template <typename T, typename F> struct tf_if_t<false, T, F> { typedef F type; };
#endif

// filter: the model's [OUT_C][FH][FW][FC] int8 weights. groups = IN_C / FC.
// No zero points. Taps outside the image are skipped. ACC64: int64 accumulator,
// int64 bias (or none) and the int64 MultiplyByQuantizedMultiplier; otherwise an
// int32 accumulator (wrapping as in C), int32 bias and the int32 one.
template <int BATCHES, int IN_H, int IN_W, int IN_C, int OUT_H, int OUT_W, int OUT_C, int FH, int FW, int FC,
          int SH, int SW, int DH, int DW, int PAD_H, int PAD_W, int ACT_MIN, int ACT_MAX>
static inline void tf_conv2d_s16_acc64(const int16_t* input, const int8_t* filter, const int64_t* bias,
                                       const int32_t* multiplier, const int32_t* shift, int16_t* output) {
  const int GROUPS = IN_C / FC;
  const int PER_GROUP = OUT_C / GROUPS;
  for (int b = 0; b < BATCHES; b++) {
    for (int oy = 0; oy < OUT_H; oy++) {
      const int y0 = oy * SH - PAD_H;
      for (int ox = 0; ox < OUT_W; ox++) {
        const int x0 = ox * SW - PAD_W;
        int16_t* out = output + ((b * OUT_H + oy) * OUT_W + ox) * OUT_C;
        for (int oc = 0; oc < OUT_C; oc++) {
          const int c0 = (oc / PER_GROUP) * FC;
          int64_t acc = 0;
          for (int fy = 0; fy < FH; fy++) {
            const int iy = y0 + DH * fy;
            if (iy < 0 || iy >= IN_H) continue;
            for (int fx = 0; fx < FW; fx++) {
              const int ix = x0 + DW * fx;
              if (ix < 0 || ix >= IN_W) continue;
              const int16_t* px = input + ((b * IN_H + iy) * IN_W + ix) * IN_C + c0;
              const int8_t* w = filter + ((oc * FH + fy) * FW + fx) * FC;
              typename tf_if_t<(FC < 512), int32_t, int64_t>::type sum = 0;  // int16 x int8 products: int32 holds 511 of them
              for (int c = 0; c < FC; c++) sum += (int32_t)px[c] * w[c];
              acc += sum;
            }
          }
          if (bias) acc += bias[oc];
          out[oc] = (int16_t)tf_clamp(tf_mbqm64(acc, multiplier[oc], shift[oc]), ACT_MIN, ACT_MAX);
        }
      }
    }
  }
}

template <int BATCHES, int IN_H, int IN_W, int IN_C, int OUT_H, int OUT_W, int OUT_C, int FH, int FW, int FC,
          int SH, int SW, int DH, int DW, int PAD_H, int PAD_W, int ACT_MIN, int ACT_MAX>
static inline void tf_conv2d_s16_acc32(const int16_t* input, const int8_t* filter, const int32_t* bias,
                                       const int32_t* multiplier, const int32_t* shift, int16_t* output) {
  const int GROUPS = IN_C / FC;
  const int PER_GROUP = OUT_C / GROUPS;
  for (int b = 0; b < BATCHES; b++) {
    for (int oy = 0; oy < OUT_H; oy++) {
      const int y0 = oy * SH - PAD_H;
      for (int ox = 0; ox < OUT_W; ox++) {
        const int x0 = ox * SW - PAD_W;
        int16_t* out = output + ((b * OUT_H + oy) * OUT_W + ox) * OUT_C;
        for (int oc = 0; oc < OUT_C; oc++) {
          const int c0 = (oc / PER_GROUP) * FC;
          uint32_t acc = 0;
          for (int fy = 0; fy < FH; fy++) {
            const int iy = y0 + DH * fy;
            if (iy < 0 || iy >= IN_H) continue;
            for (int fx = 0; fx < FW; fx++) {
              const int ix = x0 + DW * fx;
              if (ix < 0 || ix >= IN_W) continue;
              const int16_t* px = input + ((b * IN_H + iy) * IN_W + ix) * IN_C + c0;
              const int8_t* w = filter + ((oc * FH + fy) * FW + fx) * FC;
              for (int c = 0; c < FC; c++) acc += (uint32_t)((int32_t)px[c] * w[c]);
            }
          }
          if (bias) acc += (uint32_t)bias[oc];
          out[oc] = (int16_t)tf_clamp(tf_mbqm((int32_t)acc, multiplier[oc], shift[oc]), ACT_MIN, ACT_MAX);
        }
      }
    }
  }
}
