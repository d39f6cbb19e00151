/**
 * FULLY_CONNECTED, int8 activations x int8 (or int4) weights, and int16
 * activations x int8 weights (int32 or int64 accumulator) ->
 * kernels/fully_connected.h.
 *
 * The simulator's prepare (sim/kernels/fully_connected.ts) supplies the
 * multipliers, the activation range and the per-row term bias - zp_in *
 * sum(w) (int32 wrap), so the kernel's inner loop is a bare dot product. The
 * weight rows are laid out here in blocks of 4 in the order the kernel reads
 * them (dot4 layout, kernels/mac.h), zero-padded to a multiple of 4 rows.
 */
import { fullyConnectedKernel } from '../../../sim/kernels/fully_connected.js';
import type { OpEmitter } from '../types.js';
import { allSame, simPrepare, targs } from './_sim_prepare.js';
import { accTypes, biasArray, dot4Block } from './_conv_geometry.js';

export const fullyConnectedEmitter: OpEmitter = {
  ops: ['FULLY_CONNECTED'],
  emit(ctx) {
    const d = simPrepare(ctx, fullyConnectedKernel);
    const int8 = d.input instanceof Int8Array;
    const types = accTypes(int8 ? 0 : d.acc === 0 ? 1 : 2);
    if (d.dynamicRows) return ctx.unsupported('weights or bias computed at run time are not supported by the native engine (they must be constants)');
    const { depth, outDepth, filter } = d;
    const blocks = (outDepth + 3) >> 2;
    const weights = new Int8Array(blocks * depth * 4);
    for (let b = 0; b < blocks; b++) {
      dot4Block(depth, depth, (j, k) => (b * 4 + j < outDepth ? filter[(b * 4 + j) * depth + k]! : 0), weights, b * depth * 4);
    }
    // rowTerm is already wrapped to int32 for an int32 accumulator, exact for the int64 one.
    const rowTerm = biasArray(types, d.rowTerm, null);
    const perChannel = !(allSame(d.multiplier) && allSame(d.shift));
    ctx.kernel('requant');
    ctx.kernel('mac');
    ctx.kernel('fully_connected');
    const wName = ctx.constant('weights', 'int8_t', weights);
    const rName = ctx.constant('row_term', types.bias, rowTerm);
    const mName = ctx.constant('multiplier', 'int32_t', perChannel ? d.multiplier : d.multiplier.subarray(0, 1));
    const sName = ctx.constant('shift', 'int32_t', perChannel ? d.shift : d.shift.subarray(0, 1));
    const t = targs([types.input, types.acc, types.bias, types.input, d.batches, depth, outDepth, d.outputZeroPoint, d.actMin, d.actMax, perChannel ? 1 : 0, d.shift.some((v) => v > 0) ? 'true' : 'false']);
    return `tf_fully_connected<${t}>(${ctx.ptr(ctx.input(0)!.index, types.input)}, ${wName}, ${rName}, ${mName}, ${sName}, ${ctx.ptr(ctx.output(0).index, types.input)});`;
  },
};
