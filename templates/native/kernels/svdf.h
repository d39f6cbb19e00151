// tinyforge native kernel: SVDF int8 with int16 or int8 state (TFLM svdf_common.cc EvalIntegerSvdfReference<T>).
#pragma once
#include <stdint.h>
#include "../tf_fixedpoint.h"
#include "mac.h"

// state: [BATCHES][FILTERS][MEMORY] of T, a persistent array (the variable
// tensor), newest value last. feature_term[f] = zp_in * sum(wf[f]) and
// time_term[f] = zp_state * sum(wt[f]) are folded out of the two matmuls
// (int32, wrapping like TFLM's accumulators). scratch: BATCHES * FILTERS int32.
template <typename T, int T_MIN, int T_MAX, int BATCHES, int INPUT_SIZE, int FILTERS, int UNITS, int RANK, int MEMORY,
          int M1, int S1, int M2, int S2, int STATE_ZP, int OUT_ZP>
static inline void tf_svdf(const int8_t* input, const int8_t* wf, const int32_t* feature_term, const T* wt,
                           const int32_t* time_term, const int32_t* bias, T* state, int32_t* scratch, int8_t* output) {
  // The whole state moves left by one element (across filters and batches).
  const int STATE_N = BATCHES * FILTERS * MEMORY;
  for (int i = 0; i + 1 < STATE_N; i++) state[i] = state[i + 1];

  // Feature matmul into the newest slot of each filter's memory. wf: blocks of
  // 4 filters (zero rows past FILTERS) in the dot4 layout of mac.h.
  for (int b = 0; b < BATCHES; b++) {
    const int8_t* x = input + b * INPUT_SIZE;
    const int8_t* w = wf;
    for (int blk = 0; blk < (FILTERS + 3) / 4; blk++) {
      int32_t d0 = 0, d1 = 0, d2 = 0, d3 = 0;  // INPUT_SIZE * 2^14: far below 2^31
      tf_dot4<INPUT_SIZE>(x, w, d0, d1, d2, d3);
      const int32_t dot[4] = {d0, d1, d2, d3};
      for (int j = 0; j < 4 && blk * 4 + j < FILTERS; j++) {
        const int f = blk * 4 + j;
        const int32_t v = tf_clamp(tf_mbqm((int32_t)((uint32_t)dot[j] - (uint32_t)feature_term[f]), M1, S1), T_MIN, T_MAX);
        // The zero point is added after the clamp; the store wraps (static_cast<T>), as in TFLM.
        state[(b * FILTERS + f) * MEMORY + MEMORY - 1] = (T)(STATE_ZP + v);
      }
    }
  }

  // Time matmul: per batch and filter, sum_j wt[f][j] * (state[b][f][j] - zp_state).
  for (int b = 0; b < BATCHES; b++) {
    for (int f = 0; f < FILTERS; f++) {
      const T* s = state + (b * FILTERS + f) * MEMORY;
      const T* w = wt + f * MEMORY;
      uint32_t acc = 0;
      for (int j = 0; j < MEMORY; j++) acc += (uint32_t)((int32_t)w[j] * s[j]);
      scratch[b * FILTERS + f] = (int32_t)(acc - (uint32_t)time_term[f]);
    }
  }

  // Bias, rank reduction, rescale, output zero point, int8 clamp.
  for (int b = 0; b < BATCHES; b++) {
    for (int u = 0; u < UNITS; u++) {
      uint32_t acc = (uint32_t)bias[u];
      const int32_t* s = scratch + b * FILTERS + u * RANK;
      for (int r = 0; r < RANK; r++) acc += (uint32_t)s[r];
      const int32_t v = tf_mbqm((int32_t)acc, M2, S2);
      output[b * UNITS + u] = (int8_t)(tf_clamp(v, -128 - OUT_ZP, 127 - OUT_ZP) + OUT_ZP);
    }
  }
}
