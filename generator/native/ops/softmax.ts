/**
 * SOFTMAX -> kernels/softmax.h. int8 input -> int8 or int16 output: the exp
 * tables (Q0.31 and Q12.19, indexed by max - x) are the simulator's own
 * (sim/kernels/softmax.ts prepare), emitted as flash constants; the reciprocal
 * of the sum runs at inference time as in TFLM. int16 -> int16: the
 * simulator's two 513-entry LUTs and input multiplier.
 */
import { softmaxKernel } from '../../../sim/kernels/softmax.js';
import type { OpEmitter } from '../types.js';
import { simPrepare, targs } from './_sim_prepare.js';

export const softmaxEmitter: OpEmitter = {
  ops: ['SOFTMAX'],
  emit(ctx) {
    const d = simPrepare(ctx, softmaxKernel);
    ctx.kernel('softmax');
    if (d.path === 'int16in') {
      const e = ctx.constant('exp_lut', 'int16_t', d.expLut);
      const r = ctx.constant('one_over_one_plus_x_lut', 'int16_t', d.oneOverOnePlusXLut);
      const t = targs([d.outerSize, d.depth, d.inputMultiplier, d.inputShift]);
      return `tf_softmax_s16<${t}>(${ctx.ptr(ctx.input(0)!.index, 'int16_t')}, ${e}, ${r}, ${ctx.ptr(ctx.output(0).index, 'int16_t')});`;
    }
    const int16 = d.path === 'int16';
    const ctype = int16 ? 'int16_t' : 'int8_t';
    const e = ctx.constant('exp', 'int32_t', d.expTable);
    const q = ctx.constant('exp_q12', 'int32_t', d.expTableQ12);
    const t = targs([ctype, d.outerSize, d.depth, int16 ? 16 : 8, int16 ? -32768 : -128, int16 ? 32767 : 127]);
    return `tf_softmax_s8<${t}>(${ctx.ptr(ctx.input(0)!.index, 'int8_t')}, ${e}, ${q}, ${ctx.ptr(ctx.output(0).index, ctype)});`;
  },
};
