/**
 * SVDF, integer path. Mirrors tensorflow/lite/micro/kernels/svdf.cc and
 * svdf_common.cc (PrepareSvdf, EvalIntegerSvdfReference<T>), T = int16 or int8
 * for the time weights and the state (TFLM picks T from the time weights'
 * type; we require the state to have the same type).
 *
 * Inputs: 0 input int8 [batch, inputSize], 1 feature weights int8
 * [filters, inputSize], 2 time weights T [filters, memory], 3 bias int32
 * [units], 4 state T [batch, memory * filters] (a variable tensor that persists
 * across invocations; the interpreter resets it). Output int8 [batch, units].
 *
 * Traps:
 * - Both effective scales are computed in float32 (left to right) and only
 *   then widened: e1 = QM(f32(f32(S_in * S_wf) / S_state)),
 *   e2 = QM(f32(f32(S_state * S_wt) / S_out)).
 * - Prepare requires |S_bias - f32(S_state * S_wt)| < 1e-5 and dereferences
 *   the bias, so TFLM cannot run an int8 SVDF without one.
 * - The new state value is clamp_T(MBQM(dot, e1)) + zp_state stored as T:
 *   for int8 state with a nonzero zero point the addition can leave the int8
 *   range, and the store then wraps (static_cast), as in TFLM.
 * - The fused activation in the options is ignored by the integer path.
 * - The state shift moves the whole flat buffer left by one element (across
 *   filters and batches); the freed last slot of each filter row is then
 *   overwritten by the feature matmul.
 *
 * Speed (none of it changes a value):
 * - The feature matmul uses packed row pairs (sim/kernels/_packed_dot.ts; raw
 *   int8 input, zero point folded out); both rescales are the one-step
 *   MultiplyByQuantizedMultiplier (fusedMultiplyChecked, exact for every
 *   int32 accumulator), the feature one without its check when prepare can
 *   bound every feature accumulator (uncheckedFits).
 * - The time matmul sums exactly in doubles (|wt * state| <= 2^30, memory <
 *   2^22) and then wraps to int32: TFLM's int32 scratch sum wraps in C (real
 *   models do pass 2^31), and the exact sum is congruent to it mod 2^32.
 * - It reads a shadow of the state kept by the kernel in a plain array
 *   (sim/kernels/_plain_arrays.ts), not the state tensor: per filter row a
 *   ring of 2 x memory slots where slot k + memory mirrors slot k, so the
 *   memory window (oldest first) is always the contiguous run starting at the
 *   ring position, and the shift is a position increment. The state tensor
 *   itself is still shifted and written exactly as TFLM does (it is what
 *   tensor() shows); the shadow is rebuilt from it at prepare and by reset().
 */
import type { Tensor } from '../ir/types.js';
import { f32, quantizeMultiplier } from '../math/fixedpoint.js';
import type { Kernel, PrepareContext } from './types.js';
import { PACK_MAX_DEPTH, packRowPairs, packedRowDots } from './_packed_dot.js';
import { doubleArray, toDoubleArray } from './_plain_arrays.js';
import { fuseOne, fusedMultiplyChecked, uncheckedFits } from '../math/fused_quantized_multiplier.js';

interface OpData {
  input: Int8Array;
  /** Raw feature weights, for inputs wider than PACK_MAX_DEPTH. */
  featureWeights: Int8Array;
  bias: Int32Array;
  state: Int8Array | Int16Array;
  output: Int8Array;
  batches: number;
  inputSize: number;
  filters: number;
  units: number;
  rank: number;
  memory: number;
  /** T's range, for the clamp before the state store. */
  stateMin: number;
  stateMax: number;
  inputZeroPoint: number;
  stateZeroPoint: number;
  outputZeroPoint: number;
  /** e1 = feature-matmul rescale, e2 = output rescale. */
  m1: number;
  s1: number;
  m2: number;
  s2: number;
  /** Per filter: zp_in * sum(feature weights row), folded out of the feature matmul. */
  featureRowTerm: Float64Array;
  /** Per filter: zp_state * sum(time weights row), folded out of the time matmul. */
  timeRowTerm: Float64Array;

  // Eval-side data, as plain arrays (sim/kernels/_plain_arrays.ts).
  /** Feature weights as packed row pairs (sim/kernels/_packed_dot.ts), or null when inputSize > PACK_MAX_DEPTH. */
  featurePacked: number[] | null;
  /** featureRowTerm and timeRowTerm. */
  featureTerm: number[];
  timeTerm: number[];
  /** Time weights. */
  timeW: number[];
  /** The bias (refreshed per eval when the bias tensor is not constant). */
  biasF: number[];
  dynamicBias: boolean;
  /** The state shadow: [batch][filter][2 * memory] (see the header), and the ring position (0..memory-1). */
  ring: number[];
  pos: number;
  /** 32 - bits of T: (v << wrap) >> wrap is static_cast<T>(v). */
  wrap: number;
  /** Scratch: one batch of input, the filters' feature dot products, TFLM's int32 time scratch. */
  x: number[];
  featureDot: number[];
  scratch: number[];
  /**
   * Every feature accumulator fits the unchecked one-step rescale
   * (uncheckedFits): floor((acc * u1Mul + R) * f1Scale), u1Mul = M1 * 2^left.
   */
  f1Unchecked: boolean;
  u1Mul: number;
  /** e1 and e2 in the one-step form (fusedMultiplyChecked; NaN scale = always the reference helper). */
  f1Mul: number;
  f1Left: number;
  f1RoundPos: number;
  f1RoundNeg: number;
  f1Scale: number;
  f2Mul: number;
  f2Left: number;
  f2RoundPos: number;
  f2RoundNeg: number;
  f2Scale: number;
}

function params(t: Tensor): { scale: number; zeroPoint: number } | null {
  const q = t.quantization;
  if (!q || q.scale.length === 0) return null;
  return { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0] ?? 0 };
}

export const svdfKernel: Kernel<OpData> = {
  ops: ['SVDF'],
  prepare(ctx: PrepareContext) {
    const input = ctx.input(0);
    const wf = ctx.input(1);
    const wt = ctx.input(2);
    const bias = ctx.input(3);
    const state = ctx.input(4);
    const output = ctx.output(0);
    if (!input || !wf || !wt || !state) ctx.unsupported('input, feature weights, time weights and state (inputs 0, 1, 2, 4) are required');
    if (ctx.inputCount !== 5) ctx.unsupported(`expected 5 inputs, got ${ctx.inputCount}`);
    if (input.dtype === 'float32') ctx.unsupported('float32 SVDF is not supported (tinyforge simulates quantized models)');
    if (input.dtype !== 'int8') ctx.unsupported(`${input.dtype} input is not supported (int8)`);
    if (wf.dtype !== 'int8') ctx.unsupported(`${wf.dtype} feature weights are not supported (int8)`);
    if (wt.dtype !== 'int8' && wt.dtype !== 'int16') ctx.unsupported(`${wt.dtype} time weights are not supported (int8 or int16)`);
    if (state.dtype !== wt.dtype) ctx.unsupported(`${state.dtype} state with ${wt.dtype} time weights: the state must have the time weights' type`);
    if (output.dtype !== 'int8') ctx.unsupported(`${output.dtype} output is not supported (int8)`);
    if (!bias) ctx.unsupported('an int8 SVDF without bias is not supported (TFLM\'s Prepare reads the bias scale unconditionally)');
    if (bias.dtype !== 'int32') ctx.unsupported(`${bias.dtype} bias is not supported (int32)`);
    if (!state.isVariable) ctx.unsupported('the state (input 4) must be a variable tensor');

    const rank = (ctx.op.options as { rank?: number }).rank ?? 0;
    if (input.shape.length !== 2 || output.shape.length !== 2 || wf.shape.length !== 2 || wt.shape.length !== 2 || state.shape.length !== 2) {
      ctx.unsupported('input, output, weights and state must all be 2-D');
    }
    const [batches, inputSize] = input.shape as [number, number];
    const filters = wf.shape[0]!;
    const memory = wt.shape[1]!;
    if (!(rank > 0) || filters % rank !== 0) ctx.unsupported(`rank ${rank} does not divide the ${filters} filters`);
    const units = filters / rank;
    if (output.shape[0] !== batches || output.shape[1] !== units) ctx.unsupported(`output shape [${output.shape.join(', ')}] is not [${batches}, ${units}]`);
    if (wf.shape[1] !== inputSize) ctx.unsupported(`feature weights [${wf.shape.join(', ')}] do not match input size ${inputSize}`);
    if (wt.shape[0] !== filters) ctx.unsupported(`time weights [${wt.shape.join(', ')}] do not have ${filters} rows`);
    if (bias.shape[0] !== units || bias.elements < units) ctx.unsupported(`bias has shape [${bias.shape.join(', ')}], expected [${units}]`);
    if (state.shape[0] !== batches || state.shape[1] !== memory * filters) {
      ctx.unsupported(`state shape [${state.shape.join(', ')}] is not [${batches}, ${memory * filters}]`);
    }

    const pIn = params(input);
    const pWf = params(wf);
    const pWt = params(wt);
    const pSt = params(state);
    const pOut = params(output);
    const pB = params(bias);
    if (!pIn || !pWf || !pWt || !pSt || !pOut) ctx.unsupported('input, weights, state and output must carry quantization parameters');
    const stateTimesTime = f32(pSt.scale * pWt.scale);
    if (!(Math.abs((pB ? pB.scale : 0) - stateTimesTime) < 1e-5)) {
      ctx.unsupported(`bias scale ${pB ? pB.scale : 0} is not state scale x time-weight scale (${stateTimesTime}); TFLM refuses this model in Prepare`);
    }
    const e1 = quantizeMultiplier(f32(f32(pIn.scale * pWf.scale) / pSt.scale));
    const e2 = quantizeMultiplier(f32(stateTimesTime / pOut.scale));

    if (wf.data === null || wt.data === null) ctx.unsupported('feature and time weights must be constant');
    if (memory >= 2 ** 22) ctx.unsupported(`memory ${memory} is too long for the exact time matmul (< 2^22)`);
    const wfArr = ctx.int8(wf);
    const wtArr = wt.dtype === 'int8' ? ctx.int8(wt) : ctx.int16(wt);
    const featureRowTerm = new Float64Array(filters);
    const timeRowTerm = new Float64Array(filters);
    // |feature acc| <= sum |w| * 128 + |zp_in * sum w| (|x| <= 128).
    let maxAcc = 0;
    for (let f = 0; f < filters; f++) {
      let s = 0;
      let abs = 0;
      for (let c = 0; c < inputSize; c++) {
        const w = wfArr[f * inputSize + c]!;
        s += w;
        abs += Math.abs(w);
      }
      featureRowTerm[f] = pIn.zeroPoint * s;
      maxAcc = Math.max(maxAcc, abs * 128 + Math.abs(featureRowTerm[f]!));
      let t = 0;
      for (let j = 0; j < memory; j++) t += wtArr[f * memory + j]!;
      timeRowTerm[f] = pSt.zeroPoint * t;
    }
    const biasArr = ctx.int32(bias);
    const f1 = fuseOne(e1.multiplier, e1.shift);
    const f2 = fuseOne(e2.multiplier, e2.shift);
    const d: OpData = {
      input: ctx.int8(input),
      featureWeights: wfArr,
      bias: biasArr,
      state: state.dtype === 'int8' ? ctx.int8(state) : ctx.int16(state),
      output: ctx.int8(output),
      batches,
      inputSize,
      filters,
      units,
      rank,
      memory,
      stateMin: state.dtype === 'int8' ? -128 : -32768,
      stateMax: state.dtype === 'int8' ? 127 : 32767,
      inputZeroPoint: pIn.zeroPoint,
      stateZeroPoint: pSt.zeroPoint,
      outputZeroPoint: pOut.zeroPoint,
      m1: e1.multiplier,
      s1: e1.shift,
      m2: e2.multiplier,
      s2: e2.shift,
      featureRowTerm,
      timeRowTerm,
      featurePacked: inputSize <= PACK_MAX_DEPTH ? packRowPairs(wfArr, 0, filters, inputSize) : null,
      featureTerm: toDoubleArray(featureRowTerm),
      timeTerm: toDoubleArray(timeRowTerm),
      timeW: toDoubleArray(wtArr),
      biasF: toDoubleArray(biasArr.subarray(0, units)),
      dynamicBias: bias.data === null,
      ring: doubleArray(batches * filters * 2 * memory),
      pos: 0,
      wrap: state.dtype === 'int8' ? 24 : 16,
      x: doubleArray(inputSize),
      featureDot: doubleArray(filters),
      scratch: doubleArray(filters),
      f1Unchecked: false,
      u1Mul: f1.multiplier * f1.leftMul,
      f1Mul: f1.multiplier, f1Left: f1.leftMul, f1RoundPos: f1.roundPos, f1RoundNeg: f1.roundNeg, f1Scale: f1.scale,
      f2Mul: f2.multiplier, f2Left: f2.leftMul, f2RoundPos: f2.roundPos, f2RoundNeg: f2.roundNeg, f2Scale: f2.scale,
    };
    d.f1Unchecked = uncheckedFits(maxAcc, f1);
    syncShadow(d);
    return d;
  },
  eval(d) {
    // TFLM's state layout in the tensor: shift everything left by one.
    d.state.copyWithin(0, 1);
    let pos = d.pos + 1;
    if (pos === d.memory) pos = 0;
    d.pos = pos;
    if (d.dynamicBias) for (let u = 0; u < d.units; u++) d.biasF[u] = d.bias[u]!;
    // Batches are independent (each has its own state rows): each runs the three stages in turn.
    for (let b = 0; b < d.batches; b++) {
      featureStage(d, b);
      timeStage(d, b);
      outputStage(d, b);
    }
  },
  reset(d) {
    syncShadow(d);
  },
};

/** The shadow from the state tensor, ring position 0. */
function syncShadow(d: OpData): void {
  const { state, ring, memory } = d;
  const rows = d.batches * d.filters;
  d.pos = 0;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < memory; j++) {
      const v = state[r * memory + j]!;
      ring[2 * r * memory + j] = v;
      ring[2 * r * memory + memory + j] = v;
    }
  }
}

/** The newest slot of each filter's memory in batch b: the rescaled feature dot products (state already shifted). */
function featureStage(d: OpData, b: number): void {
  const { input, featureWeights, state, ring, inputSize, filters, memory, stateMin, stateMax, stateZeroPoint, wrap, featureTerm, featurePacked, featureDot } = d;
  const xo = b * inputSize;
  if (featurePacked !== null) {
    const x = d.x;
    for (let c = 0; c < inputSize; c++) x[c] = input[xo + c]!;
    packedRowDots(featurePacked, filters, inputSize, x, featureDot, 0);
  } else {
    for (let f = 0; f < filters; f++) {
      const wo = f * inputSize;
      let dot = 0;
      for (let c = 0; c < inputSize; c++) dot += featureWeights[wo + c]! * input[xo + c]!;
      featureDot[f] = dot;
    }
  }
  const { f1Unchecked, u1Mul, f1Mul, f1Left, f1RoundPos, f1RoundNeg, f1Scale, m1, s1 } = d;
  // The newest slot: index memory - 1 of the state row; in the ring, the window's last slot and its mirror.
  const k = d.pos + memory - 1;
  const k2 = k >= memory ? k - memory : k + memory;
  let so = b * filters * memory + memory - 1;
  let ro = b * filters * 2 * memory;
  for (let f = 0; f < filters; f++, so += memory, ro += 2 * memory) {
    const acc = featureDot[f]! - featureTerm[f]!;
    let v = f1Unchecked
      ? Math.floor((acc * u1Mul + (acc < 0 ? f1RoundNeg : f1RoundPos)) * f1Scale)
      : fusedMultiplyChecked(acc | 0, f1Left, f1Mul, f1RoundPos, f1RoundNeg, f1Scale, m1, s1);
    v = v < stateMin ? stateMin : v > stateMax ? stateMax : v;
    // static_cast<T>: the typed store wraps; the shadow gets the same wrapped value.
    const stored = ((stateZeroPoint + v) << wrap) >> wrap;
    state[so] = stored;
    ring[ro + k] = stored;
    ring[ro + k2] = stored;
  }
}

/** Per filter of batch b: the time-weighted sum of its memory window, zero point folded out, as TFLM's int32 scratch. */
function timeStage(d: OpData, b: number): void {
  const { timeW, ring, filters, memory, timeTerm, scratch } = d;
  let i = b * filters * 2 * memory + d.pos;
  let w = 0;
  for (let f = 0; f < filters; f++, i += memory) {
    const end = w + memory;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (; w + 3 < end; w += 4, i += 4) {
      a0 += timeW[w]! * ring[i]!;
      a1 += timeW[w + 1]! * ring[i + 1]!;
      a2 += timeW[w + 2]! * ring[i + 2]!;
      a3 += timeW[w + 3]! * ring[i + 3]!;
    }
    for (; w < end; w++, i++) a0 += timeW[w]! * ring[i]!;
    // Exact sum (|wt * state| <= 2^30, memory < 2^22), then the int32 wrap of TFLM's scratch.
    scratch[f] = (a0 + a1 + (a2 + a3) - timeTerm[f]!) | 0;
  }
}

/** Batch b's output row: per unit, bias + the rank filters' scratch values (int32), rescaled to int8. */
function outputStage(d: OpData, b: number): void {
  const { scratch, units, rank, biasF, output, outputZeroPoint } = d;
  const { f2Mul, f2Left, f2RoundPos, f2RoundNeg, f2Scale, m2, s2 } = d;
  const oo = b * units;
  for (let u = 0; u < units; u++) {
    let sum = biasF[u]!;
    if (rank === 1) sum += scratch[u]!;
    else for (let r = 0; r < rank; r++) sum += scratch[u * rank + r]!;
    let v = (fusedMultiplyChecked(sum | 0, f2Left, f2Mul, f2RoundPos, f2RoundNeg, f2Scale, m2, s2) + outputZeroPoint) | 0;
    v = v < -128 ? -128 : v > 127 ? 127 : v;
    output[oo + u] = v;
  }
}
