// tinyforge native kernel: SOFTMAX int8 -> int8 / int16 (TFLM reference_ops::Softmax, gemmlowp fixed point) and int16 -> int16 (SoftmaxInt16).
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

// TFLite LUTLookup for int16: 9-bit index, 7-bit linear interpolation, int16 slope and result.
static inline int16_t tf_softmax_lut_lookup(int32_t value, const int16_t* lut) {
  const int32_t index = 256 + (value >> 7);
  const int32_t base = lut[index];
  const int16_t slope = (int16_t)(lut[index + 1] - base);
  return (int16_t)(base + ((slope * (value & 0x7f) + 64) >> 7));
}

// int16 -> int16 (TFLM reference_ops::SoftmaxInt16): exp from a 513-entry LUT on
// [-10, 0] (differences scaled by MULT/SHIFT), 1/sum from a LUT of 1/(1+x).
// The output row holds the exps until the final scaling, as in TFLM.
template <int ROWS, int DEPTH, int MULT, int SHIFT>
static inline void tf_softmax_s16(const int16_t* input, const int16_t* exp_lut, const int16_t* one_over_one_plus_x_lut, int16_t* output) {
  for (int r = 0; r < ROWS; r++) {
    const int16_t* x = input + r * DEPTH;
    int16_t* y = output + r * DEPTH;
    int32_t max_in_row = -32768;
    for (int c = 0; c < DEPTH; c++) max_in_row = x[c] > max_in_row ? x[c] : max_in_row;
    uint32_t sum = 0;
    for (int c = 0; c < DEPTH; c++) {
      const int32_t scaled = tf_mbqm(x[c] - max_in_row, MULT, SHIFT);
      const int32_t sym = tf_clamp(scaled + 32767, -32768, 32767);
      const int16_t e = tf_softmax_lut_lookup(sym, exp_lut);
      y[c] = e;
      sum += (uint32_t)(int32_t)e;
    }
    const int headroom_plus_one = tf_clz32(sum);
    const int64_t normalised = headroom_plus_one > 0 ? (int64_t)sum << (headroom_plus_one - 1) : (int64_t)(sum >> 1);
    const int64_t shifted_sum = (normalised + (1 << 13)) >> 14;
    const int32_t sym_shifted_sum = tf_clamp((int32_t)(shifted_sum - ((1 << 15) + (1 << 16))), -32768, 32767);
    const int32_t reciprocal = tf_softmax_lut_lookup(sym_shifted_sum, one_over_one_plus_x_lut);
    const int right_shift = headroom_plus_one < 32 ? 31 - headroom_plus_one : 0;  // the sum is never 0: exp(0) > 0
    const int64_t round = right_shift > 0 ? ((int64_t)1 << (right_shift - 1)) : 0;
    for (int c = 0; c < DEPTH; c++) {
      const int32_t v = (int32_t)(((int64_t)y[c] * reciprocal + round) >> right_shift);
      y[c] = (int16_t)(v < 0 ? 0 : (v > 32767 ? 32767 : v));
    }
  }
}
