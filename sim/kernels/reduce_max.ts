/**
 * REDUCE_MAX, int8. Mirrors tensorflow/lite/micro/kernels/reduce_common.cc
 * (EvalMinMaxHelper -> reference_ops::ReduceGeneric with a max reducer).
 *
 * Traps:
 * - No requantization: TFLM requires (at Invoke) the input and output scale
 *   (compared exactly) and zero point to be equal; refused here at prepare.
 * - Every output starts at -128, so an empty reduction yields -128.
 * Axis handling is shared with MEAN / SUM (_reduce_common.ts). Float is not
 * implemented.
 */
import type { Kernel, PrepareContext } from './types.js';
import { prepareReduction } from './_reduce_common.js';

interface OpData {
  input: Int8Array;
  output: Int8Array;
  /** Output element of each input element. */
  outIndex: Int32Array;
}

export const reduceMaxKernel: Kernel<OpData> = {
  ops: ['REDUCE_MAX'],
  prepare(ctx: PrepareContext) {
    const r = prepareReduction(ctx);
    const { input, output } = r;
    if (input.dtype !== 'int8') ctx.unsupported(`${input.dtype} input is not supported (int8 only)`);
    if (output.dtype !== 'int8') ctx.unsupported(`output type ${output.dtype} differs from input type int8`);
    const sIn = input.quantization?.scale[0] ?? 0;
    const sOut = output.quantization?.scale[0] ?? 0;
    const zIn = input.quantization?.zeroPoint[0] ?? 0;
    const zOut = output.quantization?.zeroPoint[0] ?? 0;
    if (sIn !== sOut || zIn !== zOut) ctx.unsupported(`input quantization (scale ${sIn}, zero point ${zIn}) differs from the output's (scale ${sOut}, zero point ${zOut}); TFLM's REDUCE_MAX does not requantize`);
    return { input: ctx.int8(input), output: ctx.int8(output), outIndex: r.outIndex };
  },
  eval(d) {
    const { input, output, outIndex } = d;
    output.fill(-128);
    const n = outIndex.length;
    for (let i = 0; i < n; i++) {
      const j = outIndex[i]!;
      const v = input[i]!;
      if (v > output[j]!) output[j] = v;
    }
  },
};
