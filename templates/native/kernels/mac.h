// tinyforge native kernel helpers: the multiply-accumulate inner loop of conv / fully-connected (4 output channels at once).
#pragma once
#include <stdint.h>
#include <string.h>

// The DSP path (Cortex-M4/M7/M33...: SXTB16 + SMLAD, 2 MACs per instruction) assumes little-endian words.
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__GNUC__) && !defined(__ARM_BIG_ENDIAN)
#include <arm_acle.h>
#define TF_MAC_DSP 1
// SXTB16 of the word rotated by 8: sign-extends bytes 1 and 3 into two int16 lanes.
static inline int16x2_t tf_sxtb16_ror8(uint32_t v) {
  int16x2_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}
// acc + x0*w0 + x1*w1 + x2*w2 + x3*w3 for 4 inputs split by SXTB16 into
// xe = (x0, x2), xo = (x1, x3) and 4 consecutive weights at w.
static inline int32_t tf_mac2(int16x2_t xe, int16x2_t xo, const int8_t* w, int32_t acc) {
  uint32_t wv;
  memcpy(&wv, w, 4);
  return __smlad(xo, tf_sxtb16_ror8(wv), __smlad(xe, __sxtb16(wv), acc));
}
#endif

// "dot4" weight layout of one block of 4 output channels over a run of N
// inputs: first N/4 groups of 16 bytes, group q holding channel j's weights
// for inputs 4q..4q+3 at bytes 4j..4j+3; then N%4 groups of 4 bytes, one
// weight per channel, for the remaining inputs. One 32-bit load thus gives 4
// consecutive weights of one channel, matching a 32-bit load of 4 inputs
// (SXTB16 then pairs inputs 0,2 and 1,3 with the same weights).
//
// tf_dot4<N>(x, w, a0..a3): a_j += sum_k x[k] * weight_j[k]; w advances past the run.
template <int N>
static inline void tf_dot4(const int8_t* x, const int8_t*& w, int32_t& a0, int32_t& a1, int32_t& a2, int32_t& a3) {
#ifdef TF_MAC_DSP
  for (int q = 0; q < N / 4; q++) {
    uint32_t xv;
    memcpy(&xv, x + 4 * q, 4);  // one (unaligned) LDR
    const int16x2_t xe = __sxtb16(xv), xo = tf_sxtb16_ror8(xv);
    // One weight word at a time keeps the register pressure low (no spills in the loop).
    a0 = tf_mac2(xe, xo, w, a0);
    a1 = tf_mac2(xe, xo, w + 4, a1);
    a2 = tf_mac2(xe, xo, w + 8, a2);
    a3 = tf_mac2(xe, xo, w + 12, a3);
    w += 16;
  }
#else
  for (int q = 0; q < N / 4; q++) {
    const int32_t x0 = x[4 * q], x1 = x[4 * q + 1], x2 = x[4 * q + 2], x3 = x[4 * q + 3];
    a0 += x0 * w[0] + x1 * w[1] + x2 * w[2] + x3 * w[3];
    a1 += x0 * w[4] + x1 * w[5] + x2 * w[6] + x3 * w[7];
    a2 += x0 * w[8] + x1 * w[9] + x2 * w[10] + x3 * w[11];
    a3 += x0 * w[12] + x1 * w[13] + x2 * w[14] + x3 * w[15];
    w += 16;
  }
#endif
  for (int k = (N / 4) * 4; k < N; k++) {
    const int32_t v = x[k];
    a0 += v * w[0];
    a1 += v * w[1];
    a2 += v * w[2];
    a3 += v * w[3];
    w += 4;
  }
}

// int16 inputs (int16x8 ops): same layout, plain loop; ACC_T uint32_t (wrapping int32 accumulator) or int64_t.
template <int N, typename ACC_T>
static inline void tf_dot4(const int16_t* x, const int8_t*& w, ACC_T& a0, ACC_T& a1, ACC_T& a2, ACC_T& a3) {
  for (int q = 0; q < N / 4; q++) {
    for (int i = 0; i < 4; i++) {
      const int32_t v = x[4 * q + i];
      a0 += (ACC_T)(v * w[i]);
      a1 += (ACC_T)(v * w[4 + i]);
      a2 += (ACC_T)(v * w[8 + i]);
      a3 += (ACC_T)(v * w[12 + i]);
    }
    w += 16;
  }
  for (int k = (N / 4) * 4; k < N; k++) {
    const int32_t v = x[k];
    a0 += (ACC_T)(v * w[0]);
    a1 += (ACC_T)(v * w[1]);
    a2 += (ACC_T)(v * w[2]);
    a3 += (ACC_T)(v * w[3]);
    w += 4;
  }
}
