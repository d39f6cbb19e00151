/**
 * FILL. Mirrors tensorflow/lite/micro/kernels/fill.cc (reference_ops::Fill):
 * every output element is the scalar `value` (raw bits, no requantization).
 *
 * Traps:
 * - `dims` must be constant (int8/int16/int32/int64) and equal the declared
 *   output shape; `value` must be a rank-0 tensor of the output type.
 * - Types float32, int32, int8. The value is read at every eval (it may be a
 *   runtime tensor).
 */
import type { Kernel, PrepareContext } from './types.js';
import { wordView, type Words } from './_copy_common.js';

interface OpData {
  value: Words;
  output: Words;
}

const SUPPORTED = new Set(['float32', 'int32', 'int8']);

export const fillKernel: Kernel<OpData> = {
  ops: ['FILL'],
  prepare(ctx: PrepareContext) {
    const dims = ctx.input(0);
    const value = ctx.input(1);
    const output = ctx.output(0);
    if (!dims || !value) ctx.unsupported('dims or value tensor is missing');
    if (value.shape.length !== 0) ctx.unsupported(`value has shape [${value.shape.join(', ')}] (must be a scalar)`);
    if (value.dtype !== output.dtype) ctx.unsupported(`value is ${value.dtype}, the output ${output.dtype}`);
    if (!SUPPORTED.has(value.dtype)) ctx.unsupported(`${value.dtype} value is not supported (TFLM fills float32, int32 and int8)`);
    if (!dims.data) ctx.unsupported('the dims tensor must be constant');
    if (dims.shape.length !== 1) ctx.unsupported(`dims has rank ${dims.shape.length} (must be 1-D)`);
    let d: number[];
    switch (dims.dtype) {
      case 'int8': d = Array.from(ctx.int8(dims)); break;
      case 'int16': d = Array.from(ctx.int16(dims)); break;
      case 'int32': d = Array.from(ctx.int32(dims)); break;
      case 'int64': d = Array.from(ctx.int64(dims), Number); break;
      default: return ctx.unsupported(`${dims.dtype} dims are not supported`);
    }
    if (d.length !== output.shape.length || d.some((v, i) => v !== output.shape[i])) ctx.unsupported(`dims [${d.join(', ')}] differ from the output shape [${output.shape.join(', ')}]`);
    return { value: wordView(ctx, value).words, output: wordView(ctx, output).words };
  },
  eval(d) {
    d.output.fill(d.value[0]!);
  },
};
