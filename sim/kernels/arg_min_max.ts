/**
 * ARG_MAX and ARG_MIN. Mirrors tensorflow/lite/micro/kernels/arg_min_max.cc
 * (reference_ops::ArgMinMax with GreaterFn / LessFn): for each (outer, inner)
 * the index along `axis` of the first strictly greatest (smallest) value.
 *
 * Traps:
 * - Ties keep the FIRST index (strict comparison).
 * - Input int8 or float32 (raw stored values compared: quantization does not
 *   matter), axis int32, output int32 only.
 * - float32 compares with plain > / <: a NaN never replaces the running value,
 *   and a NaN at index 0 is never replaced.
 * - The axis is read at every Invoke in TFLM; it must be constant here.
 */
import type { Kernel, PrepareContext } from './types.js';
import { constInts, expectShape } from './_copy_common.js';

interface OpData {
  input: Int8Array | Float32Array;
  output: Int32Array;
  outer: number;
  axisSize: number;
  inner: number;
  /** ARG_MAX (else ARG_MIN). */
  isMax: boolean;
}

export const argMinMaxKernel: Kernel<OpData> = {
  ops: ['ARG_MAX', 'ARG_MIN'],
  prepare(ctx: PrepareContext) {
    const input = ctx.input(0);
    const axisT = ctx.input(1);
    const output = ctx.output(0);
    if (!input || !axisT) ctx.unsupported('input or axis tensor is missing');
    if (axisT.dtype !== 'int32') ctx.unsupported(`${axisT.dtype} axis is not supported (TFLM requires int32)`);
    if (output.dtype !== 'int32') ctx.unsupported(`${output.dtype} output is not supported (TFLM only produces int32 indices)`);
    if (input.dtype !== 'int8' && input.dtype !== 'float32') ctx.unsupported(`${input.dtype} input is not supported (TFLM handles int8 and float32)`);
    const rank = input.shape.length;
    if (rank < 1) ctx.unsupported('scalar input');
    const axes = constInts(ctx, axisT, 'axis');
    if (axes.length < 1) ctx.unsupported('the axis tensor is empty');
    const axis = axes[0]! < 0 ? axes[0]! + rank : axes[0]!;
    if (axis < 0 || axis >= rank) ctx.unsupported(`axis ${axes[0]} is out of range for rank ${rank}`);
    if (input.shape[axis] === 0) ctx.unsupported(`axis ${axis} has size 0: there is nothing to pick`);
    expectShape(ctx, output, input.shape.filter((_, i) => i !== axis));
    let outer = 1;
    for (let i = 0; i < axis; i++) outer *= input.shape[i]!;
    let inner = 1;
    for (let i = axis + 1; i < rank; i++) inner *= input.shape[i]!;
    return {
      input: input.dtype === 'int8' ? ctx.int8(input) : ctx.float32(input),
      output: ctx.int32(output),
      outer,
      axisSize: input.shape[axis]!,
      inner,
      isMax: ctx.op.op === 'ARG_MAX',
    };
  },
  eval(d) {
    const { input, output, outer, axisSize, inner, isMax } = d;
    for (let o = 0; o < outer; o++) {
      const base = o * axisSize * inner;
      for (let k = 0; k < inner; k++) {
        let best = input[base + k]!;
        let bestIndex = 0;
        for (let i = 1; i < axisSize; i++) {
          const v = input[base + i * inner + k]!;
          if (isMax ? v > best : v < best) {
            best = v;
            bestIndex = i;
          }
        }
        output[o * inner + k] = bestIndex;
      }
    }
  },
};
