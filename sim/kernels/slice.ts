/**
 * SLICE. Mirrors tensorflow/lite/micro/kernels/slice.cc (reference_ops::Slice
 * on shapes extended to 5-D): the box begin[i] .. begin[i] + size[i] (size -1
 * = to the end of the dimension), copied raw in row-major order.
 *
 * Traps:
 * - begin / size may be int32 or int64 (same type); they are read at every
 *   Invoke in TFLM, constant here (static shapes).
 * - TFLM does not validate the box; a negative begin or a box past the input
 *   would read out of bounds, so such models are refused.
 * - Types: float32, int8, int16, int32, bool.
 */
import type { Kernel, PrepareContext } from './types.js';
import { constInts, expectShape, planFromMap, runCopyPlan, stridesOf, wordView, type CopyPlan } from './_copy_common.js';

interface OpData {
  plan: CopyPlan;
}

const SUPPORTED = new Set(['float32', 'int8', 'int16', 'int32', 'bool']);

export const sliceKernel: Kernel<OpData> = {
  ops: ['SLICE'],
  prepare(ctx: PrepareContext) {
    const input = ctx.input(0);
    const beginT = ctx.input(1);
    const sizeT = ctx.input(2);
    const output = ctx.output(0);
    if (!input || !beginT || !sizeT) ctx.unsupported('SLICE needs input, begin and size');
    if (!SUPPORTED.has(input.dtype)) ctx.unsupported(`${input.dtype} input is not supported (TFLM slices float32, int8, int16, int32 and bool)`);
    if (output.dtype !== input.dtype) ctx.unsupported(`output type ${output.dtype} differs from input type ${input.dtype}`);
    if (beginT.dtype !== sizeT.dtype) ctx.unsupported(`begin is ${beginT.dtype} but size is ${sizeT.dtype}`);
    const rank = input.shape.length;
    if (rank > 5) ctx.unsupported(`rank ${rank} input (TFLM slices at most 5 dimensions)`);
    const begin = constInts(ctx, beginT, 'begin', true);
    const size = constInts(ctx, sizeT, 'size', true);
    if (begin.length !== rank || size.length !== rank) ctx.unsupported(`begin/size have ${begin.length}/${size.length} values for a rank-${rank} input`);
    const counts: number[] = [];
    for (let i = 0; i < rank; i++) {
      const dim = input.shape[i]!;
      const b = begin[i]!;
      const n = size[i] === -1 ? dim - b : size[i]!;
      if (b < 0 || n < 0 || b + n > dim) ctx.unsupported(`slice [${b}, ${b} + ${size[i]}) of dimension ${i} does not fit its size ${dim}`);
      counts.push(n);
    }
    expectShape(ctx, output, counts);

    const inStrides = stridesOf(input.shape);
    const map = new Int32Array(output.elements);
    const idx = new Array<number>(rank).fill(0);
    for (let e = 0; e < map.length; e++) {
      let src = 0;
      for (let i = 0; i < rank; i++) src += (begin[i]! + idx[i]!) * inStrides[i]!;
      map[e] = src;
      for (let i = rank - 1; i >= 0; i--) {
        if (++idx[i]! < counts[i]!) break;
        idx[i] = 0;
      }
    }
    return { plan: planFromMap(wordView(ctx, input), wordView(ctx, output), map) };
  },
  eval(d) {
    runCopyPlan(d.plan);
  },
};
