/**
 * RESHAPE (also SQUEEZE and EXPAND_DIMS, which are reshapes of static shapes).
 * Mirrors tensorflow/lite/micro/kernels/reshape.cc: the data is copied as is
 * (TFLM gives input and output separate buffers); the output shape is the one
 * the model declares, checked to hold the same element count.
 */
import type { Kernel } from './types.js';

interface OpData {
  input: Uint8Array;
  output: Uint8Array;
}

export const reshapeKernel: Kernel<OpData> = {
  ops: ['RESHAPE', 'SQUEEZE', 'EXPAND_DIMS'],
  prepare(ctx) {
    const input = ctx.requiredInput(0);
    const output = ctx.output(0);
    if (input.elements !== output.elements || input.dtype !== output.dtype) {
      ctx.unsupported(`cannot reshape ${input.dtype}[${input.shape.join(', ')}] into ${output.dtype}[${output.shape.join(', ')}]`);
    }
    const a = ctx.array(input);
    const b = ctx.array(output);
    return {
      input: new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
      output: new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
    };
  },
  eval(d) {
    d.output.set(d.input);
  },
};
