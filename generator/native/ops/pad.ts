/**
 * PAD and PADV2 (constant pad value) -> kernels/pad.h, a raw word copy.
 * The simulator's prepare (sim/kernels/pad.ts) validates the paddings and
 * supplies the pad word (constant_values, or the output zero point for int8).
 */
import { padKernel } from '../../../sim/kernels/pad.js';
import { DTYPE_BYTES } from '../../../sim/ir/types.js';
import type { OpEmitter } from '../types.js';
import { rank5, simPrepare, targs, wordType } from './_sim_prepare.js';

export const padEmitter: OpEmitter = {
  ops: ['PAD', 'PADV2'],
  emit(ctx) {
    const d = simPrepare(ctx, padKernel);
    if (d.runtimeValue !== null) return ctx.unsupported('a pad value computed at run time is not supported by the native engine (it must be a constant)');
    const input = ctx.input(0)!;
    const output = ctx.output(0);
    const w = wordType(DTYPE_BYTES[input.dtype] ?? 0);
    if (!w) return ctx.unsupported(`${input.dtype} tensors are not supported`);
    const p = ctx.input(1)!;
    const pads = new Int32Array(p.data!.buffer.slice(p.data!.byteOffset, p.data!.byteOffset + p.data!.byteLength));
    const rank = input.shape.length;
    const before = rank5(Array.from({ length: rank }, (_, i) => pads[2 * i]!), 0);
    const dims = rank5(input.shape);
    const out = rank5(output.shape);
    ctx.kernel('pad');
    const t = targs([w, ...dims, ...before, out[1]!, out[2]!, out[3]!, out[4]!, output.elements]);
    return `tf_pad<${t}>(${ctx.ptr(input.index, w)}, (${w})${d.plan.fill >>> 0}u, ${ctx.ptr(output.index, w)});`;
  },
};
