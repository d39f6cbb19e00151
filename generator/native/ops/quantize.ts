/**
 * QUANTIZE (float32 -> int8/int16, and integer requantization) ->
 * kernels/quantize.h. Scale, multiplier and zero points from the simulator's
 * prepare (sim/kernels/quantize.ts).
 */
import { quantizeKernel } from '../../../sim/kernels/quantize.js';
import type { Tensor } from '../../../sim/ir/types.js';
import type { CType, EmitContext, OpEmitter } from '../types.js';
import { floatLit, simPrepare, targs } from './_sim_prepare.js';

const INT_CTYPE: Record<string, CType> = { int8: 'int8_t', uint8: 'uint8_t', int16: 'int16_t', int32: 'int32_t' };

export function intType(ctx: EmitContext, t: Tensor): CType {
  const c = INT_CTYPE[t.dtype];
  if (!c) return ctx.unsupported(`${t.dtype} tensor ${t.index} is not supported here`);
  return c;
}

export const quantizeEmitter: OpEmitter = {
  ops: ['QUANTIZE'],
  emit(ctx) {
    const d = simPrepare(ctx, quantizeKernel);
    const input = ctx.input(0)!;
    const output = ctx.output(0);
    const out = intType(ctx, output);
    ctx.kernel('quantize');
    if (d.fromFloat) {
      const t = targs([out, d.size, d.outputZeroPoint, d.qmin, d.qmax]);
      return `tf_quantize_from_float<${t}>(${ctx.ptr(input.index, 'float')}, ${floatLit(d.scale)}, ${ctx.ptr(output.index, out)});`;
    }
    const inT = intType(ctx, input);
    const t = targs([inT, out, d.size, d.inputZeroPoint, d.multiplier, d.shift, d.outputZeroPoint, d.qmin, d.qmax]);
    return `tf_requantize<${t}>(${ctx.ptr(input.index, inT)}, ${ctx.ptr(output.index, out)});`;
  },
};
