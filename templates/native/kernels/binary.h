// tinyforge native kernel helper: the broadcast walk of TFLM's element-wise binary ops (reference/broadcast_loop.h fused loops, as sim/kernels/_broadcast.ts plans them).
#pragma once
#include <stdint.h>

// The output is ROWS runs of INNER consecutive elements. Run r reads input a
// from a_off[r] (or r * A_ROW when a_off is null) and b likewise, advancing by
// A_STEP / B_STEP per element (0 = one broadcast element, 1 = alongside the
// output). f(x, y) computes one output element. When an input has the output's
// layout it is read at the index being written, so out may alias it.
template <int ROWS, int INNER, int A_STEP, int B_STEP, int A_ROW, int B_ROW, typename TA, typename TB, typename TO, typename F>
static inline void tf_binary(const TA* a, const TB* b, TO* out, const int32_t* a_off, const int32_t* b_off, const F& f) {
  for (int r = 0; r < ROWS; r++) {
    const TA* pa = a + (a_off ? a_off[r] : r * A_ROW);
    const TB* pb = b + (b_off ? b_off[r] : r * B_ROW);
    TO* po = out + r * INNER;
    for (int i = 0; i < INNER; i++) po[i] = f(pa[i * A_STEP], pb[i * B_STEP]);
  }
}
