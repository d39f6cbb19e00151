// Capture ring of the streaming HALs (templates/hal/*.cpp.hbs): the samples
// captured since the loop last called tf_sensor_read(), TF_SENSOR_CHANNELS
// int16 values each, oldest first. Static storage sized by the generator
// (TF_SENSOR_RING_SAMPLES), no heap.
//
// Single producer, single consumer. The producer is either the loop itself
// (polled sensors: the HAL samples inside tf_sensor_read/tf_sensor_idle) or
// an interrupt handler on the same core (the PDM callback); the consumer is
// tf_sensor_read(). Each side writes only its own index, so no lock and no
// interrupt masking are needed on a single core: the indices are volatile
// (re-read every time) and a compiler barrier keeps the sample copy before
// the index store that publishes it (and the copy-out before the store that
// frees it). This is not enough for a producer on another core.
//
// Indices run over [0, 2N) and address slot i % N: count = head - tail
// (mod 2N), so the ring holds a full N samples (a plain [0, N) pair would have
// to leave one slot empty to tell full from empty) for any N, power of two or not.
// Included by exactly one translation unit (the HAL), hence static.
#pragma once
#include <stdint.h>
#include <string.h>
#include "tf_sensor.h"

#if !defined(TF_SENSOR_RING_SAMPLES) || !defined(TF_SENSOR_CHANNELS)
#error "tf_sensor_params.h must define TF_SENSOR_RING_SAMPLES and TF_SENSOR_CHANNELS for a streaming sensor"
#endif

#define TF_RING_N ((uint32_t)TF_SENSOR_RING_SAMPLES)
// Orders memory accesses against the volatile index accesses at compile
// time; a single-core MCU needs nothing more.
#define TF_RING_BARRIER() __asm__ __volatile__("" ::: "memory")

static int16_t tf_ring_data[TF_SENSOR_RING_SAMPLES * TF_SENSOR_CHANNELS];
static volatile uint32_t tf_ring_head;     // written by the producer only
static volatile uint32_t tf_ring_tail;     // written by the consumer only
static volatile uint32_t tf_ring_dropped;  // written by the producer only

static inline uint32_t tf_ring_next(uint32_t i) { return i + 1u == 2u * TF_RING_N ? 0u : i + 1u; }
static inline uint32_t tf_ring_slot(uint32_t i) { return i >= TF_RING_N ? i - TF_RING_N : i; }
static inline uint32_t tf_ring_used(uint32_t head, uint32_t tail) { return head >= tail ? head - tail : head + 2u * TF_RING_N - tail; }

// Empties the ring; call before the producer starts.
static inline void tf_ring_reset(void) {
  tf_ring_head = 0;
  tf_ring_tail = 0;
  tf_ring_dropped = 0;
}

// Producer: appends one sample (TF_SENSOR_CHANNELS values), or counts it as
// dropped when the consumer has fallen a whole ring behind.
static inline void tf_ring_push(const int16_t* sample) {
  const uint32_t head = tf_ring_head;
  if (tf_ring_used(head, tf_ring_tail) >= TF_RING_N) {
    tf_ring_dropped = tf_ring_dropped + 1u;
    return;
  }
  memcpy(&tf_ring_data[tf_ring_slot(head) * TF_SENSOR_CHANNELS], sample, sizeof(int16_t) * TF_SENSOR_CHANNELS);
  TF_RING_BARRIER();
  tf_ring_head = tf_ring_next(head);
}

// Consumer: copies out up to max samples, oldest first; returns how many.
static inline uint32_t tf_ring_pop(int16_t* dst, uint32_t max) {
  uint32_t tail = tf_ring_tail;
  uint32_t n = tf_ring_used(tf_ring_head, tail);
  TF_RING_BARRIER();
  if (n > max) n = max;
  for (uint32_t done = 0; done < n;) {
    // Up to the end of the storage, then from its start.
    const uint32_t slot = tf_ring_slot(tail);
    uint32_t run = TF_RING_N - slot;
    if (run > n - done) run = n - done;
    memcpy(&dst[done * TF_SENSOR_CHANNELS], &tf_ring_data[slot * TF_SENSOR_CHANNELS], sizeof(int16_t) * TF_SENSOR_CHANNELS * run);
    done += run;
    tail += run;
    if (tail >= 2u * TF_RING_N) tail -= 2u * TF_RING_N;
  }
  TF_RING_BARRIER();
  tf_ring_tail = tail;
  return n;
}
