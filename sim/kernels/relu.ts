/**
 * RELU. Mirrors tensorflow/lite/micro/kernels/activations.cc ReluEval +
 * activations_common.cc CalculateReluOpData -> activations.h ReluQuantized.
 * Unlike RELU6, RELU requantizes: (M, s) = QuantizeMultiplier(double(f32(S_in / S_out)))
 * (division in float32), y = clamp(zp_out + MBQM(x - zp_in, M, s)) to
 * [max(qmin, zp_out), qmax] (roundf(0 / S_out) is 0). int16 requires zero
 * points of 0 on both sides. int8 eval is a 256-entry table of that formula.
 */
import { f32, multiplyByQuantizedMultiplier, quantizeMultiplier, typeRange } from '../math/fixedpoint.js';
import type { Kernel } from './types.js';
import { quantParams, requireDtype } from './_elementwise.js';
import { applyInt8Table, int8Table } from './_int8_lookup.js';

interface OpData {
  readonly input: Int8Array | Int16Array;
  readonly output: Int8Array | Int16Array;
  /** int8: the whole op as a table; null for int16. */
  readonly table: Int8Array | null;
  readonly inZp: number;
  readonly outZp: number;
  readonly mult: number;
  readonly shift: number;
  readonly lo: number;
  readonly hi: number;
}

function relu(x: number, d: Omit<OpData, 'input' | 'output' | 'table'>): number {
  const y = d.outZp + multiplyByQuantizedMultiplier(x - d.inZp, d.mult, d.shift);
  return y < d.lo ? d.lo : y > d.hi ? d.hi : y;
}

export const reluKernel: Kernel<OpData> = {
  ops: ['RELU'],
  prepare(ctx) {
    const input = ctx.requiredInput(0);
    const output = ctx.output(0);
    const dtype = input.dtype;
    if (dtype !== 'int8' && dtype !== 'int16') ctx.unsupported(`${dtype} RELU is not supported (int8 and int16 are)`);
    requireDtype(ctx, dtype, [['output', output]]);
    const qi = quantParams(ctx, input, 'input');
    const qo = quantParams(ctx, output, 'output');
    if (dtype === 'int16' && (qi.zeroPoint !== 0 || qo.zeroPoint !== 0)) ctx.unsupported('int16 RELU needs zero points of 0 (TFLM checks this)');
    const { multiplier, shift } = quantizeMultiplier(f32(qi.scale / qo.scale));
    const [qmin, qmax] = typeRange(dtype);
    const p = { inZp: qi.zeroPoint, outZp: qo.zeroPoint, mult: multiplier, shift, lo: Math.max(qmin, qo.zeroPoint), hi: qmax };
    const int8 = dtype === 'int8';
    return {
      ...p,
      input: int8 ? ctx.int8(input) : ctx.int16(input),
      output: int8 ? ctx.int8(output) : ctx.int16(output),
      table: int8 ? int8Table((x) => relu(x, p)) : null,
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
    for (let i = 0; i < n; i++) output[i] = relu(input[i]!, d);
  },
};
