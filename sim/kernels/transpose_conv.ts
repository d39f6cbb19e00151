/**
 * TRANSPOSE_CONV, int8 and int16 activations x int8 weights.
 *
 * Mirrors tensorflow/lite/micro/kernels/transpose_conv.cc and
 * reference_integer_ops::TransposeConv (both overloads). Traps:
 * - Inputs: 0 = output shape (never read: the output tensor's declared shape
 *   is used), 1 = filter [out_C, H, W, in_C], 2 = input, 3 = optional bias.
 * - Padding is ComputePaddingHeightWidth called with the OUTPUT H/W in the
 *   place of the input size, dilation 1.
 * - Eval clears a scratch accumulator the size of the output, scatter-adds
 *   (x - zp_in) * w for every tap that lands inside the output, then adds the
 *   bias and requantizes per channel. int8: int32 scratch (wraps; the exact
 *   double sum here wrapped once at the end is the same modulo 2^32). int16:
 *   int64 scratch, int64 bias (an int16 bias is widened as TFLM does; an int32
 *   bias would be misread as int64 by TFLM and is refused), int64 multiplier,
 *   no zero points.
 *
 * Speed: for each input pixel and filter tap, the contributions to all output
 * channels are dot products over the input channels (contiguous in both the
 * input and the OHWI filter), computed 4 channels at a time (dotBlocks4).
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
  /** Added to every input value: -zp_in for int8, 0 for int16. */
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
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  /** 4-channel blocks of output channels. */
  blocks: number;
  /** Weights per tap, interleaved: [fy][fx][block][in_C][4]. */
  weights: Float64Array;
  /** Scratch: one input pixel's channels with the offset applied. */
  pixel: Float64Array;
  /** Scratch: one tap's contributions to every output channel (blocks * 4). */
  tap: Float64Array;
  /** Scratch: the accumulator per output element (TFLM's scratch buffer). */
  scratch: Float64Array;
  rq: Requant;
}

export const transposeConvKernel: Kernel<OpData> = {
  ops: ['TRANSPOSE_CONV'],
  prepare(ctx) {
    const filter = ctx.requiredInput(1);
    const input = ctx.requiredInput(2);
    const bias = ctx.inputCount >= 4 ? ctx.input(3) : null;
    const output = ctx.output(0);
    if (ctx.inputCount < 3 || ctx.inputCount > 4) ctx.unsupported(`expected 3 or 4 inputs, got ${ctx.inputCount}`);
    if (input.dtype !== output.dtype) ctx.unsupported(`input is ${input.dtype} but output is ${output.dtype}`);
    if (input.dtype !== 'int8' && input.dtype !== 'int16') ctx.unsupported(`${input.dtype} input is not supported (int8 or int16 expected)`);
    if (filter.dtype !== 'int8') ctx.unsupported(`${input.dtype} input with ${filter.dtype} filter is not supported`);
    const o = ctx.op.options as OptionsByKind['TransposeConvOptions'];
    const [batches, inH, inW, inC] = dims4(ctx, input, 'input');
    const [outC, filterH, filterW, filterC] = dims4(ctx, filter, 'filter');
    const [outN, outH, outW, outC2] = dims4(ctx, output, 'output');
    if (outN !== batches) ctx.unsupported(`input batch ${batches} differs from output batch ${outN}`);
    if (outC2 !== outC) ctx.unsupported(`filter has ${outC} output channels but the output has ${outC2}`);
    if (filterC !== inC) ctx.unsupported(`filter has ${filterC} input channels but the input has ${inC}`);

    // The trap: TFLM passes the output size where the input size belongs.
    const pad = computePaddingHeightWidth(o.strideH, o.strideW, 1, 1, outH, outW, filterH, filterW, o.padding);
    const q = populateConvolutionQuantizationParams(ctx, input, filter, output, o.activation, 0, true);
    const int8 = input.dtype === 'int8';
    const biasValues = readBias(ctx, bias, outC, int8 ? ['int32'] : ['int64', 'int16']);

    const w = constantFilterInt8(ctx, filter);
    const blocks = (outC + 3) >> 2;
    const tapSize = blocks * inC * 4;
    const weights = new Float64Array(filterH * filterW * tapSize);
    for (let fy = 0; fy < filterH; fy++) {
      for (let fx = 0; fx < filterW; fx++) {
        interleave4(outC, inC, (oc, ic) => w[((oc * filterH + fy) * filterW + fx) * inC + ic]!, weights, (fy * filterW + fx) * tapSize);
      }
    }

    return {
      kind: int8 ? OutputKind.Int8 : OutputKind.Int16Acc64,
      input: int8 ? ctx.int8(input) : ctx.int16(input),
      output: int8 ? ctx.int8(output) : ctx.int16(output),
      inputOffset: int8 ? -zeroPointOf(input) : 0,
      batches, inH, inW, inC, outH, outW, outC, filterH, filterW,
      strideH: o.strideH, strideW: o.strideW, padH: pad.height, padW: pad.width,
      blocks, weights,
      pixel: new Float64Array(inC),
      tap: new Float64Array(blocks * 4),
      scratch: new Float64Array(output.elements),
      rq: {
        bias: biasValues.values, biasBig: biasValues.big, multiplier: q.multiplier, shift: q.shift,
        outZp: int8 ? zeroPointOf(output) : 0, actMin: q.actMin, actMax: q.actMax,
        fused: fuseMultipliers(q.multiplier, q.shift),
      },
    };
  },
  eval(d) {
    const { input, output, inputOffset, batches, inH, inW, inC, outH, outW, outC, filterH, filterW,
      strideH, strideW, padH, padW, blocks, weights, pixel, tap, scratch, rq, kind } = d;
    const tapSize = blocks * inC * 4;
    scratch.fill(0);
    for (let b = 0; b < batches; b++) {
      for (let iy = 0; iy < inH; iy++) {
        const y0 = iy * strideH - padH;
        for (let ix = 0; ix < inW; ix++) {
          const x0 = ix * strideW - padW;
          const src = ((b * inH + iy) * inW + ix) * inC;
          for (let c = 0; c < inC; c++) pixel[c] = input[src + c]! + inputOffset;
          for (let fy = 0; fy < filterH; fy++) {
            const oy = y0 + fy;
            if (oy < 0 || oy >= outH) continue;
            for (let fx = 0; fx < filterW; fx++) {
              const ox = x0 + fx;
              if (ox < 0 || ox >= outW) continue;
              dotBlocks4(weights, (fy * filterW + fx) * tapSize, blocks, inC, pixel, 0, tap, 0);
              const dst = ((b * outH + oy) * outW + ox) * outC;
              for (let oc = 0; oc < outC; oc++) scratch[dst + oc] += tap[oc]!;
            }
          }
        }
      }
    }
    const pixels = batches * outH * outW;
    for (let p = 0; p < pixels; p++) requantize(kind, rq, scratch, p * outC, 0, outC, output, p * outC);
  },
};
