/** MAXIMUM / MINIMUM (sim/kernels/maximum_minimum.ts): raw comparison along the simulator's broadcast plan -> kernels/minmax.h. */
import { maximumMinimumKernel } from '../../../sim/kernels/maximum_minimum.js';
import type { CType, OpEmitter } from '../types.js';
import { simPrepare } from './_sim_prepare.js';
import { emitBinary } from './_binary.js';

const CTYPES: Record<string, CType> = { int8: 'int8_t', int16: 'int16_t', int32: 'int32_t', int64: 'int64_t', float32: 'float' };

export const maximumMinimumEmitter: OpEmitter = {
  ops: ['MAXIMUM', 'MINIMUM'],
  emit(ctx) {
    const d = simPrepare(ctx, maximumMinimumKernel);
    const ctype = CTYPES[ctx.output(0).dtype];
    if (!ctype) return ctx.unsupported(`${ctx.output(0).dtype} is not supported`);
    ctx.kernel('minmax');
    return emitBinary(ctx, d.plan, ctype, `${d.max ? 'tf_max_op' : 'tf_min_op'}<${ctype}>()`);
  },
};
