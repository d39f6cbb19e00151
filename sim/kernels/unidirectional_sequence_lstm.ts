/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM, integer path with int8 activations, int8
 * weights, int32 biases and an int16 cell state. Mirrors
 * tensorflow/lite/micro/kernels/unidirectional_sequence_lstm.cc with
 * lstm_eval.{h,cc} (EvalLstm / LstmStep) and lstm_eval_common.cc
 * (PrepareGateParametersInteger, CreateLstmCellStateInfo).
 *
 * Per time step and batch row, in this order:
 *   gate_g = act(sat16(FC(x; Wx_g, b_g) + FC(h; Wh_g)))    g = forget, input, cell, output
 *   c      = sat16(Mul(f, c) + Mul(i, cellgate)), then optional clip
 *   h      = Mul(tanh(c), o) + zp_h into int8; the output row is a copy of h.
 *
 * Traps (all checked against TFLM's source):
 * - Every gate FC writes int16 with a FIXED output scale 2^-12 (Q3.12),
 *   zero point 0. The converter's intermediate tensors (operator
 *   `intermediates`) are ignored by TFLM and so here.
 * - The FC multiplier is the per-tensor FULLY_CONNECTED rule: the product
 *   S_in * S_w is formed in float32, then divided by 2^-12 in double and
 *   quantized. Input FC: zp of the input tensor plus the gate bias; recurrent
 *   FC: zp of the hidden state tensor and NO bias. Each FC result is clamped
 *   to int16 on its own before the saturating add.
 * - Sigmoid is the int16 LUT logistic with (multiplier 0, shift 0), i.e. x*3;
 *   the cell gate's tanh is the int16 LUT tanh with the same parameters.
 * - The three elementwise products use MulElementwise with multipliers from
 *   QuantizeMultiplier in double: f*c with 2^-15 (float 2^-15 * S_c / S_c),
 *   i*g with 2^-30 / S_c, tanh(c)*o with 2^-30 / S_h and zp_h, clamped to
 *   int8. The cell state zero point and the output tensor's quantization are
 *   ignored (the output is a byte copy of h).
 * - tanh(c) takes its input shift from round(log2(S_c)) computed in float32
 *   (CheckedLog2, result not checked): shift = 12 + log2(S_c); a negative
 *   shift becomes multiplier 3 with a rounding right shift.
 * - Cell clip (when > 0): int16(trunc(clamp(clip / S_c, -32768, 32767))) in
 *   double, applied as a symmetric clamp after the cell update.
 * - The hidden state (input 18, int8) and cell state (input 19, int16) are
 *   variable tensors updated in place; the simulator resets them (int8 to
 *   its zero point, int16 to 0).
 * - time_major [T, B, I] runs all batch rows per step; batch-major [B, T, I]
 *   runs each row through all steps. Rows never interact, so one per-row step
 *   function serves both orders.
 *
 * Speed (no value changes): the gate FCs use packed row pairs
 * (sim/kernels/_packed_dot.ts) on plain arrays (sim/kernels/_plain_arrays.ts);
 * every rescale is the one-step MultiplyByQuantizedMultiplier
 * (fusedMultiplyChecked); the activations run per element
 * (sigmoidQ15 / tanhQ15) as each gate value is formed, and the cell and
 * hidden updates share one pass over the units.
 */
import type { Tensor } from '../ir/types.js';
import { f32, quantizeMultiplier } from '../math/fixedpoint.js';
import { type Int16ActivationScale, activationScale, sigmoidQ15, tanhQ15 } from '../math/int16_activations.js';
import { type OneStep, fuseOne, fusedMultiplyChecked } from '../math/fused_quantized_multiplier.js';
import { checkedLog2 } from '../math/checked_log2.js';
import type { Kernel, PrepareContext } from './types.js';
import { PACK_MAX_DEPTH, packRowPairs, packedRowDots } from './_packed_dot.js';
import { doubleArray, toDoubleArray } from './_plain_arrays.js';

/** Gate order inside the packed arrays: TFLM's forget, input, cell, output. */
const GATE_INPUTS = [
  { name: 'forget', wx: 2, wh: 6, bias: 13 },
  { name: 'input', wx: 1, wh: 5, bias: 12 },
  { name: 'cell', wx: 3, wh: 7, bias: 14 },
  { name: 'output', wx: 4, wh: 8, bias: 15 },
] as const;

interface OpData {
  /** Input sequence, output sequence, hidden state (int8) and cell state (int16) storage. */
  input: Int8Array;
  output: Int8Array;
  hidden: Int8Array;
  cell: Int16Array;
  /** Input and state widths. */
  nIn: number;
  nState: number;
  /** (input offset, state offset, output offset) triples, one per row step in execution order. */
  schedule: Int32Array;
  /** Input weights of the 4 gates packed [4 * nState, nIn], recurrent weights [4 * nState, nState]. */
  wx: Int8Array;
  wh: Int8Array;
  /** Per gate row: bias - zp_in * sum(Wx row), and -zp_h * sum(Wh row) (the zero points folded out). */
  biasX: Float64Array;
  biasH: Float64Array;
  /** Per gate: FC requantization (multiplier, shift) for the input and the recurrent FC. */
  multX: Int32Array;
  shiftX: Int32Array;
  multH: Int32Array;
  shiftH: Int32Array;
  /** f * c -> c, i * g -> c, tanh(c) * o -> h. */
  fcMult: number;
  fcShift: number;
  igMult: number;
  igShift: number;
  hMult: number;
  hShift: number;
  hZeroPoint: number;
  /** int16 tanh parameters for tanh(c). */
  cellTanhMult: number;
  cellTanhShift: number;
  /** Whether the cell is clipped (cell_clip > 0) and the quantized bound (may be 0 for a tiny clip). */
  doClip: boolean;
  clip: number;
  /** Activated gate values of one row [4 * nState] (Q0.15). */
  gates: number[];
  /** Scratch: the int32 dot products of every gate row with x and with h. */
  dotX: number[];
  dotH: number[];
  /** wx and wh as packed row pairs (see _packed_dot.ts), or null when a width exceeds PACK_MAX_DEPTH. */
  packedX: number[] | null;
  packedH: number[] | null;
  /** Scratch: the current input row and hidden state, for the packed dot products. */
  xF: number[];
  hF: number[];
  /**
   * Eval-side copies as plain arrays (sim/kernels/_plain_arrays.ts): biasX,
   * biasH, and per gate the one-step constants (fusedMultiplyChecked) of the
   * input and recurrent FC rescales; multX/shiftX/multH/shiftH for its fallback.
   */
  biasXF: number[];
  biasHF: number[];
  fx: OneStepArrays;
  fh: OneStepArrays;
  multXF: number[];
  shiftXF: number[];
  multHF: number[];
  shiftHF: number[];
  /** One-step constants of f * c, i * g and tanh(c) * o. */
  fcOne: OneStep;
  igOne: OneStep;
  hOne: OneStep;
  /** tanh(c)'s input scaling (int16_activations.ts activationScale). */
  cellTanh: Int16ActivationScale;
}

/** Per gate one-step constants, each field an array of 4 (plain doubles). */
interface OneStepArrays {
  multiplier: number[];
  leftMul: number[];
  roundPos: number[];
  roundNeg: number[];
  scale: number[];
}

function oneStepArrays(mult: Int32Array, shift: Int32Array): OneStepArrays {
  const a: OneStepArrays = { multiplier: doubleArray(4), leftMul: doubleArray(4), roundPos: doubleArray(4), roundNeg: doubleArray(4), scale: doubleArray(4) };
  for (let g = 0; g < 4; g++) {
    const o = fuseOne(mult[g]!, shift[g]!);
    a.multiplier[g] = o.multiplier;
    a.leftMul[g] = o.leftMul;
    a.roundPos[g] = o.roundPos;
    a.roundNeg[g] = o.roundNeg;
    a.scale[g] = o.scale;
  }
  return a;
}

function weightScale(ctx: PrepareContext, t: Tensor, what: string): number {
  const q = t.quantization;
  if (!q || q.scale.length === 0) ctx.unsupported(`${what} weights have no quantization`);
  if (q.scale.length > 1) {
    // TFLM computes per-channel multipliers here but the LSTM calls the per-tensor FC, which reads an unset multiplier.
    ctx.unsupported(`${what} weights are per-channel quantized; TFLM's LSTM only handles per-tensor weight scales`);
  }
  if ((q.zeroPoint[0] ?? 0) !== 0) ctx.unsupported(`${what} weights have zero point ${q.zeroPoint[0]} (must be 0)`);
  return q.scale[0]!;
}

export const unidirectionalSequenceLstmKernel: Kernel<OpData> = {
  ops: ['UNIDIRECTIONAL_SEQUENCE_LSTM'],
  prepare(ctx: PrepareContext): OpData {
    if (ctx.inputCount !== 24) ctx.unsupported(`has ${ctx.inputCount} inputs; TFLM requires 24`);
    if (ctx.outputCount !== 1) ctx.unsupported(`has ${ctx.outputCount} outputs; TFLM requires 1`);
    const opts = ctx.op.options as { activation?: string; cellClip?: number; timeMajor?: boolean };

    const input = ctx.input(0);
    const hiddenT = ctx.input(18);
    const cellT = ctx.input(19);
    const outputT = ctx.output(0);
    if (!input) ctx.unsupported('input 0 is missing');
    if (!hiddenT || !hiddenT.isVariable) ctx.unsupported('the hidden state (input 18) must be a variable tensor');
    if (!cellT || !cellT.isVariable) ctx.unsupported('the cell state (input 19) must be a variable tensor');
    if (input.dtype !== 'int8') {
      ctx.unsupported(`${input.dtype} activations are not supported (only the int8-activation / int8-weight / int16-cell path)`);
    }
    if (hiddenT.dtype !== 'int8' || outputT.dtype !== 'int8') ctx.unsupported('the hidden state and output must be int8 like the input');
    if (cellT.dtype !== 'int16') ctx.unsupported(`a ${cellT.dtype} cell state is not supported (int16 only)`);
    for (const i of [9, 10, 11]) if (ctx.input(i)) ctx.unsupported('peephole connections are not supported (TFLM rejects them)');
    for (const i of [16, 17]) if (ctx.input(i)) ctx.unsupported('projection is not supported (TFLM rejects it)');
    for (const i of [20, 21, 22, 23]) if (ctx.input(i)) ctx.unsupported('layer normalization is not supported (TFLM rejects it)');
    if (opts.activation !== 'TANH') ctx.unsupported(`cell gate activation ${String(opts.activation)} is not supported (TFLM only runs TANH)`);
    if (!input.quantization || !hiddenT.quantization || !cellT.quantization) ctx.unsupported('input, hidden state and cell state must be quantized');

    if (input.shape.length !== 3) ctx.unsupported(`input must be 3-D, got [${input.shape.join(', ')}]`);
    if (hiddenT.shape.length !== 2) ctx.unsupported(`the hidden state must be 2-D [batch, units], got [${hiddenT.shape.join(', ')}]`);
    const timeMajor = opts.timeMajor === true;
    const batch = timeMajor ? input.shape[1]! : input.shape[0]!;
    const steps = timeMajor ? input.shape[0]! : input.shape[1]!;
    const nIn = input.shape[2]!;
    const nState = hiddenT.shape[1]!;
    if (hiddenT.elements !== batch * nState || cellT.elements !== batch * nState) {
      ctx.unsupported(`state tensors must hold batch * units = ${batch * nState} elements`);
    }
    if (outputT.shape.length !== 3 || outputT.shape[0] !== input.shape[0] || outputT.shape[1] !== input.shape[1] || outputT.shape[2] !== nState) {
      ctx.unsupported(`output shape [${outputT.shape.join(', ')}] does not match input [${input.shape.join(', ')}] with ${nState} units`);
    }

    const sIn = input.quantization.scale[0]!;
    const zpIn = input.quantization.zeroPoint[0]!;
    const sH = hiddenT.quantization.scale[0]!;
    const zpH = hiddenT.quantization.zeroPoint[0]!;
    const sC = cellT.quantization.scale[0]!;
    // The gate FCs write Q3.12: output scale 2^-12 (a float, exact).
    const gateScale = 2 ** -12;

    const wx = new Int8Array(4 * nState * nIn);
    const wh = new Int8Array(4 * nState * nState);
    const biasX = new Float64Array(4 * nState);
    const biasH = new Float64Array(4 * nState);
    const multX = new Int32Array(4);
    const shiftX = new Int32Array(4);
    const multH = new Int32Array(4);
    const shiftH = new Int32Array(4);
    let weightType: string | null = null;
    GATE_INPUTS.forEach((g, k) => {
      const wxT = ctx.input(g.wx);
      const whT = ctx.input(g.wh);
      const bT = ctx.input(g.bias);
      if (!wxT || !whT || !bT) ctx.unsupported(`the ${g.name} gate's weights or bias are missing (CIFG is not supported by TFLM)`);
      for (const w of [wxT, whT]) {
        weightType ??= w.dtype;
        if (w.dtype !== weightType) ctx.unsupported('all weight tensors must have the same type');
        if (w.dtype !== 'int8') ctx.unsupported(`${w.dtype} weights are not supported (int8 only)`);
      }
      if (wxT.shape.length !== 2 || wxT.shape[0] !== nState || wxT.shape[1] !== nIn) {
        ctx.unsupported(`${g.name} input weights must be [${nState}, ${nIn}], got [${wxT.shape.join(', ')}]`);
      }
      if (whT.shape.length !== 2 || whT.shape[0] !== nState || whT.shape[1] !== nState) {
        ctx.unsupported(`${g.name} recurrent weights must be [${nState}, ${nState}], got [${whT.shape.join(', ')}]`);
      }
      if (bT.dtype !== 'int32') ctx.unsupported(`${bT.dtype} ${g.name} gate bias is not supported (int32 only)`);
      if (bT.shape.length !== 1 || bT.shape[0] !== nState) ctx.unsupported(`${g.name} gate bias must be [${nState}]`);

      // Per-tensor FC multiplier: float32 product of the scales, double division.
      const mx = quantizeMultiplier(f32(sIn * weightScale(ctx, wxT, g.name + ' input')) / gateScale);
      const mh = quantizeMultiplier(f32(sH * weightScale(ctx, whT, g.name + ' recurrent')) / gateScale);
      multX[k] = mx.multiplier;
      shiftX[k] = mx.shift;
      multH[k] = mh.multiplier;
      shiftH[k] = mh.shift;

      const a = ctx.int8(wxT);
      const r = ctx.int8(whT);
      const bias = ctx.int32(bT);
      wx.set(a, k * nState * nIn);
      wh.set(r, k * nState * nState);
      for (let j = 0; j < nState; j++) {
        let sx = 0;
        for (let d = 0; d < nIn; d++) sx += a[j * nIn + d]!;
        let sh = 0;
        for (let d = 0; d < nState; d++) sh += r[j * nState + d]!;
        biasX[k * nState + j] = bias[j]! - zpIn * sx;
        biasH[k * nState + j] = -zpH * sh;
      }
    });

    // Elementwise products (CreateInterGateMulParams): scales multiplied and divided in double.
    const gateOut = 2 ** -15;
    const fc = quantizeMultiplier((gateOut * sC) / sC);
    const ig = quantizeMultiplier((gateOut * gateOut) / sC);
    const ho = quantizeMultiplier((gateOut * gateOut) / sH);

    let tanhShift = 12 + checkedLog2(sC).log2;
    let tanhMult = 0;
    if (tanhShift < 0) {
      tanhShift = -tanhShift;
      tanhMult = 3;
    }

    const cellClip = opts.cellClip ?? 0;
    let clip = 0;
    if (cellClip > 0) clip = Math.trunc(Math.min(Math.max(cellClip / sC, -32768), 32767));

    // Row-step schedule in TFLM's order (offsets into input, states and output).
    const schedule = new Int32Array(3 * batch * steps);
    let n = 0;
    if (timeMajor) {
      for (let t = 0; t < steps; t++) {
        for (let b = 0; b < batch; b++) {
          schedule[n++] = (t * batch + b) * nIn;
          schedule[n++] = b * nState;
          schedule[n++] = (t * batch + b) * nState;
        }
      }
    } else {
      for (let b = 0; b < batch; b++) {
        for (let t = 0; t < steps; t++) {
          schedule[n++] = (b * steps + t) * nIn;
          schedule[n++] = b * nState;
          schedule[n++] = (b * steps + t) * nState;
        }
      }
    }

    const pack = nIn <= PACK_MAX_DEPTH && nState <= PACK_MAX_DEPTH;
    return {
      input: ctx.int8(input),
      output: ctx.int8(outputT),
      hidden: ctx.int8(hiddenT),
      cell: ctx.int16(cellT),
      nIn,
      nState,
      schedule,
      wx,
      wh,
      biasX,
      biasH,
      multX,
      shiftX,
      multH,
      shiftH,
      fcMult: fc.multiplier,
      fcShift: fc.shift,
      igMult: ig.multiplier,
      igShift: ig.shift,
      hMult: ho.multiplier,
      hShift: ho.shift,
      hZeroPoint: zpH,
      cellTanhMult: tanhMult,
      cellTanhShift: tanhShift,
      doClip: cellClip > 0,
      clip,
      gates: doubleArray(4 * nState),
      dotX: doubleArray(4 * nState),
      dotH: doubleArray(4 * nState),
      packedX: pack ? packRowPairs(wx, 0, 4 * nState, nIn) : null,
      packedH: pack ? packRowPairs(wh, 0, 4 * nState, nState) : null,
      xF: doubleArray(pack ? nIn : 0),
      hF: doubleArray(pack ? nState : 0),
      biasXF: toDoubleArray(biasX),
      biasHF: toDoubleArray(biasH),
      fx: oneStepArrays(multX, shiftX),
      fh: oneStepArrays(multH, shiftH),
      multXF: toDoubleArray(multX),
      shiftXF: toDoubleArray(shiftX),
      multHF: toDoubleArray(multH),
      shiftHF: toDoubleArray(shiftH),
      fcOne: fuseOne(fc.multiplier, fc.shift),
      igOne: fuseOne(ig.multiplier, ig.shift),
      hOne: fuseOne(ho.multiplier, ho.shift),
      cellTanh: activationScale(tanhMult, tanhShift),
    };
  },
  eval(d) {
    const s = d.schedule;
    for (let k = 0; k < s.length; k += 3) rowStep(d, s[k]!, s[k + 1]!, s[k + 2]!);
  },
};

/**
 * out[r] = sum_i w[r * n + i] * x[xOff + i] for r < rows, as a wrapping int32
 * (C's int32 accumulator). Four rows share each x load, and the int32 adds
 * keep the loop-carried dependency short (a single double accumulator made
 * this loop latency-bound). The sums are congruent mod 2^32 to the exact
 * ones, so adding the folded bias term and wrapping with `| 0` gives the same
 * int32 as the exact sum would.
 */
function rowDots(w: Int8Array, rows: number, n: number, x: Int8Array, xOff: number, out: number[]): void {
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const w0 = r * n;
    const w1 = w0 + n;
    const w2 = w1 + n;
    const w3 = w2 + n;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let i = 0; i < n; i++) {
      const v = x[xOff + i]!;
      a0 = (a0 + w[w0 + i]! * v) | 0;
      a1 = (a1 + w[w1 + i]! * v) | 0;
      a2 = (a2 + w[w2 + i]! * v) | 0;
      a3 = (a3 + w[w3 + i]! * v) | 0;
    }
    out[r] = a0;
    out[r + 1] = a1;
    out[r + 2] = a2;
    out[r + 3] = a3;
  }
  for (; r < rows; r++) {
    const wo = r * n;
    let a = 0;
    for (let i = 0; i < n; i++) a = (a + w[wo + i]! * x[xOff + i]!) | 0;
    out[r] = a;
  }
}

/**
 * The four activated gates of one row: two int16-clamped FCs, a saturating
 * add, then sigmoid (forget, input, output) or tanh (cell), all with input
 * scaling (0, 0), i.e. x * 3. Kept out of rowStep: there, the
 * on-stack-replacement code V8 compiled during the first long MAC loop
 * deoptimized on every call at the not-yet-run code after it (a repeated
 * "insufficient type feedback" deopt).
 */
function gates(d: OpData, inOff: number, stOff: number): void {
  const { input, hidden, nIn, nState, wx, wh, biasXF, biasHF, gates, dotX, dotH, packedX, packedH } = d;
  if (packedX !== null && packedH !== null) {
    const { xF, hF } = d;
    for (let i = 0; i < nIn; i++) xF[i] = input[inOff + i]!;
    for (let i = 0; i < nState; i++) hF[i] = hidden[stOff + i]!;
    packedRowDots(packedX, 4 * nState, nIn, xF, dotX, 0);
    packedRowDots(packedH, 4 * nState, nState, hF, dotH, 0);
  } else {
    rowDots(wx, 4 * nState, nIn, input, inOff, dotX);
    rowDots(wh, 4 * nState, nState, hidden, stOff, dotH);
  }
  const { fx, fh, multXF, shiftXF, multHF, shiftHF } = d;
  for (let g = 0; g < 4; g++) {
    const xm = fx.multiplier[g]!;
    const xl = fx.leftMul[g]!;
    const xrp = fx.roundPos[g]!;
    const xrn = fx.roundNeg[g]!;
    const xs = fx.scale[g]!;
    const xqm = multXF[g]!;
    const xsh = shiftXF[g]!;
    const hm = fh.multiplier[g]!;
    const hl = fh.leftMul[g]!;
    const hrp = fh.roundPos[g]!;
    const hrn = fh.roundNeg[g]!;
    const hs = fh.scale[g]!;
    const hqm = multHF[g]!;
    const hsh = shiftHF[g]!;
    const tanhGate = g === 2;
    const end = (g + 1) * nState;
    for (let row = g * nState; row < end; row++) {
      let a = fusedMultiplyChecked((biasXF[row]! + dotX[row]!) | 0, xl, xm, xrp, xrn, xs, xqm, xsh);
      a = a > 32767 ? 32767 : a < -32768 ? -32768 : a;
      let b = fusedMultiplyChecked((biasHF[row]! + dotH[row]!) | 0, hl, hm, hrp, hrn, hs, hqm, hsh);
      b = b > 32767 ? 32767 : b < -32768 ? -32768 : b;
      let sum = a + b;
      sum = sum > 32767 ? 32767 : sum < -32768 ? -32768 : sum;
      gates[row] = tanhGate ? tanhQ15(sum * 3) : sigmoidQ15(sum * 3);
    }
  }
}

/** One time step of one batch row (LstmStep restricted to a single row). */
function rowStep(d: OpData, inOff: number, stOff: number, outOff: number): void {
  gates(d, inOff, stOff);
  cellAndHidden(d, stOff, outOff);
}

/**
 * Per unit: c = sat16(clamp16(f*c) + clamp16(i*g)) with the optional clip,
 * then h = clamp8(zp_h + tanh(c) * o), written to the hidden state and the
 * output row. (TFLM runs each stage over the whole row; every unit depends on
 * its own values only.)
 */
function cellAndHidden(d: OpData, stOff: number, outOff: number): void {
  const { hidden, cell, output, nState, gates, doClip, clip, hZeroPoint, fcOne, igOne, hOne, cellTanh } = d;
  const { fcMult, fcShift, igMult, igShift, hMult, hShift } = d;
  const fcm = fcOne.multiplier, fcl = fcOne.leftMul, fcrp = fcOne.roundPos, fcrn = fcOne.roundNeg, fcs = fcOne.scale;
  const igm = igOne.multiplier, igl = igOne.leftMul, igrp = igOne.roundPos, igrn = igOne.roundNeg, igs = igOne.scale;
  const hm = hOne.multiplier, hl = hOne.leftMul, hrp = hOne.roundPos, hrn = hOne.roundNeg, hs = hOne.scale;
  const tm = cellTanh.mul, tr = cellTanh.round, tsh = cellTanh.shift;
  for (let j = 0; j < nState; j++) {
    const f = gates[j]!;
    const i = gates[nState + j]!;
    const g = gates[2 * nState + j]!;
    const o = gates[3 * nState + j]!;
    let fc = fusedMultiplyChecked(f * cell[stOff + j]!, fcl, fcm, fcrp, fcrn, fcs, fcMult, fcShift);
    fc = fc > 32767 ? 32767 : fc < -32768 ? -32768 : fc;
    let ig = fusedMultiplyChecked(i * g, igl, igm, igrp, igrn, igs, igMult, igShift);
    ig = ig > 32767 ? 32767 : ig < -32768 ? -32768 : ig;
    let c = fc + ig;
    c = c > 32767 ? 32767 : c < -32768 ? -32768 : c;
    if (doClip) c = c > clip ? clip : c < -clip ? -clip : c;
    cell[stOff + j] = c;
    const t = tanhQ15(((Math.imul(c, tm) + tr) | 0) >> tsh);
    let h = hZeroPoint + fusedMultiplyChecked(t * o, hl, hm, hrp, hrn, hs, hMult, hShift);
    h = h > 127 ? 127 : h < -128 ? -128 : h;
    hidden[stOff + j] = h;
    output[outOff + j] = h;
  }
}
