/**
 * GATHER (sim/kernels/gather.ts) -> kernels/gather.h: sizes from the
 * simulator's prepare; positions are read at run time, and an out-of-range
 * one makes tf_invoke() return 1 (TFLM aborts).
 */
import { gatherKernel } from '../../../sim/kernels/gather.js';
import type { CType, OpEmitter } from '../types.js';
import { simPrepare, targs } from './_sim_prepare.js';

export const gatherEmitter: OpEmitter = {
  ops: ['GATHER'],
  emit(ctx) {
    const d = simPrepare(ctx, gatherKernel);
    const input = ctx.input(0)!;
    const coords = ctx.input(1)!;
    const output = ctx.output(0);
    const b = d.input.BYTES_PER_ELEMENT;
    const ctype: CType = b === 1 ? 'uint8_t' : b === 2 ? 'uint16_t' : 'uint32_t';
    ctx.kernel('gather');
    const t = targs([ctype, d.batchSize, d.outerSize, d.coordSize, d.axisSize, d.inner]);
    return `if (tf_gather<${t}>(${ctx.ptr(input.index, ctype)}, ${ctx.ptr(coords.index, 'int32_t')}, ${ctx.ptr(output.index, ctype)})) return 1;  // position out of range`;
  },
};
