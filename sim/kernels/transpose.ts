/**
 * TRANSPOSE. Mirrors tensorflow/lite/micro/kernels/transpose.cc +
 * transpose_common.cc (reference_ops::Transpose): output[i0..in] =
 * input[coordinates permuted by perm], a raw copy.
 *
 * Traps:
 * - perm must be a constant 1-D int32 tensor with one entry per input
 *   dimension, each in [0, rank); rank <= 5.
 * - Only float32, int8 and int16 (TFLM's Eval rejects other types).
 */
import type { Kernel, PrepareContext } from './types.js';
import { constInts, expectShape, planFromMap, runCopyPlan, stridesOf, wordView, type CopyPlan } from './_copy_common.js';

interface OpData {
  plan: CopyPlan;
}

const SUPPORTED = new Set(['float32', 'int8', 'int16']);

export const transposeKernel: Kernel<OpData> = {
  ops: ['TRANSPOSE'],
  prepare(ctx: PrepareContext) {
    const input = ctx.input(0);
    const permT = ctx.input(1);
    const output = ctx.output(0);
    if (!input || !permT) ctx.unsupported('input or perm tensor is missing');
    if (!SUPPORTED.has(input.dtype)) ctx.unsupported(`${input.dtype} input is not supported (TFLM transposes float32, int8 and int16)`);
    if (output.dtype !== input.dtype) ctx.unsupported(`output type ${output.dtype} differs from input type ${input.dtype}`);
    const rank = input.shape.length;
    if (rank > 5) ctx.unsupported(`rank ${rank} input (TFLM transposes at most 5 dimensions)`);
    if (permT.shape.length !== 1 || permT.shape[0] !== rank) ctx.unsupported(`perm shape [${permT.shape.join(', ')}] does not match input rank ${rank}`);
    const perm = constInts(ctx, permT, 'perm');
    const seen = new Set<number>();
    for (const p of perm) {
      if (p < 0 || p >= rank) ctx.unsupported(`perm entry ${p} is out of bounds for rank ${rank}`);
      seen.add(p);
    }
    if (seen.size !== rank) ctx.unsupported(`perm [${perm.join(', ')}] is not a permutation`);
    expectShape(ctx, output, perm.map((p) => input.shape[p]!));

    // Output coordinate j walks input axis perm[j].
    const inStrides = stridesOf(input.shape);
    const walk = perm.map((p) => inStrides[p]!);
    const outShape = output.shape;
    const map = new Int32Array(output.elements);
    const idx = new Array<number>(rank).fill(0);
    let src = 0;
    for (let e = 0; e < map.length; e++) {
      map[e] = src;
      for (let j = rank - 1; j >= 0; j--) {
        src += walk[j]!;
        if (++idx[j]! < outShape[j]!) break;
        src -= walk[j]! * outShape[j]!;
        idx[j] = 0;
      }
    }
    return { plan: planFromMap(wordView(ctx, input), wordView(ctx, output), map) };
  },
  eval(d) {
    runCopyPlan(d.plan);
  },
};
