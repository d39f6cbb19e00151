/**
 * Shared Prepare for the reductions (MEAN, SUM, REDUCE_MAX). Mirrors the axis
 * handling of tensorflow/lite/kernels/internal/reference/reduce.h:
 * ResolveAxis (negative axes += rank, duplicates dropped, out-of-range axes an
 * error) and Reduce / ReducedOutputOffset (the output element of an input
 * element is its row-major index over the NON-reduced input dimensions, so
 * keep_dims changes only the declared shape, never the layout).
 *
 * The axis tensor must be a constant int32 tensor here (TFLM reads it at every
 * Invoke; a static output shape needs it constant anyway).
 */
import type { Tensor } from '../ir/types.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../math/fixedpoint.js';
import { constInts } from './_copy_common.js';
import type { PrepareContext } from './types.js';

export interface Reduction {
  input: Tensor;
  output: Tensor;
  /** Output element of each input element. */
  outIndex: Int32Array;
  /** Number of output elements (product of the kept dimensions). */
  outCount: number;
  /** Number of input elements folded into each output (product of the reduced dimensions; 1 if none). */
  reduced: number;
  /** True when some input dimension is 0 (TFLM then only initialises the output). */
  emptyInput: boolean;
}

export function prepareReduction(ctx: PrepareContext): Reduction {
  const input = ctx.input(0);
  const axisT = ctx.input(1);
  const output = ctx.output(0);
  if (!input || !axisT) ctx.unsupported('input or axis tensor is missing');
  if (ctx.inputCount !== 2) ctx.unsupported(`${ctx.inputCount} inputs (expected input and axis)`);
  if (axisT.dtype !== 'int32') ctx.unsupported(`axis tensor is ${axisT.dtype} (TFLM requires int32)`);
  const axes = constInts(ctx, axisT, 'axis');
  const rank = input.shape.length;
  const isReduced = new Array<boolean>(rank).fill(false);
  if (rank > 0) {
    for (const a of axes) {
      const r = a < 0 ? a + rank : a;
      if (r < 0 || r >= rank) ctx.unsupported(`axis ${a} is out of range for a rank-${rank} input`);
      isReduced[r] = true;
    }
  }
  let outCount = 1;
  let reduced = 1;
  for (let i = 0; i < rank; i++) {
    if (isReduced[i]) reduced *= input.shape[i]!;
    else outCount *= input.shape[i]!;
  }
  const emptyInput = input.shape.some((d) => d === 0);
  if (output.elements !== outCount && !emptyInput) {
    ctx.unsupported(`output has ${output.elements} elements but reducing [${input.shape.join(', ')}] over axes [${axes.join(', ')}] gives ${outCount}`);
  }

  // Strides of the kept dimensions in the output's row-major order (0 for reduced ones).
  const keptStride = new Array<number>(rank).fill(0);
  let acc = 1;
  for (let i = rank - 1; i >= 0; i--) {
    if (!isReduced[i]) {
      keptStride[i] = acc;
      acc *= input.shape[i]!;
    }
  }
  const n = emptyInput ? 0 : input.elements;
  const outIndex = new Int32Array(n);
  const idx = new Array<number>(rank).fill(0);
  let o = 0;
  for (let e = 0; e < n; e++) {
    outIndex[e] = o;
    for (let d = rank - 1; d >= 0; d--) {
      o += keptStride[d]!;
      if (++idx[d]! < input.shape[d]!) break;
      o -= keptStride[d]! * input.shape[d]!;
      idx[d] = 0;
    }
  }
  return { input, output, outIndex, outCount: output.elements, reduced, emptyInput };
}

/**
 * MEAN and SUM share reference_ops::QuantizedMeanOrSum (int8 / int16; at this
 * TFLM commit both always take this generic path):
 * - (M, s) = QuantizeMultiplier(double(S_in) / double(S_out)).
 * - sum = int32 (wrapping) sum of the RAW values per output.
 * - MEAN folds 1/N into the multiplier: k = min(floor(log2 N), 32, 31 + s),
 *   M' = int32((int64(M) << k) / N), s' = s - k. SUM keeps (M, s).
 * - y = clamp_type(MBQM(int32(sum - zp_in * N), M', s') + zp_out). No fused
 *   activation.
 */
export interface MeanOrSumData {
  input: Int8Array | Int16Array;
  output: Int8Array | Int16Array;
  outIndex: Int32Array;
  /** Per-output int32 sums (scratch). */
  sums: Int32Array;
  /** zp_in * N, subtracted from every sum. */
  zpTimesN: number;
  multiplier: number;
  shift: number;
  zpOut: number;
  qmin: number;
  qmax: number;
  emptyInput: boolean;
}

export function prepareMeanOrSum(ctx: PrepareContext, computeSum: boolean): MeanOrSumData {
  const r = prepareReduction(ctx);
  const { input, output } = r;
  if (input.dtype !== 'int8' && input.dtype !== 'int16') ctx.unsupported(`${input.dtype} input is not supported (int8 and int16 only)`);
  if (output.dtype !== input.dtype) ctx.unsupported(`output type ${output.dtype} differs from input type ${input.dtype}`);
  const sIn = input.quantization?.scale[0] ?? 0;
  const sOut = output.quantization?.scale[0] ?? 0;
  if (!(sOut > 0)) ctx.unsupported(`output scale ${sOut} is not positive`);
  let { multiplier, shift } = quantizeMultiplier(sIn / sOut);
  const n = r.reduced;
  if (!computeSum && n > 0) {
    if (n >= 2 ** 31) ctx.unsupported(`${n} elements per output is beyond the int32 range`);
    const k = Math.min(31 - Math.clz32(n), 32, 31 + shift); // 31 - clz32(N) = floor(log2 N)
    multiplier = Number((BigInt(multiplier) << BigInt(k)) / BigInt(n));
    shift -= k;
  }
  const zpIn = input.quantization?.zeroPoint[0] ?? 0;
  const typed = input.dtype === 'int8' ? ctx.int8 : ctx.int16;
  return {
    input: typed(input),
    output: typed(output),
    outIndex: r.outIndex,
    sums: new Int32Array(r.outCount),
    zpTimesN: zpIn * n,
    multiplier,
    shift,
    zpOut: output.quantization?.zeroPoint[0] ?? 0,
    qmin: input.dtype === 'int8' ? -128 : -32768,
    qmax: input.dtype === 'int8' ? 127 : 32767,
    emptyInput: r.emptyInput,
  };
}

export function evalMeanOrSum(d: MeanOrSumData): void {
  const { input, output, outIndex, sums, zpTimesN, multiplier, shift, zpOut, qmin, qmax } = d;
  sums.fill(0);
  if (d.emptyInput) {
    output.fill(0);
    return;
  }
  const n = outIndex.length;
  for (let i = 0; i < n; i++) {
    const j = outIndex[i]!;
    sums[j] = (sums[j]! + input[i]!) | 0;
  }
  const m = sums.length;
  for (let j = 0; j < m; j++) {
    // int64 difference truncated to int32 (exact in a double: |sum|, |zp * N| < 2^47).
    const shifted = (sums[j]! - zpTimesN) | 0;
    let y = multiplyByQuantizedMultiplier(shifted, multiplier, shift) + zpOut;
    if (y < qmin) y = qmin;
    else if (y > qmax) y = qmax;
    output[j] = y;
  }
}
