/**
 * UNPACK. Mirrors tensorflow/lite/micro/kernels/unpack.cc: the input is cut
 * along `axis` into `num` outputs with that axis removed; output i takes slot i
 * of every outer index. Raw copy.
 *
 * Traps: negative axis += INPUT rank; types float32, int8, int16, int32.
 */
import type { Kernel, PrepareContext } from './types.js';
import { planFromRuns, runCopyPlan, wordView, type CopyPlan } from './_copy_common.js';

interface OpData {
  /** One plan per output. */
  plans: CopyPlan[];
}

const SUPPORTED = new Set(['float32', 'int8', 'int16', 'int32']);

export const unpackKernel: Kernel<OpData> = {
  ops: ['UNPACK'],
  prepare(ctx: PrepareContext) {
    const input = ctx.input(0);
    if (!input) ctx.unsupported('input 0 is missing');
    const o = ctx.op.options as { num: number; axis: number };
    if (!SUPPORTED.has(input.dtype)) ctx.unsupported(`${input.dtype} input is not supported (TFLM unpacks float32, int8, int16 and int32)`);
    const rank = input.shape.length;
    const axis = o.axis < 0 ? o.axis + rank : o.axis;
    if (axis < 0 || axis >= rank) ctx.unsupported(`axis ${o.axis} is out of range for input rank ${rank}`);
    const count = input.shape[axis]!;
    if (o.num !== count || ctx.outputCount !== count) ctx.unsupported(`num ${o.num} and ${ctx.outputCount} outputs must both equal input dimension ${axis} (${count})`);
    const want = input.shape.filter((_, j) => j !== axis);
    let outer = 1;
    for (let j = 0; j < axis; j++) outer *= input.shape[j]!;
    let inner = 1;
    for (let j = axis + 1; j < rank; j++) inner *= input.shape[j]!;
    const inWords = wordView(ctx, input);
    const plans: CopyPlan[] = [];
    for (let i = 0; i < count; i++) {
      const t = ctx.output(i);
      if (t.dtype !== input.dtype) ctx.unsupported(`output ${i} is ${t.dtype}, the input is ${input.dtype}`);
      if (t.shape.length !== want.length || t.shape.some((d, j) => d !== want[j])) ctx.unsupported(`output ${i} shape [${t.shape.join(', ')}] does not match [${want.join(', ')}]`);
      const triples: number[] = [];
      for (let k = 0; k < outer; k++) triples.push((k * count + i) * inner, k * inner, inner);
      plans.push(planFromRuns(inWords, wordView(ctx, t), triples));
    }
    return { plans };
  },
  eval(d) {
    const plans = d.plans;
    for (let i = 0; i < plans.length; i++) runCopyPlan(plans[i]!);
  },
};
