/** HARD_SWISH int8: the 256-entry table from the simulator's prepare (sim/kernels/hard_swish.ts). */
import { hardSwishKernel } from '../../../sim/kernels/hard_swish.js';
import type { OpEmitter } from '../types.js';
import { simPrepare } from './_sim_prepare.js';
import { emitLutS8 } from './_lut.js';

export const hardSwishEmitter: OpEmitter = {
  ops: ['HARD_SWISH'],
  emit(ctx) {
    return emitLutS8(ctx, simPrepare(ctx, hardSwishKernel).table);
  },
};
