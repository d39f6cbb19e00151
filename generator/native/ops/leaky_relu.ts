/**
 * LEAKY_RELU (sim/kernels/leaky_relu.ts): int8 as the simulator's 256-entry
 * table, int16 computed per element with the same multipliers.
 */
import { leakyReluKernel } from '../../../sim/kernels/leaky_relu.js';
import type { OpEmitter } from '../types.js';
import { simPrepare, targs } from './_sim_prepare.js';
import { emitLutS8 } from './_lut.js';

export const leakyReluEmitter: OpEmitter = {
  ops: ['LEAKY_RELU'],
  emit(ctx) {
    const d = simPrepare(ctx, leakyReluKernel);
    if (d.table) return emitLutS8(ctx, d.table);
    const input = ctx.input(0)!;
    const output = ctx.output(0);
    ctx.kernel('relu');
    const t = targs([output.elements, d.inZp, d.outZp, d.multIdentity, d.shiftIdentity, d.multAlpha, d.shiftAlpha, d.alphaNegative ? 1 : 0]);
    return `tf_leaky_relu_s16<${t}>(${ctx.ptr(input.index, 'int16_t')}, ${ctx.ptr(output.index, 'int16_t')});`;
  },
};
