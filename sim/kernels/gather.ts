/**
 * GATHER. Mirrors tensorflow/lite/micro/kernels/gather.cc: for each batch,
 * outer index and coordinate, the inner slab input[batch, outer, coord, :] is
 * copied. Raw copy; the coordinates are a runtime int32 tensor.
 *
 * Traps:
 * - Only float32 and int8 data, int32 coordinates (TFLM's Prepare).
 * - Negative axis += input rank, negative batch_dims += coordinate rank;
 *   batch_dims <= axis, and the batch dimensions of input and coordinates match.
 * - The coordinate index TFLM reads is batch * coord_size + coord (the outer
 *   index does not move it).
 * - An out-of-range coordinate trips a TFLITE_DCHECK in TFLM (abort in the
 *   default build); here eval throws a RangeError naming it.
 */
import { InferenceError } from '../../lib/errors.js';
import type { Kernel, PrepareContext } from './types.js';
import { expectShape, wordView, type Words } from './_copy_common.js';

interface OpData {
  input: Words;
  output: Words;
  coords: Int32Array;
  batchSize: number;
  outerSize: number;
  coordSize: number;
  axisSize: number;
  /** Slab length in words. */
  inner: number;
  /** Prebuilt source slab views (by slab index) when slabs are long, else null. */
  slabs: Words[] | null;
}

const LONG_SLAB = 64;

export const gatherKernel: Kernel<OpData> = {
  ops: ['GATHER'],
  prepare(ctx: PrepareContext) {
    const input = ctx.input(0);
    const coords = ctx.input(1);
    const output = ctx.output(0);
    if (!input || !coords) ctx.unsupported('input or positions tensor is missing');
    if (coords.dtype !== 'int32') ctx.unsupported(`${coords.dtype} positions are not supported (TFLM requires int32)`);
    if (input.dtype !== 'float32' && input.dtype !== 'int8') ctx.unsupported(`${input.dtype} input is not supported (TFLM gathers float32 and int8)`);
    if (output.dtype !== input.dtype) ctx.unsupported(`output type ${output.dtype} differs from input type ${input.dtype}`);
    const o = ctx.op.options as { axis: number; batchDims: number };
    const rank = input.shape.length;
    const crank = coords.shape.length;
    const axis = o.axis < 0 ? o.axis + rank : o.axis;
    if (axis < 0 || axis >= rank) ctx.unsupported(`axis ${o.axis} is out of range for rank ${rank}`);
    const batchDims = o.batchDims < 0 ? o.batchDims + crank : o.batchDims;
    if (batchDims > axis || batchDims < 0 || batchDims >= rank || batchDims > crank) ctx.unsupported(`batch_dims ${o.batchDims} does not fit axis ${axis}, input rank ${rank} and positions rank ${crank}`);
    for (let i = 0; i < batchDims; i++) if (input.shape[i] !== coords.shape[i]) ctx.unsupported(`batch dimension ${i} differs: input ${input.shape[i]}, positions ${coords.shape[i]}`);
    expectShape(ctx, output, [...input.shape.slice(0, axis), ...coords.shape.slice(batchDims), ...input.shape.slice(axis + 1)]);

    let batchSize = 1;
    for (let i = 0; i < batchDims; i++) batchSize *= input.shape[i]!;
    let outerSize = 1;
    for (let i = batchDims; i < axis; i++) outerSize *= input.shape[i]!;
    let innerElems = 1;
    for (let i = axis + 1; i < rank; i++) innerElems *= input.shape[i]!;
    let coordSize = 1;
    for (let i = batchDims; i < crank; i++) coordSize *= coords.shape[i]!;
    const inW = wordView(ctx, input);
    const inner = innerElems * inW.lanes;
    let slabs: Words[] | null = null;
    if (inner >= LONG_SLAB) {
      slabs = [];
      const n = batchSize * outerSize * input.shape[axis]!;
      for (let s = 0; s < n; s++) slabs.push(inW.words.subarray(s * inner, (s + 1) * inner));
    }
    return {
      input: inW.words,
      output: wordView(ctx, output).words,
      coords: ctx.int32(coords),
      batchSize, outerSize, coordSize,
      axisSize: input.shape[axis]!,
      inner, slabs,
    };
  },
  eval(d) {
    const { input, output, coords, batchSize, outerSize, coordSize, axisSize, inner, slabs } = d;
    let dst = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let o = 0; o < outerSize; o++) {
        const slabBase = (b * outerSize + o) * axisSize;
        for (let c = 0; c < coordSize; c++) {
          const k = coords[b * coordSize + c]!;
          if (k < 0 || k >= axisSize) throw new InferenceError('gather-index', `GATHER: position ${k} is outside [0, ${axisSize})`, 'the index input must hold positions inside the gathered axis (TFLM aborts on it too)');
          const slab = slabBase + k;
          if (slabs !== null) {
            output.set(slabs[slab]!, dst);
          } else {
            const src = slab * inner;
            for (let i = 0; i < inner; i++) output[dst + i] = input[src + i]!;
          }
          dst += inner;
        }
      }
    }
  },
};
