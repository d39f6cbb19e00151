/**
 * RELU6. Mirrors tensorflow/lite/micro/kernels/activations.cc Relu6Eval +
 * activations_common.cc Relu6Prepare -> activations.h Relu6Quantized.
 * TRAP: Prepare reads only the INPUT tensor and the output quantization is
 * ignored entirely: the raw input is clamped to [zp_in, six] and copied, with
 * six = FloatToQuantizedType(6.0f, S_in, zp_in) = clamp_T(round(f32(6 / S_in)) + zp_in).
 */
import { f32, tfliteRound, typeRange } from '../math/fixedpoint.js';
import type { Kernel } from './types.js';
import { quantParams, requireDtype } from './_elementwise.js';

interface OpData {
  readonly input: Int8Array | Int16Array;
  readonly output: Int8Array | Int16Array;
  /** Clamp bounds in the input's own quantization. */
  readonly zero: number;
  readonly six: number;
}

export const relu6Kernel: Kernel<OpData> = {
  ops: ['RELU6'],
  prepare(ctx) {
    const input = ctx.requiredInput(0);
    const output = ctx.output(0);
    const dtype = input.dtype;
    if (dtype !== 'int8' && dtype !== 'int16') ctx.unsupported(`${dtype} RELU6 is not supported (int8 and int16 are)`);
    requireDtype(ctx, dtype, [['output', output]]);
    const qi = quantParams(ctx, input, 'input');
    const [qmin, qmax] = typeRange(dtype);
    // C round() of a float is exact on the float; adding the zero point is exact for these magnitudes.
    const raw = tfliteRound(f32(6 / qi.scale)) + qi.zeroPoint;
    const six = raw < qmin ? qmin : raw > qmax ? qmax : raw;
    const int8 = dtype === 'int8';
    // The lower bound is the zero point converted to T (a zero point outside T's range wraps in C).
    const zero = int8 ? (qi.zeroPoint << 24) >> 24 : (qi.zeroPoint << 16) >> 16;
    return {
      input: int8 ? ctx.int8(input) : ctx.int16(input),
      output: int8 ? ctx.int8(output) : ctx.int16(output),
      zero, six,
    };
  },
  eval(d) {
    const { input, output, zero, six } = d;
    const n = output.length;
    for (let i = 0; i < n; i++) {
      const v = input[i]!;
      output[i] = v > six ? six : v < zero ? zero : v;
    }
  },
};
