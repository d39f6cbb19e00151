/**
 * DEQUANTIZE. Mirrors tensorflow/lite/micro/kernels/dequantize.cc and
 * dequantize_common.cc -> reference_ops::Dequantize: int8 / int16 / uint8 in,
 * float32 out, y = static_cast<float>(double(S) * (x - zp)). The product is in
 * double (exact here: a 24-bit scale times a 17-bit integer) and rounded to
 * float once. Only the tensor's first scale / zero point are used (TFLM's
 * TfLiteTensor.params); per-channel dequantization is not part of TFLM's kernel.
 */
import type { Kernel, PrepareContext } from './types.js';

interface OpData {
  input: Int8Array | Int16Array | Uint8Array;
  output: Float32Array;
  size: number;
  scale: number;
  zeroPoint: number;
}

export const dequantizeKernel: Kernel<OpData> = {
  ops: ['DEQUANTIZE'],
  prepare(ctx: PrepareContext) {
    const input = ctx.input(0);
    const output = ctx.output(0);
    if (!input) ctx.unsupported('input 0 is missing');
    if (input.dtype !== 'int8' && input.dtype !== 'int16' && input.dtype !== 'uint8') {
      ctx.unsupported(`${input.dtype} input is not supported (int8, int16 or uint8)`);
    }
    if (output.dtype !== 'float32') ctx.unsupported(`${output.dtype} output is not supported (float32)`);
    const q = input.quantization;
    if (!q || q.scale.length === 0) ctx.unsupported('the input has no quantization parameters');
    if (input.elements !== output.elements) ctx.unsupported(`input has ${input.elements} elements, output ${output.elements}`);
    const arr = input.dtype === 'int8' ? ctx.int8(input) : input.dtype === 'int16' ? ctx.int16(input) : ctx.uint8(input);
    return { input: arr, output: ctx.float32(output), size: output.elements, scale: q.scale[0]!, zeroPoint: q.zeroPoint[0] ?? 0 };
  },
  eval(d) {
    const { input, output, size, scale, zeroPoint } = d;
    // Float32Array stores round the double product to float, like the C cast.
    for (let i = 0; i < size; i++) output[i] = scale * (input[i]! - zeroPoint);
  },
};
