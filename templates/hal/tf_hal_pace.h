// Sample clock of the polled HALs (sensors without a data-ready interrupt or
// FIFO the HAL uses: the IMUs over I2C, analogRead): a sample is due every
// 1/TF_SENSOR_RATE_HZ s on micros(). The loop drives it: tf_sensor_read()
// and tf_sensor_idle() call tf_pace_poll(), which reads the sensor once
// (tf_hal_sample(), defined by the HAL before including this file) and
// appends one sample per period that has come due.
//
// Time base: the stream always holds TF_SENSOR_RATE_HZ samples per second,
// because the front end's windows and hops count samples, not microseconds.
// When the loop was busy for several periods (an inference), the one fresh
// reading fills all of them (the sensor kept no history); those repeats are
// counted in tf_sensor_dropped(), like the samples a full ring loses. A loop
// stalled for more than a ring's worth of periods restarts the clock instead
// of replaying the backlog (also counted).
//
// The period is 1e6 / TF_SENSOR_RATE_HZ us, which is rarely an integer
// (119 Hz: 8403.36 us): the remainder is carried in millihertz units
// (Bresenham), so the average rate is exact and never drifts.
#pragma once
#include <Arduino.h>
#include <stdint.h>
#include "tf_hal_ring.h"

#if !defined(TF_SENSOR_RATE_HZ)
#error "tf_sensor_params.h must define TF_SENSOR_RATE_HZ for a polled sensor"
#endif

static constexpr uint32_t TF_PACE_MILLIHZ = (uint32_t)(TF_SENSOR_RATE_HZ * 1000.0 + 0.5);
static_assert(TF_PACE_MILLIHZ > 0 && TF_PACE_MILLIHZ <= 1000000000u, "TF_SENSOR_RATE_HZ must be in (0, 1 MHz]");
static constexpr uint32_t TF_PACE_PERIOD_US = 1000000000u / TF_PACE_MILLIHZ;
static constexpr uint32_t TF_PACE_REMAINDER = 1000000000u % TF_PACE_MILLIHZ;

// Provided by the HAL: the sensor's current values, TF_SENSOR_CHANNELS int16.
static void tf_hal_sample(int16_t* out);

static uint32_t tf_pace_next;   // micros() at which the next sample is due
static uint32_t tf_pace_carry;  // accumulated remainder, in units of 1/TF_PACE_MILLIHZ us
static int16_t tf_pace_last[TF_SENSOR_CHANNELS];

static inline void tf_pace_advance(void) {
  tf_pace_next += TF_PACE_PERIOD_US;
  tf_pace_carry += TF_PACE_REMAINDER;
  if (tf_pace_carry >= TF_PACE_MILLIHZ) {
    tf_pace_carry -= TF_PACE_MILLIHZ;
    tf_pace_next += 1u;
  }
}

// Starts the clock: the first sample is due now.
static inline void tf_pace_begin(void) {
  tf_ring_reset();
  tf_pace_carry = 0;
  tf_pace_next = (uint32_t)micros();
}

// Takes the samples that have come due (none when it is too early).
static inline void tf_pace_poll(void) {
  const uint32_t now = (uint32_t)micros();
  // Signed difference: correct across the 71-minute wrap of micros().
  if ((int32_t)(now - tf_pace_next) < 0) return;
  tf_hal_sample(tf_pace_last);
  uint32_t due = 0;
  while ((int32_t)(now - tf_pace_next) >= 0) {
    if (due == TF_RING_N) {
      // Stalled for a whole ring: restart the clock rather than replay stale values.
      const uint32_t behind = (now - tf_pace_next) / TF_PACE_PERIOD_US + 1u;
      tf_ring_dropped = tf_ring_dropped + behind;
      tf_pace_next = now;
      tf_pace_advance();
      break;
    }
    tf_ring_push(tf_pace_last);
    tf_pace_advance();
    due++;
  }
  if (due > 1u) tf_ring_dropped = tf_ring_dropped + (due - 1u);
}

// Sleeps until the next sample is due, then takes it. delay() is the core's
// low-power wait (mbed: the tickless RTOS idles in WFI; esp32: vTaskDelay,
// the idle task waits for an interrupt; STM32: a busy loop, no saving but
// harmless); waits under 1 ms are busy (delayMicroseconds) so that samples
// at a few kHz keep their timing.
static inline void tf_pace_idle(void) {
  const int32_t wait = (int32_t)(tf_pace_next - (uint32_t)micros());
  if (wait >= 1000) delay((unsigned long)wait / 1000u);
  else if (wait > 0) delayMicroseconds((unsigned int)wait);
  tf_pace_poll();
}
