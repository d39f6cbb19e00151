/**
 * STRIDED_SLICE. Mirrors tensorflow/lite/micro/kernels/strided_slice.cc +
 * strided_slice_common.cc, with the index logic of
 * kernels/internal/strided_slice_logic.h (StridedSliceStartForAxis /
 * StridedSliceEndForAxis, the ones reference StridedSlice runs at Invoke).
 *
 * Traps:
 * - begin / end / strides must be constant int32; input rank <= 4.
 * - ellipsis_mask and new_axis_mask are forced to 0 (TFLM ignores them), and
 *   so is the `offset` option (TFLM builds its params without it).
 * - Start: negative += dim, clamp to [0, dim] (stride > 0) or [-1, dim - 1]
 *   (stride < 0), THEN begin_mask overrides (0 or dim - 1). Stop likewise with
 *   end_mask (dim or -1). A shrink axis stops at start + 1 (start if start is
 *   already dim) — so a shrink axis with a negative stride selects nothing.
 * - Raw copy in input order; the output shape is only checked.
 */
import type { Kernel, PrepareContext } from './types.js';
import { constInts, planFromMap, runCopyPlan, stridesOf, wordView, type CopyPlan } from './_copy_common.js';

interface OpData {
  plan: CopyPlan;
}

const SUPPORTED = new Set(['int8', 'int16', 'int32', 'float32', 'bool']);

function clamp(v: number, lo: number, hi: number): number {
  return hi < v ? hi : v < lo ? lo : v;
}

export const stridedSliceKernel: Kernel<OpData> = {
  ops: ['STRIDED_SLICE'],
  prepare(ctx: PrepareContext) {
    const input = ctx.input(0);
    const beginT = ctx.input(1);
    const endT = ctx.input(2);
    const stridesT = ctx.input(3);
    const output = ctx.output(0);
    if (!input || !beginT || !endT || !stridesT) ctx.unsupported('STRIDED_SLICE needs input, begin, end and strides');
    if (!SUPPORTED.has(input.dtype)) ctx.unsupported(`${input.dtype} input is not supported (TFLM slices int8, int16, int32, float32 and bool)`);
    if (output.dtype !== input.dtype) ctx.unsupported(`output type ${output.dtype} differs from input type ${input.dtype}`);
    const rank = input.shape.length;
    if (rank > 4) ctx.unsupported(`rank ${rank} input (TFLM's STRIDED_SLICE takes at most 4 dimensions)`);
    const begin = constInts(ctx, beginT, 'begin');
    const end = constInts(ctx, endT, 'end');
    const strides = constInts(ctx, stridesT, 'strides');
    if (begin.length < rank || end.length < rank || strides.length < rank) ctx.unsupported(`begin/end/strides have ${begin.length}/${end.length}/${strides.length} values for a rank-${rank} input`);
    const o = ctx.op.options as { beginMask: number; endMask: number; shrinkAxisMask: number };
    const beginMask = o.beginMask | 0;
    const endMask = o.endMask | 0;
    const shrinkMask = o.shrinkAxisMask | 0;

    const starts: number[] = [];
    const stops: number[] = [];
    const counts: number[] = [];
    const outShape: number[] = [];
    for (let a = 0; a < rank; a++) {
      const size = input.shape[a]!;
      const stride = strides[a]!;
      if (stride === 0) ctx.unsupported(`stride of axis ${a} is 0`);
      let start = begin[a]!;
      if (start < 0) start += size;
      start = stride > 0 ? clamp(start, 0, size) : clamp(start, -1, size - 1);
      if (beginMask & (1 << a)) start = stride > 0 ? 0 : size - 1;
      let stop: number;
      const shrink = (shrinkMask & (1 << a)) !== 0;
      if (shrink) {
        stop = start >= size ? start : start + 1;
      } else {
        stop = end[a]!;
        if (stop < 0) stop += size;
        stop = stride > 0 ? clamp(stop, 0, size) : clamp(stop, -1, size - 1);
        if (endMask & (1 << a)) stop = stride > 0 ? size : -1;
      }
      const n = stride > 0 ? Math.max(0, Math.ceil((stop - start) / stride)) : Math.max(0, Math.ceil((start - stop) / -stride));
      starts.push(start);
      stops.push(stop);
      counts.push(n);
      if (!shrink) outShape.push(n);
      else if (n !== 1) ctx.unsupported(`shrink axis ${a} selects ${n} elements (begin ${begin[a]}, stride ${stride} on a dimension of ${size}); TFLM would leave the output unwritten`);
    }
    if (output.shape.length !== outShape.length || output.shape.some((d, i) => d !== outShape[i])) {
      ctx.unsupported(`the output shape is [${output.shape.join(', ')}] but the slice produces [${outShape.join(', ')}]`);
    }

    // Source element of every output element, in TFLM's write order (row-major over the slice).
    const inStrides = stridesOf(input.shape);
    const total = counts.reduce((p, c) => p * c, 1);
    const map = new Int32Array(total);
    const idx = new Array<number>(rank).fill(0);
    for (let e = 0; e < total; e++) {
      let src = 0;
      for (let a = 0; a < rank; a++) src += (starts[a]! + idx[a]! * strides[a]!) * inStrides[a]!;
      map[e] = src;
      for (let a = rank - 1; a >= 0; a--) {
        if (++idx[a]! < counts[a]!) break;
        idx[a] = 0;
      }
    }
    return { plan: planFromMap(wordView(ctx, input), wordView(ctx, output), map) };
  },
  eval(d) {
    runCopyPlan(d.plan);
  },
};
