/**
 * Shared by the unary activation emitters (LOGISTIC, TANH, HARD_SWISH, RELU,
 * LEAKY_RELU): the int8 path is a 256-entry table that the simulator's
 * prepare already evaluated with its own integer arithmetic (exact by
 * construction) -> kernels/lut_s8.h; the int16 sigmoid / tanh go through
 * kernels/int16_act.h with TFLite's sigmoid table emitted as a constant.
 */
import { SIGMOID_TABLE } from '../../../sim/math/int16_activations.js';
import type { EmitContext } from '../types.js';

/** out[i] = table[in[i] + 128] over the op's input 0 / output 0. */
export function emitLutS8(ctx: EmitContext, table: Int8Array): string {
  const input = ctx.input(0);
  if (!input) return ctx.unsupported('input 0 is missing');
  const output = ctx.output(0);
  ctx.kernel('lut_s8');
  const lut = ctx.constant('lut', 'int8_t', table);
  return `tf_lut_s8<${output.elements}>(${ctx.ptr(input.index, 'int8_t')}, ${ctx.ptr(output.index, 'int8_t')}, ${lut});`;
}

/** TFLite's 256-entry sigmoid table (uint16) as a constant of this op. */
export function sigmoidTable(ctx: EmitContext): string {
  return ctx.constant('sigmoid_table', 'uint16_t', SIGMOID_TABLE);
}

/**
 * The int16 activations' input scaling as the kernel takes it: TFLM's
 * power-of-two form (multiplier 0, left shift s) becomes (3 << s, 0).
 */
export function int16ActScaling(multiplier: number, shift: number): [number, number] {
  return multiplier === 0 ? [3 << shift, 0] : [multiplier, shift];
}

/** int16 LOGISTIC / TANH over the op's input 0 / output 0. */
export function emitInt16Act(ctx: EmitContext, fn: 'tf_logistic_s16' | 'tf_tanh_s16', multiplier: number, shift: number): string {
  const input = ctx.input(0);
  if (!input) return ctx.unsupported('input 0 is missing');
  const output = ctx.output(0);
  ctx.kernel('int16_act');
  const [mul, sh] = int16ActScaling(multiplier, shift);
  return `${fn}(${ctx.ptr(input.index, 'int16_t')}, ${ctx.ptr(output.index, 'int16_t')}, ${output.elements}, ${mul}, ${sh}, ${sigmoidTable(ctx)});`;
}
