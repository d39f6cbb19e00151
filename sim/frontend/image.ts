/**
 * Camera front end: one frame as the camera HAL delivers it -> the model's
 * NHWC input tensor (batch 1, int8 or uint8), mirrored byte for byte by
 * templates/native/frontend/tf_fe_image.cpp.
 *
 * Per frame (integer only, nothing allocated):
 *   1. each source pixel is read in the frame's format and converted to the
 *      working channels: rgb565 -> rgb888 by bit replication (so 0x1f -> 255,
 *      not 248); rgb -> gray by the integer luma (77 R + 150 G + 29 B + 128) >> 8
 *      (weights sum to 256, so white stays 255). The conversion is done on the
 *      fly while sampling, which gives the same values as converting the whole
 *      frame first but needs no frame-sized scratch buffer;
 *   2. crop (default: the largest centered rectangle with the tensor's aspect
 *      ratio) and resize to the tensor's H x W, through index/weight tables
 *      computed here in prepare:
 *        nearest:  the source pixel whose center is nearest the output pixel's center;
 *        bilinear: half-pixel centers (src = (dst + 0.5) * in / out - 0.5, clamped
 *                  at the edges), weights in Q11 (RESIZE_FRAC_BITS): horizontal
 *                  top/bottom sums in Q11, the vertical blend in Q22, rounded
 *                  half up by (v + 2^21) >> 22. The largest intermediate is
 *                  255 * 2^22 + 2^21 < 2^31, so int32/uint32 never overflows;
 *   3. each 0..255 value goes through a 256-entry lookup table (the only
 *      float work, done once here) to the tensor's quantized value. A 3-channel
 *      tensor fed a grayscale frame gets the gray value in all three channels.
 *
 * The real value a pixel v maps to is lo + v * (hi - lo) / 255 for
 * range = [lo, hi]. By default the range is the one the tensor's quantization
 * covers exactly: lo = (qmin - zeroPoint) * scale, hi = (qmax - zeroPoint) * scale,
 * so q = qmin + v: "pixel - 128" for an int8 tensor (person_detect:
 * scale 2/255, zero point -1, i.e. real in [-0.996, 1.004]), the raw pixel for
 * uint8, and real = pixel for MLPerf Tiny's resnet8 (scale 1, zero point -128).
 */
import { PipelineError } from '../../lib/errors.js';
import type { FrameFormat, ImagePlan, ImageRunner, InputTensorInfo } from './types.js';

export type CropMode = 'center' | 'none';
export type ResizeMode = 'nearest' | 'bilinear';

export interface ImageConfig {
  /** What the camera HAL delivers (default: grayscale at the tensor's size, rgb565 for a 3-channel tensor). */
  frame?: { width: number; height: number; format: FrameFormat };
  /** 'center' (default): largest centered crop with the tensor's aspect ratio; 'none': stretch the whole frame. */
  crop?: CropMode;
  /** Default 'bilinear' (Q11 fixed-point weights). */
  resize?: ResizeMode;
  /** Real value of pixel 0 and of pixel 255 (linear in between); default: the tensor's full quantized range. */
  range?: [number, number];
  /**
   * rgb565 frames: order of the two bytes of a pixel in memory. 'little'
   * (default): a little-endian uint16, low byte first, as tinyforge's camera
   * HALs (templates/hal) deliver it (they swap the sensor's high-byte-first
   * order). 'big': high byte first, for a HAL that passes the sensor's bytes through.
   */
  rgb565ByteOrder?: 'big' | 'little';
}

/** Fraction bits of the bilinear weights (Q11, as OpenCV's fixed-point resize). */
export const RESIZE_FRAC_BITS = 11;
const ONE = 1 << RESIZE_FRAC_BITS;
const HALF2 = 1 << (2 * RESIZE_FRAC_BITS - 1);
const SHIFT2 = 2 * RESIZE_FRAC_BITS;

/** The largest frame / tensor side: source offsets are stored as uint16 in the C tables where they fit. */
const MAX_SIDE = 65535;

export const FRAME_FORMATS: readonly FrameFormat[] = ['grayscale', 'rgb565', 'rgb888'];

export function bytesPerPixel(format: FrameFormat): number {
  return format === 'grayscale' ? 1 : format === 'rgb565' ? 2 : 3;
}

/**
 * Where each output pixel samples the source: absolute source columns/rows
 * (crop offset included) of the two neighbours and the Q11 weight of the
 * second one (0 for nearest, and at the clamped edges).
 */
export interface ResampleTables {
  mode: ResizeMode;
  crop: { x: number; y: number; width: number; height: number };
  dstWidth: number;
  dstHeight: number;
  x0: Uint16Array;
  x1: Uint16Array;
  xf: Uint16Array;
  y0: Uint16Array;
  y1: Uint16Array;
  yf: Uint16Array;
}

/** The crop rectangle of a srcW x srcH image for a dstW x dstH output. */
export function cropRect(srcW: number, srcH: number, dstW: number, dstH: number, crop: CropMode): ResampleTables['crop'] {
  if (crop === 'none') return { x: 0, y: 0, width: srcW, height: srcH };
  // Exact integer comparison of the aspect ratios; the crop side is rounded to nearest.
  if (srcW * dstH > srcH * dstW) {
    const w = Math.max(1, Math.min(srcW, Math.floor((2 * srcH * dstW + dstH) / (2 * dstH))));
    return { x: Math.floor((srcW - w) / 2), y: 0, width: w, height: srcH };
  }
  const h = Math.max(1, Math.min(srcH, Math.floor((2 * srcW * dstH + dstW) / (2 * dstW))));
  return { x: 0, y: Math.floor((srcH - h) / 2), width: srcW, height: h };
}

/** One axis: `out` positions sampling `len` source positions starting at `start`. */
function axisTables(start: number, len: number, out: number, mode: ResizeMode): [Uint16Array, Uint16Array, Uint16Array] {
  const a = new Uint16Array(out);
  const b = new Uint16Array(out);
  const f = new Uint16Array(out);
  for (let d = 0; d < out; d++) {
    let i0: number;
    let frac = 0;
    if (mode === 'nearest') {
      // Center of output pixel d, (d + 0.5) * len / out, floored; always < len.
      i0 = Math.floor(((2 * d + 1) * len) / (2 * out));
    } else {
      // Q11 source coordinate (d + 0.5) * len / out - 0.5, floored exactly in integers
      // (all terms < 2^53); negative at the upscaled left/top edge -> clamped to 0.
      const q = Math.floor((((2 * d + 1) * len - out) * ONE) / (2 * out));
      const c = q < 0 ? 0 : q;
      i0 = Math.floor(c / ONE);
      frac = c - i0 * ONE;
      if (i0 >= len - 1) {
        i0 = len - 1;
        frac = 0;
      }
    }
    a[d] = start + i0;
    b[d] = start + (i0 + 1 < len ? i0 + 1 : i0);
    f[d] = frac;
  }
  return [a, b, f];
}

/** The sampling tables of a crop + resize from srcW x srcH to dstW x dstH. */
export function resampleTables(srcW: number, srcH: number, dstW: number, dstH: number, crop: CropMode, mode: ResizeMode): ResampleTables {
  const r = cropRect(srcW, srcH, dstW, dstH, crop);
  const [x0, x1, xf] = axisTables(r.x, r.width, dstW, mode);
  const [y0, y1, yf] = axisTables(r.y, r.height, dstH, mode);
  return { mode, crop: r, dstWidth: dstW, dstHeight: dstH, x0, x1, xf, y0, y1, yf };
}

/**
 * Resamples an interleaved 8-bit image (channels values per pixel) with the
 * tables: the same arithmetic as the front end's step 2. Used to turn a photo
 * into a camera frame (lib/image-files.ts toFrame).
 */
export function resample(src: Uint8Array, srcW: number, channels: number, t: ResampleTables, dst: Uint8Array): void {
  const row = srcW * channels;
  let o = 0;
  for (let dy = 0; dy < t.dstHeight; dy++) {
    const r0 = t.y0[dy]! * row;
    const r1 = t.y1[dy]! * row;
    const wy1 = t.yf[dy]!;
    const wy0 = ONE - wy1;
    for (let dx = 0; dx < t.dstWidth; dx++) {
      const c0 = t.x0[dx]! * channels;
      const c1 = t.x1[dx]! * channels;
      const wx1 = t.xf[dx]!;
      const wx0 = ONE - wx1;
      for (let c = 0; c < channels; c++) {
        if (t.mode === 'nearest') {
          dst[o++] = src[r0 + c0 + c]!;
        } else {
          const top = src[r0 + c0 + c]! * wx0 + src[r0 + c1 + c]! * wx1;
          const bot = src[r1 + c0 + c]! * wx0 + src[r1 + c1 + c]! * wx1;
          dst[o++] = (top * wy0 + bot * wy1 + HALF2) >> SHIFT2;
        }
      }
    }
  }
}

/** Integer luma of an 8-bit RGB triple (weights 77/150/29 out of 256, rounded). */
export function luma(r: number, g: number, b: number): number {
  return (77 * r + 150 * g + 29 * b + 128) >> 8;
}

/** rgb565 -> 8-bit components by bit replication: [r, g, b]. */
export function rgb565To888(v: number): [number, number, number] {
  const r = v >> 11;
  const g = (v >> 5) & 63;
  const b = v & 31;
  return [(r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2)];
}

function fail(code: string, message: string, fix: string): never {
  throw new PipelineError(code, message, fix, { field: 'image' });
}

function isSide(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_SIDE;
}

/** The tensor's quantized range and the default pixel range. */
function typeLimits(dtype: string): [number, number] {
  return dtype === 'int8' ? [-128, 127] : [0, 255];
}

/** Pixel value -> tensor byte, computed once (the only float work of the front end). */
export function quantLut(input: InputTensorInfo, range: [number, number] | undefined): Uint8Array {
  const [qmin, qmax] = typeLimits(input.dtype);
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) {
    let q: number;
    if (range === undefined) {
      // The default range is exactly the tensor's: no float rounding can move a value.
      q = qmin + v;
    } else {
      const real = range[0] + (v * (range[1] - range[0])) / 255;
      // As TFLite's AffineQuantize (and lib/quant.ts): float32 division, half away from zero.
      const r = Math.fround(Math.fround(real) / Math.fround(input.scale));
      q = (r < 0 ? -Math.round(-r) : Math.round(r)) + input.zeroPoint;
      q = q < qmin ? qmin : q > qmax ? qmax : q;
    }
    lut[v] = q & 0xff;
  }
  return lut;
}

const FORMAT_CODE: Record<FrameFormat, number> = { grayscale: 0, rgb565: 1, rgb888: 2 };

/** Everything the runner and the C tables share. */
interface Params {
  format: number;
  bigEndian: boolean;
  frameW: number;
  frameH: number;
  bpp: number;
  outW: number;
  outH: number;
  outC: number;
  /** Channels the resize works on: 3 only for a color frame into a 3-channel tensor. */
  workC: number;
  bilinear: boolean;
  /** Source byte offsets within a row (column * bytes per pixel). */
  xo0: Uint32Array;
  xo1: Uint32Array;
  tables: ResampleTables;
  lut: Uint8Array;
}

class ImageFrontEnd implements ImageRunner {
  /** The (up to) 4 sampled pixels' working channels: [p00, p01, p10, p11] x 3. */
  private readonly px = new Int32Array(12);
  constructor(private readonly p: Params) {}

  /** Working channels of the pixel at byte offset `off`, into px[slot*3 ...]. */
  private load(pixels: Uint8Array, off: number, slot: number): void {
    const p = this.p;
    const px = this.px;
    const s = slot * 3;
    if (p.format === 0) {
      px[s] = pixels[off]!;
      return;
    }
    let r: number;
    let g: number;
    let b: number;
    if (p.format === 1) {
      const v = p.bigEndian ? (pixels[off]! << 8) | pixels[off + 1]! : (pixels[off + 1]! << 8) | pixels[off]!;
      const r5 = v >> 11;
      const g6 = (v >> 5) & 63;
      const b5 = v & 31;
      r = (r5 << 3) | (r5 >> 2);
      g = (g6 << 2) | (g6 >> 4);
      b = (b5 << 3) | (b5 >> 2);
    } else {
      r = pixels[off]!;
      g = pixels[off + 1]!;
      b = pixels[off + 2]!;
    }
    if (p.workC === 1) {
      px[s] = (77 * r + 150 * g + 29 * b + 128) >> 8;
    } else {
      px[s] = r;
      px[s + 1] = g;
      px[s + 2] = b;
    }
  }

  frame(pixels: Uint8Array, tensor: Uint8Array): void {
    const p = this.p;
    const t = p.tables;
    const row = p.frameW * p.bpp;
    if (pixels.length < p.frameH * row) {
      fail('frame-size', `camera frame has ${pixels.length} bytes, the front end needs ${p.frameH * row} (${p.frameW}x${p.frameH} ${FRAME_FORMATS[p.format]})`, 'pass whole frames in the configured format');
    }
    if (tensor.length < p.outW * p.outH * p.outC) {
      fail('tensor-size', `tensor buffer has ${tensor.length} bytes, needs ${p.outW * p.outH * p.outC}`, 'pass a buffer of plan.tensorBytes');
    }
    const px = this.px;
    const lut = p.lut;
    const wc = p.workC;
    const replicate = p.outC === 3 && wc === 1;
    let o = 0;
    for (let dy = 0; dy < p.outH; dy++) {
      const r0 = t.y0[dy]! * row;
      const r1 = t.y1[dy]! * row;
      const wy1 = t.yf[dy]!;
      const wy0 = ONE - wy1;
      for (let dx = 0; dx < p.outW; dx++) {
        const o0 = p.xo0[dx]!;
        if (p.bilinear) {
          const o1 = p.xo1[dx]!;
          const wx1 = t.xf[dx]!;
          const wx0 = ONE - wx1;
          this.load(pixels, r0 + o0, 0);
          this.load(pixels, r0 + o1, 1);
          this.load(pixels, r1 + o0, 2);
          this.load(pixels, r1 + o1, 3);
          for (let c = 0; c < wc; c++) {
            const top = px[c]! * wx0 + px[3 + c]! * wx1;
            const bot = px[6 + c]! * wx0 + px[9 + c]! * wx1;
            px[c] = (top * wy0 + bot * wy1 + HALF2) >> SHIFT2;
          }
        } else {
          this.load(pixels, r0 + o0, 0);
        }
        if (replicate) {
          const q = lut[px[0]!]!;
          tensor[o] = q;
          tensor[o + 1] = q;
          tensor[o + 2] = q;
          o += 3;
        } else {
          for (let c = 0; c < wc; c++) tensor[o++] = lut[px[c]!]!;
        }
      }
    }
  }
}

/** C array text, 16 values a line. */
function cArray(type: string, name: string, size: string, values: ArrayLike<number>): string {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += 16) {
    lines.push(`  ${Array.from({ length: Math.min(16, values.length - i) }, (_, k) => String(values[i + k])).join(', ')},`);
  }
  return `const ${type} ${name}[${size}] = {\n${lines.join('\n')}\n};\n`;
}

function fmtReal(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/0+$/, '').replace(/\.$/, '');
}

/** Checks the configuration against the tensor and makes the plan (all float work happens here). */
export function planImage(cfg: ImageConfig, input: InputTensorInfo): ImagePlan {
  if (cfg === null || typeof cfg !== 'object') fail('camera-config', 'the camera pipeline configuration must be an object', 'write e.g. { "crop": "center", "resize": "bilinear" } or leave it empty for the defaults');
  // Tensor checks.
  const shape = input.shape;
  if (input.dtype !== 'int8' && input.dtype !== 'uint8') {
    fail('camera-dtype', `the model's input tensor is ${input.dtype}; the camera front end fills int8 or uint8 tensors`, 'use a model with an int8 (or uint8) image input, e.g. convert it with full-integer quantization');
  }
  if (shape.length !== 4 || shape[0] !== 1) {
    fail('camera-shape', `the model's input tensor has shape [${shape.join(', ')}]; a camera feeds an NHWC image [1, height, width, channels]`, 'use a model whose input is [1, H, W, 1] (grayscale) or [1, H, W, 3] (RGB)');
  }
  const [, outH, outW, outC] = shape as [number, number, number, number];
  if (outC !== 1 && outC !== 3) {
    fail('camera-channels', `the model's input tensor has ${outC} channels; the camera front end makes 1 (grayscale) or 3 (RGB)`, 'use a model with a [1, H, W, 1] or [1, H, W, 3] input');
  }
  if (!isSide(outH) || !isSide(outW)) {
    fail('camera-shape', `the model's input image is ${outW}x${outH}; each side must be 1..${MAX_SIDE}`, 'use a model with a fixed, non-empty image input');
  }
  if (!(input.scale > 0) || !Number.isFinite(input.scale) || !Number.isInteger(input.zeroPoint)) {
    fail('camera-quantization', `the model's input tensor has no usable quantization (scale ${input.scale}, zero point ${input.zeroPoint})`, 'use a model with a per-tensor quantized image input');
  }
  const tensorBytes = outH * outW * outC;
  if (input.bytes !== tensorBytes) {
    fail('camera-shape', `the model's input tensor has ${input.bytes} bytes, its shape [${shape.join(', ')}] needs ${tensorBytes}`, 'check the model input');
  }

  // Frame.
  const defaultFormat: FrameFormat = outC === 3 ? 'rgb565' : 'grayscale';
  const given = cfg.frame;
  if (given !== undefined && (given === null || typeof given !== 'object')) fail('camera-frame', 'image.frame must be { width, height, format }', 'e.g. { "width": 176, "height": 144, "format": "grayscale" }');
  // A frame given without a format (hand-written JSON) gets the default one.
  const frame = given ? { ...given, format: given.format ?? defaultFormat } : { width: outW, height: outH, format: defaultFormat };
  if (!FRAME_FORMATS.includes(frame.format)) {
    fail('camera-format', `camera frame format ${JSON.stringify(frame.format)} is not one of ${FRAME_FORMATS.join(', ')}`, 'set frame.format to the pixel format the camera delivers: grayscale, rgb565 or rgb888');
  }
  if (!isSide(frame.width) || !isSide(frame.height)) {
    fail('camera-frame-size', `camera frame size ${JSON.stringify(frame.width)}x${JSON.stringify(frame.height)} is not valid: width and height must be whole numbers 1..${MAX_SIDE}`, 'set frame.width and frame.height to the camera resolution, e.g. 176x144 (QCIF)');
  }
  const bpp = bytesPerPixel(frame.format);
  const frameBytes = frame.width * frame.height * bpp;
  if (frameBytes > 0x7fffffff) {
    fail('camera-frame-size', `a ${frame.width}x${frame.height} ${frame.format} frame is ${frameBytes} bytes, too large for a microcontroller`, 'use a smaller camera resolution');
  }
  const crop = cfg.crop ?? 'center';
  if (crop !== 'center' && crop !== 'none') fail('camera-crop', `camera crop ${JSON.stringify(crop)} is not 'center' or 'none'`, "use 'center' (keep the aspect ratio) or 'none' (stretch the whole frame)");
  const resize = cfg.resize ?? 'bilinear';
  if (resize !== 'bilinear' && resize !== 'nearest') fail('camera-resize', `camera resize ${JSON.stringify(resize)} is not 'bilinear' or 'nearest'`, "use 'bilinear' (smoother) or 'nearest' (faster)");
  const order = cfg.rgb565ByteOrder ?? 'little';
  if (order !== 'big' && order !== 'little') fail('camera-byte-order', `rgb565ByteOrder ${JSON.stringify(order)} is not 'big' or 'little'`, "use 'little' (low byte first, what tinyforge's camera HALs deliver) or 'big' (high byte first)");
  const range = cfg.range;
  if (range !== undefined) {
    if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === 'number' && Number.isFinite(v)) || range[0] === range[1]) {
      fail('camera-range', `camera range ${JSON.stringify(range)} is not a pair [lo, hi] of two different finite numbers`, 'set range to the real values of pixel 0 and pixel 255 as the model was trained, e.g. [0, 1] or [-1, 1]; or leave it out to use the tensor\'s full range');
    }
  }

  const tables = resampleTables(frame.width, frame.height, outW, outH, crop, resize);
  const workC = outC === 3 && frame.format !== 'grayscale' ? 3 : 1;
  const xo0 = Uint32Array.from(tables.x0, (x) => x * bpp);
  const xo1 = Uint32Array.from(tables.x1, (x) => x * bpp);
  const lut = quantLut(input, range);
  const params: Params = {
    format: FORMAT_CODE[frame.format],
    bigEndian: order === 'big',
    frameW: frame.width,
    frameH: frame.height,
    bpp,
    outW,
    outH,
    outC,
    workC,
    bilinear: resize === 'bilinear',
    xo0,
    xo1,
    tables,
    lut,
  };

  // C text.
  const xType = (frame.width - 1) * bpp <= 0xffff ? 'uint16_t' : 'uint32_t';
  const r = tables.crop;
  const header = [
    '// Camera front end parameters (sim/frontend/image.ts): frame -> crop -> resize -> lookup table.',
    '#ifndef TF_FRONTEND_PARAMS_IMAGE_H',
    '#define TF_FRONTEND_PARAMS_IMAGE_H',
    '#include <stdint.h>',
    '',
    '#define TF_FE_KIND_IMAGE 1',
    '#define TF_FE_FORMAT_GRAYSCALE 0',
    '#define TF_FE_FORMAT_RGB565 1',
    '#define TF_FE_FORMAT_RGB888 2',
    `#define TF_FE_FRAME_FORMAT ${params.format}`,
    `#define TF_FE_RGB565_BIG_ENDIAN ${params.bigEndian ? 1 : 0}`,
    `#define TF_FE_FRAME_WIDTH ${frame.width}`,
    `#define TF_FE_FRAME_HEIGHT ${frame.height}`,
    `#define TF_FE_FRAME_BYTES_PER_PIXEL ${bpp}`,
    `#define TF_FE_FRAME_ROW_BYTES ${frame.width * bpp}`,
    `#define TF_FE_FRAME_BYTES ${frameBytes}`,
    `#define TF_FE_TENSOR_WIDTH ${outW}`,
    `#define TF_FE_TENSOR_HEIGHT ${outH}`,
    `#define TF_FE_TENSOR_CHANNELS ${outC}`,
    '// Channels the resize works on: 3 only for a color frame into an RGB tensor.',
    `#define TF_FE_WORK_CHANNELS ${workC}`,
    `#define TF_FE_TENSOR_BYTES ${tensorBytes}`,
    `#define TF_FE_RESIZE_BILINEAR ${params.bilinear ? 1 : 0}`,
    `#define TF_FE_FRAC_BITS ${RESIZE_FRAC_BITS}`,
    '',
    '// Source byte offsets within a row (first / second neighbour) per output column,',
    '// source rows per output row, Q11 weights of the second neighbour.',
    `extern const ${xType} tf_fe_x0[TF_FE_TENSOR_WIDTH];`,
    ...(params.bilinear ? [`extern const ${xType} tf_fe_x1[TF_FE_TENSOR_WIDTH];`, 'extern const uint16_t tf_fe_xf[TF_FE_TENSOR_WIDTH];'] : []),
    'extern const uint16_t tf_fe_y0[TF_FE_TENSOR_HEIGHT];',
    ...(params.bilinear ? ['extern const uint16_t tf_fe_y1[TF_FE_TENSOR_HEIGHT];', 'extern const uint16_t tf_fe_yf[TF_FE_TENSOR_HEIGHT];'] : []),
    '// Pixel value 0..255 -> tensor byte (int8 values as their two\'s complement byte).',
    'extern const uint8_t tf_fe_lut[256];',
    '',
    '#endif',
    '',
  ].join('\n');
  const source = [
    '// Camera front end tables (sim/frontend/image.ts).',
    `// crop ${r.width}x${r.height} at (${r.x}, ${r.y}) of the ${frame.width}x${frame.height} frame, ${resize} to ${outW}x${outH}.`,
    '#include "tf_frontend_params.h"',
    '',
    cArray(xType, 'tf_fe_x0', 'TF_FE_TENSOR_WIDTH', xo0),
    ...(params.bilinear ? [cArray(xType, 'tf_fe_x1', 'TF_FE_TENSOR_WIDTH', xo1), cArray('uint16_t', 'tf_fe_xf', 'TF_FE_TENSOR_WIDTH', tables.xf)] : []),
    cArray('uint16_t', 'tf_fe_y0', 'TF_FE_TENSOR_HEIGHT', tables.y0),
    ...(params.bilinear ? [cArray('uint16_t', 'tf_fe_y1', 'TF_FE_TENSOR_HEIGHT', tables.y1), cArray('uint16_t', 'tf_fe_yf', 'TF_FE_TENSOR_HEIGHT', tables.yf)] : []),
    cArray('uint8_t', 'tf_fe_lut', '256', lut),
  ].join('\n');

  const [qmin] = typeLimits(input.dtype);
  const rangeText =
    range === undefined
      ? `q = pixel${qmin < 0 ? ` - ${-qmin}` : ''} (real ${fmtReal((qmin - input.zeroPoint) * input.scale)}..${fmtReal((qmin + 255 - input.zeroPoint) * input.scale)})`
      : `pixel 0..255 -> real ${fmtReal(range[0])}..${fmtReal(range[1])}`;
  const describe = [
    `camera ${frame.width}x${frame.height} ${frame.format}${frame.format === 'rgb565' ? ` (${order}-endian)` : ''}`,
    crop === 'center' ? `center crop ${r.width}x${r.height} at (${r.x}, ${r.y})` : 'no crop (whole frame, aspect not kept)',
    `${resize} resize to ${outW}x${outH}${resize === 'bilinear' ? ` (Q${RESIZE_FRAC_BITS} weights)` : ''}, ${outC === 1 ? (frame.format === 'grayscale' ? 'grayscale' : 'gray by luma 77/150/29') : workC === 1 ? 'gray replicated to 3 channels' : 'RGB'}`,
    `${input.dtype} tensor [${shape.join(', ')}]: ${rangeText}`,
  ];

  return {
    kind: 'image',
    frame: { width: frame.width, height: frame.height, format: frame.format },
    frameBytes,
    tensorBytes,
    create: () => new ImageFrontEnd(params),
    c: { implementation: 'tf_fe_image.cpp', kernels: [], header, source },
    describe,
  };
}
