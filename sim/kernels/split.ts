/**
 * SPLIT. Mirrors tensorflow/lite/micro/kernels/split.cc: the input is cut
 * along `axis` into equal parts, one per output; for each outer index the
 * outputs take consecutive slabs. Raw copy. Shared with SPLIT_V (split_v.ts)
 * through prepareSplit.
 *
 * Traps:
 * - The axis tensor (input 0 for SPLIT) must be constant int32; negative axis
 *   += input rank.
 * - Output sizes come from the declared output shapes (num_splits is not used).
 * - Types: float32, int8, int16, int32.
 */
import type { Tensor } from '../ir/types.js';
import type { Kernel, PrepareContext } from './types.js';
import { constInts, planFromRuns, runCopyPlan, wordView, type CopyPlan } from './_copy_common.js';

export interface SplitData {
  /** One plan per output. */
  plans: CopyPlan[];
}

const SUPPORTED = new Set(['float32', 'int8', 'int16', 'int32']);

/** Shared by SPLIT and SPLIT_V: `input` split along the constant axis tensor into the op's outputs. */
export function prepareSplit(ctx: PrepareContext, input: Tensor | null, axisT: Tensor | null): SplitData {
  if (!input || !axisT) ctx.unsupported('input or axis tensor is missing');
  if (!SUPPORTED.has(input.dtype)) ctx.unsupported(`${input.dtype} input is not supported (TFLM splits float32, int8, int16 and int32)`);
  const axes = constInts(ctx, axisT, 'axis');
  if (axes.length < 1) ctx.unsupported('the axis tensor is empty');
  const rank = input.shape.length;
  const axis = axes[0]! < 0 ? axes[0]! + rank : axes[0]!;
  if (axis < 0 || axis >= rank) ctx.unsupported(`axis ${axes[0]} is out of range for rank ${rank}`);
  const outputs: Tensor[] = [];
  let total = 0;
  for (let i = 0; i < ctx.outputCount; i++) {
    const t = ctx.output(i);
    if (t.dtype !== input.dtype) ctx.unsupported(`output ${i} is ${t.dtype}, the input is ${input.dtype}`);
    if (t.shape.length !== rank || t.shape.some((d, j) => j !== axis && d !== input.shape[j])) {
      ctx.unsupported(`output ${i} shape [${t.shape.join(', ')}] does not fit input [${input.shape.join(', ')}] split along axis ${axis}`);
    }
    total += t.shape[axis]!;
    outputs.push(t);
  }
  if (total !== input.shape[axis]) ctx.unsupported(`outputs add up to ${total} along axis ${axis}, the input has ${input.shape[axis]}`);
  let outer = 1;
  for (let j = 0; j < axis; j++) outer *= input.shape[j]!;
  let inner = 1;
  for (let j = axis + 1; j < rank; j++) inner *= input.shape[j]!;
  const inWords = wordView(ctx, input);
  const rowSize = input.shape[axis]! * inner;
  const plans: CopyPlan[] = [];
  let offset = 0;
  for (const t of outputs) {
    const slab = t.shape[axis]! * inner;
    const triples: number[] = [];
    for (let k = 0; k < outer; k++) triples.push(k * rowSize + offset, k * slab, slab);
    plans.push(planFromRuns(inWords, wordView(ctx, t), triples));
    offset += slab;
  }
  return { plans };
}

export function evalSplit(d: SplitData): void {
  const plans = d.plans;
  for (let i = 0; i < plans.length; i++) runCopyPlan(plans[i]!);
}

export const splitKernel: Kernel<SplitData> = {
  ops: ['SPLIT'],
  prepare: (ctx) => prepareSplit(ctx, ctx.input(1), ctx.input(0)),
  eval: evalSplit,
};
