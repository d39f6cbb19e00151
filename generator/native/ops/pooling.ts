/**
 * AVERAGE_POOL_2D and MAX_POOL_2D, int8 and int16 -> kernels/pooling.h.
 * Geometry and activation range from the simulator's prepare
 * (sim/kernels/_pool_common.ts).
 */
import { averagePool2dKernel } from '../../../sim/kernels/average_pool_2d.js';
import { maxPool2dKernel } from '../../../sim/kernels/max_pool_2d.js';
import type { OpEmitter } from '../types.js';
import { simPrepare, targs } from './_sim_prepare.js';

export const poolingEmitter: OpEmitter = {
  ops: ['AVERAGE_POOL_2D', 'MAX_POOL_2D'],
  emit(ctx) {
    const max = ctx.op.op === 'MAX_POOL_2D';
    const d = simPrepare(ctx, max ? maxPool2dKernel : averagePool2dKernel);
    const ctype = d.input instanceof Int8Array ? 'int8_t' : 'int16_t';
    ctx.kernel('pooling');
    const t = targs([ctype, d.batches, d.inH, d.inW, d.depth, d.outH, d.outW, d.filterH, d.filterW, d.strideH, d.strideW, d.padH, d.padW, d.actMin, d.actMax]);
    return `tf_${max ? 'max' : 'average'}_pool2d<${t}>(${ctx.ptr(ctx.input(0)!.index, ctype)}, ${ctx.ptr(ctx.output(0).index, ctype)});`;
  },
};
