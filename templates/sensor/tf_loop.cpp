#include "tf_loop.h"
#include <string.h>
#include "tf_sensor.h"
#include "tf_pipeline.h"
#include "tinyforge_model.h"
#include "tinyforge_validate.h"

// Output 0 of the last TF_LOOP_AVERAGE results, as q - zero point.
static int32_t tf_history[TF_LOOP_AVERAGE][TF_LOOP_CLASSES];
static int32_t tf_sums[TF_LOOP_CLASSES];
static uint32_t tf_results;
static int tf_last_detected = -1;
static uint32_t tf_last_detected_at;

void tf_loop_reset(void) {
  memset(tf_history, 0, sizeof tf_history);
  memset(tf_sums, 0, sizeof tf_sums);
  tf_results = 0;
  tf_last_detected = -1;
  tf_last_detected_at = 0;
  tf_pipeline_reset();
}

int tf_loop_begin(void) {
  tf_loop_reset();
  return tf_sensor_begin();
}

const char* tf_loop_label(int i) { return (i >= 0 && i < TF_LOOP_LABELS) ? tf_loop_labels[i] : ""; }

float tf_loop_score(const tf_loop_result* r) {
  return r->count > 0 ? (float)r->sum * TF_LOOP_OUTPUT_SCALE / (float)r->count : 0.0f;
}

static int32_t tf_output_value(int i) {
  const uint8_t* d = tf_outputs[0].data;
#if TF_LOOP_OUTPUT_BYTES == 2
  int16_t v;
  memcpy(&v, d + 2 * i, 2);
  return (int32_t)v - TF_LOOP_OUTPUT_ZERO_POINT;
#elif TF_LOOP_OUTPUT_SIGNED
  return (int32_t)(int8_t)d[i] - TF_LOOP_OUTPUT_ZERO_POINT;
#else
  return (int32_t)d[i] - TF_LOOP_OUTPUT_ZERO_POINT;
#endif
}

// Runs the model on the tensor the front end wrote, then averages and decides.
static int tf_loop_infer(void) {
  tf_hal_invoke_begin();
  const uint32_t t0 = tf_hal_micros();
  const int status = tf_invoke();
  const uint32_t us = tf_hal_micros() - t0;
  tf_hal_invoke_end();
  if (status != 0) return -1;
  const uint32_t slot = tf_results % TF_LOOP_AVERAGE;
  for (int i = 0; i < TF_LOOP_CLASSES; i++) {
    const int32_t v = tf_output_value(i);
    tf_sums[i] += v - tf_history[slot][i];
    tf_history[slot][i] = v;
  }
  tf_loop_result r;
  r.index = tf_results++;
  r.count = tf_results < TF_LOOP_AVERAGE ? (int)tf_results : TF_LOOP_AVERAGE;
  r.label = 0;
  for (int i = 1; i < TF_LOOP_CLASSES; i++)
    if (tf_sums[i] > tf_sums[r.label]) r.label = i;
  r.sum = tf_sums[r.label];
  r.invoke_us = us;
  // The threshold was turned into a sum over TF_LOOP_AVERAGE results at generation time.
  r.detected = r.count == TF_LOOP_AVERAGE && r.sum >= TF_LOOP_THRESHOLD_SUM;
  if (r.detected) {
    if (r.label == tf_last_detected && r.index - tf_last_detected_at <= (uint32_t)TF_LOOP_SUPPRESS) {
      r.detected = 0;
    } else {
      tf_last_detected = r.label;
      tf_last_detected_at = r.index;
    }
  }
  tf_loop_report(&r);
  return 0;
}

#if defined(TF_FE_WINDOW_SAMPLES)
int tf_loop_poll(void) {
  static int16_t chunk[TF_LOOP_CHUNK_SAMPLES * TF_FE_CHANNELS];
  const uint32_t n = tf_sensor_read(chunk, TF_LOOP_CHUNK_SAMPLES);
  uint32_t used = 0;
  while (used < n) {
    int due = 0;
    used += tf_pipeline_push(&chunk[used * TF_FE_CHANNELS], n - used, tf_inputs[0].data, &due);
    if (due && tf_loop_infer() != 0) return -1;
  }
  return n > 0 ? 1 : 0;
}
#else
int tf_loop_poll(void) {
  static uint8_t frame[TF_FE_FRAME_BYTES];
#if !defined(TF_LOOP_NO_PACING)
  // One capture per TF_LOOP_PERIOD_US; the emulated board replays frames unpaced.
  static uint32_t last;
  static int started;
  const uint32_t now = tf_hal_micros();
  if (started && now - last < (uint32_t)TF_LOOP_PERIOD_US) return 0;
  started = 1;
  last = now;
#endif
  if (tf_camera_capture(frame) != 0) return 0;
  tf_fe_frame(frame, tf_inputs[0].data);
  return tf_loop_infer() != 0 ? -1 : 1;
}
#endif
