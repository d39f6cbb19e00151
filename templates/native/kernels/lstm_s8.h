// tinyforge native kernel: UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations / int8 weights / int16 cell (TFLM lstm_eval.cc LstmStep, integer path, as sim/kernels/unidirectional_sequence_lstm.ts).
#pragma once
#include <stdint.h>
#include <string.h>
#include "../tf_fixedpoint.h"
#include "requant.h"
#include "int16_act.h"
#include "mac.h"

// The weights, biases and parameters are regrouped by unit: for unit j the
// four gate rows forget, input, cell, output (TFLM's gate order) come
// together, so one pass over the units computes all four gates of a unit and
// updates its cell and hidden value right away (no gate buffers).
//
// Per gate, the requantization of the input FC and of the recurrent FC
// (Q3.12 output) as compile-time constants. SMALL_X / SMALL_H: the generator
// proved |accumulator << max(shift, 0)| < 2^30 for every row of the gate
// (weights, biases and int8 inputs bounded), so tf_mbqm_small applies.
template <int32_t MX, int SX, int32_t MH, int SH, int SMALL_X, int SMALL_H>
struct tf_lstm_gate {
  static TF_RQ_MEMBER int32_t x(int32_t acc) {
    return tf_sat16(SMALL_X ? tf_mbqm_small<MX, SX>(acc) : tf_mbqm_c<MX, SX>(acc));
  }
  static TF_RQ_MEMBER int32_t h(int32_t acc) {
    return tf_sat16(SMALL_H ? tf_mbqm_small<MH, SH>(acc) : tf_mbqm_c<MH, SH>(acc));
  }
};

// The cell and hidden update: f * c -> c (FC_M, FC_S), i * g -> c (IG_M, IG_S),
// the optional symmetric clip, tanh(c) with the input scaling (TANH_MUL,
// TANH_SHIFT), tanh(c) * o -> hidden (H_M, H_S, zero point H_ZP).
template <int32_t FC_M, int FC_S, int32_t IG_M, int IG_S, int32_t H_M, int H_S, int H_ZP, int32_t TANH_MUL,
          int TANH_SHIFT, int DO_CLIP, int CLIP>
struct tf_lstm_cell {
  // One unit: gx the four int16-clamped input-FC parts, h0..h3 the recurrent
  // accumulators (bias included); updates *c and returns the new hidden value.
  template <class GF, class GI, class GG, class GO>
  static TF_RQ_MEMBER int32_t unit(int32_t xf, int32_t xi, int32_t xg, int32_t xo, int32_t hf, int32_t hi, int32_t hg,
                                   int32_t ho, int16_t* c, const uint16_t* table) {
    // Products of two int16 values: |p| < 2^30, so tf_mbqm_small applies unless the shift is positive.
    const int32_t f = tf_logistic_s16_c<3, 0>(tf_sat16(xf + GF::h(hf)), table);
    const int32_t i = tf_logistic_s16_c<3, 0>(tf_sat16(xi + GI::h(hi)), table);
    const int32_t g = tf_tanh_s16_c<3, 0>(tf_sat16(xg + GG::h(hg)), table);
    const int32_t o = tf_logistic_s16_c<3, 0>(tf_sat16(xo + GO::h(ho)), table);
    const int32_t fc = tf_sat16(FC_S > 0 ? tf_mbqm_c<FC_M, FC_S>(f * *c) : tf_mbqm_small<FC_M, FC_S>(f * *c));
    const int32_t ig = tf_sat16(IG_S > 0 ? tf_mbqm_c<IG_M, IG_S>(i * g) : tf_mbqm_small<IG_M, IG_S>(i * g));
    int32_t cv = tf_sat16(fc + ig);
    if (DO_CLIP) cv = cv > CLIP ? CLIP : (cv < -CLIP ? -CLIP : cv);
    *c = (int16_t)cv;
    const int32_t th = tf_tanh_s16_c<TANH_MUL, TANH_SHIFT>(cv, table);
    return tf_sat8(H_ZP + (H_S > 0 ? tf_mbqm_c<H_M, H_S>(th * o) : tf_mbqm_small<H_M, H_S>(th * o)));
  }
};

// With the DSP extension the input vectors are first widened once per row
// into int16 pairs (tf_lstm_widen: per 4 inputs the words (x0, x2), (x1, x3),
// the lanes of SXTB16), so the loops below load them ready for SMLAD. The
// N % 4 last inputs are read from the int8 vector.
#ifdef TF_MAC_DSP
template <int N>
static inline void tf_lstm_widen(const int8_t* x, uint32_t* e) {
  for (int q = 0; q < N / 4; q++) {
    uint32_t v;
    memcpy(&v, x + 4 * q, 4);
    e[2 * q] = (uint32_t)__sxtb16(v);
    e[2 * q + 1] = (uint32_t)tf_sxtb16_ror8(v);
  }
}
#endif

// Two weight rows a, b against two input vectors u and v ("pair" layout:
// N/4 groups of 8 bytes, row a's 4 weights then row b's, then N%4 pairs
// (a, b)): a0/b0 += rows . u, a1/b1 += rows . v; w advances. ue / ve: the
// widened vectors (DSP only). Each widened weight word feeds 4 SMLADs.
template <int N>
static inline void tf_lstm_dot2x2(const int8_t* u, const int8_t* v, const uint32_t* ue, const uint32_t* ve,
                                  const int8_t*& w, int32_t& a0, int32_t& a1, int32_t& b0, int32_t& b1) {
#ifdef TF_MAC_DSP
  for (int q = 0; q < N / 4; q++) {
    const int16x2_t u0 = (int16x2_t)ue[2 * q], u1 = (int16x2_t)ue[2 * q + 1];
    const int16x2_t v0 = (int16x2_t)ve[2 * q], v1 = (int16x2_t)ve[2 * q + 1];
    uint32_t wv;
    memcpy(&wv, w, 4);
    int16x2_t we = __sxtb16(wv), wo = tf_sxtb16_ror8(wv);
    a0 = __smlad(u1, wo, __smlad(u0, we, a0));
    a1 = __smlad(v1, wo, __smlad(v0, we, a1));
    memcpy(&wv, w + 4, 4);
    we = __sxtb16(wv);
    wo = tf_sxtb16_ror8(wv);
    b0 = __smlad(u1, wo, __smlad(u0, we, b0));
    b1 = __smlad(v1, wo, __smlad(v0, we, b1));
    w += 8;
  }
#else
  (void)ue;
  (void)ve;
  for (int q = 0; q < N / 4; q++) {
    for (int i = 0; i < 4; i++) {
      const int32_t x = u[4 * q + i], y = v[4 * q + i];
      a0 += x * w[i];
      a1 += y * w[i];
      b0 += x * w[4 + i];
      b1 += y * w[4 + i];
    }
    w += 8;
  }
#endif
  for (int k = (N / 4) * 4; k < N; k++) {
    const int32_t x = u[k], y = v[k];
    a0 += x * w[0];
    a1 += y * w[0];
    b0 += x * w[1];
    b1 += y * w[1];
    w += 2;
  }
}

// The same layout against one input vector.
template <int N>
static inline void tf_lstm_dot2x1(const int8_t* u, const uint32_t* ue, const int8_t*& w, int32_t& a, int32_t& b) {
#ifdef TF_MAC_DSP
  for (int q = 0; q < N / 4; q++) {
    const int16x2_t u0 = (int16x2_t)ue[2 * q], u1 = (int16x2_t)ue[2 * q + 1];
    a = tf_mac2(u0, u1, w, a);
    b = tf_mac2(u0, u1, w + 4, b);
    w += 8;
  }
#else
  (void)ue;
  for (int q = 0; q < N / 4; q++) {
    for (int i = 0; i < 4; i++) {
      a += u[4 * q + i] * w[i];
      b += u[4 * q + i] * w[4 + i];
    }
    w += 8;
  }
#endif
  for (int k = (N / 4) * 4; k < N; k++) {
    a += u[k] * w[0];
    b += u[k] * w[1];
    w += 2;
  }
}

// Four rows in the dot4 layout of mac.h against one vector (widened: ue).
template <int N>
static inline void tf_lstm_dot4(const int8_t* u, const uint32_t* ue, const int8_t*& w, int32_t& a0, int32_t& a1,
                                int32_t& a2, int32_t& a3) {
#ifdef TF_MAC_DSP
  for (int q = 0; q < N / 4; q++) {
    const int16x2_t u0 = (int16x2_t)ue[2 * q], u1 = (int16x2_t)ue[2 * q + 1];
    a0 = tf_mac2(u0, u1, w, a0);
    a1 = tf_mac2(u0, u1, w + 4, a1);
    a2 = tf_mac2(u0, u1, w + 8, a2);
    a3 = tf_mac2(u0, u1, w + 12, a3);
    w += 16;
  }
  for (int k = (N / 4) * 4; k < N; k++) {
    const int32_t v = u[k];
    a0 += v * w[0];
    a1 += v * w[1];
    a2 += v * w[2];
    a3 += v * w[3];
    w += 4;
  }
#else
  (void)ue;
  tf_dot4<N>(u, w, a0, a1, a2, a3);
#endif
}

// The recurrent part of one row and the unit updates. gx: the row's input-FC
// parts [N_STATE][4] (int16 clamped); wh: per unit the four gate rows in the
// dot4 layout of mac.h; bias_h[4 * j + g] = -zp_h * sum(row) (int32 wrap).
// he: room for the widened hidden state (DSP). The new hidden values go to
// out, then to the state (all units read the old one).
template <int N_STATE, class GF, class GI, class GG, class GO, class CELL>
static inline void tf_lstm_recurrent(const int16_t* gx, const int8_t* wh, const int32_t* bias_h, int8_t* hidden,
                                     int16_t* cell, int8_t* out, uint32_t* he, const uint16_t* table) {
#ifdef TF_MAC_DSP
  tf_lstm_widen<N_STATE>(hidden, he);
#endif
  const int8_t* w = wh;
  for (int j = 0; j < N_STATE; j++) {
    int32_t h0 = 0, h1 = 0, h2 = 0, h3 = 0;  // N_STATE * 2^14: far below 2^31
    tf_lstm_dot4<N_STATE>(hidden, he, w, h0, h1, h2, h3);
    const int32_t* b = bias_h + 4 * j;
    const int16_t* g = gx + 4 * j;
    out[j] = (int8_t)CELL::template unit<GF, GI, GG, GO>(g[0], g[1], g[2], g[3], tf_wrap_add(h0, b[0]), tf_wrap_add(h1, b[1]),
                                                          tf_wrap_add(h2, b[2]), tf_wrap_add(h3, b[3]), cell + j, table);
  }
  memcpy(hidden, out, N_STATE);
}

// The whole sequence: time-major [STEPS][BATCH][N_IN] runs all rows per step,
// batch-major [BATCH][STEPS][N_IN] each row through all steps (rows never
// interact); row r of the input is row r of the output either way.
// PAIR 1: the input FC (independent of the state) runs for two rows at once
//   (wx in the pair layout: per unit the pairs (forget, input) and (cell,
//   output)), its clamped results in scratch (2 * 4 * N_STATE int16).
// PAIR 0 (a single row): wx per unit in the dot4 layout.
// bias_x[4 * j + g] = bias - zp_in * sum(row) (int32 wrap).
// scratch (4-byte aligned): 8 * N_STATE int16 (PAIR), then the widened
// vectors: 2 (PAIR) or 1 input rows of (N_IN / 4) * 4 int16 and the hidden
// state, (N_STATE / 4) * 4 int16 (the generator sizes it: tf_lstm_s8_scratch).
template <int N_IN, int N_STATE, int BATCH, int STEPS, int TIME_MAJOR, int PAIR, class GF, class GI, class GG, class GO,
          class CELL>
TF_KERNEL void tf_lstm_s8(const int8_t* input, const int8_t* wx, const int8_t* wh, const int32_t* bias_x,
                          const int32_t* bias_h, int8_t* hidden, int16_t* cell, int8_t* output, int16_t* scratch,
                          const uint16_t* table) {
  const int ROWS = BATCH * STEPS;
  int16_t* gx0 = scratch;
  int16_t* gx1 = scratch + 4 * N_STATE;
  uint32_t* ue = (uint32_t*)(void*)(scratch + (PAIR ? 8 * N_STATE : 0));  // widened input rows
  uint32_t* ve = ue + N_IN / 4 * 2;
  uint32_t* he = ue + (PAIR ? 2 : 1) * (N_IN / 4 * 2);  // widened hidden state
  int r = 0;
  if (PAIR) {
    for (; r + 1 < ROWS; r += 2) {
      const int8_t* u = input + r * N_IN;
      const int8_t* v = u + N_IN;
#ifdef TF_MAC_DSP
      tf_lstm_widen<N_IN>(u, ue);
      tf_lstm_widen<N_IN>(v, ve);
#endif
      const int8_t* w = wx;
      for (int j = 0; j < N_STATE; j++) {
        const int32_t* b = bias_x + 4 * j;
        int32_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;  // N_IN * 2^14: far below 2^31
        tf_lstm_dot2x2<N_IN>(u, v, ue, ve, w, a0, a1, b0, b1);
        gx0[4 * j] = (int16_t)GF::x(tf_wrap_add(a0, b[0]));
        gx1[4 * j] = (int16_t)GF::x(tf_wrap_add(a1, b[0]));
        gx0[4 * j + 1] = (int16_t)GI::x(tf_wrap_add(b0, b[1]));
        gx1[4 * j + 1] = (int16_t)GI::x(tf_wrap_add(b1, b[1]));
        a0 = a1 = b0 = b1 = 0;
        tf_lstm_dot2x2<N_IN>(u, v, ue, ve, w, a0, a1, b0, b1);
        gx0[4 * j + 2] = (int16_t)GG::x(tf_wrap_add(a0, b[2]));
        gx1[4 * j + 2] = (int16_t)GG::x(tf_wrap_add(a1, b[2]));
        gx0[4 * j + 3] = (int16_t)GO::x(tf_wrap_add(b0, b[3]));
        gx1[4 * j + 3] = (int16_t)GO::x(tf_wrap_add(b1, b[3]));
      }
      for (int k = 0; k < 2; k++) {
        const int row = r + k;
        const int b = TIME_MAJOR ? row % BATCH : row / STEPS;
        tf_lstm_recurrent<N_STATE, GF, GI, GG, GO, CELL>(k ? gx1 : gx0, wh, bias_h, hidden + b * N_STATE, cell + b * N_STATE,
                                                         output + row * N_STATE, he, table);
      }
    }
    if (r < ROWS) {  // the last row of an odd count
      const int8_t* u = input + r * N_IN;
#ifdef TF_MAC_DSP
      tf_lstm_widen<N_IN>(u, ue);
#endif
      const int8_t* w = wx;
      for (int j = 0; j < N_STATE; j++) {
        const int32_t* b = bias_x + 4 * j;
        int32_t a = 0, c = 0;
        tf_lstm_dot2x1<N_IN>(u, ue, w, a, c);
        gx0[4 * j] = (int16_t)GF::x(tf_wrap_add(a, b[0]));
        gx0[4 * j + 1] = (int16_t)GI::x(tf_wrap_add(c, b[1]));
        a = c = 0;
        tf_lstm_dot2x1<N_IN>(u, ue, w, a, c);
        gx0[4 * j + 2] = (int16_t)GG::x(tf_wrap_add(a, b[2]));
        gx0[4 * j + 3] = (int16_t)GO::x(tf_wrap_add(c, b[3]));
      }
      const int b = TIME_MAJOR ? r % BATCH : r / STEPS;
      tf_lstm_recurrent<N_STATE, GF, GI, GG, GO, CELL>(gx0, wh, bias_h, hidden + b * N_STATE, cell + b * N_STATE,
                                                       output + r * N_STATE, he, table);
    }
  } else {
    for (; r < ROWS; r++) {
      const int b = TIME_MAJOR ? r % BATCH : r / STEPS;
      const int8_t* x = input + r * N_IN;
      int8_t* h = hidden + b * N_STATE;
      int8_t* out = output + r * N_STATE;
#ifdef TF_MAC_DSP
      tf_lstm_widen<N_IN>(x, ue);
      tf_lstm_widen<N_STATE>(h, he);
#endif
      const int8_t* w = wx;
      const int8_t* v = wh;
      for (int j = 0; j < N_STATE; j++) {
        int32_t x0 = 0, x1 = 0, x2 = 0, x3 = 0;
        tf_lstm_dot4<N_IN>(x, ue, w, x0, x1, x2, x3);
        const int32_t* bx = bias_x + 4 * j;
        const int32_t* bh = bias_h + 4 * j;
        const int32_t g0 = GF::x(tf_wrap_add(x0, bx[0])), g1 = GI::x(tf_wrap_add(x1, bx[1]));
        const int32_t g2 = GG::x(tf_wrap_add(x2, bx[2])), g3 = GO::x(tf_wrap_add(x3, bx[3]));
        int32_t h0 = 0, h1 = 0, h2 = 0, h3 = 0;
        tf_lstm_dot4<N_STATE>(h, he, v, h0, h1, h2, h3);
        out[j] = (int8_t)CELL::template unit<GF, GI, GG, GO>(g0, g1, g2, g3, tf_wrap_add(h0, bh[0]), tf_wrap_add(h1, bh[1]),
                                                              tf_wrap_add(h2, bh[2]), tf_wrap_add(h3, bh[3]), cell + b * N_STATE + j,
                                                              table);
      }
      memcpy(h, out, N_STATE);
    }
  }
  (void)gx0;
  (void)gx1;
  (void)ue;
  (void)ve;
  (void)he;
}
