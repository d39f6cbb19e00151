// tinyforge native kernel: raw data movement with shapes fixed at generation time (TFLM's STRIDED_SLICE, SLICE, SPLIT, SPLIT_V, CONCATENATION: copies that never look at values).
#pragma once
#include <stdint.h>

// ROWS runs of LEN elements: run r copies src[r * SRC_STRIDE ...] to dst[r * DST_STRIDE ...].
template <typename T, int ROWS, int LEN, int SRC_STRIDE, int DST_STRIDE>
static inline void tf_copy_rows(T* dst, const T* src) {
  for (int r = 0; r < ROWS; r++) {
    const T* s = src + r * SRC_STRIDE;
    T* d = dst + r * DST_STRIDE;
    for (int i = 0; i < LEN; i++) d[i] = s[i];
  }
}

// A 4-level strided read into a contiguous destination: dst walks in order,
// src at i0 * S0 + i1 * S1 + i2 * S2 + i3 * S3 (strides may be negative).
template <typename T, int N0, int N1, int N2, int N3, int S0, int S1, int S2, int S3>
static inline void tf_strided_copy4(T* dst, const T* src) {
  for (int i0 = 0; i0 < N0; i0++) {
    for (int i1 = 0; i1 < N1; i1++) {
      for (int i2 = 0; i2 < N2; i2++) {
        const T* s = src + i0 * S0 + i1 * S1 + i2 * S2;
        for (int i3 = 0; i3 < N3; i3++) *dst++ = s[i3 * S3];
      }
    }
  }
}

// Irregular copies: COUNT (src, dst, len) triples.
template <typename T, int COUNT>
static inline void tf_copy_runs(T* dst, const T* src, const int32_t* runs) {
  for (int r = 0; r < COUNT; r++) {
    const T* s = src + runs[3 * r];
    T* d = dst + runs[3 * r + 1];
    const int n = runs[3 * r + 2];
    for (int i = 0; i < n; i++) d[i] = s[i];
  }
}

// Irregular element order: dst[i] = src[index[i]].
template <typename T, int N>
static inline void tf_gather_index(T* dst, const T* src, const int32_t* index) {
  for (int i = 0; i < N; i++) dst[i] = src[index[i]];
}
