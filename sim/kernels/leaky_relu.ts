/**
 * LEAKY_RELU. Mirrors tensorflow/lite/micro/kernels/leaky_relu.cc +
 * leaky_relu_common.cc CalculateOpDataLeakyRelu -> reference/leaky_relu.h
 * QuantizeLeakyRelu, same code for int8 and int16.
 * TRAP: both multipliers come from float32 math:
 *   (Ma, sa) = QuantizeMultiplier(double(f32(f32(S_in * alpha) / S_out)))
 *   (Mi, si) = QuantizeMultiplier(double(f32(S_in / S_out)))
 * d = x - zp_in; y = clamp_T(zp_out + (d >= 0 ? MBQM(d, Mi, si) : ±MBQM(d, |Ma|, sa)))
 * where a negative alpha gives a negative Ma, applied as a negated product.
 * No zero-point restriction for int16. int8 eval is a 256-entry table.
 */
import { f32, multiplyByQuantizedMultiplier, quantizeMultiplier, typeRange } from '../math/fixedpoint.js';
import type { Kernel } from './types.js';
import { quantParams, requireDtype } from './_elementwise.js';
import { applyInt8Table, int8Table } from './_int8_lookup.js';

interface Params {
  readonly inZp: number;
  readonly outZp: number;
  readonly multIdentity: number;
  readonly shiftIdentity: number;
  /** |Ma| (as C's int32 negation gives it) and whether alpha was negative. */
  readonly multAlpha: number;
  readonly shiftAlpha: number;
  readonly alphaNegative: boolean;
  readonly qmin: number;
  readonly qmax: number;
}

interface OpData extends Params {
  readonly input: Int8Array | Int16Array;
  readonly output: Int8Array | Int16Array;
  /** int8: the whole op as a table; null for int16. */
  readonly table: Int8Array | null;
}

function leakyRelu(x: number, p: Params): number {
  const d = x - p.inZp;
  let y = p.outZp;
  if (d >= 0) {
    y += multiplyByQuantizedMultiplier(d, p.multIdentity, p.shiftIdentity);
  } else {
    const s = multiplyByQuantizedMultiplier(d, p.multAlpha, p.shiftAlpha);
    y += p.alphaNegative ? -s : s;
  }
  return y < p.qmin ? p.qmin : y > p.qmax ? p.qmax : y;
}

export const leakyReluKernel: Kernel<OpData> = {
  ops: ['LEAKY_RELU'],
  prepare(ctx) {
    const input = ctx.requiredInput(0);
    const output = ctx.output(0);
    const dtype = input.dtype;
    if (dtype !== 'int8' && dtype !== 'int16') ctx.unsupported(`${dtype} LEAKY_RELU is not supported (int8 and int16 are)`);
    requireDtype(ctx, dtype, [['output', output]]);
    const qi = quantParams(ctx, input, 'input');
    const qo = quantParams(ctx, output, 'output');
    const alpha = (ctx.op.options['alpha'] as number | undefined) ?? 0;
    const a = quantizeMultiplier(f32(f32(qi.scale * alpha) / qo.scale));
    const id = quantizeMultiplier(f32(qi.scale / qo.scale));
    const [qmin, qmax] = typeRange(dtype);
    const p: Params = {
      inZp: qi.zeroPoint, outZp: qo.zeroPoint,
      multIdentity: id.multiplier, shiftIdentity: id.shift,
      multAlpha: a.multiplier < 0 ? -a.multiplier | 0 : a.multiplier, shiftAlpha: a.shift, alphaNegative: a.multiplier < 0,
      qmin, qmax,
    };
    const int8 = dtype === 'int8';
    return {
      ...p,
      input: int8 ? ctx.int8(input) : ctx.int16(input),
      output: int8 ? ctx.int8(output) : ctx.int16(output),
      table: int8 ? int8Table((x) => leakyRelu(x, p)) : null,
    };
  },
  eval(d) {
    if (d.table) {
      applyInt8Table(d.input as Int8Array, d.output as Int8Array, d.table);
      return;
    }
    const input = d.input as Int16Array;
    const output = d.output as Int16Array;
    const n = output.length;
    for (let i = 0; i < n; i++) output[i] = leakyRelu(input[i]!, d);
  },
};
