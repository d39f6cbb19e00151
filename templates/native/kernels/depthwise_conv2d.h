// tinyforge native kernel: DEPTHWISE_CONV_2D int8 or int16 activations x int8 weights (TFLM reference_integer_ops::DepthwiseConvPerChannel).
#pragma once
#include <stdint.h>
#include "requant.h"

// Output channel oc reads input channel oc / DM.
// weights: blocks of 4 output channels with the 4 weights of one tap side by
//   side: w[(blk * FH * FW + t) * 4 + j] = filter[t][blk * 4 + j], t = fy * FW + fx
//   (zero past OUT_C).
// bias / bias_folded: as in conv2d.h (bias_folded = bias - zp_in * sum of the
//   channel's taps, used where the whole window is inside the image).
template <typename IN_T, typename ACC_T, typename BIAS_T, typename OUT_T, int BATCHES,
          int IN_H, int IN_W, int IN_C, int OUT_H, int OUT_W, int OUT_C,
          int FH, int FW, int DM, int SH, int SW, int DH, int DW, int PAD_H, int PAD_W,
          int IN_ZP, int OUT_ZP, int ACT_MIN, int ACT_MAX>
static inline void tf_depthwise_conv2d(const IN_T* input, const int8_t* weights, const BIAS_T* bias,
    const BIAS_T* bias_folded, const int32_t* multiplier,
    const int32_t* shift, OUT_T* output) {
  const int T = FH * FW;
  const int FULL = OUT_C / 4;
  const int OY0 = (PAD_H + SH - 1) / SH;
  const int OX0 = (PAD_W + SW - 1) / SW;
  const int LAST_Y = IN_H - 1 - (FH - 1) * DH + PAD_H;
  const int LAST_X = IN_W - 1 - (FW - 1) * DW + PAD_W;
  const int OY1 = LAST_Y < 0 ? 0 : LAST_Y / SH + 1;
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
          const int8_t* w = weights;
          for (int blk = 0; blk < FULL; blk++) {
            const int oc = blk * 4;
            const IN_T* x = px + (DM == 1 ? oc : 0);
            const int i0 = DM == 1 ? 0 : oc / DM, i1 = DM == 1 ? 1 : (oc + 1) / DM;
            const int i2 = DM == 1 ? 2 : (oc + 2) / DM, i3 = DM == 1 ? 3 : (oc + 3) / DM;
            ACC_T a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            for (int fy = 0; fy < FH; fy++) {
              for (int fx = 0; fx < FW; fx++) {
                const IN_T* xt = x + (fy * DH * IN_W + fx * DW) * IN_C;
                a0 += xt[i0] * w[0];
                a1 += xt[i1] * w[1];
                a2 += xt[i2] * w[2];
                a3 += xt[i3] * w[3];
                w += 4;
              }
            }
            out[oc] = tf_requant_out<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(tf_scale_acc(a0, bias_folded[oc], multiplier[oc], shift[oc]));
            out[oc + 1] = tf_requant_out<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(tf_scale_acc(a1, bias_folded[oc + 1], multiplier[oc + 1], shift[oc + 1]));
            out[oc + 2] = tf_requant_out<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(tf_scale_acc(a2, bias_folded[oc + 2], multiplier[oc + 2], shift[oc + 2]));
            out[oc + 3] = tf_requant_out<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(tf_scale_acc(a3, bias_folded[oc + 3], multiplier[oc + 3], shift[oc + 3]));
          }
          for (int oc = FULL * 4; oc < OUT_C; oc++) {
            const IN_T* x = px + oc / DM;
            const int8_t* wt = weights + FULL * T * 4 + (oc - FULL * 4);
            ACC_T a = 0;
            for (int fy = 0; fy < FH; fy++) {
              for (int fx = 0; fx < FW; fx++) {
                a += x[(fy * DH * IN_W + fx * DW) * IN_C] * wt[0];
                wt += 4;
              }
            }
            out[oc] = tf_requant_out<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(tf_scale_acc(a, bias_folded[oc], multiplier[oc], shift[oc]));
          }
        } else {
          for (int oc = 0; oc < OUT_C; oc++) {
            const int ic = oc / DM;
            const int8_t* wt = weights + (oc / 4) * T * 4 + (oc % 4);
            ACC_T a = 0;
            for (int fy = 0; fy < FH; fy++) {
              const int iy = y0 + fy * DH;
              if (iy < 0 || iy >= IN_H) continue;
              for (int fx = 0; fx < FW; fx++) {
                const int ix = x0 + fx * DW;
                if (ix < 0 || ix >= IN_W) continue;
                a += (in_b[(iy * IN_W + ix) * IN_C + ic] - IN_ZP) * wt[(fy * FW + fx) * 4];
              }
            }
            out[oc] = tf_requant_out<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(tf_scale_acc(a, bias[oc], multiplier[oc], shift[oc]));
          }
        }
      }
    }
  }
}
