/**
 * TRANSPOSE -> kernels/transpose.h, a raw permuting word copy. The simulator's
 * prepare (sim/kernels/transpose.ts) validates perm and the output shape.
 */
import { transposeKernel } from '../../../sim/kernels/transpose.js';
import { DTYPE_BYTES } from '../../../sim/ir/types.js';
import type { OpEmitter } from '../types.js';
import { rank5, simPrepare, targs, wordType } from './_sim_prepare.js';

export const transposeEmitter: OpEmitter = {
  ops: ['TRANSPOSE'],
  emit(ctx) {
    simPrepare(ctx, transposeKernel);
    const input = ctx.input(0)!;
    const output = ctx.output(0);
    const w = wordType(DTYPE_BYTES[input.dtype] ?? 0);
    if (!w) return ctx.unsupported(`${input.dtype} tensors are not supported`);
    const p = ctx.input(1)!;
    const perm = new Int32Array(p.data!.buffer.slice(p.data!.byteOffset, p.data!.byteOffset + p.data!.byteLength));
    const rank = input.shape.length;
    const inStrides = new Array<number>(rank);
    let acc = 1;
    for (let i = rank - 1; i >= 0; i--) {
      inStrides[i] = acc;
      acc *= input.shape[i]!;
    }
    const walk = rank5(Array.from(perm, (a) => inStrides[a]!), 0);
    const out = rank5(output.shape);
    ctx.kernel('transpose');
    const t = targs([w, ...out, ...walk]);
    return `tf_transpose<${t}>(${ctx.ptr(input.index, w)}, ${ctx.ptr(output.index, w)});`;
  },
};
