/**
 * QUANTIZE. Mirrors tensorflow/lite/micro/kernels/quantize_common.cc
 * (PrepareQuantizeReference / EvalQuantizeReference):
 * - float32 -> int8 / int16: reference_ops::AffineQuantize,
 *   q = clamp(static_cast<int32>(TfLiteRound(x / float(S_out))) + zp_out).
 *   The division is float32 (not a multiply by 1/S), rounding is half away
 *   from zero on the float, and the float -> int32 conversion follows the
 *   x86-64 golden build for out-of-range values (see sim/math/static_cast.ts).
 * - integer -> integer: reference_ops::Requantize,
 *   y = clamp(MBQM(x - zp_in, QM(S_in / S_out)) + zp_out), ratio in double.
 *   Pairs TFLM runs: int8 -> int8/uint8/int16/int32, int16 -> int8/int16/int32,
 *   int32 -> int8/int16, uint8 -> int8. (Requantize's int8 <-> uint8 "xor 0x80"
 *   fast path gives the same bytes as the general formula, so it needs no
 *   special case.)
 * The output must be per-tensor quantized (TFLM checks exactly one scale).
 */
import type { Tensor } from '../ir/types.js';
import { f32, multiplyByQuantizedMultiplier, quantizeMultiplier, tfliteRound, typeRange } from '../math/fixedpoint.js';
import { floatToInt32 } from '../math/static_cast.js';
import type { Kernel, PrepareContext, TypedArray } from './types.js';

interface OpData {
  /** True for float32 input (AffineQuantize), false for Requantize. */
  fromFloat: boolean;
  input: TypedArray;
  output: TypedArray;
  size: number;
  /** AffineQuantize: the output scale as a float32 value. */
  scale: number;
  /** Requantize: QM(S_in / S_out). */
  multiplier: number;
  shift: number;
  inputZeroPoint: number;
  outputZeroPoint: number;
  /** Output type range. */
  qmin: number;
  qmax: number;
}

/** Integer pairs EvalQuantizeReference handles. */
const REQUANTIZE: Readonly<Record<string, readonly string[]>> = {
  int8: ['int8', 'uint8', 'int16', 'int32'],
  int16: ['int8', 'int16', 'int32'],
  int32: ['int8', 'int16'],
  uint8: ['int8'],
};

function params(t: Tensor): { scale: number; zeroPoint: number } | null {
  const q = t.quantization;
  if (!q || q.scale.length === 0) return null;
  return { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0] ?? 0 };
}

export const quantizeKernel: Kernel<OpData> = {
  ops: ['QUANTIZE'],
  prepare(ctx: PrepareContext) {
    const input = ctx.input(0);
    const output = ctx.output(0);
    if (!input) ctx.unsupported('input 0 is missing');
    const pOut = params(output);
    if (!pOut) ctx.unsupported('the output has no quantization parameters');
    if (output.quantization!.scale.length !== 1) ctx.unsupported('per-channel output quantization is not supported (TFLM requires one scale)');
    if (input.elements !== output.elements) ctx.unsupported(`input has ${input.elements} elements, output ${output.elements}`);
    const fromFloat = input.dtype === 'float32';
    let multiplier = 0;
    let shift = 0;
    let inputZeroPoint = 0;
    if (fromFloat) {
      if (output.dtype !== 'int8' && output.dtype !== 'int16') ctx.unsupported(`float32 -> ${output.dtype} is not supported (int8 or int16 output)`);
    } else {
      if (!REQUANTIZE[input.dtype]?.includes(output.dtype)) ctx.unsupported(`${input.dtype} -> ${output.dtype} requantization is not supported by TFLM`);
      const pIn = params(input);
      if (!pIn) ctx.unsupported('the input has no quantization parameters');
      const m = quantizeMultiplier(pIn.scale / pOut.scale);
      multiplier = m.multiplier;
      shift = m.shift;
      inputZeroPoint = pIn.zeroPoint;
    }
    const [qmin, qmax] = typeRange(output.dtype);
    return {
      fromFloat,
      input: ctx.array(input),
      output: ctx.array(output),
      size: output.elements,
      scale: f32(pOut.scale),
      multiplier,
      shift,
      inputZeroPoint,
      outputZeroPoint: pOut.zeroPoint,
      qmin,
      qmax,
    };
  },
  eval(d) {
    const { input, output, size, outputZeroPoint, qmin, qmax } = d;
    if (d.fromFloat) {
      const x = input as Float32Array;
      const scale = d.scale;
      for (let i = 0; i < size; i++) {
        // Division of two floats in double, rounded once to float: the IEEE float32 quotient.
        const q = (floatToInt32(tfliteRound(f32(x[i]! / scale))) + outputZeroPoint) | 0;
        output[i] = q < qmin ? qmin : q > qmax ? qmax : q;
      }
      return;
    }
    const x = input as Int8Array | Int16Array | Int32Array | Uint8Array;
    const { multiplier, shift, inputZeroPoint } = d;
    for (let i = 0; i < size; i++) {
      const q = (multiplyByQuantizedMultiplier((x[i]! - inputZeroPoint) | 0, multiplier, shift) + outputZeroPoint) | 0;
      output[i] = q < qmin ? qmin : q > qmax ? qmax : q;
    }
  },
};
