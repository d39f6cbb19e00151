// tinyforge native kernel: FULLY_CONNECTED int8 or int16 activations x int8 weights (TFLM reference_integer_ops::FullyConnected / FullyConnectedPerChannel).
#pragma once
#include <stdint.h>
#include "requant.h"
#include "mac.h"

// weights: blocks of 4 output rows (zero past OUT_D), each in the dot4 layout
//   of mac.h over the DEPTH inputs (DEPTH * 4 bytes per block).
// row_term: per output row, bias - zp_in * sum(filter[row]) (int32 wrap), so
//   the inner loop is a bare dot product of the raw input.
// multiplier / shift: one per row, or one for all rows when PER_CHANNEL is 0.
template <typename IN_T, typename ACC_T, typename BIAS_T, typename OUT_T, int BATCHES,
          int DEPTH, int OUT_D, int OUT_ZP, int ACT_MIN, int ACT_MAX, int PER_CHANNEL, bool LEFT>
static inline void tf_fully_connected(const IN_T* input, const int8_t* weights, const BIAS_T* row_term,
    const int32_t* multiplier, const int32_t* shift, OUT_T* output) {
  const int BLOCKS = (OUT_D + 3) / 4;
  for (int b = 0; b < BATCHES; b++) {
    const IN_T* x = input + b * DEPTH;
    OUT_T* out = output + b * OUT_D;
    const int8_t* w = weights;
    for (int blk = 0; blk < BLOCKS; blk++) {
      ACC_T a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      tf_dot4<DEPTH>(x, w, a0, a1, a2, a3);
      const ACC_T acc[4] = {a0, a1, a2, a3};
      const int n = OUT_D - blk * 4 < 4 ? OUT_D - blk * 4 : 4;
      for (int j = 0; j < n; j++) {
        const int oc = blk * 4 + j;
        const int q = PER_CHANNEL ? oc : 0;
        out[oc] = tf_requant_out<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(tf_scale_acc<LEFT>(acc[j], row_term[oc], multiplier[q], shift[q]));
      }
    }
  }
}
