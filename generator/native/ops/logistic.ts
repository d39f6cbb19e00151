/**
 * LOGISTIC: int8 as a 256-entry table from the simulator's prepare
 * (sim/kernels/logistic.ts), int16 through the sigmoid-table interpolation.
 */
import { logisticKernel } from '../../../sim/kernels/logistic.js';
import type { OpEmitter } from '../types.js';
import { simPrepare } from './_sim_prepare.js';
import { emitInt16Act, emitLutS8 } from './_lut.js';

export const logisticEmitter: OpEmitter = {
  ops: ['LOGISTIC'],
  emit(ctx) {
    const d = simPrepare(ctx, logisticKernel);
    return d.int16 ? emitInt16Act(ctx, 'tf_logistic_s16', d.multiplier, d.shift) : emitLutS8(ctx, d.table);
  },
};
