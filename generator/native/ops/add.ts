/**
 * ADD, int8 and int16, same shape or broadcast -> kernels/add.h (int32: add_s32.ts).
 * The broadcast walk (rows of a fused inner loop), the multipliers and, for
 * int8, the per-input tables of the rescaled operand come from the
 * simulator's prepare (sim/kernels/add.ts, _add_sub.ts, _broadcast.ts).
 */
import { addKernel } from '../../../sim/kernels/add.js';
import type { OpEmitter } from '../types.js';
import { simPrepare, targs } from './_sim_prepare.js';
import { emitAddInt32 } from './add_s32.js';

export const addEmitter: OpEmitter = {
  ops: ['ADD'],
  emit(ctx) {
    const d = simPrepare(ctx, addKernel);
    if (d.kind === 'int32') return emitAddInt32(ctx, d);
    const { plan } = d;
    if (plan.rows === 0) return '// empty tensor: nothing to do';
    const offsets = (which: 'a' | 'b') => (plan.rows > 1 ? ctx.constant(`${which}_offsets`, 'int32_t', which === 'a' ? plan.aOff : plan.bOff) : '(const int32_t*)0');
    const a = ctx.input(0)!;
    const b = ctx.input(1)!;
    const out = ctx.output(0);
    ctx.kernel('requant');
    ctx.kernel('add');
    if (d.kind === 'int8') {
      const ta = ctx.constant('table_a', 'int32_t', d.table1);
      const tb = ctx.constant('table_b', 'int32_t', d.table2);
      const t = targs([plan.rows, plan.inner, plan.aStep, plan.bStep, d.outMult, d.outShift, d.outZp, d.actMin, d.actMax]);
      return `tf_add_s8<${t}>(${ctx.ptr(a.index, 'int8_t')}, ${ctx.ptr(b.index, 'int8_t')}, ${ta}, ${tb}, ${offsets('a')}, ${offsets('b')}, ${ctx.ptr(out.index, 'int8_t')});`;
    }
    const t = targs([plan.rows, plan.inner, plan.aStep, plan.bStep, -d.offset1, d.mult1, d.shift1, -d.offset2, d.mult2, d.shift2, d.outMult, d.outShift, d.outZp, d.actMin, d.actMax]);
    return `tf_add_s16<${t}>(${ctx.ptr(a.index, 'int16_t')}, ${ctx.ptr(b.index, 'int16_t')}, ${offsets('a')}, ${offsets('b')}, ${ctx.ptr(out.index, 'int16_t')});`;
  },
};

