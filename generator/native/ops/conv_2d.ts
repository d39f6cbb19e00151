/**
 * CONV_2D, int8 activations x int8 (or int4) weights -> kernels/conv2d.h
 * (int16 activations: conv_2d_s16.ts).
 *
 * Everything comes from the simulator's prepare (sim/kernels/conv_2d.ts):
 * padding, per-channel multipliers and shifts, activation range, and the
 * weights already regrouped in blocks of 4 output channels (the layout the
 * kernel's inner loop reads). Here we only add the zero-point fold for the
 * interior pixels: bias_folded = bias - zp_in * sum(w) (int32 wrap, like
 * TFLM's accumulator), exact because an interior window has no skipped tap.
 */
import { conv2dKernel } from '../../../sim/kernels/conv_2d.js';
import type { OpEmitter } from '../types.js';
import { simPrepare, targs, wrap32 } from './_sim_prepare.js';
import { accTypes, biasArray, interiorRange } from './_conv_geometry.js';
import { emitConv2dInt16 } from './conv_2d_s16.js';

export const conv2dEmitter: OpEmitter = {
  ops: ['CONV_2D'],
  emit(ctx) {
    const d = simPrepare(ctx, conv2dKernel);
    if (d.kind !== 0) return emitConv2dInt16(ctx, d);
    const types = accTypes(d.kind);
    const { groups, blocks, k, perGroup, outC, rq } = d;
    const weights = new Int8Array(d.weights.length);
    for (let i = 0; i < weights.length; i++) weights[i] = d.weights[i]!;
    const biasFolded = new Int32Array(outC);
    for (let g = 0; g < groups; g++) {
      for (let b = 0; b < blocks; b++) {
        for (let j = 0; j < 4; j++) {
          const ch = b * 4 + j;
          if (ch >= perGroup) continue;
          let sum = 0;
          const base = (g * blocks + b) * k * 4 + j;
          for (let i = 0; i < k; i++) sum += d.weights[base + i * 4]!;
          const oc = g * perGroup + ch;
          biasFolded[oc] = wrap32(rq.bias[oc]! + d.inputOffset * sum);
        }
      }
    }
    const y = interiorRange(d.outH, d.inH, d.filterH, d.strideH, d.dilationH, d.padH);
    const x = interiorRange(d.outW, d.inW, d.filterW, d.strideW, d.dilationW, d.padW);
    const border = !(y.all && x.all);

    ctx.kernel('requant');
    ctx.kernel('conv2d');
    const wName = ctx.constant('weights', 'int8_t', weights);
    // int16 has no zero point: the folded bias is the bias itself.
    const fName = d.inputOffset !== 0 ? ctx.constant('bias_folded', 'int32_t', biasFolded) : ctx.constant('bias', types.bias, biasArray(types, rq.bias, rq.biasBig));
    const bName = border && d.inputOffset !== 0 ? ctx.constant('bias', 'int32_t', Int32Array.from(rq.bias)) : fName;
    const mName = ctx.constant('multiplier', 'int32_t', rq.multiplier);
    const sName = ctx.constant('shift', 'int32_t', rq.shift);
    const input = ctx.input(0)!;
    const output = ctx.output(0);
    const t = targs([
      types.input, types.acc, types.bias, types.input, d.batches, d.inH, d.inW, d.inC, d.outH, d.outW, d.outC, d.filterH, d.filterW, d.filterC,
      d.strideH, d.strideW, d.dilationH, d.dilationW, d.padH, d.padW, -d.inputOffset, rq.outZp, rq.actMin, rq.actMax,
    ]);
    return `tf_conv2d<${t}>(${ctx.ptr(input.index, types.input)}, ${wName}, ${bName}, ${fName}, ${mName}, ${sName}, ${ctx.ptr(output.index, types.input)});`;
  },
};
