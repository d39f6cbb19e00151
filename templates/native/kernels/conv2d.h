// tinyforge native kernel: CONV_2D int8 or int16 activations x int8 weights (TFLM reference_integer_ops::ConvPerChannel).
#pragma once
#include <stdint.h>
#include "requant.h"
#include "mac.h"

// Shapes, strides, padding, zero points and the activation range are template
// parameters, so each layer gets its own specialised loops. Types: IN_T/OUT_T
// int8_t or int16_t; ACC_T int32_t (int8), uint32_t (int16, int32 accumulator,
// wrapping) or int64_t (int16, int64 accumulator); RQ the output-stage
// parameters (requant.h: tf_rq_packed or tf_rq_channels, bias included).
//
// The filter window is read as "runs" of contiguous input: one run per filter
// row (FW * FC values) when there is one group and no horizontal dilation,
// else one run per tap (FC values). Tap i = (fy * FW + fx) * FC + c of the
// window is run i / RUN, position i % RUN.
// weights: per group, blocks of 4 output channels (zero past the group's
//   end); a block holds its runs one after the other in the dot4 layout of
//   mac.h (K * 4 bytes per block, K = FH * FW * FC).
// The bias in rq is bias - zp_in * sum(filter[oc]) (int32 wrap, like TFLM's accumulator),
//   so the inner loop multiplies raw inputs: sum((x - zp_in) * w) =
//   sum(x * w) - zp_in * sum(w). Where the window leaves the image, the
//   window is first gathered into `patch` (K values) with zp_in in place of
//   the taps TFLM skips, which then add nothing, exactly as skipping them.
//   `patch` is only touched for such border pixels (it may be null otherwise).
template <typename IN_T, typename ACC_T, typename OUT_T, int BATCHES,
          int IN_H, int IN_W, int IN_C, int OUT_H, int OUT_W, int OUT_C,
          int FH, int FW, int FC, int SH, int SW, int DH, int DW, int PAD_H, int PAD_W,
          int IN_ZP, int OUT_ZP, int ACT_MIN, int ACT_MAX, typename RQ>
TF_KERNEL void tf_conv2d(const IN_T* input, const int8_t* weights, const RQ rq, IN_T* patch, OUT_T* output) {
  const int GROUPS = IN_C / FC;
  const int PER_GROUP = OUT_C / GROUPS;
  const int BLOCKS = (PER_GROUP + 3) / 4;
  const int K = FH * FW * FC;
  const bool ROW_RUN = GROUPS == 1 && DW == 1;
  const int RUN = ROW_RUN ? FW * FC : FC;
  const int RUNS = ROW_RUN ? 1 : FW;  // runs per filter row
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
        const bool inside = row_inside && ox >= OX0 && ox < OX1;
        for (int g = 0; g < GROUPS; g++) {
          if (!inside) {
            IN_T* p = patch;
            for (int fy = 0; fy < FH; fy++) {
              const int iy = y0 + fy * DH;
              for (int fx = 0; fx < FW; fx++) {
                const int ix = x0 + fx * DW;
                if (iy >= 0 && iy < IN_H && ix >= 0 && ix < IN_W) {
                  const IN_T* src = in_b + (iy * IN_W + ix) * IN_C + g * FC;
                  for (int c = 0; c < FC; c++) p[c] = src[c];
                } else {
                  for (int c = 0; c < FC; c++) p[c] = (IN_T)IN_ZP;
                }
                p += FC;
              }
            }
          }
          const IN_T* px = inside ? in_b + (y0 * IN_W + x0) * IN_C + g * FC : patch;
          const int8_t* w = weights + g * BLOCKS * K * 4;
          for (int blk = 0; blk < BLOCKS; blk++) {
            ACC_T a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            for (int fy = 0; fy < FH; fy++) {
              for (int r = 0; r < RUNS; r++) {
                const IN_T* x = inside ? px + (fy * DH * IN_W + r * DW) * IN_C : px + (fy * RUNS + r) * RUN;
                tf_dot4<RUN>(x, w, a0, a1, a2, a3);
              }
            }
            const int oc0 = g * PER_GROUP + blk * 4;
            tf_requant4<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(out, oc0, PER_GROUP - blk * 4 < 4 ? PER_GROUP - blk * 4 : 4, a0, a1, a2, a3, rq);
          }
        }
      }
    }
  }
}
