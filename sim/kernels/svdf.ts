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
 * Speed: the feature matmul uses packed row pairs (sim/kernels/_packed_dot.ts;
 * raw int8 input, zero point folded out), both rescales the one-step
 * MultiplyByQuantizedMultiplier (sim/math/fused_quantized_multiplier.ts,
 * exact for every int32 accumulator), the time matmul four running sums.
 */
import type { Tensor } from '../ir/types.js';
import { f32, multiplyByQuantizedMultiplier, quantizeMultiplier } from '../math/fixedpoint.js';
import type { Kernel, PrepareContext } from './types.js';
import { PACK_MAX_DEPTH, packRowPairs, packedRowDots } from './_packed_dot.js';
import { WIDE_MAX_SHIFT, fuseMultipliers, fusedMultiplyWide } from '../math/fused_quantized_multiplier.js';

interface OpData {
  input: Int8Array;
  featureWeights: Int8Array;
  timeWeights: Int8Array | Int16Array;
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
  /** Per batch x filter: the time-matmul results (TFLM's int32 scratch). */
  scratch: Int32Array;
  /** Feature weights as packed row pairs (sim/kernels/_packed_dot.ts), or null when inputSize > PACK_MAX_DEPTH. */
  featurePacked: Float64Array | null;
  /** Scratch: one batch of input as doubles, and the filters' feature dot products. */
  x: Float64Array;
  featureDot: Int32Array;
  /** e1 in the one-step form (sim/math/fused_quantized_multiplier.ts, fusedMultiplyWide); NaN scale = use the reference helper. */
  f1Mul: number;
  f1Left: number;
  f1RoundPos: number;
  f1RoundNeg: number;
  f1Scale: number;
  /** e2 likewise. */
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

    const wfArr = ctx.int8(wf);
    const wtArr = wt.dtype === 'int8' ? ctx.int8(wt) : ctx.int16(wt);
    const featureRowTerm = new Float64Array(filters);
    const timeRowTerm = new Float64Array(filters);
    const d: OpData = {
      input: ctx.int8(input),
      featureWeights: wfArr,
      timeWeights: wtArr,
      bias: ctx.int32(bias),
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
      scratch: new Int32Array(batches * filters),
      featurePacked: inputSize <= PACK_MAX_DEPTH ? packRowPairs(wfArr, 0, filters, inputSize) : null,
      x: new Float64Array(inputSize),
      featureDot: new Int32Array(filters),
      f1Mul: 0, f1Left: 1, f1RoundPos: 0, f1RoundNeg: 0, f1Scale: NaN,
      f2Mul: 0, f2Left: 1, f2RoundPos: 0, f2RoundNeg: 0, f2Scale: NaN,
    };
    const fused = fuseMultipliers(Int32Array.of(e1.multiplier, e2.multiplier), Int32Array.of(e1.shift, e2.shift));
    if (fused && -e1.shift <= WIDE_MAX_SHIFT && -e2.shift <= WIDE_MAX_SHIFT) {
      d.f1Mul = fused.multiplier[0]!;
      d.f1Left = fused.leftMul[0]!;
      d.f1RoundPos = fused.roundPos[0]!;
      d.f1RoundNeg = fused.roundNeg[0]!;
      d.f1Scale = fused.scale[0]!;
      d.f2Mul = fused.multiplier[1]!;
      d.f2Left = fused.leftMul[1]!;
      d.f2RoundPos = fused.roundPos[1]!;
      d.f2RoundNeg = fused.roundNeg[1]!;
      d.f2Scale = fused.scale[1]!;
    }
    if (wf.data === null || wt.data === null) ctx.unsupported('feature and time weights must be constant');
    for (let f = 0; f < filters; f++) {
      let s = 0;
      for (let c = 0; c < inputSize; c++) s += wfArr[f * inputSize + c]!;
      featureRowTerm[f] = pIn.zeroPoint * s;
      let t = 0;
      for (let j = 0; j < memory; j++) t += wtArr[f * memory + j]!;
      timeRowTerm[f] = pSt.zeroPoint * t;
    }
    return d;
  },
  eval(d) {
    // Three stages in separate functions: V8 optimizes each small loop nest on its own.
    d.state.copyWithin(0, 1);
    featureStage(d);
    timeStage(d);
    outputStage(d);
  },
};

/** The newest slot of each filter's memory: the rescaled feature dot products (state already shifted). */
function featureStage(d: OpData): void {
  const { input, featureWeights, state, batches, inputSize, filters, memory, stateMin, stateMax, stateZeroPoint, m1, s1, featureRowTerm } = d;
  // Feature matmul into the newest slot of each filter's memory.
  const { featurePacked, x, featureDot, f1Mul, f1Left, f1RoundPos, f1RoundNeg, f1Scale } = d;
  for (let b = 0; b < batches; b++) {
    const xo = b * inputSize;
    if (featurePacked !== null) {
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
    for (let f = 0; f < filters; f++) {
      const acc = (featureDot[f]! - featureRowTerm[f]!) | 0;
      let v = f1Scale === f1Scale ? fusedMultiplyWide(acc, f1Left, f1Mul, f1RoundPos, f1RoundNeg, f1Scale) : multiplyByQuantizedMultiplier(acc, m1, s1);
      v = v < stateMin ? stateMin : v > stateMax ? stateMax : v;
      // Typed-array store wraps like static_cast<T>.
      state[(b * filters + f) * memory + memory - 1] = stateZeroPoint + v;
    }
  }
}

/** Per batch x filter: the time-weighted sum of the state, zero point folded out. */
function timeStage(d: OpData): void {
  const { timeWeights, state, batches, filters, memory, timeRowTerm, scratch } = d;
  // Time matmul: per batch x filter, sum_j wt[f][j] * (state[b][f][j] - zp_state).
  // Four running sums (exact: |wt * state| <= 2^30, far below 2^53 in total).
  for (let b = 0; b < batches; b++) {
    for (let f = 0; f < filters; f++) {
      const so = (b * filters + f) * memory;
      const wo = f * memory;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let j = 0;
      for (; j + 3 < memory; j += 4) {
        a0 += timeWeights[wo + j]! * state[so + j]!;
        a1 += timeWeights[wo + j + 1]! * state[so + j + 1]!;
        a2 += timeWeights[wo + j + 2]! * state[so + j + 2]!;
        a3 += timeWeights[wo + j + 3]! * state[so + j + 3]!;
      }
      for (; j < memory; j++) a0 += timeWeights[wo + j]! * state[so + j]!;
      scratch[b * filters + f] = a0 + a1 + (a2 + a3) - timeRowTerm[f]!;
    }
  }
}

/** Per unit: bias + rank reduction, rescaled to the int8 output. */
function outputStage(d: OpData): void {
  const { bias, output, batches, filters, units, rank, outputZeroPoint, m2, s2, scratch } = d;
  // Bias + rank reduction, rescale, output zero point, int8 clamp.
  const { f2Mul, f2Left, f2RoundPos, f2RoundNeg, f2Scale } = d;
  for (let b = 0; b < batches; b++) {
    for (let u = 0; u < units; u++) {
      let sum = bias[u]!;
      const so = b * filters + u * rank;
      for (let r = 0; r < rank; r++) sum += scratch[so + r]!;
      const acc = sum | 0;
      const scaled = f2Scale === f2Scale ? fusedMultiplyWide(acc, f2Left, f2Mul, f2RoundPos, f2RoundNeg, f2Scale) : multiplyByQuantizedMultiplier(acc, m2, s2);
      let v = (scaled + outputZeroPoint) | 0;
      v = v < -128 ? -128 : v > 127 ? 127 : v;
      output[b * units + u] = v;
    }
  }
}
