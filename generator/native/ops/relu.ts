/**
 * RELU and RELU6 (sim/kernels/relu.ts, relu6.ts):
 * - RELU int8: the simulator's 256-entry table; int16: requantize + clamp.
 * - RELU6 int8 / int16: a clamp in the input's own quantization (TFLM ignores
 *   the output's), [zero point, quantized 6].
 */
import { reluKernel } from '../../../sim/kernels/relu.js';
import { relu6Kernel } from '../../../sim/kernels/relu6.js';
import type { OpEmitter } from '../types.js';
import { simPrepare, targs } from './_sim_prepare.js';
import { emitLutS8 } from './_lut.js';

export const reluEmitter: OpEmitter = {
  ops: ['RELU', 'RELU6'],
  emit(ctx) {
    const input = ctx.input(0);
    if (!input) return ctx.unsupported('input 0 is missing');
    const output = ctx.output(0);
    const ctype = input.dtype === 'int8' ? 'int8_t' : 'int16_t';
    const src = ctx.ptr(input.index, ctype);
    const dst = ctx.ptr(output.index, ctype);
    if (ctx.op.op === 'RELU6') {
      ctx.kernel('relu');
      const d = simPrepare(ctx, relu6Kernel);
      return `tf_clamp_copy<${ctype}, ${targs([output.elements, d.zero, d.six])}>(${src}, ${dst});`;
    }
    const d = simPrepare(ctx, reluKernel);
    if (d.table) return emitLutS8(ctx, d.table);
    ctx.kernel('relu');
    return `tf_relu_s16<${targs([output.elements, d.inZp, d.outZp, d.mult, d.shift, d.lo, d.hi])}>(${src}, ${dst});`;
  },
};
