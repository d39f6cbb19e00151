/** STRIDED_SLICE: the simulator's copy plan (sim/kernels/strided_slice.ts) as strided loops. */
import { stridedSliceKernel } from '../../../sim/kernels/strided_slice.js';
import type { OpEmitter } from '../types.js';
import { simPrepare } from './_sim_prepare.js';
import { emitCopyPlan } from './_copy.js';

export const stridedSliceEmitter: OpEmitter = {
  ops: ['STRIDED_SLICE'],
  emit(ctx) {
    const d = simPrepare(ctx, stridedSliceKernel);
    return emitCopyPlan(ctx, d.plan, ctx.input(0)!.index, ctx.output(0).index);
  },
};
