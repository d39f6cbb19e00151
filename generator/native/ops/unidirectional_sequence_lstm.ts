/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations / int8 weights / int16 cell
 * (sim/kernels/unidirectional_sequence_lstm.ts) -> kernels/lstm_s8.h.
 * From the simulator's prepare: the four gates' weights packed in TFLM's gate
 * order, the biases with the zero points folded in, every multiplier and
 * shift, the cell clip and the tanh(cell) scaling. The hidden and cell states
 * are variable tensors in persistent arrays (reset by tf_reset()).
 * Scratch: the gates of one row and tanh(cell), 5 * units int16.
 */
import { unidirectionalSequenceLstmKernel } from '../../../sim/kernels/unidirectional_sequence_lstm.js';
import type { OpEmitter } from '../types.js';
import { simPrepare, targs, wrap32 } from './_sim_prepare.js';
import { int16ActScaling, sigmoidTable } from './_lut.js';

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
    ctx.kernel('lstm_s8');
    const wx = ctx.constant('wx', 'int8_t', d.wx);
    const wh = ctx.constant('wh', 'int8_t', d.wh);
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
