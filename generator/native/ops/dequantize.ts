/**
 * DEQUANTIZE (int8/int16/uint8 -> float32) -> kernels/quantize.h. Scale and
 * zero point from the simulator's prepare (sim/kernels/dequantize.ts).
 */
import { dequantizeKernel } from '../../../sim/kernels/dequantize.js';
import type { OpEmitter } from '../types.js';
import { floatLit, simPrepare, targs } from './_sim_prepare.js';
import { intType } from './quantize.js';

export const dequantizeEmitter: OpEmitter = {
  ops: ['DEQUANTIZE'],
  emit(ctx) {
    const d = simPrepare(ctx, dequantizeKernel);
    const input = ctx.input(0)!;
    const inT = intType(ctx, input);
    ctx.kernel('quantize');
    const t = targs([inT, d.size, d.zeroPoint]);
    return `tf_dequantize<${t}>(${ctx.ptr(input.index, inT)}, ${floatLit(d.scale)}, ${ctx.ptr(ctx.output(0).index, 'float')});`;
  },
};
