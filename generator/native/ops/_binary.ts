/**
 * Shared by the element-wise binary emitters (SUB, MUL, MINIMUM/MAXIMUM,
 * DIV): the simulator's broadcast plan (sim/kernels/_broadcast.ts) as a call
 * of kernels/binary.h tf_binary with a per-op functor. Row offsets that form
 * an arithmetic progression become a template constant; others a flash table.
 */
import type { BroadcastPlan } from '../../../sim/kernels/_broadcast.js';
import type { CType, EmitContext } from '../types.js';
import { targs } from './_sim_prepare.js';

/** The common row step when offs[r] = r * step for every row, else null. */
function rowStep(offs: Int32Array, rows: number): number | null {
  const step = rows > 1 ? offs[1]! : 0;
  for (let r = 0; r < rows; r++) if (offs[r] !== r * step) return null;
  return step;
}

/**
 * Statements that apply `functor` (a C++ expression of a functor object, or the
 * name of one declared in `setup`) over the op's inputs 0 and 1 into output 0.
 */
export function emitBinary(ctx: EmitContext, plan: BroadcastPlan, ctype: CType, functor: string, setup = ''): string {
  if (plan.rows === 0) return '// empty tensor: nothing to do';
  const a = ctx.input(0);
  const b = ctx.input(1);
  if (!a || !b) return ctx.unsupported('inputs 0 and 1 are required');
  const out = ctx.output(0);
  ctx.kernel('binary');
  const offsets = (which: 'a' | 'b'): [number, string] => {
    const offs = which === 'a' ? plan.aOff : plan.bOff;
    const step = rowStep(offs, plan.rows);
    if (step !== null) return [step, '(const int32_t*)0'];
    return [0, ctx.constant(`${which}_offsets`, 'int32_t', offs.subarray(0, plan.rows))];
  };
  const [aRow, aOff] = offsets('a');
  const [bRow, bOff] = offsets('b');
  const t = targs([plan.rows, plan.inner, plan.aStep, plan.bStep, aRow, bRow]);
  const call = `tf_binary<${t}>(${ctx.ptr(a.index, ctype)}, ${ctx.ptr(b.index, ctype)}, ${ctx.ptr(out.index, ctype)}, ${aOff}, ${bOff}, ${functor});`;
  return setup ? `${setup}\n    ${call}` : call;
}

/** C type of an int8 / int16 / int32 operand. */
export function intCType(kind: 'int8' | 'int16' | 'int32'): CType {
  return kind === 'int8' ? 'int8_t' : kind === 'int16' ? 'int16_t' : 'int32_t';
}
