/**
 * SUB. Mirrors tensorflow/lite/micro/kernels/sub.cc + sub_common.cc
 * (CalculateOpDataSub, EvalSubQuantized) -> reference/sub.h.
 * Same integer arithmetic as ADD with a_1 - a_2, but TRAP: Prepare computes
 * T = 2*max(S1, S2) and the three ratios in float32 (only the final ratios
 * are widened to double), so the multipliers can differ from ADD's by one ulp.
 * - int16 same-shape SUB DCHECKs zero input zero points (TFLM aborts
 *   otherwise); the broadcast path has no such check. We refuse the former.
 * - int32: wrapping subtract, clamped to the fused activation as raw int32
 *   bounds (CalculateActivationRange<int32_t>); inputs and output must be
 *   unquantized.
 */
import { f32 } from '../math/fixedpoint.js';
import type { Kernel } from './types.js';
import { evalAddSub, prepareInt32AddSub, prepareQuantizedAddSub, type AddSubData } from './_add_sub.js';
import { planOrRefuse } from './_broadcast.js';
import { fusedActivation, int32ActivationRange, quantParams, requireDtype } from './_elementwise.js';

export const subKernel: Kernel<AddSubData> = {
  ops: ['SUB'],
  prepare(ctx) {
    const a = ctx.requiredInput(0);
    const b = ctx.requiredInput(1);
    const out = ctx.output(0);
    const dtype = out.dtype;
    if (dtype !== 'int8' && dtype !== 'int16' && dtype !== 'int32') ctx.unsupported(`${dtype} SUB is not supported (int8, int16 and int32 are)`);
    requireDtype(ctx, dtype, [['input 1', a], ['input 2', b]]);
    const activation = fusedActivation(ctx);
    const plan = planOrRefuse(ctx, a, b, out);
    if (dtype === 'int32') {
      if (a.quantization || b.quantization || out.quantization) ctx.unsupported('int32 SUB with quantized tensors is not supported by TFLM');
      const [lo, hi] = int32ActivationRange(activation);
      return prepareInt32AddSub(ctx, -1, a, b, out, plan, lo, hi);
    }
    const q1 = quantParams(ctx, a, 'input 1');
    const q2 = quantParams(ctx, b, 'input 2');
    const qo = quantParams(ctx, out, 'output');
    if (dtype === 'int16' && !plan.broadcast && (q1.zeroPoint !== 0 || q2.zeroPoint !== 0)) {
      ctx.unsupported('int16 SUB of same-shape inputs needs zero input zero points (TFLM DCHECK in reference_ops::Sub)');
    }
    return prepareQuantizedAddSub(ctx, -1, a, b, out, plan, q1, q2, qo, activation, (leftShift) => {
      const twiceMax = f32(2 * Math.max(q1.scale, q2.scale));
      return {
        input1: f32(q1.scale / twiceMax),
        input2: f32(q2.scale / twiceMax),
        output: f32(twiceMax / f32((1 << leftShift) * qo.scale)),
      };
    });
  },
  eval: evalAddSub,
};
