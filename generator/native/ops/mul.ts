/**
 * MUL int8 / int16 / int32 (sim/kernels/mul.ts): multiplier, zero points,
 * activation range and broadcast walk from the simulator's prepare -> kernels/mul.h.
 * (The simulator's 64 KiB pair table for large int8 tensors is not used: too big for flash.)
 */
import { mulKernel } from '../../../sim/kernels/mul.js';
import type { OpEmitter } from '../types.js';
import { simPrepare, targs } from './_sim_prepare.js';
import { emitBinary, intCType } from './_binary.js';

export const mulEmitter: OpEmitter = {
  ops: ['MUL'],
  emit(ctx) {
    const d = simPrepare(ctx, mulKernel);
    ctx.kernel('mul');
    const ctype = intCType(d.kind);
    if (d.kind === 'int32') return emitBinary(ctx, d.plan, ctype, `tf_mul_s32_op<${targs([d.actMin, d.actMax])}>()`);
    const t = targs([ctype, d.offset1, d.offset2, d.mult, d.shift, d.outZp, d.actMin, d.actMax]);
    return emitBinary(ctx, d.plan, ctype, `tf_mul_q_op<${t}>()`);
  },
};
