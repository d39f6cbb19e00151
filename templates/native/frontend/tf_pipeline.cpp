#include "tf_pipeline.h"
#include <string.h>

#if defined(TF_FE_WINDOW_SAMPLES)
static int16_t tf_window[TF_FE_WINDOW_SAMPLES * TF_FE_CHANNELS];
static uint32_t tf_fill;

void tf_pipeline_reset(void) {
  memset(tf_window, 0, sizeof tf_window);
  tf_fill = 0;
  tf_fe_reset();
}

uint32_t tf_pipeline_push(const int16_t* samples, uint32_t n, uint8_t* tensor, int* due) {
  *due = 0;
  uint32_t used = 0;
  while (used < n) {
    uint32_t take = TF_FE_WINDOW_SAMPLES - tf_fill;
    if (take > n - used) take = n - used;
    memcpy(&tf_window[tf_fill * TF_FE_CHANNELS], &samples[used * TF_FE_CHANNELS], take * TF_FE_CHANNELS * sizeof(int16_t));
    tf_fill += take;
    used += take;
    if (tf_fill == TF_FE_WINDOW_SAMPLES) {
      const int ready = tf_fe_hop(tf_window, tensor);
      // Slide by one hop: the oldest TF_FE_HOP_SAMPLES samples leave the window.
      memmove(tf_window, &tf_window[TF_FE_HOP_SAMPLES * TF_FE_CHANNELS], (TF_FE_WINDOW_SAMPLES - TF_FE_HOP_SAMPLES) * TF_FE_CHANNELS * sizeof(int16_t));
      tf_fill = TF_FE_WINDOW_SAMPLES - TF_FE_HOP_SAMPLES;
      if (ready) {
        *due = 1;
        return used;
      }
    }
  }
  return used;
}
#else
// A camera front end has no stream to window.
void tf_pipeline_reset(void) { tf_fe_reset(); }
uint32_t tf_pipeline_push(const int16_t*, uint32_t n, uint8_t*, int* due) {
  *due = 0;
  return n;
}
#endif
