/**
 * ZEROS_LIKE. Mirrors tensorflow/lite/micro/kernels/zeros_like.cc: the output
 * (same type and element count as the input) is set to all-zero bits; the
 * input values are never read. Types int64, int32, int8, float32. Note a
 * quantized int8 output gets stored 0, not its zero point.
 */
import type { Kernel, PrepareContext } from './types.js';
import { wordView, type Words } from './_copy_common.js';

interface OpData {
  output: Words;
}

const SUPPORTED = new Set(['int64', 'int32', 'int8', 'float32']);

export const zerosLikeKernel: Kernel<OpData> = {
  ops: ['ZEROS_LIKE'],
  prepare(ctx: PrepareContext) {
    const input = ctx.input(0);
    const output = ctx.output(0);
    if (!input) ctx.unsupported('input 0 is missing');
    if (!SUPPORTED.has(input.dtype)) ctx.unsupported(`${input.dtype} input is not supported (TFLM handles int64, int32, int8 and float32)`);
    if (output.dtype !== input.dtype) ctx.unsupported(`output type ${output.dtype} differs from input type ${input.dtype}`);
    if (output.elements !== input.elements) ctx.unsupported(`output has ${output.elements} elements, the input ${input.elements}`);
    return { output: wordView(ctx, output).words };
  },
  eval(d) {
    d.output.fill(0);
  },
};
