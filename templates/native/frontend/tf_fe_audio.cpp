// Microphone front end, as sim/frontend/audio.ts (read its header for the
// feature definition). Mono int16 audio; TF_FE_AUDIO_LOGMEL selects:
//   0 (pcm):    the tensor is the window of samples as is (int16, little-endian).
//   1 (logmel): each hop turns the window into one feature frame with TFLM's
//               signal-library kernels (window, FFT auto-scale, kissfft, energy,
//               mel filter bank, sqrt, noise reduction, PCAN, log: the micro
//               frontend chain), quantizes it and stores it in a ring of
//               TF_FE_AUDIO_FRAMES frames; the tensor is the ring, oldest first.
// Integer-only, no heap: every buffer is static and sized by the generated
// tf_frontend_params.h. The tensor is written only when an inference is due.
#include <string.h>
#include "tf_frontend.h"
#if TF_FE_AUDIO_LOGMEL
#include "kernels/signal_ops.h"
#include "kernels/signal_rfft.h"
#endif

// Inference cadence: the first once TF_FE_AUDIO_FRAMES frames exist, then
// every TF_FE_AUDIO_HOPS_PER_INFERENCE frames (sim/frontend/audio.ts Cadence).
static uint32_t tf_fe_filled;
static uint32_t tf_fe_since;

static int tf_fe_audio_due(void) {
  if (tf_fe_filled < (uint32_t)TF_FE_AUDIO_FRAMES) {
    tf_fe_filled++;
    if (tf_fe_filled < (uint32_t)TF_FE_AUDIO_FRAMES) return 0;
    tf_fe_since = 0;
    return 1;
  }
  if (++tf_fe_since < (uint32_t)TF_FE_AUDIO_HOPS_PER_INFERENCE) return 0;
  tf_fe_since = 0;
  return 1;
}

#if TF_FE_AUDIO_LOGMEL
// Feature frames, quantized, TF_FE_AUDIO_FEATURE_BYTES each; tf_fe_head is the slot written next.
static uint8_t tf_fe_ring[TF_FE_TENSOR_BYTES];
static uint32_t tf_fe_head;
// Windowed and auto-scaled samples (the FFT zero-pads them to TF_FE_AUDIO_FFT_LENGTH).
static int16_t tf_fe_work[TF_FE_WINDOW_SAMPLES];
static int16_t tf_fe_spectrum[TF_FE_AUDIO_FFT_LENGTH + 2];
static int16_t tf_fe_fft_scratch[TF_FE_AUDIO_FFT_LENGTH];
static uint32_t tf_fe_energy[TF_FE_AUDIO_FFT_LENGTH / 2 + 1];
static uint64_t tf_fe_bank[TF_FE_AUDIO_MEL_BINS];
// Channel amplitudes: sqrt of the bank, then noise-reduced and gain-controlled in place.
static uint32_t tf_fe_amp[TF_FE_AUDIO_MEL_BINS];
static int16_t tf_fe_log[TF_FE_AUDIO_MEL_BINS];
#if TF_FE_AUDIO_NOISE_REDUCTION
// The per-channel noise estimate: state carried from hop to hop, cleared by tf_fe_reset().
static uint32_t tf_fe_noise[TF_FE_AUDIO_MEL_BINS];
#endif
#endif

void tf_fe_reset(void) {
  tf_fe_filled = 0;
  tf_fe_since = 0;
#if TF_FE_AUDIO_LOGMEL
  memset(tf_fe_ring, 0, sizeof tf_fe_ring);
  tf_fe_head = 0;
#if TF_FE_AUDIO_NOISE_REDUCTION
  memset(tf_fe_noise, 0, sizeof tf_fe_noise);
#endif
#endif
}

#if TF_FE_AUDIO_LOGMEL
// Steps 1-9 of sim/frontend/audio.ts: one window -> TF_FE_AUDIO_MEL_BINS log values (0..32767) in tf_fe_log.
static void tf_fe_audio_features(const int16_t* window) {
  tf_signal_window<TF_FE_WINDOW_SAMPLES, TF_FE_WINDOW_SAMPLES, TF_FE_AUDIO_WINDOW_SHIFT>(window, tf_fe_audio_window, tf_fe_work);
  int32_t scale_bits = 0;
  // In place: the kernel finds the maximum before it writes.
  tf_signal_fft_auto_scale<TF_FE_WINDOW_SAMPLES>(tf_fe_work, tf_fe_work, &scale_bits);
  tf_signal_rfft<TF_FE_AUDIO_FFT_LENGTH, TF_FE_WINDOW_SAMPLES, 1, TF_FE_AUDIO_FFT_STAGES>(
      tf_fe_work, tf_fe_spectrum, tf_fe_audio_fft_stages, tf_fe_audio_fft_perm, tf_fe_audio_fft_twr, tf_fe_audio_fft_twi,
      tf_fe_audio_fft_stwr, tf_fe_audio_fft_stwi, tf_fe_fft_scratch);
  tf_signal_energy<TF_FE_AUDIO_FFT_LENGTH / 2 + 1, TF_FE_AUDIO_SPECTRUM_START, TF_FE_AUDIO_SPECTRUM_END>(tf_fe_spectrum, tf_fe_energy);
  tf_signal_filter_bank<TF_FE_AUDIO_MEL_BINS, TF_FE_AUDIO_MEL_BINS>(tf_fe_energy, tf_fe_audio_fb_weights, tf_fe_audio_fb_unweights,
                                                                   tf_fe_audio_fb_freq_starts, tf_fe_audio_fb_weight_starts,
                                                                   tf_fe_audio_fb_widths, tf_fe_bank);
  // Square root, then undo the auto-scale shift.
  tf_signal_filter_bank_sqrt<TF_FE_AUDIO_MEL_BINS>(tf_fe_bank, &scale_bits, tf_fe_amp);
#if TF_FE_AUDIO_NOISE_REDUCTION
  // In place (each channel reads its input before writing); the estimate is
  // its own "noise output" (the kernel's final copy is then a no-op).
  tf_signal_spectral_subtraction<TF_FE_AUDIO_MEL_BINS, TF_FE_AUDIO_NR_SMOOTHING, TF_FE_AUDIO_NR_ONE_MINUS_SMOOTHING,
                                 TF_FE_AUDIO_NR_ALT_SMOOTHING, TF_FE_AUDIO_NR_ALT_ONE_MINUS_SMOOTHING,
                                 TF_FE_AUDIO_NR_MIN_SIGNAL_REMAINING, TF_FE_AUDIO_NR_SMOOTHING_BITS,
                                 TF_FE_AUDIO_NR_SPECTRAL_BITS, 0>(tf_fe_amp, tf_fe_amp, tf_fe_noise, tf_fe_noise);
#endif
#if TF_FE_AUDIO_PCAN
  tf_signal_pcan<TF_FE_AUDIO_MEL_BINS, TF_FE_AUDIO_PCAN_SNR_SHIFT>(tf_fe_amp, tf_fe_noise, tf_fe_audio_pcan_lut, tf_fe_amp);
#endif
  tf_signal_filter_bank_log<TF_FE_AUDIO_MEL_BINS, TF_FE_AUDIO_LOG_CORRECTION_BITS, TF_FE_AUDIO_LOG_OUTPUT_SCALE>(tf_fe_amp, tf_fe_log,
                                                                                                               tf_fe_audio_log_lut);
}
#endif

int tf_fe_hop(const int16_t* window, uint8_t* tensor) {
#if TF_FE_AUDIO_LOGMEL
  tf_fe_audio_features(window);
  // Step 10: q = clamp(offset + min((v * NUM + ADD) / DEN, 65535)), uint32
  // arithmetic (the plan keeps v * NUM + ADD below 2^32 for every v the log
  // can produce); bytes written one by one, little-endian for int16 tensors.
  uint8_t* slot = &tf_fe_ring[tf_fe_head * TF_FE_AUDIO_FEATURE_BYTES];
  for (int i = 0; i < TF_FE_AUDIO_MEL_BINS; i++) {
    uint32_t u = ((uint32_t)tf_fe_log[i] * TF_FE_AUDIO_Q_NUM + TF_FE_AUDIO_Q_ADD) / TF_FE_AUDIO_Q_DEN;
    if (u > 65535u) u = 65535u;
    int32_t q = (int32_t)TF_FE_AUDIO_Q_OFFSET + (int32_t)u;
    if (q < TF_FE_AUDIO_QMIN) q = TF_FE_AUDIO_QMIN;
    if (q > TF_FE_AUDIO_QMAX) q = TF_FE_AUDIO_QMAX;
#if TF_FE_AUDIO_TENSOR_INT16
    slot[2 * i] = (uint8_t)((uint32_t)q & 0xffu);
    slot[2 * i + 1] = (uint8_t)(((uint32_t)q >> 8) & 0xffu);
#else
    slot[i] = (uint8_t)((uint32_t)q & 0xffu);
#endif
  }
  tf_fe_head = tf_fe_head + 1 == (uint32_t)TF_FE_AUDIO_FRAMES ? 0 : tf_fe_head + 1;
  if (!tf_fe_audio_due()) return 0;
  // Oldest frame first: the slot after the newest.
  const uint32_t split = tf_fe_head * TF_FE_AUDIO_FEATURE_BYTES;
  memcpy(tensor, &tf_fe_ring[split], TF_FE_TENSOR_BYTES - split);
  memcpy(&tensor[TF_FE_TENSOR_BYTES - split], tf_fe_ring, split);
  return 1;
#else
  if (!tf_fe_audio_due()) return 0;
  for (int i = 0; i < TF_FE_WINDOW_SAMPLES; i++) {
    const uint16_t v = (uint16_t)window[i];
    tensor[2 * i] = (uint8_t)(v & 0xffu);
    tensor[2 * i + 1] = (uint8_t)(v >> 8);
  }
  return 1;
#endif
}

void tf_fe_frame(const uint8_t*, uint8_t*) {}
