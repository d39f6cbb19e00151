// tinyforge native kernel: SOFTMAX int8 -> int8 / int16 (TFLM reference_ops::Softmax, gemmlowp fixed point).
#pragma once
#include <stdint.h>
#include "../tf_fixedpoint.h"

// exp_table[k]: exp of the scaled difference -k in Q0.31 (0 below diff_min),
// exp_table_q12[k]: the same rescaled to Q12.19 for the sum (both computed at
// generation time by the simulator's own code). OUT_BITS is 8 or 16.
template <typename OUT_T, int ROWS, int DEPTH, int OUT_BITS, int OUT_MIN, int OUT_MAX>
static inline void tf_softmax_s8(const int8_t* input, const int32_t* exp_table, const int32_t* exp_table_q12, OUT_T* output) {
  for (int r = 0; r < ROWS; r++) {
    const int8_t* x = input + r * DEPTH;
    OUT_T* y = output + r * DEPTH;
    int32_t max_in_row = -128;
    for (int c = 0; c < DEPTH; c++) max_in_row = x[c] > max_in_row ? x[c] : max_in_row;
    uint32_t sum = 0;  // FixedPoint adds wrap
    for (int c = 0; c < DEPTH; c++) sum += (uint32_t)exp_table_q12[max_in_row - x[c]];
    int bits_over_unit = 0;
    const int32_t shifted_scale = tf_get_reciprocal((int32_t)sum, 12, &bits_over_unit);
    int exponent = bits_over_unit + 31 - OUT_BITS;
    // TFLM aborts (TFLITE_CHECK) outside [0, 31]; keep the shift defined here.
    exponent = exponent < 0 ? 0 : (exponent > 31 ? 31 : exponent);
    for (int c = 0; c < DEPTH; c++) {
      const int32_t v = tf_rdbpot(tf_srdhm(shifted_scale, exp_table[max_in_row - x[c]]), exponent) + OUT_MIN;
      y[c] = (OUT_T)(v > OUT_MAX ? OUT_MAX : (v < OUT_MIN ? OUT_MIN : v));
    }
  }
}
