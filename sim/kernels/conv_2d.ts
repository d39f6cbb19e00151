/**
 * CONV_2D, int8 (int8 or int4 weights) and int16 activations x int8 weights.
 *
 * Mirrors tensorflow/lite/micro/kernels/conv.cc + conv_common.cc (Prepare:
 * padding from the input size, PopulateConvolutionQuantizationParams) and
 * reference_integer_ops::ConvPerChannel (both overloads). Traps:
 * - Out-of-image taps are skipped, which is the same as padding the input with
 *   its zero point: the gathered patch holds (x - zp_in) for in-image taps and
 *   0 for the others, so no zero-point folding can go wrong at borders.
 * - The filter zero point is ignored; groups = in_C / filter_in_C, and output
 *   channel oc belongs to group oc / (out_C / groups).
 * - int16: no zero point anywhere. The accumulator is int32 (wrapping) with an
 *   int32 bias, or with no bias when quantized_bias_type says int32; otherwise
 *   int64 with the int64 MultiplyByQuantizedMultiplier.
 * - The loops run over the OUTPUT tensor's declared shape; the padding comes
 *   from TFLM's own output-size formula.
 *
 * Speed: weights are regrouped at prepare into blocks of 4 output channels
 * (Float64Array, see dotBlocks4); eval gathers one patch per output pixel and
 * group, then runs the 4-channel dot products and one requantization pass.
 */
import type { OptionsByKind } from '../ir/types.js';
import type { Kernel } from './types.js';
import {
  type OutputKind as OutputKindT, type Requant, OutputKind, computePaddingHeightWidth, constantFilterInt8, dims4, dotBlocks4,
  interleave4, populateConvolutionQuantizationParams, readBias, requantize, zeroPointOf,
} from './_conv_common.js';
import { fuseMultipliers } from '../math/fused_quantized_multiplier.js';

interface OpData {
  kind: OutputKindT;
  input: Int8Array | Int16Array;
  output: Int8Array | Int16Array;
  /** Added to every in-image input value: -zp_in for int8, 0 for int16. */
  inputOffset: number;
  batches: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  filterH: number;
  filterW: number;
  /** Input channels per group (filter dim 3). */
  filterC: number;
  groups: number;
  /** Output channels per group. */
  perGroup: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padH: number;
  padW: number;
  /** Patch length: filterH * filterW * filterC. */
  k: number;
  /** 4-channel blocks per group. */
  blocks: number;
  /** Weights interleaved per group: [group][block][k][4]. */
  weights: Float64Array;
  /** Scratch: one gathered patch (k values). */
  patch: Float64Array;
  /** Scratch: accumulators of one output pixel, group g at g * blocks * 4. */
  acc: Float64Array;
  rq: Requant;
}

export const conv2dKernel: Kernel<OpData> = {
  ops: ['CONV_2D'],
  prepare(ctx) {
    const input = ctx.requiredInput(0);
    const filter = ctx.requiredInput(1);
    const bias = ctx.inputCount >= 3 ? ctx.input(2) : null;
    const output = ctx.output(0);
    if (ctx.inputCount > 3) ctx.unsupported(`expected 2 or 3 inputs, got ${ctx.inputCount}`);
    if (input.dtype !== output.dtype) ctx.unsupported(`input is ${input.dtype} but output is ${output.dtype}`);
    if (input.dtype === 'int8') {
      if (filter.dtype !== 'int8' && filter.dtype !== 'int4') ctx.unsupported(`int8 input with ${filter.dtype} filter is not supported`);
    } else if (input.dtype === 'int16') {
      if (filter.dtype !== 'int8') ctx.unsupported(`int16 input with ${filter.dtype} filter is not supported`);
    } else {
      ctx.unsupported(`${input.dtype} input is not supported (int8 or int16 expected)`);
    }
    const o = ctx.op.options as OptionsByKind['Conv2DOptions'];
    const [batches, inH, inW, inC] = dims4(ctx, input, 'input');
    const [outC, filterH, filterW, filterC] = dims4(ctx, filter, 'filter');
    const [outN, outH, outW, outC2] = dims4(ctx, output, 'output');
    if (outN !== batches) ctx.unsupported(`input batch ${batches} differs from output batch ${outN}`);
    if (outC2 !== outC) ctx.unsupported(`filter has ${outC} output channels but the output has ${outC2}`);
    if (filterC <= 0 || inC % filterC !== 0) ctx.unsupported(`input channels ${inC} are not a multiple of the filter's ${filterC}`);
    const groups = inC / filterC;
    if (outC % groups !== 0) ctx.unsupported(`output channels ${outC} are not a multiple of the ${groups} groups`);
    const perGroup = outC / groups;

    const pad = computePaddingHeightWidth(o.strideH, o.strideW, o.dilationH, o.dilationW, inH, inW, filterH, filterW, o.padding);
    const q = populateConvolutionQuantizationParams(ctx, input, filter, output, o.activation, 0, false);

    let kind: OutputKindT;
    let biasValues;
    if (input.dtype === 'int8') {
      kind = OutputKind.Int8;
      biasValues = readBias(ctx, bias, outC, ['int32']);
    } else {
      biasValues = readBias(ctx, bias, outC, ['int32', 'int64']);
      const acc32 = bias ? bias.dtype === 'int32' : o.quantizedBiasType === 'int32';
      kind = acc32 ? OutputKind.Int16Acc32 : OutputKind.Int16Acc64;
    }

    const w = constantFilterInt8(ctx, filter);
    const k = filterH * filterW * filterC;
    const blocks = (perGroup + 3) >> 2;
    const weights = new Float64Array(groups * blocks * k * 4);
    for (let g = 0; g < groups; g++) {
      interleave4(perGroup, k, (ch, i) => w[(g * perGroup + ch) * k + i]!, weights, g * blocks * k * 4);
    }

    return {
      kind,
      input: input.dtype === 'int8' ? ctx.int8(input) : ctx.int16(input),
      output: output.dtype === 'int8' ? ctx.int8(output) : ctx.int16(output),
      inputOffset: input.dtype === 'int8' ? -zeroPointOf(input) : 0,
      batches, inH, inW, inC, outH, outW, outC, filterH, filterW, filterC, groups, perGroup,
      strideH: o.strideH, strideW: o.strideW, dilationH: o.dilationH, dilationW: o.dilationW,
      padH: pad.height, padW: pad.width,
      k, blocks, weights,
      patch: new Float64Array(k),
      acc: new Float64Array(groups * blocks * 4),
      rq: {
        bias: biasValues.values, biasBig: biasValues.big, multiplier: q.multiplier, shift: q.shift,
        outZp: input.dtype === 'int8' ? zeroPointOf(output) : 0, actMin: q.actMin, actMax: q.actMax,
        fused: fuseMultipliers(q.multiplier, q.shift),
      },
    };
  },
  eval(d) {
    const { input, output, inputOffset, batches, inH, inW, inC, outH, outW, outC, filterH, filterW, filterC, groups, perGroup,
      strideH, strideW, dilationH, dilationW, padH, padW, k, blocks, weights, patch, acc, rq, kind } = d;
    const groupWeights = blocks * k * 4;
    const groupAcc = blocks * 4;
    for (let b = 0; b < batches; b++) {
      for (let oy = 0; oy < outH; oy++) {
        const y0 = oy * strideH - padH;
        for (let ox = 0; ox < outW; ox++) {
          const x0 = ox * strideW - padW;
          const outBase = ((b * outH + oy) * outW + ox) * outC;
          for (let g = 0; g < groups; g++) {
            // Gather (x - zp_in) per in-image tap, 0 for taps TFLM skips.
            let p = 0;
            const cBase = g * filterC;
            for (let fy = 0; fy < filterH; fy++) {
              const iy = y0 + dilationH * fy;
              const rowInside = iy >= 0 && iy < inH;
              for (let fx = 0; fx < filterW; fx++) {
                const ix = x0 + dilationW * fx;
                if (rowInside && ix >= 0 && ix < inW) {
                  const src = ((b * inH + iy) * inW + ix) * inC + cBase;
                  for (let c = 0; c < filterC; c++) patch[p++] = input[src + c]! + inputOffset;
                } else {
                  for (let c = 0; c < filterC; c++) patch[p++] = 0;
                }
              }
            }
            dotBlocks4(weights, g * groupWeights, blocks, k, patch, 0, acc, g * groupAcc);
            requantize(kind, rq, acc, g * groupAcc, g * perGroup, perGroup, output, outBase + g * perGroup);
          }
        }
      }
    }
  },
};
