/**
 * NEG. Mirrors tensorflow/lite/micro/kernels/neg.cc: TFLM implements float32
 * only (reference_ops::Negate); any other type fails at Eval with
 * "Type ... not supported", so we refuse int8/int16/int32 NEG up front.
 */
import type { Kernel } from './types.js';
import { requireDtype } from './_elementwise.js';

interface OpData {
  readonly input: Float32Array;
  readonly output: Float32Array;
}

export const negKernel: Kernel<OpData> = {
  ops: ['NEG'],
  prepare(ctx) {
    const input = ctx.requiredInput(0);
    const output = ctx.output(0);
    if (input.dtype !== 'float32') ctx.unsupported(`${input.dtype} NEG is not supported: TFLM's NEG kernel runs float32 only`);
    requireDtype(ctx, 'float32', [['output', output]]);
    return { input: ctx.float32(input), output: ctx.float32(output) };
  },
  eval(d) {
    const { input, output } = d;
    const n = output.length;
    for (let i = 0; i < n; i++) output[i] = -input[i]!;
  },
};
