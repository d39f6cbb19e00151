/**
 * SOFTMAX, int8 input -> int8 or int16 output -> kernels/softmax.h.
 * The exp tables (Q0.31 and Q12.19, indexed by max - x) are the simulator's
 * own (sim/kernels/softmax.ts prepare), emitted as flash constants; the
 * reciprocal of the sum runs at inference time as in TFLM.
 */
import { softmaxKernel } from '../../../sim/kernels/softmax.js';
import type { OpEmitter } from '../types.js';
import { simPrepare, targs } from './_sim_prepare.js';

export const softmaxEmitter: OpEmitter = {
  ops: ['SOFTMAX'],
  emit(ctx) {
    const d = simPrepare(ctx, softmaxKernel);
    if (d.path === 'int16in') return ctx.unsupported('int16 input is not in the native engine yet (int8 input only)');
    const int16 = d.path === 'int16';
    const ctype = int16 ? 'int16_t' : 'int8_t';
    ctx.kernel('softmax');
    const e = ctx.constant('exp', 'int32_t', d.expTable);
    const q = ctx.constant('exp_q12', 'int32_t', d.expTableQ12);
    const t = targs([ctype, d.outerSize, d.depth, int16 ? 16 : 8, int16 ? -32768 : -128, int16 ? 32767 : 127]);
    return `tf_softmax_s8<${t}>(${ctx.ptr(ctx.input(0)!.index, 'int8_t')}, ${e}, ${q}, ${ctx.ptr(ctx.output(0).index, ctype)});`;
  },
};
