// tinyforge native kernel helpers: TFLM signal library integer math (signal/src/msb_32.cc, square_root_32.cc, square_root_64.cc, log.cc, as sim/math/signal_math.ts).
#pragma once
#include <stdint.h>

// MostSignificantBit32, GCC build: bit count of x, and 32 for x = 0.
static inline int tf_sig_msb32(uint32_t x) {
  if (x == 0) return 32;
  int n = 0;
  while (x) { x >>= 1; n++; }
  return n;
}

// Sqrt32: the integer square root, rounded up when the remainder exceeds the root (but not past 0xFFFF).
static inline uint32_t tf_sig_sqrt32(uint32_t x) {
  if (x == 0) return 0;
  uint32_t rem = x, res = 0, bit = (uint32_t)1 << 30;
  while (bit > rem) bit >>= 2;
  while (bit) {
    if (rem >= res + bit) {
      rem -= res + bit;
      res = (res >> 1) + bit;
    } else {
      res >>= 1;
    }
    bit >>= 2;
  }
  return (rem > res && res != 0xFFFFu) ? res + 1 : res;
}

// Sqrt64: Sqrt32 below 2^32, else the same rule on 64 bits (not past 0xFFFFFFFF).
static inline uint32_t tf_sig_sqrt64(uint64_t x) {
  if ((x >> 32) == 0) return tf_sig_sqrt32((uint32_t)x);
  uint64_t rem = x, res = 0, bit = (uint64_t)1 << 62;
  while (bit > rem) bit >>= 2;
  while (bit) {
    if (rem >= res + bit) {
      rem -= res + bit;
      res = (res >> 1) + bit;
    } else {
      res >>= 1;
    }
    bit >>= 2;
  }
  return (uint32_t)((rem > res && res != 0xFFFFFFFFu) ? res + 1 : res);
}

// Log32: ln(x) * out_scale in Q16 of out_scale (x > 0). lut: log.cc's 130-entry
// correction table (emitted as a constant by the generator). The last product wraps in uint32.
static inline uint32_t tf_sig_log32(uint32_t x, uint32_t out_scale, const uint16_t* lut) {
  const int integer = tf_sig_msb32(x) - 1;
  int32_t frac = (int32_t)(x - ((uint32_t)1 << integer));
  if (integer < 16) frac <<= 16 - integer;
  else frac >>= integer - 16;
  const uint32_t seg = (uint32_t)frac >> 9;
  const int32_t c0 = lut[seg];
  const int32_t c1 = lut[seg + 1];
  const int32_t rel_pos = ((c1 - c0) * (frac - (int32_t)(seg * 512))) >> 16;
  const uint32_t log2 = (uint32_t)integer * 65536u + (uint32_t)(frac + c0 + rel_pos);
  const uint32_t loge = (uint32_t)(((uint64_t)45426u * log2 + 32768u) >> 16);
  return (out_scale * loge + 32768u) >> 16;
}
