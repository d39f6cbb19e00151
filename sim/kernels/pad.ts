/**
 * PAD and PADV2. Mirrors tensorflow/lite/micro/kernels/pad.cc + pad_common.cc
 * (reference/pad.h PadImpl): a raw copy of the input into the middle of the
 * output, everything else set to one pad value.
 *
 * Traps:
 * - No requantization, even when input and output quantization differ (the
 *   output quantization only supplies the default int8 pad value).
 * - Pad value: constant_values[0] when the third input is there (its type must
 *   equal the input's; for int8 its scale and zero point must equal the
 *   output's), else the output zero point for int8 and 0 (all bits clear) for
 *   int16 / int32 / float32.
 * - Paddings must be a constant int32 [rank, 2] tensor, rank <= 5, and the
 *   declared output shape must equal input + paddings (TFLM checks this).
 * - TFLM never checks for negative paddings; they would make its loop read out
 *   of bounds, so they are refused here.
 */
import type { Kernel, PrepareContext } from './types.js';
import { constInts, planFromMap, runCopyPlan, stridesOf, wordView, type CopyPlan, type Words } from './_copy_common.js';

interface OpData {
  /** Where each output word comes from (or the pad word). */
  plan: CopyPlan;
  /** constant_values storage when it is not a constant (TFLM reads it every Invoke), else null. */
  runtimeValue: Words | null;
}

const SUPPORTED = new Set(['int8', 'int16', 'int32', 'float32']);

export const padKernel: Kernel<OpData> = {
  ops: ['PAD', 'PADV2'],
  prepare(ctx: PrepareContext) {
    const input = ctx.input(0);
    const paddings = ctx.input(1);
    const values = ctx.inputCount >= 3 ? ctx.input(2) : null;
    const output = ctx.output(0);
    if (!input || !paddings) ctx.unsupported('input or paddings tensor is missing');
    if (ctx.inputCount > 3) ctx.unsupported(`${ctx.inputCount} inputs (expected 2 or 3)`);
    if (!SUPPORTED.has(input.dtype)) ctx.unsupported(`${input.dtype} input is not supported (TFLM pads int8, int16, int32 and float32)`);
    if (output.dtype !== input.dtype) ctx.unsupported(`output type ${output.dtype} differs from input type ${input.dtype}`);
    const rank = input.shape.length;
    if (rank > 5) ctx.unsupported(`rank ${rank} input (TFLM pads at most 5 dimensions)`);
    if (output.shape.length !== rank) ctx.unsupported(`output rank ${output.shape.length} differs from input rank ${rank}`);
    const pads = constInts(ctx, paddings, 'paddings');
    if (pads.length !== rank * 2) ctx.unsupported(`paddings has ${pads.length} values, expected ${rank * 2} (a pair per dimension)`);
    for (let i = 0; i < rank; i++) {
      if (pads[2 * i]! < 0 || pads[2 * i + 1]! < 0) ctx.unsupported(`negative padding [${pads[2 * i]}, ${pads[2 * i + 1]}] on dimension ${i}`);
      const want = input.shape[i]! + pads[2 * i]! + pads[2 * i + 1]!;
      if (output.shape[i] !== want) ctx.unsupported(`output dimension ${i} is ${output.shape[i]} but input + paddings gives ${want}`);
    }

    // Pad word: raw bits of the pad value in the output's word width.
    let fill = 0;
    let runtimeValue: Words | null = null;
    if (values) {
      if (values.dtype !== input.dtype) ctx.unsupported(`constant_values is ${values.dtype}, the input is ${input.dtype}`);
      if (values.elements !== 1) ctx.unsupported(`constant_values has ${values.elements} elements (must be a scalar)`);
      if (input.dtype === 'int8') {
        const oq = output.quantization;
        const vq = values.quantization;
        if ((oq?.zeroPoint[0] ?? 0) !== (vq?.zeroPoint[0] ?? 0) || (oq?.scale[0] ?? 0) !== (vq?.scale[0] ?? 0)) {
          ctx.unsupported(`constant_values quantization (scale ${vq?.scale[0] ?? 0}, zero point ${vq?.zeroPoint[0] ?? 0}) differs from the output's (scale ${oq?.scale[0] ?? 0}, zero point ${oq?.zeroPoint[0] ?? 0})`);
        }
      }
      const w = wordView(ctx, values).words;
      if (values.data) fill = w[0]!;
      else runtimeValue = w;
    } else if (input.dtype === 'int8') {
      const zp = output.quantization?.zeroPoint[0] ?? 0;
      if (zp < -128 || zp > 127) ctx.unsupported(`output zero point ${zp} is outside the int8 range`);
      fill = zp & 0xff;
    }

    // Source element of each output element, -1 inside the padding.
    const inStrides = stridesOf(input.shape);
    const outShape = output.shape;
    const map = new Int32Array(output.elements);
    const idx = new Array<number>(rank).fill(0);
    for (let e = 0; e < map.length; e++) {
      let src = 0;
      for (let d = 0; d < rank; d++) {
        const i = idx[d]! - pads[2 * d]!;
        if (i < 0 || i >= input.shape[d]!) { src = -1; break; }
        src += i * inStrides[d]!;
      }
      map[e] = src;
      for (let d = rank - 1; d >= 0; d--) {
        if (++idx[d]! < outShape[d]!) break;
        idx[d] = 0;
      }
    }
    return { plan: planFromMap(wordView(ctx, input), wordView(ctx, output), map, fill), runtimeValue };
  },
  eval(d) {
    if (d.runtimeValue !== null) d.plan.fill = d.runtimeValue[0]!;
    runCopyPlan(d.plan);
  },
};
