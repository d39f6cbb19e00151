/**
 * CAST (sim/kernels/cast.ts) -> kernels/cast.h: integer <-> integer keeps the
 * low bits, integer -> float rounds, float -> integer truncates with the x86
 * oracle's out-of-range results (defined in the kernel, not C's UB).
 */
import { castKernel } from '../../../sim/kernels/cast.js';
import type { CType, OpEmitter } from '../types.js';
import { simPrepare } from './_sim_prepare.js';

const CTYPES: Record<string, CType> = { int8: 'int8_t', int16: 'int16_t', int32: 'int32_t', uint32: 'uint32_t', float32: 'float', bool: 'uint8_t' };

export const castEmitter: OpEmitter = {
  ops: ['CAST'],
  emit(ctx) {
    const d = simPrepare(ctx, castKernel);
    const input = ctx.input(0)!;
    const output = ctx.output(0);
    const ti = CTYPES[input.dtype];
    const to = CTYPES[output.dtype];
    if (!ti || !to) return ctx.unsupported(`${input.dtype} -> ${output.dtype} is not supported`);
    ctx.kernel('cast');
    const src = ctx.ptr(input.index, ti);
    const dst = ctx.ptr(output.index, to);
    const n = output.elements;
    if (d.floatTo === 'u32') return `tf_cast_from_float_u32<${n}>(${src}, ${dst});`;
    if (d.floatTo === 'i32') return `tf_cast_from_float_i<${to}, ${n}>(${src}, ${dst});`;
    return `tf_cast<${ti}, ${to}, ${n}>(${src}, ${dst});`;
  },
};
