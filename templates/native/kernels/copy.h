// tinyforge native kernel: byte copy (RESHAPE when not aliased, and friends).
#pragma once
#include <stdint.h>
#include <stddef.h>

static inline void tf_copy_bytes(uint8_t* dst, const uint8_t* src, size_t n) {
  // memmove semantics: the planner may overlap source and destination.
  if (dst == src || n == 0) return;
  if (dst < src) {
    for (size_t i = 0; i < n; i++) dst[i] = src[i];
  } else {
    for (size_t i = n; i > 0; i--) dst[i - 1] = src[i - 1];
  }
}
