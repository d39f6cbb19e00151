// tinyforge native kernel: SVDF int8 with int16 or int8 state (TFLM svdf_common.cc EvalIntegerSvdfReference<T>).
#pragma once
#include <stdint.h>
#include <string.h>
#include "../tf_fixedpoint.h"
#include "requant.h"
#include "mac.h"

// One filter's memory s[0..MEMORY-1] (newest last): moves left by one, v
// becomes the newest value, and the result is sum_j w[j] * s[j] (int32 wrap,
// as TFLM's accumulator). MODE (chosen by the generator with the layout of w):
// 0 w in natural order; 1 int16 memory of even length, natural order; 2 int8
// memory of a multiple of 4, the weights as int16 in the order w0, w2, w1, w3
// of every 4 (the lanes of SXTB16).
template <typename T, typename WT_T, int MEMORY, int MODE>
struct tf_svdf_mem {
  static TF_RQ_MEMBER int32_t weight(const WT_T* w, int j) {
    return MODE == 2 ? w[(j & ~3) + ((j & 3) >> 1) + 2 * (j & 1)] : w[j];
  }
  static TF_RQ_MEMBER uint32_t shift_dot(T* s, int32_t v, const WT_T* w) {
#ifdef TF_MAC_DSP
    if (MODE == 1) {
      // The moved pairs (s[2k+1], s[2k+2]): one (unaligned) word load, one store, one SMLAD.
      int32_t acc = 0;
      for (int k = 0; k + 1 < MEMORY / 2; k++) {
        uint32_t p, wv;
        memcpy(&p, s + 2 * k + 1, 4);
        memcpy(s + 2 * k, &p, 4);
        memcpy(&wv, w + 2 * k, 4);
        acc = __smlad((int16x2_t)p, (int16x2_t)wv, acc);
      }
      const uint32_t p = (uint32_t)(uint16_t)s[MEMORY - 1] | ((uint32_t)v << 16);
      memcpy(s + MEMORY - 2, &p, 4);
      uint32_t wv;
      memcpy(&wv, w + MEMORY - 2, 4);
      return (uint32_t)__smlad((int16x2_t)p, (int16x2_t)wv, acc);
    }
    if (MODE == 2) {
      // Words of 4 moved values, split by SXTB16 into (s0, s2), (s1, s3).
      int32_t acc = 0;
      for (int k = 0; k < MEMORY / 4; k++) {
        uint32_t p;
        if (k + 1 < MEMORY / 4) {
          memcpy(&p, s + 4 * k + 1, 4);
        } else {
          memcpy(&p, s + 4 * k, 4);
          p = (p >> 8) | ((uint32_t)v << 24);
        }
        memcpy(s + 4 * k, &p, 4);
        uint32_t we, wo;
        memcpy(&we, w + 4 * k, 4);
        memcpy(&wo, w + 4 * k + 2, 4);
        acc = __smlad(__sxtb16(p), (int16x2_t)we, acc);
        acc = __smlad(tf_sxtb16_ror8(p), (int16x2_t)wo, acc);
      }
      return (uint32_t)acc;
    }
#endif
    uint32_t acc = 0;
    for (int j = 0; j + 1 < MEMORY; j++) {
      const T t = s[j + 1];
      s[j] = t;
      acc += (uint32_t)(weight(w, j) * t);
    }
    s[MEMORY - 1] = (T)v;
    return acc + (uint32_t)(weight(w, MEMORY - 1) * (T)v);
  }
};

// state: [BATCHES][FILTERS][MEMORY] of T, a persistent array (the variable
// tensor), newest value last. TFLM moves the whole state left by one element
// and then overwrites the newest slot of every filter, which is the same as
// moving each filter's memory on its own. feature_term[f] = zp_in * sum(wf[f])
// and time_term[f] = zp_state * sum(wt[f]) are folded out of the two matmuls
// (int32, wrapping like TFLM's accumulators). wf: blocks of 4 filters (zero
// rows past FILTERS) in the dot4 layout of mac.h. wt: [FILTERS][MEMORY] of
// WT_T in the layout of MEM_MODE (tf_svdf_mem). Per filter: feature value, memory update, time dot
// product; the units' outputs as soon as their RANK filters are done.
template <typename T, typename WT_T, int T_MIN, int T_MAX, int BATCHES, int INPUT_SIZE, int FILTERS, int UNITS, int RANK,
          int MEMORY, int MEM_MODE, int32_t M1, int S1, int32_t M2, int S2, int STATE_ZP, int OUT_ZP>
TF_KERNEL void tf_svdf(const int8_t* input, const int8_t* wf, const int32_t* feature_term, const WT_T* wt,
                       const int32_t* time_term, const int32_t* bias, T* state, int8_t* output) {
  for (int b = 0; b < BATCHES; b++) {
    const int8_t* x = input + b * INPUT_SIZE;
    const int8_t* w = wf;
    T* st = state + b * FILTERS * MEMORY;
    int8_t* out = output + b * UNITS;
    uint32_t racc = 0;
    for (int blk = 0; blk < (FILTERS + 3) / 4; blk++) {
      int32_t d0 = 0, d1 = 0, d2 = 0, d3 = 0;  // INPUT_SIZE * 2^14: far below 2^31
      tf_dot4<INPUT_SIZE>(x, w, d0, d1, d2, d3);
      const int32_t dot[4] = {d0, d1, d2, d3};
      for (int j = 0; j < 4 && blk * 4 + j < FILTERS; j++) {
        const int f = blk * 4 + j;
        const int32_t v = tf_clamp(tf_mbqm_c<M1, S1>((int32_t)((uint32_t)dot[j] - (uint32_t)feature_term[f])), T_MIN, T_MAX);
        // The zero point is added after the clamp; the store wraps (static_cast<T>), as in TFLM.
        const uint32_t acc = tf_svdf_mem<T, WT_T, MEMORY, MEM_MODE>::shift_dot(st + f * MEMORY, (T)(STATE_ZP + v), wt + f * MEMORY);
        racc += acc - (uint32_t)time_term[f];
        if (f % RANK == RANK - 1) {
          const int u = f / RANK;
          const int32_t r = tf_mbqm_c<M2, S2>((int32_t)(racc + (uint32_t)bias[u]));
          out[u] = (int8_t)(tf_clamp(r, -128 - OUT_ZP, 127 - OUT_ZP) + OUT_ZP);
          racc = 0;
        }
      }
    }
  }
}
