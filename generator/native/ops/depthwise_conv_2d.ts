/**
 * DEPTHWISE_CONV_2D, int8 activations x int8 (or int4) weights, and int16
 * activations x int8 weights (int64 accumulator) -> kernels/depthwise_conv2d.h.
 *
 * Parameters come from the simulator's prepare (sim/kernels/depthwise_conv_2d.ts).
 * The filter [1, FH, FW, OUT_C] is regrouped here into blocks of 4 output
 * channels with the taps of a block consecutive (the kernel's inner-loop
 * order), and the zero point is folded into the per-channel bias (exact for
 * border windows too: the kernel pads them with zp_in). With one input
 * channel (e.g. micro_speech's first layer) the op is a convolution and runs
 * as one (kernels/conv2d.h).
 */
import type { Operator, Subgraph } from '../../../sim/ir/types.js';
import { depthwiseConv2dKernel } from '../../../sim/kernels/depthwise_conv_2d.js';
import type { OpEmitter } from '../types.js';
import { simPrepare, targs, wrap32 } from './_sim_prepare.js';
import { accTypes, biasArray, borderPatchElements, dot4Block, rqPolicy } from './_conv_geometry.js';

/** int8 with one input channel: every output channel reads the same input, i.e. a convolution. */
function asConv(sg: Subgraph, op: Operator): boolean {
  const input = sg.tensors[op.inputs[0]!]!;
  return input.dtype === 'int8' && input.shape.length === 4 && input.shape[3] === 1;
}

export const depthwiseConv2dEmitter: OpEmitter = {
  ops: ['DEPTHWISE_CONV_2D'],
  scratchBytes(sg, op) {
    return asConv(sg, op) ? borderPatchElements(sg, op, 1) : 0;
  },
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
    if (d.kind === 0 && d.inC === 1 && asConv(ctx.subgraph, ctx.op)) {
      // One input channel: run it as CONV_2D (kernels/conv2d.h: filter rows as runs, SMLAD on DSP cores).
      const k = taps;
      const run = d.dilationW === 1 ? filterW : 1;
      const convWeights = new Int8Array(blocks * k * 4);
      for (let b = 0; b < blocks; b++) {
        dot4Block(k, run, (j, i) => (b * 4 + j < outC ? d.weights[i * outC + b * 4 + j]! : 0), convWeights, b * k * 4);
      }
      ctx.kernel('requant');
      ctx.kernel('mac');
      ctx.kernel('conv2d');
      const w = ctx.constant('weights', 'int8_t', convWeights);
      const policy = rqPolicy(ctx, types, biasFolded, rq.multiplier, rq.shift);
      const patch = borderPatchElements(ctx.subgraph, ctx.op, 1) > 0 ? ctx.scratch('int8_t') : '(int8_t*)0';
      const t = targs([
        'int8_t', 'int32_t', 'int8_t', d.batches, d.inH, d.inW, 1, d.outH, d.outW, outC, filterH, filterW, 1,
        d.strideH, d.strideW, d.dilationH, d.dilationW, d.padH, d.padW, -d.inputOffset, rq.outZp, rq.actMin, rq.actMax,
      ]);
      return `tf_conv2d<${t}>(${ctx.ptr(ctx.input(0)!.index, 'int8_t')}, ${w}, ${policy}, ${patch}, ${ctx.ptr(ctx.output(0).index, 'int8_t')});`;
    }
    ctx.kernel('requant');
    ctx.kernel('mac');
    ctx.kernel('depthwise_conv2d');
    const wName = ctx.constant('weights', 'int8_t', weights);
    // int16 has no zero point: the folded bias is the bias itself (int64 for the int64 accumulator).
    const policy = rqPolicy(ctx, types, types.bias === 'int32_t' ? biasFolded : biasArray(types, rq.bias, rq.biasBig), rq.multiplier, rq.shift);
    const t = targs([
      types.input, types.acc, types.input, d.batches, d.inH, d.inW, d.inC, d.outH, d.outW, outC, filterH, filterW, d.depthMultiplier,
      d.strideH, d.strideW, d.dilationH, d.dilationW, d.padH, d.padW, -d.inputOffset, rq.outZp, rq.actMin, rq.actMax,
    ]);
    return `tf_depthwise_conv2d<${t}>(${ctx.ptr(ctx.input(0)!.index, types.input)}, ${wName}, ${policy}, ${ctx.ptr(ctx.output(0).index, types.input)});`;
  },
};
