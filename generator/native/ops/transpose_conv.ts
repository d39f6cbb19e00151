/**
 * TRANSPOSE_CONV int8 / int16 x int8 (sim/kernels/transpose_conv.ts) ->
 * kernels/transpose_conv.h. Padding (from the OUTPUT size, TFLM's trap),
 * per-channel multipliers, activation range and bias values come from the
 * simulator's prepare; the filter is the model's own [out_C][H][W][in_C].
 * Scratch: one accumulator per output element (int32 / int64).
 */
import { transposeConvKernel } from '../../../sim/kernels/transpose_conv.js';
import type { OpEmitter } from '../types.js';
import { simPrepare, targs } from './_sim_prepare.js';

export const transposeConvEmitter: OpEmitter = {
  ops: ['TRANSPOSE_CONV'],
  scratchBytes(sg, op) {
    const out = sg.tensors[op.outputs[0]!];
    const input = sg.tensors[op.inputs[2] ?? -1];
    if (!out || !input) return 0;
    return out.elements * (input.dtype === 'int16' ? 8 : 4);
  },
  emit(ctx) {
    const d = simPrepare(ctx, transposeConvKernel);
    const filter = ctx.input(1)!;
    const input = ctx.input(2)!;
    const output = ctx.output(0);
    const bias = ctx.op.inputs.length >= 4 ? ctx.input(3) : null;
    const { rq } = d;
    ctx.kernel('transpose_conv');
    const mult = ctx.constant('multiplier', 'int32_t', rq.multiplier);
    const shift = ctx.constant('shift', 'int32_t', rq.shift);
    const w = ctx.ptr(filter.index, 'int8_t');
    const geometry = [d.batches, d.inH, d.inW, d.inC, d.outH, d.outW, d.outC, d.filterH, d.filterW, d.strideH, d.strideW, d.padH, d.padW];
    if (input.dtype === 'int8') {
      const b = bias ? ctx.constant('bias', 'int32_t', Int32Array.from(rq.bias)) : '(const int32_t*)0';
      const t = targs([...geometry, -d.inputOffset, rq.outZp, rq.actMin, rq.actMax]);
      return `tf_transpose_conv_s8<${t}>(${ctx.ptr(input.index, 'int8_t')}, ${w}, ${b}, ${mult}, ${shift}, ${ctx.ptr(output.index, 'int8_t')}, ${ctx.scratch('uint32_t')});`;
    }
    const b = bias ? ctx.constant('bias', 'int64_t', rq.biasBig ?? BigInt64Array.from(rq.bias, (v) => BigInt(v))) : '(const int64_t*)0';
    const t = targs([...geometry, rq.actMin, rq.actMax]);
    return `tf_transpose_conv_s16<${t}>(${ctx.ptr(input.index, 'int16_t')}, ${w}, ${b}, ${mult}, ${shift}, ${ctx.ptr(output.index, 'int16_t')}, ${ctx.scratch('int64_t')});`;
  },
};
