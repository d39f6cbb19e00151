/**
 * CONCATENATION. Mirrors tensorflow/lite/micro/kernels/concatenation.cc
 * (reference_ops::Concatenation): for each outer index, each input's slab of
 * dim(axis) * inner elements is copied in input order. Raw copy.
 *
 * Traps:
 * - int8: every input's scale (compared exactly, as double) and zero point
 *   must equal the output's, else TFLM's Prepare fails: no requantizing
 *   concatenation. Refused here with the mismatch named.
 * - int16: only zero points are checked (all 0); differing scales are copied raw.
 * - No fused activation; at most 10 inputs; negative axis += output rank.
 * - Types: float32, int8, int16, int32, int64, bool.
 */
import type { Tensor } from '../ir/types.js';
import type { Kernel, PrepareContext } from './types.js';
import { planFromRuns, runCopyPlan, wordView, type CopyPlan } from './_copy_common.js';

interface OpData {
  /** One plan per input, each writing its slabs into the output. */
  plans: CopyPlan[];
}

const SUPPORTED = new Set(['float32', 'int8', 'int16', 'int32', 'int64', 'bool']);
const MAX_INPUTS = 10;

const scaleOf = (t: Tensor) => t.quantization?.scale[0] ?? 0;
const zeroPointOf = (t: Tensor) => t.quantization?.zeroPoint[0] ?? 0;

export const concatenationKernel: Kernel<OpData> = {
  ops: ['CONCATENATION'],
  prepare(ctx: PrepareContext) {
    const output = ctx.output(0);
    const o = ctx.op.options as { axis: number; activation: string };
    if (o.activation !== 'NONE') ctx.unsupported(`fused activation ${o.activation} (TFLM requires NONE)`);
    const count = ctx.inputCount;
    if (count < 1) ctx.unsupported('no inputs');
    if (count > MAX_INPUTS) ctx.unsupported(`${count} inputs (TFLM concatenates at most ${MAX_INPUTS})`);
    const inputs: Tensor[] = [];
    for (let i = 0; i < count; i++) {
      const t = ctx.input(i);
      if (!t) ctx.unsupported(`input ${i} is missing`);
      inputs.push(t);
    }
    const dtype = inputs[0]!.dtype;
    if (!SUPPORTED.has(dtype)) ctx.unsupported(`${dtype} inputs are not supported`);
    if (output.dtype !== dtype) ctx.unsupported(`output type ${output.dtype} differs from input type ${dtype}`);
    const rank = output.shape.length;
    if (rank > 6) ctx.unsupported(`rank ${rank} (TFLM handles at most 6 dimensions)`);
    for (let i = 0; i < count; i++) {
      const t = inputs[i]!;
      if (t.dtype !== dtype) ctx.unsupported(`input ${i} is ${t.dtype}, input 0 is ${dtype}`);
      if (dtype === 'int8') {
        if (scaleOf(t) !== scaleOf(output)) {
          ctx.unsupported(`input ${i} scale ${scaleOf(t)} differs from the output scale ${scaleOf(output)}; TFLM's int8 CONCATENATION requires equal scales (no requantization)`, 're-convert so all concatenated tensors share one quantization, or add explicit QUANTIZE ops before the concatenation');
        }
        if (zeroPointOf(t) !== zeroPointOf(output)) {
          ctx.unsupported(`input ${i} zero point ${zeroPointOf(t)} differs from the output zero point ${zeroPointOf(output)}; TFLM's int8 CONCATENATION requires equal zero points (no requantization)`, 're-convert so all concatenated tensors share one quantization, or add explicit QUANTIZE ops before the concatenation');
        }
      } else if (dtype === 'int16' && zeroPointOf(t) !== 0) {
        ctx.unsupported(`input ${i} zero point ${zeroPointOf(t)} is not 0 (TFLM's int16 CONCATENATION requires 0)`);
      }
    }
    if (dtype === 'int16' && zeroPointOf(output) !== 0) ctx.unsupported(`output zero point ${zeroPointOf(output)} is not 0 (TFLM's int16 CONCATENATION requires 0)`);

    const axis = o.axis < 0 ? o.axis + rank : o.axis;
    if (axis < 0 || axis >= rank) ctx.unsupported(`axis ${o.axis} is out of range for rank ${rank}`);
    let total = 0;
    for (let i = 0; i < count; i++) {
      const s = inputs[i]!.shape;
      if (s.length !== rank || s.some((d, j) => j !== axis && d !== output.shape[j])) {
        ctx.unsupported(`input ${i} shape [${s.join(', ')}] does not fit output [${output.shape.join(', ')}] along axis ${axis}`);
      }
      total += s[axis]!;
    }
    if (total !== output.shape[axis]) ctx.unsupported(`inputs add up to ${total} along axis ${axis}, the output has ${output.shape[axis]}`);

    let outer = 1;
    for (let j = 0; j < axis; j++) outer *= output.shape[j]!;
    let inner = 1;
    for (let j = axis + 1; j < rank; j++) inner *= output.shape[j]!;
    const outWords = wordView(ctx, output);
    const rowSize = output.shape[axis]! * inner;
    const plans: CopyPlan[] = [];
    let offset = 0;
    for (let i = 0; i < count; i++) {
      const slab = inputs[i]!.shape[axis]! * inner;
      const triples: number[] = [];
      for (let k = 0; k < outer; k++) triples.push(k * slab, k * rowSize + offset, slab);
      plans.push(planFromRuns(wordView(ctx, inputs[i]!), outWords, triples));
      offset += slab;
    }
    return { plans };
  },
  eval(d) {
    const plans = d.plans;
    for (let i = 0; i < plans.length; i++) runCopyPlan(plans[i]!);
  },
};
