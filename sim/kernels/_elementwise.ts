/**
 * Small prepare-time helpers shared by the elementwise kernels (ADD, SUB,
 * MUL, DIV, the activations, ABS, PRELU, SQUARED_DIFFERENCE): per-tensor
 * quantization lookup, the fused activation option, TFLM's integer activation
 * range for unquantized int32 outputs, and QuantizeMultiplierSmallerThanOneExp
 * with its CHECKs turned into typed refusals.
 */
import type { Activation, Tensor } from '../ir/types.js';
import { quantizeMultiplier } from '../math/fixedpoint.js';
import type { PrepareContext } from './types.js';

/** A tensor's per-tensor scale and zero point (TFLM's `params.scale` / `params.zero_point`). */
export interface QuantParams {
  readonly scale: number;
  readonly zeroPoint: number;
}

/** The per-tensor quantization of `t`; refuses a tensor without one (TFLM would divide by a zero scale). */
export function quantParams(ctx: PrepareContext, t: Tensor, role: string): QuantParams {
  const q = t.quantization;
  if (!q || q.scale.length === 0) ctx.unsupported(`${role} (tensor ${t.index}) is ${t.dtype} without quantization parameters`);
  return { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0] ?? 0 };
}

/** The fused activation in the op's options ('NONE' when the model has no options table). */
export function fusedActivation(ctx: PrepareContext): Activation {
  return (ctx.op.options['activation'] as Activation | undefined) ?? 'NONE';
}

/**
 * TFLite CalculateActivationRange<int32_t>: the fused activation as raw int32
 * bounds (used by unquantized int32 SUB, MUL and DIV; not by int32 ADD).
 */
export function int32ActivationRange(activation: Activation): [number, number] {
  switch (activation) {
    case 'RELU': return [0, 2147483647];
    case 'RELU6': return [0, 6];
    case 'RELU_N1_TO_1': return [-1, 1];
    default: return [-2147483648, 2147483647];
  }
}

/**
 * TFLite QuantizeMultiplierSmallerThanOneExp: requires 0 < real < 1 and a
 * non-positive shift (TFLM aborts otherwise; we refuse the model).
 */
export function quantizeSmallerThanOneExp(ctx: PrepareContext, real: number, what: string): { multiplier: number; shift: number } {
  if (!(real > 0 && real < 1)) ctx.unsupported(`${what} multiplier ${real} is outside (0, 1), which TFLM rejects (QuantizeMultiplierSmallerThanOneExp)`);
  const q = quantizeMultiplier(real);
  if (q.shift > 0) ctx.unsupported(`${what} multiplier ${real} rounds up to 1, which TFLM rejects (QuantizeMultiplierSmallerThanOneExp)`);
  return q;
}

/** Refuses unless every listed tensor has dtype `dtype`. */
export function requireDtype(ctx: PrepareContext, dtype: string, tensors: readonly (readonly [string, Tensor])[]): void {
  for (const [role, t] of tensors) {
    if (t.dtype !== dtype) ctx.unsupported(`${role} is ${t.dtype}, expected ${dtype} like the other operands (mixed types are not supported)`);
  }
}
