// tinyforge native kernel: DEPTHWISE_CONV_2D int8 or int16 activations x int8 weights (TFLM reference_integer_ops::DepthwiseConvPerChannel).
#pragma once
#include <stdint.h>
#include <string.h>
#include "requant.h"
#include "mac.h"

// Output channel oc reads input channel oc / DM. Types and rq as in conv2d.h.
// weights: blocks of 4 output channels with the 4 weights of one tap side by
//   side: w[(blk * FH * FW + t) * 4 + j] = filter[t][blk * 4 + j], t = fy * FW + fx
//   (zero past OUT_C).
// The bias in rq is bias - zp_in * sum of the channel's taps (int32 wrap), so the inner
//   loop multiplies raw inputs. Border windows are gathered per block of 4
//   channels with zp_in in place of the taps TFLM skips, which then add
//   nothing, exactly as skipping them.

// a_j += x[tap][i_j] * w[tap][j] over the FH x FW window at px (rows ROW apart,
// taps COL apart, inputs i_j = (oc + j) / DM); w advances past the block.
template <int FH, int FW, int ROW, int COL, int DM>
static inline void tf_dw_block4(const int8_t* px, int oc, const int8_t*& w, int32_t& a0, int32_t& a1, int32_t& a2, int32_t& a3) {
#ifdef TF_MAC_DSP
  if (DM == 1) {
    const int8_t* x = px + oc;
    for (int fy = 0; fy < FH; fy++) {
      for (int fx = 0; fx < FW; fx++) {
        uint32_t xv, wv;
        memcpy(&xv, x + fy * ROW + fx * COL, 4);
        memcpy(&wv, w, 4);
        const int16x2_t xe = __sxtb16(xv), xo = tf_sxtb16_ror8(xv);
        const int16x2_t we = __sxtb16(wv), wo = tf_sxtb16_ror8(wv);
        a0 = __smlabb(xe, we, a0);
        a2 = __smlatt(xe, we, a2);
        a1 = __smlabb(xo, wo, a1);
        a3 = __smlatt(xo, wo, a3);
        w += 4;
      }
    }
    return;
  }
#endif
  const int i0 = oc / DM, i1 = (oc + 1) / DM, i2 = (oc + 2) / DM, i3 = (oc + 3) / DM;
  for (int fy = 0; fy < FH; fy++) {
    for (int fx = 0; fx < FW; fx++) {
      const int8_t* x = px + fy * ROW + fx * COL;
      a0 += x[i0] * w[0];
      a1 += x[i1] * w[1];
      a2 += x[i2] * w[2];
      a3 += x[i3] * w[3];
      w += 4;
    }
  }
}

template <int FH, int FW, int ROW, int COL, int DM, typename ACC_T>
static inline void tf_dw_block4(const int16_t* px, int oc, const int8_t*& w, ACC_T& a0, ACC_T& a1, ACC_T& a2, ACC_T& a3) {
  const int i0 = oc / DM, i1 = (oc + 1) / DM, i2 = (oc + 2) / DM, i3 = (oc + 3) / DM;
  for (int fy = 0; fy < FH; fy++) {
    for (int fx = 0; fx < FW; fx++) {
      const int16_t* x = px + fy * ROW + fx * COL;
      a0 += (ACC_T)(x[i0] * w[0]);
      a1 += (ACC_T)(x[i1] * w[1]);
      a2 += (ACC_T)(x[i2] * w[2]);
      a3 += (ACC_T)(x[i3] * w[3]);
      w += 4;
    }
  }
}

template <typename IN_T, typename ACC_T, typename OUT_T, int BATCHES,
          int IN_H, int IN_W, int IN_C, int OUT_H, int OUT_W, int OUT_C,
          int FH, int FW, int DM, int SH, int SW, int DH, int DW, int PAD_H, int PAD_W,
          int IN_ZP, int OUT_ZP, int ACT_MIN, int ACT_MAX, typename RQ>
TF_KERNEL void tf_depthwise_conv2d(const IN_T* input, const int8_t* weights, const RQ rq, OUT_T* output) {
  const int T = FH * FW;
  const int FULL = OUT_C / 4;
  const int BLOCKS = (OUT_C + 3) / 4;
  const int ROW = DH * IN_W * IN_C;
  const int COL = DW * IN_C;
  const int OY0 = (PAD_H + SH - 1) / SH;
  const int OX0 = (PAD_W + SW - 1) / SW;
  const int LAST_Y = IN_H - 1 - (FH - 1) * DH + PAD_H;
  const int LAST_X = IN_W - 1 - (FW - 1) * DW + PAD_W;
  const int OY1 = LAST_Y < 0 ? 0 : LAST_Y / SH + 1;
  const int OX1 = LAST_X < 0 ? 0 : LAST_X / SW + 1;
  // Border windows: the block's 4 channels of every tap, zp_in where TFLM skips the tap.
  IN_T patch[T * 4];

  for (int b = 0; b < BATCHES; b++) {
    const IN_T* in_b = input + b * IN_H * IN_W * IN_C;
    for (int oy = 0; oy < OUT_H; oy++) {
      const int y0 = oy * SH - PAD_H;
      const bool row_inside = oy >= OY0 && oy < OY1;
      for (int ox = 0; ox < OUT_W; ox++) {
        const int x0 = ox * SW - PAD_W;
        OUT_T* out = output + ((b * OUT_H + oy) * OUT_W + ox) * OUT_C;
        const int8_t* w = weights;
        if (row_inside && ox >= OX0 && ox < OX1) {
          const IN_T* px = in_b + (y0 * IN_W + x0) * IN_C;
          for (int oc = 0; oc < FULL * 4; oc += 4) {
            ACC_T a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            tf_dw_block4<FH, FW, ROW, COL, DM>(px, oc, w, a0, a1, a2, a3);
            tf_requant4<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(out, oc, 4, a0, a1, a2, a3, rq);
          }
          for (int oc = FULL * 4; oc < OUT_C; oc++) {
            const IN_T* x = px + oc / DM;
            const int8_t* wt = w + (oc - FULL * 4);
            ACC_T a = 0;
            for (int t = 0; t < T; t++) a += (ACC_T)(x[(t / FW) * ROW + (t % FW) * COL] * wt[t * 4]);
            out[oc] = tf_requant_out<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(rq.scale(a, oc));
          }
        } else {
          for (int blk = 0; blk < BLOCKS; blk++) {
            const int oc = blk * 4;
            IN_T* p = patch;
            for (int fy = 0; fy < FH; fy++) {
              const int iy = y0 + fy * DH;
              for (int fx = 0; fx < FW; fx++) {
                const int ix = x0 + fx * DW;
                if (iy >= 0 && iy < IN_H && ix >= 0 && ix < IN_W) {
                  const IN_T* src = in_b + (iy * IN_W + ix) * IN_C;
                  for (int j = 0; j < 4; j++) p[j] = oc + j < OUT_C ? src[(oc + j) / DM] : (IN_T)IN_ZP;
                } else {
                  for (int j = 0; j < 4; j++) p[j] = (IN_T)IN_ZP;
                }
                p += 4;
              }
            }
            ACC_T a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            tf_dw_block4<FH, FW, FW * 4, 4, 1>(patch, 0, w, a0, a1, a2, a3);
            tf_requant4<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(out, oc, OUT_C - oc < 4 ? OUT_C - oc : 4, a0, a1, a2, a3, rq);
          }
        }
      }
    }
  }
}
