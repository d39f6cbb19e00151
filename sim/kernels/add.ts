/**
 * ADD. Mirrors tensorflow/lite/micro/kernels/add.cc + add_common.cc
 * (CalculateOpDataAdd, EvalAdd, EvalAddQuantized):
 * - int8: reference_integer_ops::Add / BroadcastAdd4DSlow (left shift 20).
 * - int16: reference_ops::Add(..., pot_scale=false), the general-scale path,
 *   whatever the model's pot_scale_int16 option says (left shift 15).
 * - int32: plain wrapping add. Trap: TFLM clamps int32 ADD to the full int32
 *   range, i.e. it IGNORES the fused activation (SUB, MUL and DIV apply it).
 * Scale math is in double: T = 2*max(S1, S2); S1/T, S2/T, T/(2^shift * S_out),
 * each through QuantizeMultiplierSmallerThanOneExp. SUB does the same in float32.
 */
import type { Kernel } from './types.js';
import { evalAddSub, prepareInt32AddSub, prepareQuantizedAddSub, type AddSubData } from './_add_sub.js';
import { planOrRefuse } from './_broadcast.js';
import { fusedActivation, quantParams, requireDtype } from './_elementwise.js';

export const addKernel: Kernel<AddSubData> = {
  ops: ['ADD'],
  prepare(ctx) {
    const a = ctx.requiredInput(0);
    const b = ctx.requiredInput(1);
    const out = ctx.output(0);
    const dtype = out.dtype;
    if (dtype !== 'int8' && dtype !== 'int16' && dtype !== 'int32') ctx.unsupported(`${dtype} ADD is not supported (int8, int16 and int32 are)`);
    requireDtype(ctx, dtype, [['input 1', a], ['input 2', b]]);
    const plan = planOrRefuse(ctx, a, b, out);
    if (dtype === 'int32') {
      if (a.quantization || b.quantization) ctx.unsupported('int32 ADD with quantized inputs is not supported by TFLM');
      return prepareInt32AddSub(ctx, 1, a, b, out, plan, -2147483648, 2147483647);
    }
    const q1 = quantParams(ctx, a, 'input 1');
    const q2 = quantParams(ctx, b, 'input 2');
    const qo = quantParams(ctx, out, 'output');
    return prepareQuantizedAddSub(ctx, 1, a, b, out, plan, q1, q2, qo, fusedActivation(ctx), (leftShift) => {
      const twiceMax = 2 * Math.max(q1.scale, q2.scale);
      return {
        input1: q1.scale / twiceMax,
        input2: q2.scale / twiceMax,
        output: twiceMax / ((1 << leftShift) * qo.scale),
      };
    });
  },
  eval: evalAddSub,
};
