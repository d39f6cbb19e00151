/**
 * SVDF int8 with int16 or int8 state (sim/kernels/svdf.ts) -> kernels/svdf.h.
 * Multipliers and the zero-point terms folded out of both matmuls come from
 * the simulator's prepare. The state is the variable tensor, which the
 * generator keeps in a persistent array (tf_reset() sets it to its zero point).
 * The feature weights are regrouped for the shared multiply-accumulate loop
 * (kernels/mac.h). Scratch: the time-matmul results, batches * filters int32.
 */
import { svdfKernel } from '../../../sim/kernels/svdf.js';
import type { CType, OpEmitter } from '../types.js';
import { simPrepare, targs, wrap32 } from './_sim_prepare.js';
import { dot4Block } from './_conv_geometry.js';

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
    ctx.kernel('mac');
    ctx.kernel('svdf');
    // Feature weights in blocks of 4 filters, dot4 layout (kernels/mac.h); zero rows pad the last block.
    const wfData = new Int8Array(wf.data!.buffer, wf.data!.byteOffset, wf.elements);
    const blocks = (d.filters + 3) >> 2;
    const wf4 = new Int8Array(blocks * 4 * d.inputSize);
    for (let b = 0; b < blocks; b++) {
      dot4Block(d.inputSize, d.inputSize, (j, i) => (b * 4 + j < d.filters ? wfData[(b * 4 + j) * d.inputSize + i]! : 0), wf4, b * d.inputSize * 4);
    }
    const wfName = ctx.constant('feature_weights', 'int8_t', wf4);
    const featureTerm = ctx.constant('feature_term', 'int32_t', Int32Array.from(d.featureRowTerm, (v) => wrap32(v)));
    const timeTerm = ctx.constant('time_term', 'int32_t', Int32Array.from(d.timeRowTerm, (v) => wrap32(v)));
    const args = targs([t, d.stateMin, d.stateMax, d.batches, d.inputSize, d.filters, d.units, d.rank, d.memory, d.m1, d.s1, d.m2, d.s2, d.stateZeroPoint, d.outputZeroPoint]);
    return `tf_svdf<${args}>(${ctx.ptr(input.index, 'int8_t')}, ${wfName}, ${featureTerm}, ${ctx.ptr(wt.index, t)}, ${timeTerm}, ${ctx.ptr(bias.index, 'int32_t')}, ${ctx.ptr(state.index, t)}, ${ctx.scratch('int32_t')}, ${ctx.ptr(output.index, 'int8_t')});`;
  },
};
