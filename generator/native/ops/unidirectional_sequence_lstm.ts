/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations / int8 weights / int16 cell
 * (sim/kernels/unidirectional_sequence_lstm.ts) -> kernels/lstm_s8.h.
 * From the simulator's prepare: the four gates' weights packed in TFLM's gate
 * order, the biases with the zero points folded in, every multiplier and
 * shift, the cell clip and the tanh(cell) scaling. The hidden and cell states
 * are variable tensors in persistent arrays (reset by tf_reset()).
 * The four gate rows of each unit come together (per unit: forget, input,
 * cell, output), so the kernel updates a unit's cell and hidden value right
 * after its gates, and every requantization is a compile-time constant.
 * Recurrent weights: per unit the 4 rows in the dot4 layout of kernels/mac.h.
 * Input weights: with two or more rows (steps x batch), per unit the row
 * pairs (forget, input) and (cell, output) in the kernel's pair layout, so
 * the input FC (independent of the state) runs for two rows at once; with a
 * single row, dot4 like the recurrent weights.
 * Scratch: the input-FC results of two rows, 8 * units int16, and the input
 * rows and hidden state widened to int16 for the DSP loops.
 */
import { unidirectionalSequenceLstmKernel } from '../../../sim/kernels/unidirectional_sequence_lstm.js';
import type { OpEmitter } from '../types.js';
import { simPrepare, targs, wrap32 } from './_sim_prepare.js';
import { int16ActScaling, sigmoidTable } from './_lut.js';
import { dot4Block } from './_conv_geometry.js';

export const unidirectionalSequenceLstmEmitter: OpEmitter = {
  ops: ['UNIDIRECTIONAL_SEQUENCE_LSTM'],
  scratchBytes(sg, op) {
    const input = sg.tensors[op.inputs[0] ?? -1];
    const hidden = sg.tensors[op.inputs[18] ?? -1];
    if (!input || input.shape.length !== 3 || !hidden || hidden.shape.length !== 2) return 0;
    const n = hidden.shape[1]!;
    const quads = (k: number) => (k >> 2) * 4;
    const pair = input.shape[0]! * input.shape[1]! >= 2;
    // Kernel scratch (kernels/lstm_s8.h): the input-FC parts of two rows, the widened input rows and hidden state.
    return (pair ? 16 * n : 0) + 2 * (pair ? 2 : 1) * quads(input.shape[2]!) + 2 * quads(n);
  },
  emit(ctx) {
    const d = simPrepare(ctx, unidirectionalSequenceLstmKernel);
    const input = ctx.input(0)!;
    const hidden = ctx.input(18)!;
    const cell = ctx.input(19)!;
    const output = ctx.output(0);
    const timeMajor = (ctx.op.options as { timeMajor?: boolean }).timeMajor === true;
    const batch = timeMajor ? input.shape[1]! : input.shape[0]!;
    const steps = timeMajor ? input.shape[0]! : input.shape[1]!;
    // The kernel walks the rows in the order of the simulator's schedule; check that it is the same.
    for (let k = 0, n = 0; k < (timeMajor ? steps : batch); k++) {
      for (let j = 0; j < (timeMajor ? batch : steps); j++, n++) {
        const row = k * (timeMajor ? batch : steps) + j;
        const b = timeMajor ? j : k;
        if (d.schedule[3 * n] !== row * d.nIn || d.schedule[3 * n + 1] !== b * d.nState || d.schedule[3 * n + 2] !== row * d.nState) {
          return ctx.unsupported('internal: the row schedule does not match the kernel walk');
        }
      }
    }
    if (d.nIn * 16384 >= 2 ** 31 || d.nState * 16384 >= 2 ** 31) return ctx.unsupported('the gate dot products could overflow int32');
    const shifts = [...d.shiftX, ...d.shiftH, d.fcShift, d.igShift, d.hShift];
    const mults = [...d.multX, ...d.multH, d.fcMult, d.igMult, d.hMult];
    if (shifts.some((v) => v < -31 || v > 30) || mults.some((v) => v !== 0 && (v < 2 ** 30 || v >= 2 ** 31))) {
      return ctx.unsupported('internal: a multiplier or shift is outside QuantizeMultiplier\'s range');
    }
    ctx.kernel('int16_act');
    ctx.kernel('requant');
    ctx.kernel('mac');
    ctx.kernel('lstm_s8');
    const n = d.nState;
    const rows = batch * steps;
    const pair = rows >= 2;
    // Row of gate g (0 forget, 1 input, 2 cell, 3 output) for unit j in the packed [4 * n] arrays.
    const gateRow = (g: number, j: number) => g * n + j;
    const dot4Units = (w: Int8Array, depth: number): Int8Array => {
      const out = new Int8Array(w.length);
      for (let j = 0; j < n; j++) dot4Block(depth, depth, (g, i) => w[gateRow(g, j) * depth + i]!, out, j * depth * 4);
      return out;
    };
    // Pair layout: per 4 inputs row a's 4 weights then row b's, then (a, b) per remaining input.
    const pairUnits = (w: Int8Array, depth: number): Int8Array => {
      const out = new Int8Array(w.length);
      const quads = depth >> 2;
      let o = 0;
      for (let j = 0; j < n; j++) {
        for (const [ga, gb] of [[0, 1], [2, 3]] as const) {
          const ra = gateRow(ga, j) * depth;
          const rb = gateRow(gb, j) * depth;
          for (let q = 0; q < quads; q++) {
            for (let i = 0; i < 4; i++) out[o + i] = w[ra + 4 * q + i]!;
            for (let i = 0; i < 4; i++) out[o + 4 + i] = w[rb + 4 * q + i]!;
            o += 8;
          }
          for (let i = quads * 4; i < depth; i++) {
            out[o++] = w[ra + i]!;
            out[o++] = w[rb + i]!;
          }
        }
      }
      return out;
    };
    const byUnit = (bias: Float64Array) => Int32Array.from({ length: 4 * n }, (_, k) => wrap32(bias[gateRow(k & 3, k >> 2)]!));
    const wx = ctx.constant('wx', 'int8_t', pair ? pairUnits(d.wx, d.nIn) : dot4Units(d.wx, d.nIn));
    const wh = ctx.constant('wh', 'int8_t', dot4Units(d.wh, n));
    const bx = ctx.constant('bias_x', 'int32_t', byUnit(d.biasX));
    const bh = ctx.constant('bias_h', 'int32_t', byUnit(d.biasH));
    const [tanhMul, tanhShift] = int16ActScaling(d.cellTanhMult, d.cellTanhShift);
    // Whether |accumulator << max(shift, 0)| < 2^30 holds for every row of gate g (int8 inputs: |x| <= 128).
    const small = (w: Int8Array, depth: number, bias: Float64Array, g: number, shift: number): number => {
      let worst = 0;
      for (let j = 0; j < n; j++) {
        const row = gateRow(g, j);
        let s = 0;
        for (let i = 0; i < depth; i++) s += Math.abs(w[row * depth + i]!);
        worst = Math.max(worst, Math.abs(bias[row]!) + 128 * s);
      }
      return worst * 2 ** Math.max(shift, 0) < 2 ** 30 ? 1 : 0;
    };
    const gate = (g: number) => `tf_lstm_gate<${targs([d.multX[g]!, d.shiftX[g]!, d.multH[g]!, d.shiftH[g]!, small(d.wx, d.nIn, d.biasX, g, d.shiftX[g]!), small(d.wh, n, d.biasH, g, d.shiftH[g]!)])}>`;
    const cellQ = `tf_lstm_cell<${targs([d.fcMult, d.fcShift, d.igMult, d.igShift, d.hMult, d.hShift, d.hZeroPoint, tanhMul, tanhShift, d.doClip ? 1 : 0, d.clip])}>`;
    const t = `${targs([d.nIn, n, batch, steps, timeMajor ? 1 : 0, pair ? 1 : 0])}, ${[0, 1, 2, 3].map(gate).join(', ')}, ${cellQ}`;
    return `tf_lstm_s8<${t}>(${ctx.ptr(input.index, 'int8_t')}, ${wx}, ${wh}, ${bx}, ${bh}, ${ctx.ptr(hidden.index, 'int8_t')}, ${ctx.ptr(cell.index, 'int16_t')}, ${ctx.ptr(output.index, 'int8_t')}, ${ctx.scratch('int16_t')}, ${sigmoidTable(ctx)});`;
  },
};
