/**
 * SUB int8 / int16 / int32 (sim/kernels/sub.ts, _add_sub.ts): multipliers,
 * activation range, the int8 per-input tables (a_1 and -a_2) and the
 * broadcast walk all come from the simulator's prepare -> kernels/sub.h.
 */
import { subKernel } from '../../../sim/kernels/sub.js';
import type { OpEmitter } from '../types.js';
import { simPrepare, targs } from './_sim_prepare.js';
import { emitBinary, intCType } from './_binary.js';

export const subEmitter: OpEmitter = {
  ops: ['SUB'],
  emit(ctx) {
    const d = simPrepare(ctx, subKernel);
    ctx.kernel('sub');
    const ctype = intCType(d.kind);
    if (d.kind === 'int8') {
      const t1 = ctx.constant('table_1', 'int32_t', d.table1);
      const t2 = ctx.constant('table_2', 'int32_t', d.table2);
      const op = `tf_sub_s8_op<${targs([d.outMult, d.outShift, d.outZp, d.actMin, d.actMax])}>`;
      return emitBinary(ctx, d.plan, ctype, 'op', `const ${op} op = { ${t1}, ${t2} };`);
    }
    if (d.kind === 'int16') {
      const t = targs([d.offset1, d.mult1, d.shift1, d.offset2, d.mult2, d.shift2, d.outMult, d.outShift, d.outZp, d.actMin, d.actMax]);
      return emitBinary(ctx, d.plan, ctype, `tf_sub_s16_op<${t}>()`);
    }
    return emitBinary(ctx, d.plan, ctype, `tf_sub_s32_op<${targs([d.actMin, d.actMax])}>()`);
  },
};
