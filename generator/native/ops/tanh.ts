/**
 * TANH: int8 as a 256-entry table from the simulator's prepare
 * (sim/kernels/tanh.ts), int16 through the sigmoid-table interpolation.
 */
import { tanhKernel } from '../../../sim/kernels/tanh.js';
import type { OpEmitter } from '../types.js';
import { simPrepare } from './_sim_prepare.js';
import { emitInt16Act, emitLutS8 } from './_lut.js';

export const tanhEmitter: OpEmitter = {
  ops: ['TANH'],
  emit(ctx) {
    const d = simPrepare(ctx, tanhKernel);
    return d.int16 ? emitInt16Act(ctx, 'tf_tanh_s16', d.multiplier, d.shift) : emitLutS8(ctx, d.table);
  },
};
