// Camera front end: one frame as the HAL delivers it -> the model's input
// tensor. The same integer steps as tinyforge's simulator (sim/frontend/image.ts),
// so both produce the same bytes:
//   1. each sampled source pixel is converted on the fly to the working
//      channels (rgb565 -> rgb888 by bit replication; rgb -> gray by the luma
//      (77 R + 150 G + 29 B + 128) >> 8), which needs no frame-sized buffer;
//   2. crop + resize through the generated tables (nearest: one source pixel;
//      bilinear: Q11 weights, row sums in Q11, blend in Q22 rounded half up;
//      at most 255 * 2^22 + 2^21 < 2^31, so uint32 arithmetic is exact);
//   3. the 256-entry table maps each 0..255 value to the tensor's byte.
// No heap, no float, no state.
#include "tf_frontend.h"

#if defined(TF_FE_KIND_IMAGE)

#if TF_FE_FRAME_FORMAT != TF_FE_FORMAT_GRAYSCALE && TF_FE_FRAME_FORMAT != TF_FE_FORMAT_RGB565 && TF_FE_FRAME_FORMAT != TF_FE_FORMAT_RGB888
#error "tf_frontend_params.h: unknown TF_FE_FRAME_FORMAT"
#endif
#if TF_FE_WORK_CHANNELS != 1 && TF_FE_WORK_CHANNELS != 3
#error "tf_frontend_params.h: TF_FE_WORK_CHANNELS must be 1 or 3"
#endif

// Working channels of the pixel at p into v[0..TF_FE_WORK_CHANNELS-1].
static inline void tf_fe_load(const uint8_t* p, uint32_t* v) {
#if TF_FE_FRAME_FORMAT == TF_FE_FORMAT_GRAYSCALE
  v[0] = p[0];
#else
#if TF_FE_FRAME_FORMAT == TF_FE_FORMAT_RGB565
#if TF_FE_RGB565_BIG_ENDIAN
  const uint32_t w = ((uint32_t)p[0] << 8) | p[1];
#else
  const uint32_t w = ((uint32_t)p[1] << 8) | p[0];
#endif
  const uint32_t r5 = w >> 11, g6 = (w >> 5) & 63u, b5 = w & 31u;
  // Bit replication fills the low bits, so full scale stays 255.
  const uint32_t r = (r5 << 3) | (r5 >> 2);
  const uint32_t g = (g6 << 2) | (g6 >> 4);
  const uint32_t b = (b5 << 3) | (b5 >> 2);
#else
  const uint32_t r = p[0], g = p[1], b = p[2];
#endif
#if TF_FE_WORK_CHANNELS == 1
  v[0] = (77u * r + 150u * g + 29u * b + 128u) >> 8;
#else
  v[0] = r;
  v[1] = g;
  v[2] = b;
#endif
#endif
}

// Writes one output pixel from its working channels.
static inline uint8_t* tf_fe_store(uint8_t* t, const uint32_t* v) {
#if TF_FE_TENSOR_CHANNELS == 3 && TF_FE_WORK_CHANNELS == 1
  // A grayscale frame into an RGB tensor: the gray value in all three channels.
  const uint8_t q = tf_fe_lut[v[0]];
  t[0] = q;
  t[1] = q;
  t[2] = q;
  return t + 3;
#else
  for (int c = 0; c < TF_FE_WORK_CHANNELS; c++) t[c] = tf_fe_lut[v[c]];
  return t + TF_FE_WORK_CHANNELS;
#endif
}

void tf_fe_reset(void) {}

void tf_fe_frame(const uint8_t* pixels, uint8_t* tensor) {
  uint8_t* t = tensor;
  uint32_t v[3] = {0, 0, 0};
  for (uint32_t dy = 0; dy < (uint32_t)TF_FE_TENSOR_HEIGHT; dy++) {
    const uint8_t* r0 = pixels + (uint32_t)tf_fe_y0[dy] * (uint32_t)TF_FE_FRAME_ROW_BYTES;
#if TF_FE_RESIZE_BILINEAR
    const uint8_t* r1 = pixels + (uint32_t)tf_fe_y1[dy] * (uint32_t)TF_FE_FRAME_ROW_BYTES;
    const uint32_t wy1 = tf_fe_yf[dy];
    const uint32_t wy0 = (1u << TF_FE_FRAC_BITS) - wy1;
#endif
    for (uint32_t dx = 0; dx < (uint32_t)TF_FE_TENSOR_WIDTH; dx++) {
      const uint32_t o0 = tf_fe_x0[dx];
#if TF_FE_RESIZE_BILINEAR
      const uint32_t o1 = tf_fe_x1[dx];
      const uint32_t wx1 = tf_fe_xf[dx];
      const uint32_t wx0 = (1u << TF_FE_FRAC_BITS) - wx1;
      uint32_t p00[3], p01[3], p10[3], p11[3];
      tf_fe_load(r0 + o0, p00);
      tf_fe_load(r0 + o1, p01);
      tf_fe_load(r1 + o0, p10);
      tf_fe_load(r1 + o1, p11);
      for (int c = 0; c < TF_FE_WORK_CHANNELS; c++) {
        const uint32_t top = p00[c] * wx0 + p01[c] * wx1;
        const uint32_t bot = p10[c] * wx0 + p11[c] * wx1;
        v[c] = (top * wy0 + bot * wy1 + (1u << (2 * TF_FE_FRAC_BITS - 1))) >> (2 * TF_FE_FRAC_BITS);
      }
#else
      tf_fe_load(r0 + o0, v);
#endif
      t = tf_fe_store(t, v);
    }
  }
}

#endif  // TF_FE_KIND_IMAGE
