/**
 * PACK. Mirrors tensorflow/lite/micro/kernels/pack.cc: values_count inputs of
 * one shape are stacked along a new output axis; for each outer index, input i
 * goes to slot i. Raw copy.
 *
 * Traps: negative axis += OUTPUT rank; all inputs share the input-0 shape and
 * the output type; types float32, int8, int16, int32, int64.
 */
import type { Tensor } from '../ir/types.js';
import type { Kernel, PrepareContext } from './types.js';
import { planFromRuns, runCopyPlan, wordView, type CopyPlan } from './_copy_common.js';

interface OpData {
  /** One plan per input. */
  plans: CopyPlan[];
}

const SUPPORTED = new Set(['float32', 'int8', 'int16', 'int32', 'int64']);

export const packKernel: Kernel<OpData> = {
  ops: ['PACK'],
  prepare(ctx: PrepareContext) {
    const output = ctx.output(0);
    const o = ctx.op.options as { valuesCount: number; axis: number };
    if (!SUPPORTED.has(output.dtype)) ctx.unsupported(`${output.dtype} output is not supported (TFLM packs float32, int8, int16, int32 and int64)`);
    const count = o.valuesCount;
    if (count !== ctx.inputCount) ctx.unsupported(`values_count ${count} differs from the ${ctx.inputCount} inputs`);
    const rank = output.shape.length;
    const axis = o.axis < 0 ? o.axis + rank : o.axis;
    if (axis < 0 || axis >= rank) ctx.unsupported(`axis ${o.axis} is out of range for output rank ${rank}`);
    if (output.shape[axis] !== count) ctx.unsupported(`output dimension ${axis} is ${output.shape[axis]}, expected ${count}`);
    const want = output.shape.filter((_, j) => j !== axis);
    const inputs: Tensor[] = [];
    for (let i = 0; i < count; i++) {
      const t = ctx.input(i);
      if (!t) ctx.unsupported(`input ${i} is missing`);
      if (t.dtype !== output.dtype) ctx.unsupported(`input ${i} is ${t.dtype}, the output is ${output.dtype}`);
      if (t.shape.length !== want.length || t.shape.some((d, j) => d !== want[j])) ctx.unsupported(`input ${i} shape [${t.shape.join(', ')}] does not match [${want.join(', ')}]`);
      inputs.push(t);
    }
    let outer = 1;
    for (let j = 0; j < axis; j++) outer *= output.shape[j]!;
    let inner = 1;
    for (let j = axis + 1; j < rank; j++) inner *= output.shape[j]!;
    const outWords = wordView(ctx, output);
    const plans = inputs.map((t, i) => {
      const triples: number[] = [];
      for (let k = 0; k < outer; k++) triples.push(k * inner, (k * count + i) * inner, inner);
      return planFromRuns(wordView(ctx, t), outWords, triples);
    });
    return { plans };
  },
  eval(d) {
    const plans = d.plans;
    for (let i = 0; i < plans.length; i++) runCopyPlan(plans[i]!);
  },
};
