/**
 * ADD int32 (unquantized), called by add.ts with the simulator's prepared
 * data (sim/kernels/add.ts, _add_sub.ts): a wrapping add clamped to the
 * activation range along the broadcast plan -> kernels/add_s32.h.
 */
import type { addKernel } from '../../../sim/kernels/add.js';
import type { Kernel } from '../../../sim/kernels/types.js';
import type { EmitContext } from '../types.js';
import { targs } from './_sim_prepare.js';
import { emitBinary } from './_binary.js';

type AddData = typeof addKernel extends Kernel<infer D> ? D : never;

export function emitAddInt32(ctx: EmitContext, d: AddData): string {
  ctx.kernel('add_s32');
  return emitBinary(ctx, d.plan, 'int32_t', `tf_add_s32_op<${targs([d.actMin, d.actMax])}>()`);
}
