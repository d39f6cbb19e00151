/**
 * DIV int32 / int8 (sim/kernels/div.ts) -> kernels/div.h. The int8
 * reciprocal tables per divisor byte come from the simulator's prepare.
 * A division TFLM has no result for (zero divisor, INT32_MIN / -1) makes
 * tf_invoke() return 1 instead of trapping.
 */
import { divKernel } from '../../../sim/kernels/div.js';
import type { OpEmitter } from '../types.js';
import { simPrepare, targs } from './_sim_prepare.js';
import { emitBinary } from './_binary.js';

export const divEmitter: OpEmitter = {
  ops: ['DIV'],
  emit(ctx) {
    const d = simPrepare(ctx, divKernel);
    ctx.kernel('div');
    if (d.kind === 'int32') {
      const op = `tf_div_s32_op<${targs([d.actMin, d.actMax])}>`;
      const body = emitBinary(ctx, d.plan, 'int32_t', 'op', `bool bad = false;\n    const ${op} op = { &bad };`);
      return `${body}\n    if (bad) return 1;  // division by zero or INT32_MIN / -1`;
    }
    const sign = ctx.constant('divisor_sign', 'int8_t', d.divSign);
    const recip = ctx.constant('reciprocal', 'int32_t', d.recip);
    const rshift = ctx.constant('reciprocal_shift', 'int32_t', d.recipShift);
    const op = `tf_div_s8_op<${targs([d.offset1, d.outZp, d.mult, d.shift, d.actMin, d.actMax])}>`;
    const body = emitBinary(ctx, d.plan, 'int8_t', 'op', `bool bad = false;\n    const ${op} op = { ${sign}, ${recip}, ${rshift}, &bad };`);
    return `${body}\n    if (bad) return 1;  // a divisor equal to its zero point (division by zero)`;
  },
};
