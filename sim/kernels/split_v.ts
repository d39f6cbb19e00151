/**
 * SPLIT_V. Mirrors tensorflow/lite/micro/kernels/split_v.cc: like SPLIT but the
 * parts may differ in size. Inputs are (input, size_splits, axis); TFLM takes
 * each part's size from the declared output shape and never reads
 * size_splits. The axis tensor (input 2) must be constant int32.
 * The copy is shared with SPLIT (split.ts).
 */
import type { Kernel } from './types.js';
import { evalSplit, prepareSplit, type SplitData } from './split.js';

export const splitVKernel: Kernel<SplitData> = {
  ops: ['SPLIT_V'],
  prepare(ctx) {
    if (ctx.inputCount !== 3) ctx.unsupported(`${ctx.inputCount} inputs (expected input, size_splits, axis)`);
    return prepareSplit(ctx, ctx.input(0), ctx.input(2));
  },
  eval: evalSplit,
};
