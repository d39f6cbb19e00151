/**
 * Shared Prepare for AVERAGE_POOL_2D and MAX_POOL_2D. Mirrors
 * tensorflow/lite/micro/kernels/pooling_common.cc (PoolingPrepare,
 * CalculateOpDataPooling) and the geometry of
 * kernels/internal/reference/integer_ops/pooling.h.
 *
 * Traps:
 * - int8 / int16 only here (TFLM's float path is not implemented).
 * - Input and output must share the zero point, and |S_in - S_out| (computed
 *   in float32) must be <= 1e-6: pooling never requantizes.
 * - Padding as tflite::ComputePaddingHeightWidth with dilation 1: only the
 *   top/left amount is used; the odd remainder falls off the bottom/right.
 * - The fused activation is CalculateActivationRangeQuantized with the
 *   output's scale and zero point.
 */
import type { Tensor } from '../ir/types.js';
import { calculateActivationRangeQuantized, f32 } from '../math/fixedpoint.js';
import type { PrepareContext } from './types.js';

export interface PoolData {
  input: Int8Array | Int16Array;
  output: Int8Array | Int16Array;
  batches: number;
  inH: number;
  inW: number;
  depth: number;
  outH: number;
  outW: number;
  strideH: number;
  strideW: number;
  filterH: number;
  filterW: number;
  /** Top / left padding (the reference kernels ignore the bottom / right remainder). */
  padH: number;
  padW: number;
  actMin: number;
  actMax: number;
  /** Per-channel accumulator (sum or running max), reused across output pixels. */
  acc: Int32Array;
}

/** tflite ComputeOutSize + ComputePadding for one spatial dimension (dilation 1). */
function outAndPad(padding: string, inSize: number, filter: number, stride: number): [number, number] {
  const out = padding === 'SAME' ? Math.floor((inSize + stride - 1) / stride) : Math.floor((inSize + stride - filter) / stride);
  const total = Math.max(0, (out - 1) * stride + filter - inSize);
  return [out, Math.floor(total / 2)];
}

export function preparePool(ctx: PrepareContext): PoolData {
  const input = ctx.input(0);
  const output = ctx.output(0);
  if (!input) ctx.unsupported('input 0 is missing');
  if (input.dtype !== 'int8' && input.dtype !== 'int16') ctx.unsupported(`${input.dtype} input is not supported (int8 and int16 only)`);
  if (output.dtype !== input.dtype) ctx.unsupported(`output type ${output.dtype} differs from input type ${input.dtype}`);
  if (input.shape.length !== 4 || output.shape.length !== 4) ctx.unsupported(`pooling needs 4-D NHWC tensors, got input [${input.shape.join(', ')}] and output [${output.shape.join(', ')}]`);
  const o = ctx.op.options as { padding: string; strideW: number; strideH: number; filterWidth: number; filterHeight: number; activation: string };
  if (o.strideH <= 0 || o.strideW <= 0 || o.filterHeight <= 0 || o.filterWidth <= 0) ctx.unsupported(`stride ${o.strideH}x${o.strideW} / filter ${o.filterHeight}x${o.filterWidth} must be positive`);
  const sIn = scaleOf(input);
  const sOut = scaleOf(output);
  if (Math.abs(f32(sIn - sOut)) > 1.0e-6) ctx.unsupported(`input scale ${sIn} and output scale ${sOut} differ (TFLM pooling does not requantize)`);
  const zpIn = zeroPointOf(input);
  const zpOut = zeroPointOf(output);
  if (zpIn !== zpOut) ctx.unsupported(`input zero point ${zpIn} and output zero point ${zpOut} differ (TFLM pooling does not requantize)`);

  const [batches, inH, inW, depth] = input.shape as [number, number, number, number];
  const [outH, padH] = outAndPad(o.padding, inH, o.filterHeight, o.strideH);
  const [outW, padW] = outAndPad(o.padding, inW, o.filterWidth, o.strideW);
  const want = [batches, outH, outW, depth];
  if (output.shape.some((d, i) => d !== want[i])) ctx.unsupported(`output shape [${output.shape.join(', ')}] differs from the pooled shape [${want.join(', ')}]`);
  // With this padding every window covers at least one input pixel (pad < filter and
  // (out - 1) * stride < in), so TFLM's AveragePool never hits its filter_count == 0 exit.

  const [actMin, actMax] = calculateActivationRangeQuantized(o.activation, input.dtype, sOut, zpOut);
  const typed = input.dtype === 'int8' ? ctx.int8 : ctx.int16;
  return {
    input: typed(input),
    output: typed(output),
    batches, inH, inW, depth, outH, outW,
    strideH: o.strideH, strideW: o.strideW,
    filterH: o.filterHeight, filterW: o.filterWidth,
    padH, padW, actMin, actMax,
    acc: new Int32Array(depth),
  };
}

function scaleOf(t: Tensor): number {
  return t.quantization?.scale[0] ?? 0;
}
function zeroPointOf(t: Tensor): number {
  return t.quantization?.zeroPoint[0] ?? 0;
}
