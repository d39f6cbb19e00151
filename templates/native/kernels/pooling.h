// tinyforge native kernel: AVERAGE_POOL_2D / MAX_POOL_2D int8 and int16 (TFLM reference_integer_ops::AveragePool / MaxPool).
#pragma once
#include <stdint.h>

// Only taps inside the image count (the padding is never read and, for the
// average, not counted). Raw values: input and output share scale and zero point.
template <typename T, int BATCHES, int IN_H, int IN_W, int C, int OUT_H, int OUT_W,
          int FH, int FW, int SH, int SW, int PAD_H, int PAD_W, int ACT_MIN, int ACT_MAX>
static inline void tf_average_pool2d(const T* input, T* output) {
  for (int b = 0; b < BATCHES; b++) {
    const T* in_b = input + b * IN_H * IN_W * C;
    for (int oy = 0; oy < OUT_H; oy++) {
      const int y0 = oy * SH - PAD_H;
      const int fy0 = y0 < 0 ? -y0 : 0;
      const int fy1 = FH < IN_H - y0 ? FH : IN_H - y0;
      for (int ox = 0; ox < OUT_W; ox++) {
        const int x0 = ox * SW - PAD_W;
        const int fx0 = x0 < 0 ? -x0 : 0;
        const int fx1 = FW < IN_W - x0 ? FW : IN_W - x0;
        const int32_t n = (fy1 - fy0) * (fx1 - fx0);
        T* out = output + ((b * OUT_H + oy) * OUT_W + ox) * C;
        for (int c = 0; c < C; c++) {
          int32_t sum = 0;
          for (int fy = fy0; fy < fy1; fy++) {
            const T* row = in_b + ((y0 + fy) * IN_W + x0 + fx0) * C + c;
            for (int fx = 0; fx < fx1 - fx0; fx++) sum += row[fx * C];
          }
          // Rounded to nearest, ties away from zero; C division truncates toward zero.
          int32_t avg = sum > 0 ? (sum + n / 2) / n : (sum - n / 2) / n;
          avg = avg < ACT_MIN ? ACT_MIN : (avg > ACT_MAX ? ACT_MAX : avg);
          out[c] = (T)avg;
        }
      }
    }
  }
}

template <typename T, int BATCHES, int IN_H, int IN_W, int C, int OUT_H, int OUT_W,
          int FH, int FW, int SH, int SW, int PAD_H, int PAD_W, int ACT_MIN, int ACT_MAX>
static inline void tf_max_pool2d(const T* input, T* output) {
  for (int b = 0; b < BATCHES; b++) {
    const T* in_b = input + b * IN_H * IN_W * C;
    for (int oy = 0; oy < OUT_H; oy++) {
      const int y0 = oy * SH - PAD_H;
      const int fy0 = y0 < 0 ? -y0 : 0;
      const int fy1 = FH < IN_H - y0 ? FH : IN_H - y0;
      for (int ox = 0; ox < OUT_W; ox++) {
        const int x0 = ox * SW - PAD_W;
        const int fx0 = x0 < 0 ? -x0 : 0;
        const int fx1 = FW < IN_W - x0 ? FW : IN_W - x0;
        T* out = output + ((b * OUT_H + oy) * OUT_W + ox) * C;
        for (int c = 0; c < C; c++) {
          // The activation floor doubles as the start value: max(lowest, taps) clamped below by ACT_MIN.
          int32_t m = ACT_MIN;
          for (int fy = fy0; fy < fy1; fy++) {
            const T* row = in_b + ((y0 + fy) * IN_W + x0 + fx0) * C + c;
            for (int fx = 0; fx < fx1 - fx0; fx++) {
              const int32_t v = row[fx * C];
              m = v > m ? v : m;
            }
          }
          out[c] = (T)(m > ACT_MAX ? ACT_MAX : m);
        }
      }
    }
  }
}
