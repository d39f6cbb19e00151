/**
 * ABS. Mirrors tensorflow/lite/micro/kernels/elementwise.cc (PrepareAbsRsqrt,
 * AbsEval, AbsEvalQuantized).
 * - int8, and int16 with quantization (zero points must be 0):
 *   v = |x - zp_in|. If S_in == S_out (float compare) no rescale:
 *   y = clamp_T(v + zp_out); otherwise (M, s) = QM(double(f32(S_in / S_out)))
 *   and y = clamp_T(MBQM(v, M, s) + zp_out).
 * - int16 without quantization: std::abs on the raw value, truncated back to
 *   int16 (so -32768 stays -32768).
 * - float32: fabs.
 * int8 eval is a 256-entry table.
 */
import { f32, multiplyByQuantizedMultiplier, quantizeMultiplier, typeRange } from '../math/fixedpoint.js';
import type { Kernel } from './types.js';
import { quantParams, requireDtype } from './_elementwise.js';
import { applyInt8Table, int8Table } from './_int8_lookup.js';

interface Params {
  readonly inZp: number;
  readonly outZp: number;
  readonly rescale: boolean;
  readonly mult: number;
  readonly shift: number;
  readonly qmin: number;
  readonly qmax: number;
}

interface OpData extends Params {
  readonly kind: 'int8' | 'int16' | 'int16raw' | 'float32';
  readonly input: Int8Array | Int16Array | Float32Array;
  readonly output: Int8Array | Int16Array | Float32Array;
  readonly table: Int8Array | null;
}

function absQuantized(x: number, p: Params): number {
  const v = x < p.inZp ? p.inZp - x : x - p.inZp;
  const y = p.rescale ? multiplyByQuantizedMultiplier(v, p.mult, p.shift) + p.outZp : v + p.outZp;
  return y < p.qmin ? p.qmin : y > p.qmax ? p.qmax : y;
}

const NO_PARAMS: Params = { inZp: 0, outZp: 0, rescale: false, mult: 0, shift: 0, qmin: 0, qmax: 0 };

export const absKernel: Kernel<OpData> = {
  ops: ['ABS'],
  prepare(ctx) {
    const input = ctx.requiredInput(0);
    const output = ctx.output(0);
    const dtype = input.dtype;
    if (dtype !== 'int8' && dtype !== 'int16' && dtype !== 'float32') ctx.unsupported(`${dtype} ABS is not supported (TFLM runs float32, int8 and int16)`);
    requireDtype(ctx, dtype, [['output', output]]);
    if (dtype === 'float32') return { ...NO_PARAMS, kind: 'float32', input: ctx.float32(input), output: ctx.float32(output), table: null };
    if (dtype === 'int16' && !input.quantization) return { ...NO_PARAMS, kind: 'int16raw', input: ctx.int16(input), output: ctx.int16(output), table: null };
    const qi = quantParams(ctx, input, 'input');
    const qo = quantParams(ctx, output, 'output');
    if (dtype === 'int16' && (qi.zeroPoint !== 0 || qo.zeroPoint !== 0)) ctx.unsupported('quantized int16 ABS needs zero points of 0 (TFLM checks this)');
    const rescale = qi.scale !== qo.scale;
    const m = rescale ? quantizeMultiplier(f32(qi.scale / qo.scale)) : { multiplier: 0, shift: 0 };
    const [qmin, qmax] = typeRange(dtype);
    const p: Params = { inZp: qi.zeroPoint, outZp: qo.zeroPoint, rescale, mult: m.multiplier, shift: m.shift, qmin, qmax };
    if (dtype === 'int8') return { ...p, kind: 'int8', input: ctx.int8(input), output: ctx.int8(output), table: int8Table((x) => absQuantized(x, p)) };
    return { ...p, kind: 'int16', input: ctx.int16(input), output: ctx.int16(output), table: null };
  },
  eval(d) {
    const n = d.output.length;
    switch (d.kind) {
      case 'int8':
        applyInt8Table(d.input as Int8Array, d.output as Int8Array, d.table!);
        return;
      case 'int16': {
        const input = d.input as Int16Array;
        const output = d.output as Int16Array;
        for (let i = 0; i < n; i++) output[i] = absQuantized(input[i]!, d);
        return;
      }
      case 'int16raw': {
        // The Int16Array store truncates 32768 back to -32768, as the C cast does.
        const input = d.input as Int16Array;
        const output = d.output as Int16Array;
        for (let i = 0; i < n; i++) {
          const v = input[i]!;
          output[i] = v < 0 ? -v : v;
        }
        return;
      }
      default: {
        const input = d.input as Float32Array;
        const output = d.output as Float32Array;
        for (let i = 0; i < n; i++) output[i] = Math.abs(input[i]!);
      }
    }
  },
};
