/**
 * TEMPLATE for a new kernel: copy to sim/kernels/<op_name>.ts and register it
 * in sim/kernels/index.ts.
 *
 * Mirrors: tensorflow/lite/micro/kernels/<op>.cc (+ reference/<op>.h). Say in
 * this header which TFLM function the arithmetic follows and any trap (float32
 * vs double scale math, ignored quantization fields...).
 */
import type { Kernel } from './types.js';

interface OpData {
  /** Input and output storage (fixed per simulator instance). */
  input: Int8Array;
  output: Int8Array;
  /** Everything eval needs, precomputed: multipliers, shifts, offsets, clamps. */
  size: number;
}

export const templateKernel: Kernel<OpData> = {
  ops: [],
  prepare(ctx) {
    const input = ctx.requiredInput(0);
    const output = ctx.output(0);
    if (input.dtype !== 'int8') return ctx.unsupported(`${input.dtype} input is not supported`);
    return { input: ctx.int8(input), output: ctx.int8(output), size: output.elements };
  },
  eval(d) {
    const { input, output, size } = d;
    for (let i = 0; i < size; i++) output[i] = input[i]!;
  },
};
