/**
 * RESIZE_NEAREST_NEIGHBOR. Mirrors tensorflow/lite/micro/kernels/
 * resize_nearest_neighbor.cc (reference_ops::ResizeNearestNeighbor): each
 * output pixel copies the channels of one input pixel. Raw copy.
 *
 * Traps:
 * - The source coordinate is computed in FLOAT32 (GetNearestNeighbor):
 *   scale = f32(in / out), or f32((in - 1) / (out - 1)) with align_corners and
 *   out > 1; v = f32(f32(x + 0.5 if half_pixel_centers) * scale); then
 *   round-half-away (align_corners) or floor, min(in - 1), and max(0) with
 *   half_pixel_centers. Done once in prepare (the size tensor is constant).
 * - 4-D input; the size tensor is a constant int32 [2] (height, width).
 * - Types: float32, int8, int16.
 */
import { f32, tfliteRound } from '../math/fixedpoint.js';
import type { Kernel, PrepareContext } from './types.js';
import { constInts, expectShape, planFromMap, runCopyPlan, wordView, type CopyPlan } from './_copy_common.js';

interface OpData {
  plan: CopyPlan;
}

const SUPPORTED = new Set(['float32', 'int8', 'int16']);

/** TFLM GetNearestNeighbor (float32 arithmetic). */
export function nearestNeighbor(x: number, inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): number {
  const scale = alignCorners && outSize > 1 ? f32((inSize - 1) / (outSize - 1)) : f32(inSize / outSize);
  const offset = halfPixelCenters ? 0.5 : 0;
  const v = f32(f32(x + offset) * scale);
  let r = Math.min(alignCorners ? tfliteRound(v) : Math.floor(v), inSize - 1);
  if (halfPixelCenters) r = Math.max(0, r);
  return r;
}

export const resizeNearestNeighborKernel: Kernel<OpData> = {
  ops: ['RESIZE_NEAREST_NEIGHBOR'],
  prepare(ctx: PrepareContext) {
    const input = ctx.input(0);
    const sizeT = ctx.input(1);
    const output = ctx.output(0);
    if (!input || !sizeT) ctx.unsupported('input or size tensor is missing');
    if (!SUPPORTED.has(input.dtype)) ctx.unsupported(`${input.dtype} input is not supported (TFLM resizes float32, int8 and int16)`);
    if (output.dtype !== input.dtype) ctx.unsupported(`output type ${output.dtype} differs from input type ${input.dtype}`);
    if (input.shape.length !== 4) ctx.unsupported(`input rank ${input.shape.length} (must be 4-D NHWC)`);
    if (sizeT.dtype !== 'int32' || sizeT.shape.length !== 1 || sizeT.shape[0] !== 2) ctx.unsupported(`size must be an int32 tensor of shape [2], got ${sizeT.dtype}[${sizeT.shape.join(', ')}]`);
    const [outH, outW] = constInts(ctx, sizeT, 'size') as [number, number];
    const [n, inH, inW, c] = input.shape as [number, number, number, number];
    expectShape(ctx, output, [n, outH, outW, c]);
    const o = ctx.op.options as { alignCorners: boolean; halfPixelCenters: boolean };
    const map = new Int32Array(output.elements);
    let e = 0;
    for (let b = 0; b < n; b++) {
      for (let y = 0; y < outH; y++) {
        const iy = nearestNeighbor(y, inH, outH, o.alignCorners, o.halfPixelCenters);
        for (let x = 0; x < outW; x++) {
          const ix = nearestNeighbor(x, inW, outW, o.alignCorners, o.halfPixelCenters);
          const base = ((b * inH + iy) * inW + ix) * c;
          for (let d = 0; d < c; d++) map[e++] = base + d;
        }
      }
    }
    return { plan: planFromMap(wordView(ctx, input), wordView(ctx, output), map) };
  },
  eval(d) {
    runCopyPlan(d.plan);
  },
};
