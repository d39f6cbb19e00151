/**
 * MIRROR_PAD. Mirrors tensorflow/lite/micro/kernels/mirror_pad.cc: every
 * output element copies one input element, found per dimension by
 * GetInputDimension (REFLECT excludes the edge element, offset 1; SYMMETRIC
 * repeats it, offset 0).
 *
 * Traps:
 * - TFLM runs only int8 and float32 (raw copy, no requantization).
 * - Paddings may be int32 or int64. TFLM reads them at every Invoke; they must
 *   be constant here (the output shape is static anyway).
 * - TFLM does not check the output shape or the padding sizes. A right
 *   padding wider than the input clamps to input index 0 in its formula (kept
 *   as is); a left padding wider than the input (REFLECT: > dim - 1,
 *   SYMMETRIC: > dim) would read outside the input, so it is refused.
 */
import type { Kernel, PrepareContext } from './types.js';
import { constInts, planFromMap, runCopyPlan, stridesOf, wordView, type CopyPlan } from './_copy_common.js';

interface OpData {
  plan: CopyPlan;
}

/** TFLM's per-dimension mapping of a padded coordinate back into the input. */
function inputCoordinate(p: number, left: number, size: number, offset: number): number {
  if (p < left) {
    const original = left + offset - 1;
    return original - Math.min(p, original - offset);
  }
  p -= left;
  if (p >= size) {
    p -= size;
    const original = size - (1 + offset);
    return original - Math.min(p, original);
  }
  return p;
}

export const mirrorPadKernel: Kernel<OpData> = {
  ops: ['MIRROR_PAD'],
  prepare(ctx: PrepareContext) {
    const input = ctx.input(0);
    const paddings = ctx.input(1);
    const output = ctx.output(0);
    if (!input || !paddings) ctx.unsupported('input or paddings tensor is missing');
    if (input.dtype !== 'int8' && input.dtype !== 'float32') ctx.unsupported(`${input.dtype} input is not supported (TFLM mirror-pads int8 and float32)`);
    if (output.dtype !== input.dtype) ctx.unsupported(`output type ${output.dtype} differs from input type ${input.dtype}`);
    const rank = input.shape.length;
    if (paddings.shape.length !== 2 || paddings.shape[0] !== rank) ctx.unsupported(`paddings shape [${paddings.shape.join(', ')}] does not match input rank ${rank}`);
    const pads = constInts(ctx, paddings, 'paddings', true);
    if (pads.length !== rank * 2) ctx.unsupported(`paddings has ${pads.length} values, expected ${rank * 2}`);
    const offset = (ctx.op.options.mode as string) === 'SYMMETRIC' ? 0 : 1;
    if (output.shape.length !== rank) ctx.unsupported(`output rank ${output.shape.length} differs from input rank ${rank}`);
    for (let i = 0; i < rank; i++) {
      const l = pads[2 * i]!;
      const r = pads[2 * i + 1]!;
      const size = input.shape[i]!;
      const max = size - offset;
      if (l < 0 || r < 0 || l > max) ctx.unsupported(`padding [${l}, ${r}] on dimension ${i} does not fit a ${offset ? 'REFLECT' : 'SYMMETRIC'} pad of size ${size} (left at most ${max})`);
      if (output.shape[i] !== size + l + r) ctx.unsupported(`output dimension ${i} is ${output.shape[i]} but input + paddings gives ${size + l + r}`);
    }

    const inStrides = stridesOf(input.shape);
    const map = new Int32Array(output.elements);
    const idx = new Array<number>(rank).fill(0);
    for (let e = 0; e < map.length; e++) {
      let src = 0;
      for (let d = 0; d < rank; d++) src += inputCoordinate(idx[d]!, pads[2 * d]!, input.shape[d]!, offset) * inStrides[d]!;
      map[e] = src;
      for (let d = rank - 1; d >= 0; d--) {
        if (++idx[d]! < output.shape[d]!) break;
        idx[d] = 0;
      }
    }
    return { plan: planFromMap(wordView(ctx, input), wordView(ctx, output), map) };
  },
  eval(d) {
    runCopyPlan(d.plan);
  },
};
