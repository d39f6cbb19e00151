/**
 * DEPTHWISE_CONV_2D, int8 activations x int8 (or int4) weights, and int16
 * activations x int8 weights (int64 accumulator) -> kernels/depthwise_conv2d.h.
 *
 * Parameters come from the simulator's prepare (sim/kernels/depthwise_conv_2d.ts).
 * The filter [1, FH, FW, OUT_C] is regrouped here into blocks of 4 output
 * channels with the taps of a block consecutive (the kernel's inner-loop
 * order), and the zero point is folded into the per-channel bias (exact for
 * border windows too: the kernel pads them with zp_in).
 */
import { depthwiseConv2dKernel } from '../../../sim/kernels/depthwise_conv_2d.js';
import type { OpEmitter } from '../types.js';
import { simPrepare, targs, wrap32 } from './_sim_prepare.js';
import { accTypes, biasArray } from './_conv_geometry.js';

export const depthwiseConv2dEmitter: OpEmitter = {
  ops: ['DEPTHWISE_CONV_2D'],
  emit(ctx) {
    const d = simPrepare(ctx, depthwiseConv2dKernel);
    const types = accTypes(d.kind);
    const { outC, filterH, filterW, rq } = d;
    const taps = filterH * filterW;
    const blocks = (outC + 3) >> 2;
    const weights = new Int8Array(blocks * taps * 4);
    const sums = new Float64Array(outC);
    for (let b = 0; b < blocks; b++) {
      for (let t = 0; t < taps; t++) {
        for (let j = 0; j < 4; j++) {
          const oc = b * 4 + j;
          if (oc >= outC) continue;
          const w = d.weights[t * outC + oc]!;
          weights[(b * taps + t) * 4 + j] = w;
          sums[oc]! += w;
        }
      }
    }
    const biasFolded = new Int32Array(outC);
    for (let oc = 0; oc < outC; oc++) biasFolded[oc] = wrap32(rq.bias[oc]! + d.inputOffset * sums[oc]!);
    ctx.kernel('requant');
    ctx.kernel('mac');
    ctx.kernel('depthwise_conv2d');
    const wName = ctx.constant('weights', 'int8_t', weights);
    // int16 has no zero point: the folded bias is the bias itself (int64 for the int64 accumulator).
    const bName = types.bias === 'int32_t' ? ctx.constant('bias', 'int32_t', biasFolded) : ctx.constant('bias', 'int64_t', biasArray(types, rq.bias, rq.biasBig));
    const mName = ctx.constant('multiplier', 'int32_t', rq.multiplier);
    const sName = ctx.constant('shift', 'int32_t', rq.shift);
    const t = targs([
      types.input, types.acc, types.bias, types.input, d.batches, d.inH, d.inW, d.inC, d.outH, d.outW, outC, filterH, filterW, d.depthMultiplier,
      d.strideH, d.strideW, d.dilationH, d.dilationW, d.padH, d.padW, -d.inputOffset, rq.outZp, rq.actMin, rq.actMax,
      rq.shift.some((v) => v > 0) ? 'true' : 'false',
    ]);
    return `tf_depthwise_conv2d<${t}>(${ctx.ptr(ctx.input(0)!.index, types.input)}, ${wName}, ${bName}, ${mName}, ${sName}, ${ctx.ptr(ctx.output(0).index, types.input)});`;
  },
};
