// tinyforge native kernel: TFLM signal-library custom ops (signal/src/window.cc, fft_auto_scale.cc, energy.cc, filter_bank.cc, filter_bank_square_root.cc, filter_bank_spectral_subtraction.cc, pcan_argc_fixed.cc, filter_bank_log.cc, as sim/kernels/signal/*.ts).
#pragma once
#include <stdint.h>
#include "signal_math.h"

// SignalWindow: out = sat16((in * w) >> SHIFT) over each chunk of N samples.
template <int SIZE, int N, int SHIFT>
static inline void tf_signal_window(const int16_t* in, const int16_t* w, int16_t* out) {
  for (int base = 0; base < SIZE; base += N) {
    for (int i = 0; i < N; i++) {
      const int32_t v = ((int32_t)in[base + i] * w[i]) >> SHIFT;
      out[base + i] = (int16_t)(v > 32767 ? 32767 : (v < -32768 ? -32768 : v));
    }
  }
}

// SignalFftAutoScale: scale_bits = max(0, 15 - msb(max |x|)), out = x << scale_bits.
// The running maximum is an int16, so -32768 stores as a negative "max" (kept).
template <int N>
static inline void tf_signal_fft_auto_scale(const int16_t* in, int16_t* out, int32_t* scale_bits) {
  int16_t max = 0;
  for (int i = 0; i < N; i++) {
    const int32_t v = in[i];
    if (v > max) max = (int16_t)v;
    else if (-v > max) max = (int16_t)(-v);
  }
  int bits = 15 - tf_sig_msb32((uint32_t)(int32_t)max);
  if (bits < 0) bits = 0;
  const int32_t mul = (int32_t)1 << bits;
  for (int i = 0; i < N; i++) out[i] = (int16_t)((int32_t)in[i] * mul);
  scale_bits[0] = bits;
}

// SignalEnergy: out[i] = re^2 + im^2 (uint32) for START <= i < END. The other
// bins are set to 0 (TFLM leaves them unwritten; the simulator's are 0).
template <int BINS, int START, int END>
static inline void tf_signal_energy(const int16_t* in, uint32_t* out) {
  for (int i = 0; i < BINS; i++) {
    if (i < START || i >= END) {
      out[i] = 0;
      continue;
    }
    const int32_t re = in[2 * i];
    const int32_t im = in[2 * i + 1];
    out[i] = (uint32_t)(re * re) + (uint32_t)(im * im);
  }
}

// SignalFilterBank: NUM_CHANNELS + 1 triangular channels accumulated in uint64
// (an int16 weight converts to uint64 and wraps); channel 0 is scratch, the
// output is channels 1..OUT_CHANNELS.
template <int NUM_CHANNELS, int OUT_CHANNELS>
static inline void tf_signal_filter_bank(const uint32_t* in, const int16_t* weights, const int16_t* unweights,
                                         const int16_t* freq_starts, const int16_t* weight_starts,
                                         const int16_t* widths, uint64_t* out) {
  uint64_t w_acc = 0;
  for (int c = 0; c <= NUM_CHANNELS; c++) {
    const int fs = freq_starts[c];
    const int ws = weight_starts[c];
    const int width = widths[c];
    uint64_t u_acc = 0;
    for (int j = 0; j < width; j++) {
      const uint64_t e = in[fs + j];
      w_acc += (uint64_t)(int64_t)weights[ws + j] * e;
      u_acc += (uint64_t)(int64_t)unweights[ws + j] * e;
    }
    if (c >= 1 && c <= OUT_CHANNELS) out[c - 1] = w_acc;
    w_acc = u_acc;
  }
}

// SignalFilterBankSquareRoot: out = Sqrt64(in) >> scale_bits (the count taken mod 32, as x86 does).
template <int N>
static inline void tf_signal_filter_bank_sqrt(const uint64_t* in, const int32_t* scale_bits, uint32_t* out) {
  const int s = scale_bits[0] & 31;
  for (int i = 0; i < N; i++) out[i] = tf_sig_sqrt64(in[i]) >> s;
}

// SignalFilterBankSpectralSubtraction. noise: the persistent noise estimate
// (zeroed by tf_reset()); noise_out receives a copy after the update. Odd
// channels use the alternate coefficients. uint64 products, uint32 stores.
template <int N, uint32_t SMOOTHING, uint32_t ONE_MINUS, uint32_t ALT_SMOOTHING, uint32_t ALT_ONE_MINUS,
          uint32_t MIN_SIGNAL_REMAINING, int SMOOTHING_BITS, int SPECTRAL_BITS, int CLAMPING>
static inline void tf_signal_spectral_subtraction(const uint32_t* in, uint32_t* out, uint32_t* noise_out, uint32_t* noise) {
  for (int i = 0; i < N; i++) {
    const bool odd = (i & 1) != 0;
    const uint32_t smoothing = odd ? ALT_SMOOTHING : SMOOTHING;
    const uint32_t one_minus = odd ? ALT_ONE_MINUS : ONE_MINUS;
    const uint32_t x = in[i];
    const uint32_t s = x << SMOOTHING_BITS;
    const uint32_t est0 = (uint32_t)(((uint64_t)s * smoothing + (uint64_t)noise[i] * one_minus) >> SPECTRAL_BITS);
    noise[i] = est0;
    uint32_t est = est0;
    if (est > s) {
      est = s;
      if (CLAMPING) noise[i] = s;
    }
    const uint32_t floor = (uint32_t)(((uint64_t)x * MIN_SIGNAL_REMAINING) >> SPECTRAL_BITS);
    const uint32_t sub = (s - est) >> SMOOTHING_BITS;
    out[i] = sub > floor ? sub : floor;
  }
  for (int i = 0; i < N; i++) noise_out[i] = noise[i];
}

// pcan_argc_fixed.cc WideDynamicFunction: lut[x] for x <= 2, else a quadratic
// interpolation in the segment of x's most significant bit; int16 result.
static inline int16_t tf_sig_wide_dynamic(uint32_t x, const int16_t* lut) {
  if (x <= 2) return lut[x];
  const int interval = tf_sig_msb32(x);
  const int base = 4 * interval - 6;
  const int32_t frac = (int32_t)((interval < 11 ? x << (11 - interval) : x >> (interval - 11)) & 0x3ff);
  int32_t result = ((int32_t)lut[base + 2] * frac) >> 5;
  result += (int32_t)((uint32_t)(int32_t)lut[base + 1] << 5);
  result = (int32_t)((uint32_t)result * (uint32_t)frac);
  result = (int32_t)((uint32_t)result + 16384u) >> 15;
  result += lut[base];
  return (int16_t)result;
}

// SignalPCAN: gain = uint32(WideDynamicFunction(noise)), snr = (in * gain) >> SNR_SHIFT (uint64),
// out = snr < 2^13 ? (snr * snr) >> 20 : (snr >> 6) - 64.
template <int N, int SNR_SHIFT>
static inline void tf_signal_pcan(const uint32_t* in, const uint32_t* noise, const int16_t* lut, uint32_t* out) {
  for (int i = 0; i < N; i++) {
    const uint32_t gain = (uint32_t)(int32_t)tf_sig_wide_dynamic(noise[i], lut);
    const uint32_t snr = (uint32_t)(((uint64_t)in[i] * gain) >> SNR_SHIFT);
    out[i] = snr < 8192u ? (snr * snr) >> 20 : (snr >> 6) - 64u;
  }
}

// SignalFilterBankLog: scaled = in << CORRECTION_BITS; out = scaled > 1 ? min(Log32(scaled, OUTPUT_SCALE), 32767) : 0.
template <int N, int CORRECTION_BITS, uint32_t OUTPUT_SCALE>
static inline void tf_signal_filter_bank_log(const uint32_t* in, int16_t* out, const uint16_t* log_lut) {
  for (int i = 0; i < N; i++) {
    const uint32_t scaled = in[i] << CORRECTION_BITS;
    if (scaled > 1) {
      const uint32_t v = tf_sig_log32(scaled, OUTPUT_SCALE, log_lut);
      out[i] = (int16_t)(v < 32767u ? v : 32767u);
    } else {
      out[i] = 0;
    }
  }
}
