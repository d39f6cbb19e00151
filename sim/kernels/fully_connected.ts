/**
 * FULLY_CONNECTED, quantized paths.
 *
 * Mirrors tensorflow/lite/micro/kernels/fully_connected.cc (FullyConnectedPrepare
 * / FullyConnectedEval), fully_connected_common.cc (CalculateOpDataFullyConnected)
 * and reference_integer_ops::FullyConnected / FullyConnectedPerChannel
 * (kernels/internal/reference/integer_ops/fully_connected.h).
 *
 * Variants: int8 x int8 (per-tensor or per-channel), int8 x int4 (per-tensor
 * only, as TFLM), int16 x int8 with an int32 accumulator (int32 bias, or no bias
 * and quantized_bias_type int32) or an int64 accumulator (int64 bias, or no bias
 * otherwise) using the int64 MultiplyByQuantizedMultiplier. Input and output
 * types must match (TFLM has no int8 -> int32 FC). Float32 FC is not provided.
 *
 * Traps:
 * - Per-tensor multiplier (GetQuantizedConvolutionMultipler): the product
 *   S_in * S_w is taken in float32, widened, then divided by S_out in double.
 *   Per-channel multipliers use an all-double product.
 * - Prepare refuses a per-tensor op whose bias scale strays from S_in * S_w
 *   (double product here) by more than 0.02 * S_out.
 * - The weights' (first) zero point must be 0: Prepare DCHECKs it, and the
 *   golden (non-NDEBUG) build aborts otherwise, so such a model is refused.
 *   (A release build would apply it in the per-tensor kernel only.)
 * - Batches = output elements / output depth (the output's last dim), whatever
 *   keep_num_dims says; the accumulation depth is the filter's last dim.
 * - The int32 accumulator wraps like C's int32 arithmetic.
 *
 * Speed: sum(w (x - zx)) is split into sum(w x) - zx sum(w), with the per-row
 * weight sums precomputed (for constant weights), so the inner loop is a bare
 * dot product. For int8 x int8 with constant weights, depth 2..2047 and two
 * or more channels, two weight rows are packed into one double, w_a + 2^26 w_b:
 * one multiply-add per element then yields both dot products, A + 2^26 B,
 * exactly (|A|, |B| <= 2047 * 128 * 128 < 2^25, so the total stays below 2^52
 * and A is recovered by rounding s / 2^26); sim/kernels/_packed_dot.ts holds
 * the packing and the dot loop. The other constant int8 x int8 layers up to
 * that depth (one channel, or depth 1) run a plain double loop. Both keep their
 * data in plain arrays (sim/kernels/_plain_arrays.ts) and rescale in one
 * rounding step (sim/math/fused_quantized_multiplier.ts): fusedMultiplyChecked
 * for any int32, or, for a per-tensor layer whose accumulators are bounded
 * (weights and bias known) within uncheckedFits, the bare floor.
 */
import type { Tensor } from '../ir/types.js';
import {
  calculateActivationRangeQuantized,
  f32,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
} from '../math/fixedpoint.js';
import { multiplyByQuantizedMultiplierInt64Number } from '../math/multiply_by_quantized_multiplier_int64.js';
import type { Kernel, PrepareContext } from './types.js';
import { PACK_MAX_DEPTH, packRowPairs, packedRowDots } from './_packed_dot.js';
import { doubleArray, toDoubleArray } from './_plain_arrays.js';
import { type FusedMultipliers, WIDE_MAX_SHIFT, fuseMultipliers, fuseOne, fusedMultiplyChecked, fusedMultiplyWide, uncheckedFits } from '../math/fused_quantized_multiplier.js';


/** Accumulator flavour, fixed at prepare. */
const Acc = {
  /** int8 or int16 input, int32 accumulator (wrapping) and int32 MBQM. */
  Int32: 0,
  /** int16 input, int64 accumulator and the int64 MBQM. */
  Int64: 1,
} as const;
type Acc = (typeof Acc)[keyof typeof Acc];

interface OpData {
  acc: Acc;
  input: Int8Array | Int16Array;
  /** Weights as int8 (int4 weights are unpacked once at prepare). Row-major [outDepth rows][depth]. */
  filter: Int8Array;
  output: Int8Array | Int16Array;
  batches: number;
  /** Accumulation depth (filter's last dim). */
  depth: number;
  /** Output channels (output's last dim). */
  outDepth: number;
  /** -zp_in. */
  inputOffset: number;
  outputZeroPoint: number;
  actMin: number;
  actMax: number;
  /** Per output channel (per-tensor ops repeat one value). */
  multiplier: Int32Array;
  shift: Int32Array;
  /**
   * Per output channel: bias + inputOffset * sum(w). Wrapped to int32 for the
   * int32 accumulator, exact for the int64 one.
   */
  rowTerm: Float64Array;
  /** Set when weights or bias are not constant: rowTerm is rebuilt on every eval. */
  dynamicRows: boolean;
  /** Bias storage, for rebuilding rowTerm (null if the op has none). */
  bias: Int32Array | BigInt64Array | null;
  /** Row pairs w[2p] + 2^26 w[2p+1], [ceil(outDepth / 2)][depth]; null when not packed. */
  packed: number[] | null;
  /**
   * int8 x int8 with constant weights, depth <= PACK_MAX_DEPTH, not packed
   * (one output channel, or depth 1): the weights as doubles; else null.
   */
  plainW: number[] | null;
  /** One batch of input, for the packed and plain loops. */
  xScratch: number[];
  /** Their dot products for one batch. */
  dots: number[];
  /** Per-tensor quantization: every channel has the same one-step constants (channel 0's). */
  perTensor: boolean;
  /**
   * Per-tensor, constant weights and bias, and every possible accumulator
   * small enough for the unchecked one-step rescale (uncheckedFits):
   * floor((acc * uMul + R) * uScale) with uMul = M * 2^left.
   */
  unchecked: boolean;
  /** Bound on |accumulator| for int8 input (from the last buildRowTerms). */
  maxAcc: number;
  uMul: number;
  uRoundPos: number;
  uRoundNeg: number;
  uScale: number;
  /**
   * The int32 MultiplyByQuantizedMultiplier in one step (fusedMultiplyWide,
   * exact for every int32 input), or null when some shift is beyond its range.
   */
  fused: FusedMultipliers | null;
  /**
   * The packed path's output stage, as plain arrays (sim/kernels/_plain_arrays.ts):
   * rowTerm, and per output channel the one-step constants of
   * fusedMultiplyChecked (all NaN when fuseMultipliers refused a shift: then
   * every value takes the reference helper).
   */
  rowTermF: number[];
  fMul: number[];
  fLeft: number[];
  fRoundPos: number[];
  fRoundNeg: number[];
  fScale: number[];
  multiplierF: number[];
  shiftF: number[];
}

/** Scale and zero point TFLM puts in TfLiteTensor.params (entry 0), or null when there are none. */
function params(t: Tensor): { scale: number; zeroPoint: number } | null {
  const q = t.quantization;
  if (!q || q.scale.length === 0) return null;
  return { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0] ?? 0 };
}

/** UnpackDenseInt4IntoInt8: two's-complement nibbles, low nibble first. */
function unpackInt4(packed: Uint8Array, count: number): Int8Array {
  const out = new Int8Array(count);
  for (let i = 0; i < count; i++) {
    const byte = packed[i >> 1]!;
    const nibble = (i & 1) === 0 ? byte & 15 : byte >> 4;
    out[i] = (nibble << 28) >> 28;
  }
  return out;
}

function buildRowTerms(d: OpData): void {
  const { filter, depth, outDepth, inputOffset, bias, rowTerm } = d;
  let maxAcc = 0;
  for (let oc = 0; oc < outDepth; oc++) {
    let s = 0;
    let abs = 0;
    const base = oc * depth;
    for (let k = 0; k < depth; k++) {
      const w = filter[base + k]!;
      s += w;
      abs += Math.abs(w);
    }
    const b = bias === null ? 0 : Number(bias[oc]!);
    const exact = b + inputOffset * s;
    rowTerm[oc] = d.acc === Acc.Int32 ? exact | 0 : exact;
    d.rowTermF[oc] = rowTerm[oc]!;
    // |acc| <= sum |w| * 128 + |row term| for int8 input (|x| <= 128).
    const bound = abs * 128 + Math.abs(rowTerm[oc]!);
    if (bound > maxAcc) maxAcc = bound;
  }
  d.maxAcc = maxAcc;
}

function dotInt8(w: Int8Array, wo: number, x: Int8Array, xo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += w[wo + k]! * x[xo + k]! + w[wo + k + 1]! * x[xo + k + 1]!;
    s1 += w[wo + k + 2]! * x[xo + k + 2]! + w[wo + k + 3]! * x[xo + k + 3]!;
  }
  for (; k < n; k++) s0 += w[wo + k]! * x[xo + k]!;
  return s0 + s1;
}

function dotInt16(w: Int8Array, wo: number, x: Int16Array, xo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += w[wo + k]! * x[xo + k]! + w[wo + k + 1]! * x[xo + k + 1]!;
    s1 += w[wo + k + 2]! * x[xo + k + 2]! + w[wo + k + 3]! * x[xo + k + 3]!;
  }
  for (; k < n; k++) s0 += w[wo + k]! * x[xo + k]!;
  return s0 + s1;
}

function prepare(ctx: PrepareContext): OpData {
  const input = ctx.input(0);
  const filter = ctx.input(1);
  const bias = ctx.input(2);
  const output = ctx.output(0);
  if (!input) ctx.unsupported('input 0 is missing');
  if (!filter) ctx.unsupported('the weights (input 1) are missing');
  const options = ctx.op.options as { activation?: string; weightsFormat?: string; quantizedBiasType?: string };

  if (input.dtype === 'float32') ctx.unsupported('float32 FULLY_CONNECTED is not supported (tinyforge simulates quantized models)');
  if (input.dtype !== output.dtype) {
    ctx.unsupported(`${input.dtype} input with ${output.dtype} output: TFLM requires the input and output types to match`);
  }
  const int8In = input.dtype === 'int8';
  if (!(int8In && (filter.dtype === 'int8' || filter.dtype === 'int4')) && !(input.dtype === 'int16' && filter.dtype === 'int8')) {
    ctx.unsupported(`${input.dtype} input with ${filter.dtype} weights is not supported (TFLM runs int8 x int8/int4 and int16 x int8)`);
  }
  if (options.weightsFormat !== undefined && options.weightsFormat !== 'DEFAULT') {
    ctx.unsupported(`weights format ${options.weightsFormat} is not supported (only DEFAULT)`);
  }

  const pIn = params(input);
  const pW = params(filter);
  const pOut = params(output);
  if (!pIn || !pW || !pOut) ctx.unsupported('input, weights and output must all carry quantization parameters');
  if (pW.zeroPoint !== 0) ctx.unsupported(`weights zero point ${pW.zeroPoint} is not 0 (TFLM's Prepare DCHECKs a zero weights zero point)`);

  // Shapes, as the reference kernel reads them.
  if (filter.shape.length < 2) ctx.unsupported(`weights must have at least 2 dims, got [${filter.shape.join(', ')}]`);
  if (output.shape.length < 1) ctx.unsupported('the output must have at least 1 dim');
  const depth = filter.shape[filter.shape.length - 1]!;
  const filterRows = filter.shape[filter.shape.length - 2]!;
  const outDepth = output.shape[output.shape.length - 1]!;
  if (outDepth <= 0 || depth <= 0) ctx.unsupported('empty output or weight dimension');
  if (outDepth > filterRows) ctx.unsupported(`output depth ${outDepth} exceeds the ${filterRows} weight rows`);
  const batches = output.elements / outDepth;
  if (input.elements < batches * depth) {
    ctx.unsupported(`input has ${input.elements} elements, fewer than batches (${batches}) x depth (${depth})`);
  }

  // Multipliers.
  const wq = filter.quantization!;
  const perChannel = wq.scale.length > 1;
  const multiplier = new Int32Array(outDepth);
  const shift = new Int32Array(outDepth);
  if (perChannel) {
    if (filter.dtype === 'int4') ctx.unsupported('per-channel int4 weights are not supported (TFLM allows only per-tensor int4)');
    const axisDim = filter.shape[wq.axis];
    if (axisDim !== wq.scale.length) ctx.unsupported(`${wq.scale.length} weight scales for a quantized dimension of ${axisDim}`);
    if (wq.scale.length < outDepth) ctx.unsupported(`${wq.scale.length} weight scales for ${outDepth} output channels`);
    for (let c = 0; c < outDepth; c++) {
      const m = quantizeMultiplier((pIn.scale * wq.scale[c]!) / pOut.scale);
      multiplier[c] = m.multiplier;
      shift[c] = m.shift;
    }
  } else {
    if (bias) {
      const pB = params(bias);
      const biasScale = pB ? pB.scale : 0;
      if (Math.abs(pIn.scale * pW.scale - biasScale) / pOut.scale > 0.02) {
        ctx.unsupported(`bias scale ${biasScale} does not match input scale x weight scale ${pIn.scale * pW.scale}; TFLM refuses this model in Prepare`);
      }
    }
    const product = f32(pIn.scale * pW.scale);
    if (!(product >= 0)) ctx.unsupported('input scale x weight scale is negative; TFLM refuses this model in Prepare');
    const m = quantizeMultiplier(product / pOut.scale);
    multiplier.fill(m.multiplier);
    shift.fill(m.shift);
  }

  // Accumulator and bias.
  let acc: Acc = Acc.Int32;
  let biasArr: Int32Array | BigInt64Array | null = null;
  if (int8In) {
    if (bias) {
      if (bias.dtype !== 'int32') ctx.unsupported(`${bias.dtype} bias is not supported with int8 input (int32 expected)`);
      biasArr = ctx.int32(bias);
    }
  } else if (bias) {
    if (bias.dtype === 'int32') biasArr = ctx.int32(bias);
    else if (bias.dtype === 'int64') {
      acc = Acc.Int64;
      biasArr = ctx.int64(bias);
    } else ctx.unsupported(`${bias.dtype} bias is not supported with int16 input (int32 or int64 expected)`);
  } else if (options.quantizedBiasType !== 'int32') {
    acc = Acc.Int64;
  }
  if (biasArr && biasArr.length < outDepth) ctx.unsupported(`bias has ${biasArr.length} values for ${outDepth} output channels`);
  if (biasArr instanceof BigInt64Array) {
    for (let c = 0; c < outDepth; c++) {
      if (!Number.isSafeInteger(Number(biasArr[c]!))) ctx.unsupported(`int64 bias value ${biasArr[c]} is beyond 2^53`);
    }
  }

  let weights: Int8Array;
  if (filter.dtype === 'int4') {
    if (!filter.data) ctx.unsupported('int4 weights must be constant');
    weights = unpackInt4(filter.data, filter.elements);
  } else {
    weights = ctx.int8(filter);
  }

  const constInt8 = int8In && filter.data !== null;
  const pack = constInt8 && depth <= PACK_MAX_DEPTH && depth >= 2 && outDepth >= 2;
  // Small unpacked layers only: the copy holds 8 bytes per weight.
  const plain = constInt8 && !pack && depth <= PACK_MAX_DEPTH;
  const [actMin, actMax] = calculateActivationRangeQuantized(options.activation ?? 'NONE', output.dtype, pOut.scale, pOut.zeroPoint);
  const d: OpData = {
    acc,
    input: int8In ? ctx.int8(input) : ctx.int16(input),
    filter: weights,
    output: int8In ? ctx.int8(output) : ctx.int16(output),
    batches,
    depth,
    outDepth,
    inputOffset: -pIn.zeroPoint,
    outputZeroPoint: pOut.zeroPoint,
    actMin,
    actMax,
    multiplier,
    shift,
    rowTerm: new Float64Array(outDepth),
    dynamicRows: filter.data === null || (bias !== null && bias.data === null),
    bias: biasArr,
    packed: pack ? packRowPairs(weights, 0, outDepth, depth) : null,
    plainW: plain ? toDoubleArray(weights.subarray(0, outDepth * depth)) : null,
    xScratch: doubleArray(pack || plain ? depth : 0),
    dots: doubleArray(pack || plain ? outDepth : 0),
    perTensor: !perChannel,
    unchecked: false,
    maxAcc: 0,
    uMul: 0,
    uRoundPos: 0,
    uRoundNeg: 0,
    uScale: 0,
    fused: null,
    rowTermF: doubleArray(outDepth),
    fMul: doubleArray(outDepth),
    fLeft: toDoubleArray(new Float64Array(outDepth).fill(1)),
    fRoundPos: doubleArray(outDepth),
    fRoundNeg: doubleArray(outDepth),
    fScale: toDoubleArray(new Float64Array(outDepth).fill(NaN)),
    multiplierF: toDoubleArray(multiplier),
    shiftF: toDoubleArray(shift),
  };
  const oneStep = fuseMultipliers(multiplier, shift);
  if (oneStep && shift.every((v) => -v <= WIDE_MAX_SHIFT)) d.fused = oneStep;
  if (oneStep) {
    for (let c = 0; c < outDepth; c++) {
      d.fMul[c] = oneStep.multiplier[c]!;
      d.fLeft[c] = oneStep.leftMul[c]!;
      d.fRoundPos[c] = oneStep.roundPos[c]!;
      d.fRoundNeg[c] = oneStep.roundNeg[c]!;
      d.fScale[c] = oneStep.scale[c]!;
    }
  }
  buildRowTerms(d);
  if ((pack || plain) && !d.dynamicRows && !perChannel) {
    const one = fuseOne(multiplier[0]!, shift[0]!);
    if (uncheckedFits(d.maxAcc, one)) {
      d.unchecked = true;
      d.uMul = one.multiplier * one.leftMul;
      d.uRoundPos = one.roundPos;
      d.uRoundNeg = one.roundNeg;
      d.uScale = one.scale;
    }
  }
  return d;
}

function evalPacked(d: OpData, packed: number[]): void {
  const { input, xScratch, dots, batches, depth, outDepth } = d;
  for (let b = 0; b < batches; b++) {
    const xo = b * depth;
    for (let k = 0; k < depth; k++) xScratch[k] = input[xo + k]!;
    packedRowDots(packed, outDepth, depth, xScratch, dots, 0);
    finishRowInt32(d, dots, b * outDepth);
  }
}

/** The plain path: one double dot product per output channel, over the batch's input as doubles. */
function evalPlain(d: OpData, w: number[]): void {
  const { input, xScratch: x, dots, batches, depth, outDepth } = d;
  for (let b = 0; b < batches; b++) {
    const xo = b * depth;
    for (let k = 0; k < depth; k++) x[k] = input[xo + k]!;
    for (let oc = 0; oc < outDepth; oc++) {
      const wo = oc * depth;
      let s0 = 0;
      let s1 = 0;
      let k = 0;
      for (; k + 1 < depth; k += 2) {
        s0 += w[wo + k]! * x[k]!;
        s1 += w[wo + k + 1]! * x[k + 1]!;
      }
      if (k < depth) s0 += w[wo + k]! * x[k]!;
      dots[oc] = s0 + s1;
    }
    finishRowInt32(d, dots, b * outDepth);
  }
}

/**
 * int32 accumulator tail for a whole output row: + row term (bias, zero-point
 * fold), int32 wrap, rescale, zp, clamp. Per-tensor ops keep the rescale
 * constants in locals.
 */
function finishRowInt32(d: OpData, dots: number[], oo: number): void {
  const { output, outDepth, rowTermF, fMul, fLeft, fRoundPos, fRoundNeg, fScale, multiplierF, shiftF, outputZeroPoint, actMin, actMax } = d;
  if (d.unchecked) {
    const { uMul, uRoundPos, uRoundNeg, uScale } = d;
    for (let oc = 0; oc < outDepth; oc++) {
      const acc = dots[oc]! + rowTermF[oc]!;
      const v = Math.floor((acc * uMul + (acc < 0 ? uRoundNeg : uRoundPos)) * uScale) + outputZeroPoint;
      output[oo + oc] = v < actMin ? actMin : v > actMax ? actMax : v;
    }
    return;
  }
  if (d.perTensor) {
    const l = fLeft[0]!;
    const m = fMul[0]!;
    const rp = fRoundPos[0]!;
    const rn = fRoundNeg[0]!;
    const sc = fScale[0]!;
    const qm = multiplierF[0]!;
    const sh = shiftF[0]!;
    for (let oc = 0; oc < outDepth; oc++) {
      let v = fusedMultiplyChecked((dots[oc]! + rowTermF[oc]!) | 0, l, m, rp, rn, sc, qm, sh);
      v = (v + outputZeroPoint) | 0;
      output[oo + oc] = v < actMin ? actMin : v > actMax ? actMax : v;
    }
    return;
  }
  for (let oc = 0; oc < outDepth; oc++) {
    let v = fusedMultiplyChecked((dots[oc]! + rowTermF[oc]!) | 0, fLeft[oc]!, fMul[oc]!, fRoundPos[oc]!, fRoundNeg[oc]!, fScale[oc]!, multiplierF[oc]!, shiftF[oc]!);
    v = (v + outputZeroPoint) | 0;
    output[oo + oc] = v < actMin ? actMin : v > actMax ? actMax : v;
  }
}

function evalFc(d: OpData): void {
  if (d.dynamicRows) buildRowTerms(d);
  if (d.packed !== null) {
    evalPacked(d, d.packed);
    return;
  }
  if (d.plainW !== null) {
    evalPlain(d, d.plainW);
    return;
  }
  const { input, filter, output, batches, depth, outDepth, outputZeroPoint, actMin, actMax, multiplier, shift, rowTerm } = d;
  const int8In = input instanceof Int8Array;
  const int64 = d.acc === Acc.Int64;
  for (let b = 0; b < batches; b++) {
    const xo = b * depth;
    const oo = b * outDepth;
    for (let oc = 0; oc < outDepth; oc++) {
      const dot = int8In
        ? dotInt8(filter, oc * depth, input as Int8Array, xo, depth)
        : dotInt16(filter, oc * depth, input as Int16Array, xo, depth);
      let v: number;
      if (int64) {
        v = multiplyByQuantizedMultiplierInt64Number(dot + rowTerm[oc]!, multiplier[oc]!, shift[oc]!);
      } else {
        const x = (dot + rowTerm[oc]!) | 0;
        const f = d.fused;
        v = f !== null
          ? fusedMultiplyWide(x, f.leftMul[oc]!, f.multiplier[oc]!, f.roundPos[oc]!, f.roundNeg[oc]!, f.scale[oc]!)
          : multiplyByQuantizedMultiplier(x, multiplier[oc]!, shift[oc]!);
      }
      v = (v + outputZeroPoint) | 0;
      output[oo + oc] = v < actMin ? actMin : v > actMax ? actMax : v;
    }
  }
}

export const fullyConnectedKernel: Kernel<OpData> = {
  ops: ['FULLY_CONNECTED'],
  prepare,
  eval: evalFc,
};
