/**
 * MEAN, int8 and int16 -> kernels/mean.h. The multiplier with 1/N folded in,
 * zp_in * N and the clamp come from the simulator's prepare
 * (sim/kernels/_reduce_common.ts); the walk is described by the output stride
 * of each input dimension (0 for a reduced one), checked here against the
 * simulator's own element-to-output map. The per-output int32 sums live in
 * arena scratch.
 */
import type { Operator, Subgraph } from '../../../sim/ir/types.js';
import { meanKernel } from '../../../sim/kernels/mean.js';
import type { OpEmitter } from '../types.js';
import { rank5, simPrepare, targs, wrap32 } from './_sim_prepare.js';

export const meanEmitter: OpEmitter = {
  ops: ['MEAN'],
  scratchBytes(sg: Subgraph, op: Operator) {
    return sg.tensors[op.outputs[0]!]!.elements * 4;
  },
  emit(ctx) {
    const d = simPrepare(ctx, meanKernel);
    if (d.emptyInput) return ctx.unsupported('an empty input is not supported by the native engine');
    const input = ctx.input(0)!;
    const axisT = ctx.input(1)!;
    const rank = input.shape.length;
    const axes = new Int32Array(axisT.data!.buffer.slice(axisT.data!.byteOffset, axisT.data!.byteOffset + axisT.data!.byteLength));
    const reduced = new Array<boolean>(rank).fill(false);
    for (const a of axes) reduced[a < 0 ? a + rank : a] = true;
    const strides = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let i = rank - 1; i >= 0; i--) {
      if (!reduced[i]) {
        strides[i] = acc;
        acc *= input.shape[i]!;
      }
    }
    const dims = rank5(input.shape);
    const st = rank5(strides, 0);
    // The same walk as the kernel, against the simulator's map.
    let e = 0;
    for (let i0 = 0; i0 < dims[0]!; i0++) for (let i1 = 0; i1 < dims[1]!; i1++) for (let i2 = 0; i2 < dims[2]!; i2++) for (let i3 = 0; i3 < dims[3]!; i3++) for (let i4 = 0; i4 < dims[4]!; i4++) {
      const o = i0 * st[0]! + i1 * st[1]! + i2 * st[2]! + i3 * st[3]! + i4 * st[4]!;
      if (d.outIndex[e++] !== o) return ctx.unsupported('internal: MEAN walk disagrees with the simulator');
    }
    const ctype = d.input instanceof Int8Array ? 'int8_t' : 'int16_t';
    ctx.kernel('mean');
    const outCount = ctx.output(0).elements;
    const t = targs([ctype, ...dims, ...st, outCount, wrap32(d.zpTimesN), d.multiplier, d.shift, d.zpOut, d.qmin, d.qmax]);
    return `tf_mean<${t}>(${ctx.ptr(input.index, ctype)}, ${ctx.scratch('int32_t')}, ${ctx.ptr(ctx.output(0).index, ctype)});`;
  },
};
