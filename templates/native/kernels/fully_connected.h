// tinyforge native kernel: FULLY_CONNECTED int8 or int16 activations x int8 weights (TFLM reference_integer_ops::FullyConnected / FullyConnectedPerChannel).
#pragma once
#include <stdint.h>
#include "requant.h"
#include "mac.h"

// weights: blocks of 4 output rows (zero past OUT_D), each in the dot4 layout
//   of mac.h over the DEPTH inputs (DEPTH * 4 bytes per block).
// rq: the output-stage parameters (requant.h) with, as the bias of each row,
//   bias - zp_in * sum(filter[row]) (int32 wrap), so the inner loop is a bare
//   dot product of the raw input.
template <typename IN_T, typename ACC_T, typename OUT_T, int BATCHES,
          int DEPTH, int OUT_D, int OUT_ZP, int ACT_MIN, int ACT_MAX, typename RQ>
TF_KERNEL void tf_fully_connected(const IN_T* input, const int8_t* weights, const RQ rq, OUT_T* output) {
  const int BLOCKS = (OUT_D + 3) / 4;
  for (int b = 0; b < BATCHES; b++) {
    const IN_T* x = input + b * DEPTH;
    OUT_T* out = output + b * OUT_D;
    const int8_t* w = weights;
    for (int blk = 0; blk < BLOCKS; blk++) {
      ACC_T a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      tf_dot4<DEPTH>(x, w, a0, a1, a2, a3);
      tf_requant4<OUT_T, OUT_ZP, ACT_MIN, ACT_MAX>(out, blk * 4, OUT_D - blk * 4 < 4 ? OUT_D - blk * 4 : 4, a0, a1, a2, a3, rq);
    }
  }
}
