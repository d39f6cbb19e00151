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
 *
 * Speed: 8-bit inputs go through a 256-entry table of the reference
 * results; wider ones use the one-step multiplier (fusedMultiplyChecked).
 */
import type { Tensor } from '../ir/types.js';
import { f32, multiplyByQuantizedMultiplier, quantizeMultiplier, tfliteRound, typeRange } from '../math/fixedpoint.js';
import { floatToInt32 } from '../math/static_cast.js';
import type { Kernel, PrepareContext, TypedArray } from './types.js';
import { doubleArray } from './_plain_arrays.js';
import { fuseMultipliers, fusedMultiplyChecked } from '../math/fused_quantized_multiplier.js';

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
  /**
   * Requantize from 8-bit input: every output value by input value, index
   * x + 128 (int8) or x (uint8); null otherwise.
   */
  table: number[] | null;
  /** Requantize from wider input: QM(S_in / S_out) in one step (fusedMultiplyChecked; NaN scale: the reference helper). */
  fMul: number;
  fLeft: number;
  fRoundPos: number;
  fRoundNeg: number;
  fScale: number;
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
    const d: OpData = {
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
      table: null,
      fMul: 0,
      fLeft: 1,
      fRoundPos: 0,
      fRoundNeg: 0,
      fScale: NaN,
    };
    if (!fromFloat) {
      const oneStep = fuseMultipliers(Int32Array.of(multiplier), Int32Array.of(shift));
      if (oneStep) {
        d.fMul = oneStep.multiplier[0]!;
        d.fLeft = oneStep.leftMul[0]!;
        d.fRoundPos = oneStep.roundPos[0]!;
        d.fRoundNeg = oneStep.roundNeg[0]!;
        d.fScale = oneStep.scale[0]!;
      }
      if (input.dtype === 'int8' || input.dtype === 'uint8') {
        const lo = input.dtype === 'int8' ? -128 : 0;
        const table = doubleArray(256);
        for (let i = 0; i < 256; i++) table[i] = requantizeOne(d, lo + i);
        d.table = table;
      }
    }
    return d;
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
    const table = d.table;
    if (table !== null) {
      const x = input as Int8Array | Uint8Array;
      const off = x instanceof Int8Array ? 128 : 0;
      for (let i = 0; i < size; i++) output[i] = table[x[i]! + off]!;
      return;
    }
    const x = input as Int16Array | Int32Array;
    const { inputZeroPoint, multiplier, shift, fMul, fLeft, fRoundPos, fRoundNeg, fScale } = d;
    for (let i = 0; i < size; i++) {
      const q = (fusedMultiplyChecked((x[i]! - inputZeroPoint) | 0, fLeft, fMul, fRoundPos, fRoundNeg, fScale, multiplier, shift) + outputZeroPoint) | 0;
      output[i] = q < qmin ? qmin : q > qmax ? qmax : q;
    }
  },
};

/** Requantize of one input value (the reference helper): the 8-bit table entries. */
function requantizeOne(d: OpData, x: number): number {
  const q = (multiplyByQuantizedMultiplier((x - d.inputZeroPoint) | 0, d.multiplier, d.shift) + d.outputZeroPoint) | 0;
  return q < d.qmin ? d.qmin : q > d.qmax ? d.qmax : q;
}
