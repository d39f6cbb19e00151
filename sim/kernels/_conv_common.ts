/**
 * Shared code of the convolution family (CONV_2D, DEPTHWISE_CONV_2D,
 * TRANSPOSE_CONV).
 *
 * Mirrors:
 * - tensorflow/lite/kernels/padding.h ComputePaddingHeightWidth: output size
 *   and padding from the INPUT size passed in (TRANSPOSE_CONV passes its
 *   output H/W there). The odd remainder of the total padding (the "offset")
 *   goes bottom/right and the reference integer kernels never read it. When an
 *   output size is invalid (e.g. VALID with a filter larger than the image)
 *   TFLM leaves every padding at 0 and carries on.
 * - tensorflow/lite/kernels/kernel_util.cc PopulateConvolutionQuantizationParams:
 *   one (multiplier, shift) per output channel from
 *   double(S_in) * double(S_w[c]) / double(S_out), evaluated left to right in
 *   double; a per-tensor filter scale is broadcast to every channel.
 * - The requantization tail of reference_integer_ops ConvPerChannel /
 *   DepthwiseConvPerChannel / TransposeConv: int8 adds bias to an int32
 *   accumulator (wrapping), int32 MultiplyByQuantizedMultiplier, + output zp,
 *   clamp; int16 never applies a zero point and uses either an int32
 *   accumulator (int32 bias) or an int64 one with the int64 multiplier.
 *
 * Accumulators are plain doubles here: every sum of int8*int8 or int16*int8
 * products a real model produces stays far below 2^53, so the double sum is
 * the exact integer and `| 0` afterwards reproduces C's int32 wrap-around.
 */
import type { Activation, Padding, Tensor } from '../ir/types.js';
import type { PrepareContext } from './types.js';
import { calculateActivationRangeQuantized, multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierInt64, quantizeMultiplier } from '../math/fixedpoint.js';
import { multiplyByQuantizedMultiplierInt64Number } from '../math/multiply_by_quantized_multiplier_int64.js';
import { EXACT_LIMIT, type FusedMultipliers } from '../math/fused_quantized_multiplier.js';

/** padding.h ComputeOutSizeChecked: the windowed output size, or null where TFLM reports an error. */
export function computeOutSize(padding: Padding, imageSize: number, filterSize: number, stride: number, dilation: number): number | null {
  if (imageSize < 0 || filterSize <= 0 || stride <= 0 || dilation <= 0) return null;
  const effective = (filterSize - 1) * dilation + 1;
  // C integer division truncates toward zero (so -1/2 is 0, not an error).
  const value = padding === 'SAME'
    ? Math.trunc((imageSize + stride - 1) / stride)
    : Math.trunc((imageSize + stride - effective) / stride);
  return value < 0 ? null : value + 0;
}

export interface PaddingValues {
  /** Rows / columns of padding before the image (what the kernels use). */
  height: number;
  width: number;
  /** Odd remainder of the total padding, which goes after the image (unused by the integer kernels). */
  heightOffset: number;
  widthOffset: number;
  /** Output size TFLM computed (0 when the size was invalid); the kernels loop over the output tensor's shape instead. */
  outHeight: number;
  outWidth: number;
}

function paddingWithOffset(stride: number, dilation: number, inSize: number, filterSize: number, outSize: number): [number, number] {
  const effective = (filterSize - 1) * dilation + 1;
  const total = Math.max(0, (outSize - 1) * stride + effective - inSize);
  return [Math.floor(total / 2), total % 2];
}

/** padding.h ComputePaddingHeightWidth (error paths included: all zero). */
export function computePaddingHeightWidth(
  strideH: number, strideW: number, dilationH: number, dilationW: number,
  inH: number, inW: number, filterH: number, filterW: number, padding: Padding,
): PaddingValues {
  const outWidth = computeOutSize(padding, inW, filterW, strideW, dilationW);
  const outHeight = outWidth === null ? null : computeOutSize(padding, inH, filterH, strideH, dilationH);
  if (outWidth === null || outHeight === null) {
    return { height: 0, width: 0, heightOffset: 0, widthOffset: 0, outHeight: 0, outWidth: outWidth ?? 0 };
  }
  const [height, heightOffset] = paddingWithOffset(strideH, dilationH, inH, filterH, outHeight);
  const [width, widthOffset] = paddingWithOffset(strideW, dilationW, inW, filterW, outWidth);
  return { height, width, heightOffset, widthOffset, outHeight, outWidth };
}

export interface ConvQuantParams {
  /** Per output channel: QuantizeMultiplier of S_in*S_w[c]/S_out. */
  multiplier: Int32Array;
  shift: Int32Array;
  /** Fused activation clamp in the output's integer domain. */
  actMin: number;
  actMax: number;
}

/**
 * PopulateConvolutionQuantizationParams plus the kernels' own Prepare checks on
 * the filter's quantization (scale count 1 or one per channel along
 * `channelDim`; depthwise and transpose conv also want as many zero points as
 * scales).
 */
export function populateConvolutionQuantizationParams(
  ctx: PrepareContext, input: Tensor, filter: Tensor, output: Tensor, activation: Activation,
  channelDim: number, checkZeroPointCount: boolean,
): ConvQuantParams {
  const qi = input.quantization;
  const qf = filter.quantization;
  const qo = output.quantization;
  if (!qi || qi.scale.length === 0) ctx.unsupported(`input tensor ${input.index} has no quantization parameters`);
  if (!qf || qf.scale.length === 0) ctx.unsupported(`filter tensor ${filter.index} has no quantization parameters`);
  if (!qo || qo.scale.length === 0) ctx.unsupported(`output tensor ${output.index} has no quantization parameters`);
  const channels = filter.shape[channelDim]!;
  const n = qf.scale.length;
  if (n !== 1 && n !== channels) ctx.unsupported(`filter has ${n} scales for ${channels} output channels`);
  if (checkZeroPointCount && qf.zeroPoint.length !== n) ctx.unsupported(`filter has ${n} scales but ${qf.zeroPoint.length} zero points`);
  if (n > 1 && filter.shape[qf.axis] !== channels) ctx.unsupported(`filter is quantized along dimension ${qf.axis}, expected ${channelDim}`);
  const sIn = qi.scale[0]!;
  const sOut = qo.scale[0]!;
  const multiplier = new Int32Array(channels);
  const shift = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    const sW = n > 1 ? qf.scale[c]! : qf.scale[0]!;
    const { multiplier: m, shift: s } = quantizeMultiplier((sIn * sW) / sOut);
    multiplier[c] = m;
    shift[c] = s;
  }
  const [actMin, actMax] = calculateActivationRangeQuantized(activation, output.dtype, sOut, qo.zeroPoint[0]!);
  return { multiplier, shift, actMin, actMax };
}

/** Input / output zero point as TFLM reads it (params.zero_point = the first one). */
export function zeroPointOf(t: Tensor): number {
  return t.quantization?.zeroPoint[0] ?? 0;
}

/**
 * The filter as int8 values in its stored (row-major) order. int4 filters are
 * unpacked as tensor_utils::UnpackDenseInt4IntoInt8 does: low nibble first,
 * both nibbles sign-extended. Weights are transformed once in prepare, so a
 * filter that is not a constant cannot be simulated faithfully.
 */
export function constantFilterInt8(ctx: PrepareContext, filter: Tensor): Int8Array {
  if (!filter.data) ctx.unsupported(`filter tensor ${filter.index} is not a constant`, 'tinyforge simulates convolutions with constant weights only');
  if (filter.dtype === 'int8') return ctx.int8(filter);
  if (filter.dtype === 'int4') {
    const packed = filter.data;
    const n = filter.elements;
    const out = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      const byte = packed[i >> 1]!;
      const nibble = (i & 1) === 0 ? byte & 15 : byte >> 4;
      out[i] = nibble >= 8 ? nibble - 16 : nibble;
    }
    return out;
  }
  return ctx.unsupported(`${filter.dtype} filter is not supported`);
}

export interface BiasValues {
  /** Bias per output channel as exact doubles (zeros when the op has none). */
  values: Float64Array;
  /** Present only when some int64 bias is beyond 2^53: the exact values for the slow path. */
  big: BigInt64Array | null;
}

/** Reads an optional constant bias (int32, int64 or int16) into doubles. */
export function readBias(ctx: PrepareContext, bias: Tensor | null, channels: number, allowed: readonly string[]): BiasValues {
  const values = new Float64Array(channels);
  if (!bias) return { values, big: null };
  if (!allowed.includes(bias.dtype)) ctx.unsupported(`${bias.dtype} bias is not supported here (${allowed.join(' or ')} expected)`);
  if (!bias.data) ctx.unsupported(`bias tensor ${bias.index} is not a constant`);
  if (bias.elements !== channels) ctx.unsupported(`bias has ${bias.elements} elements for ${channels} output channels`);
  if (bias.dtype === 'int64') {
    const b = ctx.int64(bias);
    let exact = true;
    for (let c = 0; c < channels; c++) {
      values[c] = Number(b[c]!);
      if (!Number.isSafeInteger(values[c]!)) exact = false;
    }
    return { values, big: exact ? null : b };
  }
  const b = bias.dtype === 'int16' ? ctx.int16(bias) : ctx.int32(bias);
  for (let c = 0; c < channels; c++) values[c] = b[c]!;
  return { values, big: null };
}

/** Output stage parameters shared by the requantization loops. */
export interface Requant {
  bias: Float64Array;
  biasBig: BigInt64Array | null;
  multiplier: Int32Array;
  shift: Int32Array;
  outZp: number;
  actMin: number;
  actMax: number;
  /** fuseMultipliers(multiplier, shift): the one-step int32 MultiplyByQuantizedMultiplier (null: reference helper only). */
  fused: FusedMultipliers | null;
}

/**
 * int8 output: out[o + c] for c < n from acc[a + c] (channel index c + ch0).
 * acc + bias is an int32 sum in C; `| 0` wraps the same way.
 */
export function requantizeInt8(rq: Requant, acc: Float64Array, a: number, ch0: number, n: number, out: Int8Array, o: number): void {
  const { bias, multiplier, shift, outZp, actMin, actMax, fused } = rq;
  if (fused !== null) {
    // sim/math/fused_quantized_multiplier.ts, inlined; outside its exact range, the reference helper.
    const { multiplier: m, leftMul, roundPos, roundNeg, scale } = fused;
    for (let c = 0; c < n; c++) {
      const ch = ch0 + c;
      const x = (acc[a + c]! + bias[ch]!) | 0;
      const p = Math.imul(x, leftMul[ch]!) * m[ch]!;
      const t = p + (p < 0 ? roundNeg[ch]! : roundPos[ch]!);
      let v = p < EXACT_LIMIT && p > -EXACT_LIMIT && t < EXACT_LIMIT && t > -EXACT_LIMIT
        ? Math.floor(t * scale[ch]!) + outZp
        : multiplyByQuantizedMultiplier(x, multiplier[ch]!, shift[ch]!) + outZp;
      if (v < actMin) v = actMin;
      if (v > actMax) v = actMax;
      out[o + c] = v;
    }
    return;
  }
  for (let c = 0; c < n; c++) {
    const ch = ch0 + c;
    let v = multiplyByQuantizedMultiplier((acc[a + c]! + bias[ch]!) | 0, multiplier[ch]!, shift[ch]!) + outZp;
    if (v < actMin) v = actMin;
    if (v > actMax) v = actMax;
    out[o + c] = v;
  }
}

/** int16 output with an int32 accumulator (int32 bias): wraps like C, int32 multiplier, no zero point. */
export function requantizeInt16Acc32(rq: Requant, acc: Float64Array, a: number, ch0: number, n: number, out: Int16Array, o: number): void {
  const { bias, multiplier, shift, actMin, actMax } = rq;
  for (let c = 0; c < n; c++) {
    const ch = ch0 + c;
    let v = multiplyByQuantizedMultiplier((acc[a + c]! + bias[ch]!) | 0, multiplier[ch]!, shift[ch]!);
    if (v < actMin) v = actMin;
    if (v > actMax) v = actMax;
    out[o + c] = v;
  }
}

/** int16 output with an int64 accumulator (int64 bias or none): int64 multiplier, no zero point. */
export function requantizeInt16Acc64(rq: Requant, acc: Float64Array, a: number, ch0: number, n: number, out: Int16Array, o: number): void {
  const { bias, biasBig, multiplier, shift, actMin, actMax } = rq;
  for (let c = 0; c < n; c++) {
    const ch = ch0 + c;
    let v = biasBig
      ? multiplyByQuantizedMultiplierInt64(BigInt(acc[a + c]!) + biasBig[ch]!, multiplier[ch]!, shift[ch]!)
      : multiplyByQuantizedMultiplierInt64Number(acc[a + c]! + bias[ch]!, multiplier[ch]!, shift[ch]!);
    if (v < actMin) v = actMin;
    if (v > actMax) v = actMax;
    out[o + c] = v;
  }
}

/** Which output stage an op uses. */
export const OutputKind = { Int8: 0, Int16Acc32: 1, Int16Acc64: 2 } as const;
export type OutputKind = (typeof OutputKind)[keyof typeof OutputKind];

/** Dispatch to the output stage (one call per output pixel or row, not per element). */
export function requantize(kind: OutputKind, rq: Requant, acc: Float64Array, a: number, ch0: number, n: number, out: Int8Array | Int16Array, o: number): void {
  if (kind === OutputKind.Int8) requantizeInt8(rq, acc, a, ch0, n, out as Int8Array, o);
  else if (kind === OutputKind.Int16Acc32) requantizeInt16Acc32(rq, acc, a, ch0, n, out as Int16Array, o);
  else requantizeInt16Acc64(rq, acc, a, ch0, n, out as Int16Array, o);
}

/** Shape as [N, H, W, C]; the conv kernels are 4-D only, as in TFLM (DCHECKs). */
export function dims4(ctx: PrepareContext, t: Tensor, what: string): [number, number, number, number] {
  if (t.shape.length !== 4) ctx.unsupported(`${what} must be 4-D, got [${t.shape.join(', ')}]`);
  return [t.shape[0]!, t.shape[1]!, t.shape[2]!, t.shape[3]!];
}

/**
 * Weights for `dotBlocks4`: `count` output channels of `k` weights each,
 * regrouped in blocks of 4 channels with the 4 weights of one tap side by side
 * (dst[(block*k + i)*4 + j] = weight(block*4 + j, i)); missing channels of the
 * last block are 0. Returns the number of blocks written at `dstOff`.
 */
export function interleave4(count: number, k: number, weight: (channel: number, i: number) => number, dst: Float64Array, dstOff: number): number {
  const blocks = (count + 3) >> 2;
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < 4; j++) {
        const ch = b * 4 + j;
        dst[dstOff + (b * k + i) * 4 + j] = ch < count ? weight(ch, i) : 0;
      }
    }
  }
  return blocks;
}

/**
 * The multiply-accumulate core: for each block of 4 output channels, the dot
 * product of x[xOff .. xOff+k) with their interleaved weights, written to
 * acc[aOff + block*4 + j]. Four running sums share each x load; all operands
 * are doubles (exact: see the file header).
 */
export function dotBlocks4(w: Float64Array, wOff: number, blocks: number, k: number, x: Float64Array, xOff: number, acc: Float64Array, aOff: number): void {
  let wo = wOff;
  for (let b = 0; b < blocks; b++) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let i = 0; i < k; i++) {
      const v = x[xOff + i]!;
      a0 += w[wo]! * v;
      a1 += w[wo + 1]! * v;
      a2 += w[wo + 2]! * v;
      a3 += w[wo + 3]! * v;
      wo += 4;
    }
    const o = aOff + b * 4;
    acc[o] = a0;
    acc[o + 1] = a1;
    acc[o + 2] = a2;
    acc[o + 3] = a3;
  }
}
