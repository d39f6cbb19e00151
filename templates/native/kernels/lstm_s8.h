// tinyforge native kernel: UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations / int8 weights / int16 cell (TFLM lstm_eval.cc LstmStep, integer path, as sim/kernels/unidirectional_sequence_lstm.ts).
#pragma once
#include <stdint.h>
#include "../tf_fixedpoint.h"
#include "int16_act.h"
#include "mac.h"

// Integer parameters of one LSTM op (computed at generation time by the simulator's prepare).
// Gate order: forget, input, cell, output. The int16 activations' input scaling is
// normalized (TFLM's power-of-two form as multiplier 3 << shift with shift 0).
struct tf_lstm_s8_q {
  int32_t mult_x[4], shift_x[4];  // input FC -> Q3.12 gate
  int32_t mult_h[4], shift_h[4];  // recurrent FC -> Q3.12 gate
  int32_t fc_mult, fc_shift;      // forget * cell -> cell
  int32_t ig_mult, ig_shift;      // input * cell gate -> cell
  int32_t h_mult, h_shift, h_zp;  // tanh(cell) * output -> hidden (int8)
  int32_t tanh_mul, tanh_shift;   // tanh(cell) input scaling
  int32_t do_clip, clip;          // symmetric cell clip
};

static inline int32_t tf_lstm_sat16(int32_t v) { return v > 32767 ? 32767 : (v < -32768 ? -32768 : v); }

// One time step of one batch row. wx / wh: the four gates' weights packed as
// [4 * N_STATE] rows (gate order above) over N_IN / N_STATE inputs, in blocks of 4
// consecutive rows in the dot4 layout of mac.h; bias_x = bias - zp_in * sum(wx row),
// bias_h = -zp_h * sum(wh row) (zero points folded out; int32 wrap like TFLM's
// accumulators). gates: 4 * N_STATE int16 scratch, th: N_STATE int16 scratch.
template <int N_IN, int N_STATE>
static inline void tf_lstm_s8_step(const tf_lstm_s8_q& q, const int8_t* x, const int8_t* wx, const int8_t* wh,
                                   const int32_t* bias_x, const int32_t* bias_h, int8_t* hidden, int16_t* cell,
                                   int8_t* out, int16_t* gates, int16_t* th, const uint16_t* sigmoid) {
  const int8_t* wxp = wx;
  const int8_t* whp = wh;
  for (int blk = 0; blk < N_STATE; blk++) {  // 4 * N_STATE rows in blocks of 4
    int32_t x0 = 0, x1 = 0, x2 = 0, x3 = 0;  // N_IN * 2^14: far below 2^31
    tf_dot4<N_IN>(x, wxp, x0, x1, x2, x3);
    int32_t h0 = 0, h1 = 0, h2 = 0, h3 = 0;
    tf_dot4<N_STATE>(hidden, whp, h0, h1, h2, h3);
    const int32_t dx[4] = {x0, x1, x2, x3};
    const int32_t dh[4] = {h0, h1, h2, h3};
    for (int j = 0; j < 4; j++) {
      const int row = blk * 4 + j;
      const int g = row / N_STATE;
      const int32_t a = tf_lstm_sat16(tf_mbqm((int32_t)((uint32_t)dx[j] + (uint32_t)bias_x[row]), q.mult_x[g], q.shift_x[g]));
      const int32_t b = tf_lstm_sat16(tf_mbqm((int32_t)((uint32_t)dh[j] + (uint32_t)bias_h[row]), q.mult_h[g], q.shift_h[g]));
      gates[row] = (int16_t)tf_lstm_sat16(a + b);
    }
  }
  // forget, input: sigmoid; cell: tanh; output: sigmoid (all Q3.12 in, Q0.15 out).
  tf_logistic_s16(gates, gates, 2 * N_STATE, 3, 0, sigmoid);
  tf_tanh_s16(gates + 2 * N_STATE, gates + 2 * N_STATE, N_STATE, 3, 0, sigmoid);
  tf_logistic_s16(gates + 3 * N_STATE, gates + 3 * N_STATE, N_STATE, 3, 0, sigmoid);

  for (int j = 0; j < N_STATE; j++) {
    const int32_t fc = tf_lstm_sat16(tf_mbqm((int32_t)gates[j] * cell[j], q.fc_mult, q.fc_shift));
    const int32_t ig = tf_lstm_sat16(tf_mbqm((int32_t)gates[N_STATE + j] * gates[2 * N_STATE + j], q.ig_mult, q.ig_shift));
    int32_t c = tf_lstm_sat16(fc + ig);
    if (q.do_clip) c = c > q.clip ? q.clip : (c < -q.clip ? -q.clip : c);
    cell[j] = (int16_t)c;
  }

  tf_tanh_s16(cell, th, N_STATE, q.tanh_mul, q.tanh_shift, sigmoid);
  for (int j = 0; j < N_STATE; j++) {
    const int32_t h = tf_clamp(q.h_zp + tf_mbqm((int32_t)th[j] * gates[3 * N_STATE + j], q.h_mult, q.h_shift), -128, 127);
    hidden[j] = (int8_t)h;
    out[j] = (int8_t)h;
  }
}

// The whole sequence: time-major [STEPS][BATCH][N_IN] runs all rows per step,
// batch-major [BATCH][STEPS][N_IN] each row through all steps (rows never interact).
template <int N_IN, int N_STATE, int BATCH, int STEPS, int TIME_MAJOR>
static inline void tf_lstm_s8(const tf_lstm_s8_q& q, const int8_t* input, const int8_t* wx, const int8_t* wh,
                              const int32_t* bias_x, const int32_t* bias_h, int8_t* hidden, int16_t* cell,
                              int8_t* output, int16_t* scratch, const uint16_t* sigmoid) {
  int16_t* gates = scratch;
  int16_t* th = scratch + 4 * N_STATE;
  for (int o = 0; o < (TIME_MAJOR ? STEPS : BATCH); o++) {
    for (int k = 0; k < (TIME_MAJOR ? BATCH : STEPS); k++) {
      const int b = TIME_MAJOR ? k : o;
      const int row = o * (TIME_MAJOR ? BATCH : STEPS) + k;  // (t * BATCH + b) or (b * STEPS + t)
      tf_lstm_s8_step<N_IN, N_STATE>(q, input + row * N_IN, wx, wh, bias_x, bias_h, hidden + b * N_STATE,
                                     cell + b * N_STATE, output + row * N_STATE, gates, th, sigmoid);
    }
  }
}
