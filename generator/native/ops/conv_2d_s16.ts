/**
 * CONV_2D with int16 activations x int8 weights -> kernels/conv_2d_s16.h.
 * Called by conv_2d.ts for the int16 case with the simulator's prepared data
 * (sim/kernels/conv_2d.ts): padding, per-channel multipliers, activation
 * range, bias values and whether TFLM accumulates in int32 or int64. The
 * filter is the model's own [out_C][H][W][in_C / groups].
 */
import type { conv2dKernel } from '../../../sim/kernels/conv_2d.js';
import type { Kernel } from '../../../sim/kernels/types.js';
import type { EmitContext } from '../types.js';
import { targs, wrap32 } from './_sim_prepare.js';

type ConvData = typeof conv2dKernel extends Kernel<infer D> ? D : never;

export function emitConv2dInt16(ctx: EmitContext, d: ConvData): string {
  const input = ctx.input(0)!;
  const filter = ctx.input(1)!;
  const output = ctx.output(0);
  if (filter.dtype !== 'int8') return ctx.unsupported(`int16 input with ${filter.dtype} filter is not supported`);
  const { rq } = d;
  const hasBias = ctx.op.inputs.length >= 3 && ctx.input(2) !== null;
  ctx.kernel('conv_2d_s16');
  const mult = ctx.constant('multiplier', 'int32_t', rq.multiplier);
  const shift = ctx.constant('shift', 'int32_t', rq.shift);
  const t = targs([
    d.batches, d.inH, d.inW, d.inC, d.outH, d.outW, d.outC, d.filterH, d.filterW, d.filterC,
    d.strideH, d.strideW, d.dilationH, d.dilationW, d.padH, d.padW, rq.actMin, rq.actMax,
  ]);
  const args = (bias: string) => `${ctx.ptr(input.index, 'int16_t')}, ${ctx.ptr(filter.index, 'int8_t')}, ${bias}, ${mult}, ${shift}, ${ctx.ptr(output.index, 'int16_t')}`;
  // OutputKind: 1 = int32 accumulator (int32 bias), 2 = int64 accumulator.
  if (d.kind === 1) {
    const bias = hasBias ? ctx.constant('bias', 'int32_t', Int32Array.from(rq.bias, (v) => wrap32(v))) : '(const int32_t*)0';
    return `tf_conv2d_s16_acc32<${t}>(${args(bias)});`;
  }
  const bias = hasBias ? ctx.constant('bias', 'int64_t', rq.biasBig ?? BigInt64Array.from(rq.bias, (v) => BigInt(v))) : '(const int64_t*)0';
  return `tf_conv2d_s16_acc64<${t}>(${args(bias)});`;
}
