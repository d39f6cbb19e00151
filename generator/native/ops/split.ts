/** SPLIT / SPLIT_V: one copy plan per output from the simulator (sim/kernels/split.ts, split_v.ts). */
import { splitKernel } from '../../../sim/kernels/split.js';
import { splitVKernel } from '../../../sim/kernels/split_v.js';
import type { OpEmitter } from '../types.js';
import { simPrepare } from './_sim_prepare.js';
import { emitCopyPlan } from './_copy.js';

export const splitEmitter: OpEmitter = {
  ops: ['SPLIT', 'SPLIT_V'],
  emit(ctx) {
    const v = ctx.op.op === 'SPLIT_V';
    const d = simPrepare(ctx, v ? splitVKernel : splitKernel);
    const src = ctx.input(v ? 0 : 1)!.index;
    return d.plans.map((p, i) => emitCopyPlan(ctx, p, src, ctx.output(i).index)).join('\n    ');
  },
};
