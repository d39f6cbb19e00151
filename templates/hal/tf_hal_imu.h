// What the IMU HALs (arduino-imu, lsm6ds3) share: the conversion of the
// libraries' float readings to the int16 units of tf_sensor.h, and the check
// of the generated channel map.
//
// Units: acceleration g -> mg (x 1000), angular rate deg/s -> 0.1 deg/s
// (x 10), magnetic field uT -> 0.1 uT (x 10). The scaled value is clamped to
// [-32768, 32767], then rounded to nearest with halves away from zero
// (lroundf); NaN becomes 0. The clamp comes first, so lroundf never sees a
// value outside long's range.
#pragma once
#include <math.h>
#include <stdint.h>
#include "tf_sensor.h"

// Channel-map values (tf_sensor.h): 0..2 acceleration, 3..5 angular rate, 6..8 magnetic field.
#define TF_IMU_ACCEL_PER_G 1000.0f
#define TF_IMU_GYRO_PER_DPS 10.0f
#define TF_IMU_MAG_PER_UT 10.0f

static inline int16_t tf_imu_to_int16(float v, float per_unit) {
  const float x = v * per_unit;
  if (x != x) return 0;  // NaN
  if (x >= 32767.0f) return 32767;
  if (x <= -32768.0f) return -32768;
  return (int16_t)lroundf(x);
}

// Bit mask of the parts the channel map uses (1 accel, 2 gyro, 4 mag), or -1
// when a value is not below `channels` (the number of channels this IMU has).
static inline int tf_imu_parts(uint8_t channels) {
  int parts = 0;
  for (int c = 0; c < TF_SENSOR_CHANNELS; c++) {
    const uint8_t m = tf_sensor_channel_map[c];
    if (m >= channels) return -1;
    parts |= 1 << (m / 3);
  }
  return parts;
}
