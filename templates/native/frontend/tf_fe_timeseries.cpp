// Time-series front end (IMU, ADC), as sim/frontend/timeseries.ts: each value
// of the window is offset, requantized with TFLite's
// MultiplyByQuantizedMultiplier and clamped to the input tensor's type.
#include "tf_frontend.h"
#include "tf_fixedpoint.h"

void tf_fe_reset(void) {}

int tf_fe_hop(const int16_t* window, uint8_t* tensor) {
#if TF_FE_TENSOR_INT16
  int16_t* out = (int16_t*)(void*)tensor;
#endif
  int c = 0;
  for (int i = 0; i < TF_FE_WINDOW_SAMPLES * TF_FE_CHANNELS; i++) {
    const int32_t q = tf_clamp(TF_FE_ZERO_POINT + tf_mbqm((int32_t)window[i] - tf_fe_offset[c], tf_fe_multiplier[c], (int)tf_fe_shift[c]), TF_FE_QMIN, TF_FE_QMAX);
#if TF_FE_TENSOR_INT16
    out[i] = (int16_t)q;
#else
    tensor[i] = (uint8_t)q;
#endif
    if (++c == TF_FE_CHANNELS) c = 0;
  }
  return 1;
}

void tf_fe_frame(const uint8_t*, uint8_t*) {}
