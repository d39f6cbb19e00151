/**
 * CAST. Mirrors tensorflow/lite/micro/kernels/cast.cc: element-wise
 * static_cast<To>(from), no quantization, no saturation.
 * Inputs: int8, int16, int32, uint32, float32, bool. Outputs: int8, int16,
 * int32, uint32, float32 (TFLM has no bool output).
 * - integer -> narrower / other-signed integer keeps the low bits (two's
 *   complement), e.g. int32 300 -> int8 44, uint32 <-> int32 reinterprets.
 * - integer -> float32 rounds to nearest even.
 * - float32 -> integer truncates toward zero; out-of-range and NaN follow the
 *   x86-64 golden build (sim/math/static_cast.ts): to int8/int16/int32 via a
 *   32-bit conversion (INT32_MIN, then its low bits), to uint32 via a 64-bit one.
 * - bool bytes are converted as stored (0 / 1).
 * Typed-array `set` performs exactly the integer and integer -> float
 * conversions above, so only float sources need a loop.
 */
import type { DType } from '../ir/types.js';
import { floatToInt32, floatToUint32 } from '../math/static_cast.js';
import type { Kernel, PrepareContext, TypedArray } from './types.js';

interface OpData {
  input: TypedArray;
  output: TypedArray;
  size: number;
  /** Float source into an integer destination: 'u32' uses the 64-bit conversion. */
  floatTo: 'none' | 'i32' | 'u32';
}

const INPUTS: readonly DType[] = ['int8', 'int16', 'int32', 'uint32', 'float32', 'bool'];
const OUTPUTS: readonly DType[] = ['int8', 'int16', 'int32', 'uint32', 'float32'];

export const castKernel: Kernel<OpData> = {
  ops: ['CAST'],
  prepare(ctx: PrepareContext) {
    const input = ctx.input(0);
    const output = ctx.output(0);
    if (!input) ctx.unsupported('input 0 is missing');
    if (!INPUTS.includes(input.dtype)) ctx.unsupported(`${input.dtype} input is not supported (${INPUTS.join(', ')})`);
    if (!OUTPUTS.includes(output.dtype)) ctx.unsupported(`${output.dtype} output is not supported (${OUTPUTS.join(', ')})`);
    if (input.elements !== output.elements) ctx.unsupported(`input has ${input.elements} elements, output ${output.elements}`);
    const floatTo = input.dtype !== 'float32' || output.dtype === 'float32' ? 'none' : output.dtype === 'uint32' ? 'u32' : 'i32';
    return { input: ctx.array(input), output: ctx.array(output), size: output.elements, floatTo };
  },
  eval(d) {
    const { input, output, size, floatTo } = d;
    if (floatTo === 'none') {
      (output as Int32Array).set(input as Int32Array);
      return;
    }
    const x = input as Float32Array;
    if (floatTo === 'u32') {
      for (let i = 0; i < size; i++) output[i] = floatToUint32(x[i]!);
    } else {
      // Int8/Int16/Int32Array stores keep the low bits of the int32 result.
      for (let i = 0; i < size; i++) output[i] = floatToInt32(x[i]!);
    }
  },
};
