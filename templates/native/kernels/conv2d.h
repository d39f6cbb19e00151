// tinyforge native kernel: CONV_2D int8 or int16 activations x int8 weights (TFLM reference_integer_ops::ConvPerChannel).
#pragma once
#include <stdint.h>
#include "requant.h"

// Shapes, strides, padding, zero points and the activation range are template
// parameters, so each layer gets its own specialised loops. Types: IN_T/OUT_T
// int8_t or int16_t; ACC_T int32_t (int8), uint32_t (int16, int32 accumulator,
// wrapping) or int64_t (int16, int64 accumulator); BIAS_T int32_t or int64_t.
//
// weights: per group, blocks of 4 output channels with the 4 weights of one
//   tap side by side: w[((g * BLOCKS + blk) * K + i) * 4 + j] = filter[g * PER_GROUP + blk * 4 + j][i]
//   with K = FH * FW * FC and i = (fy * FW + fx) * FC + c (zero for channels
//   past the end of a group), so the inner loop reads them in order.
// bias: per output channel, as in the model (0 when the op has none).
// bias_folded: bias - zp_in * sum(filter[oc]) (int32 wrap), used where every
//   tap is inside the image: sum((x - zp_in) * w) = sum(x * w) - zp_in * sum(w).
//   Border pixels skip the taps outside the image, as TFLM does, and subtract
//   the zero point per tap instead.
template <typename IN_T, typename ACC_T, typename BIAS_T, typename OUT_T, int BATCHES,
          int IN_H, int IN_W, int IN_C, int OUT_H, int OUT_W, int OUT_C,
          int FH, int FW, int FC, int SH, int SW, int DH, int DW, int PAD_H, int PAD_W,
          int IN_ZP, int OUT_ZP, int ACT_MIN, int ACT_MAX>
static inline void tf_conv2d(const IN_T* input, const int8_t* weights, const BIAS_T* bias,
    const BIAS_T* bias_folded, const int32_t* multiplier,
    const int32_t* shift, OUT_T* output) {
  const int GROUPS = IN_C / FC;
  const int PER_GROUP = OUT_C / GROUPS;
  const int BLOCKS = (PER_GROUP + 3) / 4;
  const int K = FH * FW * FC;
  // Taps of one filter row are contiguous in the input when there is one group and no dilation.
  const bool ROW_RUN = GROUPS == 1 && DW == 1;
  const int RUN = ROW_RUN ? FW * FC : FC;
  const int RUNS = ROW_RUN ? 1 : FW;
  // Output rows / columns whose whole window lies inside the image.
  const int OY0 = (PAD_H + SH - 1) / SH;
  const int OX0 = (PAD_W + SW - 1) / SW;
  const int LAST_Y = IN_H - 1 - (FH - 1) * DH + PAD_H;  // oy * SH <= LAST_Y
  const int LAST_X = IN_W - 1 - (FW - 1) * DW + PAD_W;
  const int OY1 = LAST_Y < 0 ? 0 : LAST_Y / SH + 1;   // exclusive
  const int OX1 = LAST_X < 0 ? 0 : LAST_X / SW + 1;

  for (int b = 0; b < BATCHES; b++) {
    const IN_T* in_b = input + b * IN_H * IN_W * IN_C;
    for (int oy = 0; oy < OUT_H; oy++) {
      const int y0 = oy * SH - PAD_H;
      const bool row_inside = oy >= OY0 && oy < OY1;
      for (int ox = 0; ox < OUT_W; ox++) {
        const int x0 = ox * SW - PAD_W;
        OUT_T* out = output + ((b * OUT_H + oy) * OUT_W + ox) * OUT_C;
        if (row_inside && ox >= OX0 && ox < OX1) {
          const IN_T* px = in_b + (y0 * IN_W + x0) * IN_C;
          for (int g = 0; g < GROUPS; g++) {
            const int8_t* wg = weights + g * BLOCKS * K * 4;
            for (int blk = 0; blk < BLOCKS; blk++) {
              const int8_t* w = wg + blk * K * 4;
              ACC_T a0 = 0, a1 = 0, a2 = 0, a3 = 0;
              for (int fy = 0; fy < FH; fy++) {
                for (int r = 0; r < RUNS; r++) {
                  const IN_T* x = px + (fy * DH * IN_W + r * DW) * IN_C + g * FC;
                  for (int j = 0; j < RUN; j++) {
                    const int32_t v = x[j];
                    a0 += v * w[0];
                    a1 += v * w[1];
                    a2 += v * w[2];
                    a3 += v * w[3];
                    w += 4;
                  }
                }
              }
              const ACC_T acc[4] = {a0, a1, a2, a3};
              const int oc0 = g * PER_GROUP + blk * 4;
              const int n = PER_GROUP - blk * 4 < 4 ? PER_GROUP - blk * 4 : 4;
              for (int j = 0; j < n; j++) {
                const int oc = oc0 + j;
                out[oc] = tf_requant_out<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(tf_scale_acc(acc[j], bias_folded[oc], multiplier[oc], shift[oc]));
              }
            }
          }
        } else {
          for (int g = 0; g < GROUPS; g++) {
            const int8_t* wg = weights + g * BLOCKS * K * 4;
            for (int blk = 0; blk < BLOCKS; blk++) {
              const int8_t* wb = wg + blk * K * 4;
              ACC_T a0 = 0, a1 = 0, a2 = 0, a3 = 0;
              for (int fy = 0; fy < FH; fy++) {
                const int iy = y0 + fy * DH;
                if (iy < 0 || iy >= IN_H) continue;
                for (int fx = 0; fx < FW; fx++) {
                  const int ix = x0 + fx * DW;
                  if (ix < 0 || ix >= IN_W) continue;
                  const IN_T* x = in_b + (iy * IN_W + ix) * IN_C + g * FC;
                  const int8_t* w = wb + (fy * FW + fx) * FC * 4;
                  for (int c = 0; c < FC; c++) {
                    const int32_t v = x[c] - IN_ZP;
                    a0 += v * w[0];
                    a1 += v * w[1];
                    a2 += v * w[2];
                    a3 += v * w[3];
                    w += 4;
                  }
                }
              }
              const ACC_T acc[4] = {a0, a1, a2, a3};
              const int oc0 = g * PER_GROUP + blk * 4;
              const int n = PER_GROUP - blk * 4 < 4 ? PER_GROUP - blk * 4 : 4;
              for (int j = 0; j < n; j++) {
                const int oc = oc0 + j;
                out[oc] = tf_requant_out<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(tf_scale_acc(acc[j], bias[oc], multiplier[oc], shift[oc]));
              }
            }
          }
        }
      }
    }
  }
}
