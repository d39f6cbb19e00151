// tinyforge native kernel: TRANSPOSE (TFLM reference_ops::Transpose): a raw permuting copy.
#pragma once
#include <stdint.h>

// W is an unsigned word of the element size. The output (padded to rank 5:
// O0..O4) is written in order; output axis k walks the input with stride Sk
// (the input stride of the permuted axis).
template <typename W, int O0, int O1, int O2, int O3, int O4, int S0, int S1, int S2, int S3, int S4>
static inline void tf_transpose(const W* input, W* output) {
  W* y = output;
  for (int i0 = 0; i0 < O0; i0++)
    for (int i1 = 0; i1 < O1; i1++)
      for (int i2 = 0; i2 < O2; i2++)
        for (int i3 = 0; i3 < O3; i3++) {
          const W* x = input + i0 * S0 + i1 * S1 + i2 * S2 + i3 * S3;
          for (int i4 = 0; i4 < O4; i4++) y[i4] = x[i4 * S4];
          y += O4;
        }
}
