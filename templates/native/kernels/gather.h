// tinyforge native kernel: GATHER (TFLM gather.cc: slabs picked by runtime int32 positions, raw copy).
#pragma once
#include <stdint.h>

// For each batch b, outer index o and position c: the INNER-word slab
// input[b][o][coords[b][c]] is appended to the output. Returns 1 (without
// writing further) for a position outside [0, AXIS): TFLM aborts on it.
template <typename T, int BATCH, int OUTER, int COORDS, int AXIS, int INNER>
static inline int tf_gather(const T* input, const int32_t* coords, T* output) {
  T* dst = output;
  for (int b = 0; b < BATCH; b++) {
    for (int o = 0; o < OUTER; o++) {
      const T* slabs = input + (b * OUTER + o) * AXIS * INNER;
      for (int c = 0; c < COORDS; c++) {
        const int32_t k = coords[b * COORDS + c];
        if (k < 0 || k >= AXIS) return 1;
        const T* src = slabs + k * INNER;
        for (int i = 0; i < INNER; i++) dst[i] = src[i];
        dst += INNER;
      }
    }
  }
  return 0;
}
