// tinyforge native kernel: ADD int8 / int16 (TFLM reference_integer_ops::Add, reference_ops::Add general-scale int16).
#pragma once
#include <stdint.h>
#include "requant.h"

// The output is walked as ROWS runs of INNER elements; run r reads input a
// from a_off[r] and b from b_off[r] (arrays unused when ROWS == 1), advancing
// by A_STEP / B_STEP (0 = broadcast element, 1 = alongside the output).
// Element-wise without broadcast, out may be the same buffer as a or b.
// MultiplyByQuantizedMultiplierSmallerThanOneExp as requant.h computes it
// (the multipliers come from QuantizeMultiplier, never INT32_MIN).

// int8: table_a[x + 128] = MBQM_STOE((x - zp_a) << 20, M_a, s_a), likewise
// table_b (tabulated at generation time by the simulator's own code).
template <int ROWS, int INNER, int A_STEP, int B_STEP, int OUT_MULT, int OUT_SHIFT, int OUT_ZP, int ACT_MIN, int ACT_MAX>
static inline void tf_add_s8(const int8_t* a, const int8_t* b, const int32_t* table_a, const int32_t* table_b,
                             const int32_t* a_off, const int32_t* b_off, int8_t* out) {
  for (int r = 0; r < ROWS; r++) {
    const int8_t* pa = a + (ROWS == 1 ? 0 : a_off[r]);
    const int8_t* pb = b + (ROWS == 1 ? 0 : b_off[r]);
    int8_t* po = out + r * INNER;
    for (int i = 0; i < INNER; i++) {
      const int32_t raw = table_a[pa[i * A_STEP] + 128] + table_b[pb[i * B_STEP] + 128];
      const int32_t v = tf_rq_rdbpot(tf_rq_srdhm(raw, OUT_MULT), -OUT_SHIFT);
      po[i] = (int8_t)(tf_clamp(v, ACT_MIN - OUT_ZP, ACT_MAX - OUT_ZP) + OUT_ZP);
    }
  }
}

// int16: every term per element (left shift 15).
template <int ROWS, int INNER, int A_STEP, int B_STEP, int A_ZP, int A_MULT, int A_SHIFT, int B_ZP, int B_MULT, int B_SHIFT,
          int OUT_MULT, int OUT_SHIFT, int OUT_ZP, int ACT_MIN, int ACT_MAX>
static inline void tf_add_s16(const int16_t* a, const int16_t* b, const int32_t* a_off, const int32_t* b_off, int16_t* out) {
  for (int r = 0; r < ROWS; r++) {
    const int16_t* pa = a + (ROWS == 1 ? 0 : a_off[r]);
    const int16_t* pb = b + (ROWS == 1 ? 0 : b_off[r]);
    int16_t* po = out + r * INNER;
    for (int i = 0; i < INNER; i++) {
      const int32_t sa = tf_rq_rdbpot(tf_rq_srdhm((pa[i * A_STEP] - A_ZP) * 32768, A_MULT), -A_SHIFT);
      const int32_t sb = tf_rq_rdbpot(tf_rq_srdhm((pb[i * B_STEP] - B_ZP) * 32768, B_MULT), -B_SHIFT);
      const int32_t v = tf_rq_rdbpot(tf_rq_srdhm(sa + sb, OUT_MULT), -OUT_SHIFT);
      po[i] = (int16_t)(tf_clamp(v, ACT_MIN - OUT_ZP, ACT_MAX - OUT_ZP) + OUT_ZP);
    }
  }
}
