// tinyforge native kernel: PAD / PADV2 (TFLM reference_ops::PadImpl): raw copy into the middle, the rest set to one value.
#pragma once
#include <stdint.h>

// W is an unsigned word of the element size; the input is padded to rank 5
// (D0..D4), P0..P4 are the leading paddings, O1..O4 the output dimensions.
template <typename W, int D0, int D1, int D2, int D3, int D4, int P0, int P1, int P2, int P3, int P4,
          int O1, int O2, int O3, int O4, int OUT_ELEMENTS>
static inline void tf_pad(const W* input, W fill, W* output) {
  for (int i = 0; i < OUT_ELEMENTS; i++) output[i] = fill;
  const W* x = input;
  for (int i0 = 0; i0 < D0; i0++)
    for (int i1 = 0; i1 < D1; i1++)
      for (int i2 = 0; i2 < D2; i2++)
        for (int i3 = 0; i3 < D3; i3++) {
          W* y = output + ((((i0 + P0) * O1 + i1 + P1) * O2 + i2 + P2) * O3 + i3 + P3) * O4 + P4;
          for (int i4 = 0; i4 < D4; i4++) y[i4] = x[i4];
          x += D4;
        }
}
