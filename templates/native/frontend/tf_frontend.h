// The sensor front end: raw samples (or a camera frame) -> the model's input
// tensor, integer-only, the same arithmetic as tinyforge's simulator
// (sim/frontend/). Parameters and tables are in tf_frontend_params.*.
#pragma once
#include <stdint.h>
#include "tf_frontend_params.h"

// Clears the front end's history (e.g. the feature frames of an audio front end).
void tf_fe_reset(void);
// Streaming sensors: window holds TF_FE_WINDOW_SAMPLES samples of TF_FE_CHANNELS
// interleaved int16 values, oldest first. Writes the input tensor and returns
// 1 when an inference is due, 0 otherwise.
int tf_fe_hop(const int16_t* window, uint8_t* tensor);
// Cameras: pixels is one frame as the HAL delivers it (TF_FE_FRAME_BYTES); writes the tensor.
void tf_fe_frame(const uint8_t* pixels, uint8_t* tensor);
