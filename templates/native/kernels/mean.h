// tinyforge native kernel: MEAN int8 / int16 (TFLM reference_ops::QuantizedMeanOrSum, compute_sum = false).
#pragma once
#include <stdint.h>
#include "../tf_fixedpoint.h"

// The input (padded to rank 5: D0..D4) is walked in row-major order; element
// (i0..i4) adds to sums[i0*S0 + ... + i4*S4], S = output stride of a kept
// dimension and 0 for a reduced one. Sums wrap like TFLM's int32 sums. Then
// y = clamp(MBQM(sum - zp_in * N, M, s) + zp_out), with 1/N folded into (M, s)
// and ZP_N = zp_in * N truncated to int32 (both from the simulator's prepare).
template <typename T, int D0, int D1, int D2, int D3, int D4, int S0, int S1, int S2, int S3, int S4,
          int OUT_COUNT, int ZP_N, int MULT, int SHIFT, int OUT_ZP, int QMIN, int QMAX>
static inline void tf_mean(const T* input, int32_t* sums, T* output) {
  for (int j = 0; j < OUT_COUNT; j++) sums[j] = 0;
  const T* x = input;
  for (int i0 = 0; i0 < D0; i0++)
    for (int i1 = 0; i1 < D1; i1++)
      for (int i2 = 0; i2 < D2; i2++)
        for (int i3 = 0; i3 < D3; i3++) {
          int32_t* s = sums + i0 * S0 + i1 * S1 + i2 * S2 + i3 * S3;
          for (int i4 = 0; i4 < D4; i4++) s[i4 * S4] = (int32_t)((uint32_t)s[i4 * S4] + (uint32_t)(int32_t)x[i4]);
          x += D4;
        }
  for (int j = 0; j < OUT_COUNT; j++) {
    const int32_t shifted = (int32_t)((uint32_t)sums[j] - (uint32_t)ZP_N);
    const int32_t v = tf_mbqm(shifted, MULT, SHIFT);
    output[j] = (T)(tf_clamp(v, QMIN - OUT_ZP, QMAX - OUT_ZP) + OUT_ZP);
  }
}
