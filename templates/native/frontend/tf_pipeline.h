// Windowing of a sensor stream, as sim/frontend/pipeline.ts does it: a linear
// window of the last TF_FE_WINDOW_SAMPLES samples that slides by
// TF_FE_HOP_SAMPLES; each slide first shows the full window to tf_fe_hop().
#pragma once
#include <stdint.h>
#include "tf_frontend.h"

void tf_pipeline_reset(void);
// Feeds up to n samples (TF_FE_CHANNELS interleaved int16 values each) and
// returns how many it took: it stops right after a hop that made an inference
// due (*due = 1, the tensor is written), so the caller can run the model before
// feeding the rest. *due = 0 when all n were taken without one.
uint32_t tf_pipeline_push(const int16_t* samples, uint32_t n, uint8_t* tensor, int* due);
