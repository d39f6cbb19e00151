// The sensor HAL: the few board-specific functions the portable always-on
// loop (tf_loop.cpp) calls. One implementation per board family and sensor
// (src/tinyforge/tf_hal_sensor.cpp, from the board data), and one on the
// emulated board that replays a recorded stream through the same functions.
// Sample units at this boundary (int16, interleaved per TF_SENSOR_CHANNELS):
//   imu         acceleration in mg, angular rate in 0.1 deg/s, magnetic field in 0.1 uT
//               (channel order from tf_sensor_channel_map: 0..8 = ax ay az gx gy gz mx my mz)
//   microphone  16-bit PCM at TF_SENSOR_RATE_HZ
//   adc         raw analogRead() counts at TF_ADC_RESOLUTION_BITS, one channel per pin of tf_adc_pins
// Cameras deliver whole frames (TF_CAMERA_WIDTH x TF_CAMERA_HEIGHT in TF_CAMERA_FORMAT_*).
#pragma once
#include <stdint.h>
#include "tf_sensor_params.h"

// Starts the sensor; 0 on success, otherwise a nonzero code (tf_sensor_error() says why).
int tf_sensor_begin(void);
// A short static text naming why tf_sensor_begin() failed ("" when it did not).
const char* tf_sensor_error(void);
// Streaming sensors: copies up to max samples captured since the last call into
// dst and returns how many; never blocks.
uint32_t tf_sensor_read(int16_t* dst, uint32_t max);
// Samples lost because the capture buffer was full (the loop fell behind).
uint32_t tf_sensor_dropped(void);
// Cameras: captures one frame into dst (TF_CAMERA_FRAME_BYTES); 0 on success.
int tf_camera_capture(uint8_t* dst);
// Waits in the MCU's low-power state until new data may have arrived.
void tf_sensor_idle(void);
