// The always-on loop, portable: sensor (tf_sensor.h) -> front end
// (tf_pipeline.h) -> model (tinyforge_model.h) -> averaging and threshold ->
// tf_loop_report(). The same code runs on the board and on the emulated board
// (which replays a recording through the HAL); sim/frontend/loop.ts is its
// TypeScript twin.
#pragma once
#include <stdint.h>
#include "tf_loop_params.h"

struct tf_loop_result {
  uint32_t index;     // results so far, from 0
  int label;          // class with the largest averaged score
  int32_t sum;        // sum over the averaged results of (q - zero point) for that class
  int count;          // results averaged (TF_LOOP_AVERAGE once enough have run)
  int detected;       // 1 when the averaged score reached the threshold (and not suppressed)
  uint32_t invoke_us; // time of this inference (tf_hal_micros)
};

// Starts the sensor: 0 on success, else the HAL's code (tf_sensor_error() says why).
int tf_loop_begin(void);
// Clears the front end's history and the averaging.
void tf_loop_reset(void);
// Takes what the sensor has, runs the front end and the model as far as it
// goes, and reports every result. Returns 0 when there was nothing to do (the
// caller may then wait in low power with tf_sensor_idle()), else 1; negative
// when the model failed.
int tf_loop_poll(void);
// The label text of class i ("" when the labels are unknown).
const char* tf_loop_label(int i);
// The averaged score of a result, dequantized (for printing).
float tf_loop_score(const tf_loop_result* r);
// Provided by the application: what to do with each result (Serial, LED, ...).
void tf_loop_report(const tf_loop_result* r);
