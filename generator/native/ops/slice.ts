/** SLICE: the simulator's copy plan (sim/kernels/slice.ts) as strided loops. */
import { sliceKernel } from '../../../sim/kernels/slice.js';
import type { OpEmitter } from '../types.js';
import { simPrepare } from './_sim_prepare.js';
import { emitCopyPlan } from './_copy.js';

export const sliceEmitter: OpEmitter = {
  ops: ['SLICE'],
  emit(ctx) {
    const d = simPrepare(ctx, sliceKernel);
    return emitCopyPlan(ctx, d.plan, ctx.input(0)!.index, ctx.output(0).index);
  },
};
