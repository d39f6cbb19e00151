/**
 * CONV_2D, int8 activations x int8 (or int4) weights -> kernels/conv2d.h
 * (int16 activations: conv_2d_s16.ts).
 *
 * Everything comes from the simulator's prepare (sim/kernels/conv_2d.ts):
 * padding, per-channel multipliers and shifts, activation range, and the
 * weights regrouped in blocks of 4 output channels, which are laid out here in
 * the order the kernel's inner loop reads them (dot4 layout, kernels/mac.h).
 * The input zero point is folded into the bias, bias - zp_in * sum(w) (int32
 * wrap, like TFLM's accumulator): exact for windows inside the image, and for
 * border windows too because the kernel pads them with zp_in (a tap TFLM
 * skips then adds 0). Border windows are gathered into arena scratch.
 */
import type { Operator, Subgraph } from '../../../sim/ir/types.js';
import { conv2dKernel } from '../../../sim/kernels/conv_2d.js';
import type { OpEmitter } from '../types.js';
import { simPrepare, targs, wrap32 } from './_sim_prepare.js';
import { accTypes, biasArray, borderPatchElements, dot4Block, rqPolicy } from './_conv_geometry.js';
import { emitConv2dInt16 } from './conv_2d_s16.js';

/** Bytes of the border patch (one int8 window of the input), or 0 when every window is inside the image. */
function patchBytes(sg: Subgraph, op: Operator): number {
  const input = sg.tensors[op.inputs[0]!]!;
  const filter = sg.tensors[op.inputs[1]!]!;
  return input.dtype === 'int8' && filter.shape.length === 4 ? borderPatchElements(sg, op, filter.shape[3]!) : 0;
}

export const conv2dEmitter: OpEmitter = {
  ops: ['CONV_2D'],
  scratchBytes: patchBytes,
  emit(ctx) {
    const d = simPrepare(ctx, conv2dKernel);
    if (d.kind !== 0) return emitConv2dInt16(ctx, d);
    const types = accTypes(d.kind);
    const { groups, blocks, k, perGroup, outC, rq } = d;
    const run = groups === 1 && d.dilationW === 1 ? d.filterW * d.filterC : d.filterC;
    const weights = new Int8Array(groups * blocks * k * 4);
    const bias = new Int32Array(outC);
    for (let g = 0; g < groups; g++) {
      for (let b = 0; b < blocks; b++) {
        const src = (g * blocks + b) * k * 4;
        dot4Block(k, run, (j, i) => d.weights[src + i * 4 + j]!, weights, src);
        for (let j = 0; j < 4 && b * 4 + j < perGroup; j++) {
          let sum = 0;
          for (let i = 0; i < k; i++) sum += d.weights[src + i * 4 + j]!;
          const oc = g * perGroup + b * 4 + j;
          bias[oc] = wrap32(rq.bias[oc]! + d.inputOffset * sum);
        }
      }
    }
    const input = ctx.input(0)!;
    const output = ctx.output(0);
    const border = patchBytes(ctx.subgraph, ctx.op) > 0;
    ctx.kernel('requant');
    ctx.kernel('mac');
    ctx.kernel('conv2d');
    const wName = ctx.constant('weights', 'int8_t', weights);
    const policy = rqPolicy(ctx, types, biasArray(types, bias, null), rq.multiplier, rq.shift);
    const patch = border ? ctx.scratch(types.input) : `(${types.input}*)0`;
    const t = targs([
      types.input, types.acc, types.input, d.batches, d.inH, d.inW, d.inC, d.outH, d.outW, d.outC, d.filterH, d.filterW, d.filterC,
      d.strideH, d.strideW, d.dilationH, d.dilationW, d.padH, d.padW, -d.inputOffset, rq.outZp, rq.actMin, rq.actMax,
    ]);
    return `tf_conv2d<${t}>(${ctx.ptr(input.index, types.input)}, ${wName}, ${policy}, ${patch}, ${ctx.ptr(output.index, types.input)});`;
  },
};
