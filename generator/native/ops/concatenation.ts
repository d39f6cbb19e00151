/** CONCATENATION: one copy plan per input from the simulator (sim/kernels/concatenation.ts). */
import { concatenationKernel } from '../../../sim/kernels/concatenation.js';
import type { OpEmitter } from '../types.js';
import { simPrepare } from './_sim_prepare.js';
import { emitCopyPlan } from './_copy.js';

export const concatenationEmitter: OpEmitter = {
  ops: ['CONCATENATION'],
  emit(ctx) {
    const d = simPrepare(ctx, concatenationKernel);
    const dst = ctx.output(0).index;
    return d.plans.map((p, i) => emitCopyPlan(ctx, p, ctx.input(i)!.index, dst)).join('\n    ');
  },
};
