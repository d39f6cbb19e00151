/**
 * SVDF int8 with int16 or int8 state (sim/kernels/svdf.ts) -> kernels/svdf.h.
 * Multipliers and the zero-point terms folded out of both matmuls come from
 * the simulator's prepare. The state is the variable tensor, which the
 * generator keeps in a persistent array (tf_reset() sets it to its zero point).
 * Scratch: the time-matmul results, batches * filters int32.
 */
import { svdfKernel } from '../../../sim/kernels/svdf.js';
import type { CType, OpEmitter } from '../types.js';
import { simPrepare, targs, wrap32 } from './_sim_prepare.js';

export const svdfEmitter: OpEmitter = {
  ops: ['SVDF'],
  scratchBytes(sg, op) {
    const input = sg.tensors[op.inputs[0] ?? -1];
    const wf = sg.tensors[op.inputs[1] ?? -1];
    return input && wf && input.shape.length === 2 ? input.shape[0]! * wf.shape[0]! * 4 : 0;
  },
  emit(ctx) {
    const d = simPrepare(ctx, svdfKernel);
    const input = ctx.input(0)!;
    const wf = ctx.input(1)!;
    const wt = ctx.input(2)!;
    const bias = ctx.input(3)!;
    const state = ctx.input(4)!;
    const output = ctx.output(0);
    const t: CType = state.dtype === 'int8' ? 'int8_t' : 'int16_t';
    ctx.kernel('svdf');
    const featureTerm = ctx.constant('feature_term', 'int32_t', Int32Array.from(d.featureRowTerm, (v) => wrap32(v)));
    const timeTerm = ctx.constant('time_term', 'int32_t', Int32Array.from(d.timeRowTerm, (v) => wrap32(v)));
    const args = targs([t, d.stateMin, d.stateMax, d.batches, d.inputSize, d.filters, d.units, d.rank, d.memory, d.m1, d.s1, d.m2, d.s2, d.stateZeroPoint, d.outputZeroPoint]);
    return `tf_svdf<${args}>(${ctx.ptr(input.index, 'int8_t')}, ${ctx.ptr(wf.index, 'int8_t')}, ${featureTerm}, ${ctx.ptr(wt.index, t)}, ${timeTerm}, ${ctx.ptr(bias.index, 'int32_t')}, ${ctx.ptr(state.index, t)}, ${ctx.scratch('int32_t')}, ${ctx.ptr(output.index, 'int8_t')});`;
  },
};
