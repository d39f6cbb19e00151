/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations / int8 weights / int16 cell
 * (sim/kernels/unidirectional_sequence_lstm.ts) -> kernels/lstm_s8.h.
 * From the simulator's prepare: the four gates' weights packed in TFLM's gate
 * order, the biases with the zero points folded in, every multiplier and
 * shift, the cell clip and the tanh(cell) scaling. The hidden and cell states
 * are variable tensors in persistent arrays (reset by tf_reset()).
 * Weights are regrouped in blocks of 4 rows for the shared multiply-accumulate
 * loop (kernels/mac.h, SMLAD on cores with the DSP extension).
 * Scratch: the gates of one row and tanh(cell), 5 * units int16.
 */
import { unidirectionalSequenceLstmKernel } from '../../../sim/kernels/unidirectional_sequence_lstm.js';
import type { OpEmitter } from '../types.js';
import { simPrepare, targs, wrap32 } from './_sim_prepare.js';
import { int16ActScaling, sigmoidTable } from './_lut.js';
import { dot4Block } from './_conv_geometry.js';

export const unidirectionalSequenceLstmEmitter: OpEmitter = {
  ops: ['UNIDIRECTIONAL_SEQUENCE_LSTM'],
  scratchBytes(sg, op) {
    const hidden = sg.tensors[op.inputs[18] ?? -1];
    return hidden && hidden.shape.length === 2 ? 10 * hidden.shape[1]! : 0;
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
    ctx.kernel('int16_act');
    ctx.kernel('mac');
    ctx.kernel('lstm_s8');
    // The 4 * units packed rows in blocks of 4 consecutive rows, dot4 layout (kernels/mac.h).
    const dot4 = (w: Int8Array, depth: number): Int8Array => {
      const out = new Int8Array(w.length);
      for (let b = 0; b < d.nState; b++) dot4Block(depth, depth, (j, i) => w[(b * 4 + j) * depth + i]!, out, b * depth * 4);
      return out;
    };
    const wx = ctx.constant('wx', 'int8_t', dot4(d.wx, d.nIn));
    const wh = ctx.constant('wh', 'int8_t', dot4(d.wh, d.nState));
    const bx = ctx.constant('bias_x', 'int32_t', Int32Array.from(d.biasX, (v) => wrap32(v)));
    const bh = ctx.constant('bias_h', 'int32_t', Int32Array.from(d.biasH, (v) => wrap32(v)));
    const [tanhMul, tanhShift] = int16ActScaling(d.cellTanhMult, d.cellTanhShift);
    const list = (a: Int32Array) => `{ ${targs(Array.from(a))} }`;
    const q = [
      list(d.multX), list(d.shiftX), list(d.multH), list(d.shiftH),
      targs([d.fcMult, d.fcShift, d.igMult, d.igShift, d.hMult, d.hShift, d.hZeroPoint, tanhMul, tanhShift, d.doClip ? 1 : 0, d.clip]),
    ].join(', ');
    const t = targs([d.nIn, d.nState, batch, steps, timeMajor ? 1 : 0]);
    return `static const tf_lstm_s8_q q = { ${q} };\n    tf_lstm_s8<${t}>(q, ${ctx.ptr(input.index, 'int8_t')}, ${wx}, ${wh}, ${bx}, ${bh}, ${ctx.ptr(hidden.index, 'int8_t')}, ${ctx.ptr(cell.index, 'int16_t')}, ${ctx.ptr(output.index, 'int8_t')}, ${ctx.scratch('int16_t')}, ${sigmoidTable(ctx)});`;
  },
};
