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
import { simPrepare, targs } from './_sim_prepare.js';
import { accTypes, biasArray, dot4Block, rqPolicy } from './_conv_geometry.js';

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
    ctx.kernel('requant');
    ctx.kernel('mac');
    ctx.kernel('fully_connected');
    const wName = ctx.constant('weights', 'int8_t', weights);
    // Per-tensor ops carry their one multiplier per row too (the simulator's arrays already repeat it).
    const policy = rqPolicy(ctx, types, rowTerm, d.multiplier, d.shift);
    const t = targs([types.input, types.acc, types.input, d.batches, depth, outDepth, d.outputZeroPoint, d.actMin, d.actMax]);
    return `tf_fully_connected<${t}>(${ctx.ptr(ctx.input(0)!.index, types.input)}, ${wName}, ${policy}, ${ctx.ptr(ctx.output(0).index, types.input)});`;
  },
};
