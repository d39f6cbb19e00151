/**
 * SVDF int8 with int16 or int8 state (sim/kernels/svdf.ts) -> kernels/svdf.h.
 * Multipliers and the zero-point terms folded out of both matmuls come from
 * the simulator's prepare. The state is the variable tensor, which the
 * generator keeps in a persistent array (tf_reset() sets it to its zero point).
 * The feature weights are regrouped for the shared multiply-accumulate loop
 * (kernels/mac.h); the time weights stay in natural order (int16) or, int8
 * with a memory of a multiple of 4, become int16 in SXTB16 lane order
 * (kernels/svdf.h, tf_svdf_mem). The kernel moves each filter's memory while
 * it computes the time dot product and writes each unit as soon as its
 * filters are done: no scratch.
 */
import { svdfKernel } from '../../../sim/kernels/svdf.js';
import type { CType, OpEmitter } from '../types.js';
import { simPrepare, targs, wrap32 } from './_sim_prepare.js';
import { dot4Block } from './_conv_geometry.js';

export const svdfEmitter: OpEmitter = {
  ops: ['SVDF'],
  emit(ctx) {
    const d = simPrepare(ctx, svdfKernel);
    const input = ctx.input(0)!;
    const wf = ctx.input(1)!;
    const wt = ctx.input(2)!;
    const bias = ctx.input(3)!;
    const state = ctx.input(4)!;
    const output = ctx.output(0);
    const t: CType = state.dtype === 'int8' ? 'int8_t' : 'int16_t';
    ctx.kernel('requant');
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
    for (const [m, sh] of [[d.m1, d.s1], [d.m2, d.s2]] as const) {
      if (sh < -31 || sh > 30 || (m !== 0 && (m < 2 ** 30 || m >= 2 ** 31))) return ctx.unsupported('internal: a multiplier or shift is outside QuantizeMultiplier\'s range');
    }
    // Time weights: int8 with a memory of a multiple of 4 -> int16 (w0, w2, w1, w3) per 4 (mode 2);
    // int16 with an even memory (mode 1) or anything else (mode 0): the tensor as it is.
    let mode = 0;
    let wtName = ctx.ptr(wt.index, t);
    let wtType: CType = t;
    if (t === 'int8_t' && d.memory % 4 === 0 && wt.data) {
      const src = new Int8Array(wt.data.buffer, wt.data.byteOffset, wt.elements);
      const out = new Int16Array(wt.elements);
      for (let k = 0; k < wt.elements; k += 4) {
        out[k] = src[k]!;
        out[k + 1] = src[k + 2]!;
        out[k + 2] = src[k + 1]!;
        out[k + 3] = src[k + 3]!;
      }
      wtName = ctx.constant('time_weights', 'int16_t', out);
      wtType = 'int16_t';
      mode = 2;
    } else if (t === 'int16_t' && d.memory % 2 === 0) {
      mode = 1;
    }
    const args = targs([t, wtType, d.stateMin, d.stateMax, d.batches, d.inputSize, d.filters, d.units, d.rank, d.memory, mode, d.m1, d.s1, d.m2, d.s2, d.stateZeroPoint, d.outputZeroPoint]);
    return `tf_svdf<${args}>(${ctx.ptr(input.index, 'int8_t')}, ${wfName}, ${featureTerm}, ${wtName}, ${timeTerm}, ${ctx.ptr(bias.index, 'int32_t')}, ${ctx.ptr(state.index, t)}, ${ctx.ptr(output.index, 'int8_t')});`;
  },
};
