/**
 * DEPTHWISE_CONV_2D, int8 (int8 or int4 weights) and int16 activations x int8
 * weights.
 *
 * Mirrors tensorflow/lite/micro/kernels/depthwise_conv.cc +
 * depthwise_conv_common.cc and reference_integer_ops::DepthwiseConvPerChannel
 * (both overloads). Traps:
 * - Output channel oc = ic * depth_multiplier + m, with the depth multiplier
 *   taken from the builtin options (TFLM DCHECKs out_C == in_C * dm; we refuse
 *   models where it does not hold rather than guess).
 * - Filter layout [1, H, W, out_C]; per-channel scales run along dimension 3.
 * - Out-of-image taps are skipped (= input padded with its zero point).
 * - int16 always takes the int64 accumulator with an int64 bias (an int32 bias
 *   would be read as int64 by TFLM, so it is refused), no zero points.
 *
 * Speed: per output pixel, the in-image taps are listed once; output channels
 * are then processed 4 at a time with the running sums in registers (short
 * contiguous runs of input and weights per tap), and requantized in one pass.
 * int8: the input is first copied into a buffer
 * bordered with zp_in, so no tap needs a bounds check and there are no tap
 * lists; two pixels per pass (each weight load serves both) sum w * x on the
 * raw values, and -zp_in * sum(w) over the window is folded into the bias.
 */
import type { OptionsByKind } from '../ir/types.js';
import type { Kernel } from './types.js';
import {
  type OutputKind as OutputKindT, type Requant, OutputKind, computePaddingHeightWidth, constantFilterInt8, dims4,
  populateConvolutionQuantizationParams, readBias, requantize, requantizeInt8, zeroPointOf,
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
  depthMultiplier: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padH: number;
  padW: number;
  /** Filter as doubles in its own layout [fy][fx][oc]. */
  weights: Float64Array;
  /** Scratch: the in-image taps of the current pixel (input offset, weight offset). */
  tapInput: Int32Array;
  tapWeight: Int32Array;
  /** Scratch: the out_C accumulators of one output pixel (two pixels in pixelPair). */
  acc: Float64Array;
  rq: Requant;
  /** int8 (else null): rq with bias - zp_in * sum(w over the window) per channel. */
  rqFolded: Requant | null;
  /**
   * int8 (else null): the input surrounded by zp_in, large
   * enough for every window plus one extra output column (pixel pairs), as
   * [batch][paddedH][paddedW][inC]. Its border is written once at prepare.
   */
  padded: Int8Array | null;
  /** Padded image size; the input starts at row padH, column padW. */
  paddedH: number;
  paddedW: number;
  /** Input channel of each output channel: floor(oc / depth_multiplier). */
  inputChannelOf: Int32Array;
}

export const depthwiseConv2dKernel: Kernel<OpData> = {
  ops: ['DEPTHWISE_CONV_2D'],
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
    const o = ctx.op.options as OptionsByKind['DepthwiseConv2DOptions'];
    const [batches, inH, inW, inC] = dims4(ctx, input, 'input');
    const [, filterH, filterW, outC] = dims4(ctx, filter, 'filter');
    const [outN, outH, outW, outC2] = dims4(ctx, output, 'output');
    if (outN !== batches) ctx.unsupported(`input batch ${batches} differs from output batch ${outN}`);
    if (outC2 !== outC) ctx.unsupported(`filter has ${outC} output channels but the output has ${outC2}`);
    const dm = o.depthMultiplier;
    if (dm <= 0 || inC * dm !== outC) ctx.unsupported(`depth_multiplier ${dm} with ${inC} input channels does not give the ${outC} output channels`);

    const pad = computePaddingHeightWidth(o.strideH, o.strideW, o.dilationH, o.dilationW, inH, inW, filterH, filterW, o.padding);
    const q = populateConvolutionQuantizationParams(ctx, input, filter, output, o.activation, 3, input.dtype === 'int8');
    const int8 = input.dtype === 'int8';
    const biasValues = readBias(ctx, bias, outC, int8 ? ['int32'] : ['int64']);
    const w = constantFilterInt8(ctx, filter);
    const weights = new Float64Array(filterH * filterW * outC);
    for (let i = 0; i < weights.length; i++) weights[i] = w[i]!;

    const rq: Requant = {
      bias: biasValues.values, biasBig: biasValues.big, multiplier: q.multiplier, shift: q.shift,
      outZp: int8 ? zeroPointOf(output) : 0, actMin: q.actMin, actMax: q.actMax,
      fused: fuseMultipliers(q.multiplier, q.shift),
    };
    let rqFolded: Requant | null = null;
    let padded: Int8Array | null = null;
    let paddedH = 0;
    let paddedW = 0;
    const inputChannelOf = new Int32Array(outC);
    for (let oc = 0; oc < outC; oc++) inputChannelOf[oc] = Math.floor(oc / dm);
    if (int8) {
      paddedH = Math.max(pad.height + inH, (outH - 1) * o.strideH + o.dilationH * (filterH - 1) + 1);
      paddedW = Math.max(pad.width + inW, outW * o.strideW + o.dilationW * (filterW - 1) + 1);
      padded = new Int8Array(batches * paddedH * paddedW * inC).fill(zeroPointOf(input));
      const folded = new Float64Array(outC);
      const zpIn = zeroPointOf(input);
      for (let oc = 0; oc < outC; oc++) {
        let sw = 0;
        for (let t = 0; t < filterH * filterW; t++) sw += w[t * outC + oc]!;
        folded[oc] = biasValues.values[oc]! - zpIn * sw;
      }
      rqFolded = { ...rq, bias: folded };
    }

    return {
      kind: int8 ? OutputKind.Int8 : OutputKind.Int16Acc64,
      input: int8 ? ctx.int8(input) : ctx.int16(input),
      output: int8 ? ctx.int8(output) : ctx.int16(output),
      inputOffset: int8 ? -zeroPointOf(input) : 0,
      batches, inH, inW, inC, outH, outW, outC, filterH, filterW, depthMultiplier: dm,
      strideH: o.strideH, strideW: o.strideW, dilationH: o.dilationH, dilationW: o.dilationW,
      padH: pad.height, padW: pad.width,
      weights,
      tapInput: new Int32Array(filterH * filterW),
      tapWeight: new Int32Array(filterH * filterW),
      acc: new Float64Array(2 * outC),
      rq, rqFolded, padded, paddedH, paddedW, inputChannelOf,
    };
  },
  eval(d) {
    const { input, output, inputOffset, batches, inH, inW, inC, outH, outW, outC, filterH, filterW, depthMultiplier: dm,
      strideH, strideW, dilationH, dilationW, padH, padW, weights, tapInput, tapWeight, acc, rq, kind } = d;
    const oc4 = outC & ~3;
    if (d.padded !== null && d.rqFolded !== null) {
      evalPadded(d, input as Int8Array, output as Int8Array, d.padded, d.rqFolded);
      return;
    }
    for (let b = 0; b < batches; b++) {
      for (let oy = 0; oy < outH; oy++) {
        const y0 = oy * strideH - padH;
        for (let ox = 0; ox < outW; ox++) {
          const x0 = ox * strideW - padW;
          // The taps TFLM does not skip.
          let n = 0;
          for (let fy = 0; fy < filterH; fy++) {
            const iy = y0 + dilationH * fy;
            if (iy < 0 || iy >= inH) continue;
            for (let fx = 0; fx < filterW; fx++) {
              const ix = x0 + dilationW * fx;
              if (ix < 0 || ix >= inW) continue;
              tapInput[n] = ((b * inH + iy) * inW + ix) * inC;
              tapWeight[n] = (fy * filterW + fx) * outC;
              n++;
            }
          }
          // Output channel oc reads input channel floor(oc / dm).
          let oc = 0;
          for (; oc < oc4; oc += 4) {
            const i0 = (oc / dm) | 0;
            const i1 = ((oc + 1) / dm) | 0;
            const i2 = ((oc + 2) / dm) | 0;
            const i3 = ((oc + 3) / dm) | 0;
            let a0 = 0;
            let a1 = 0;
            let a2 = 0;
            let a3 = 0;
            for (let j = 0; j < n; j++) {
              const xo = tapInput[j]!;
              const wo = tapWeight[j]! + oc;
              a0 += weights[wo]! * (input[xo + i0]! + inputOffset);
              a1 += weights[wo + 1]! * (input[xo + i1]! + inputOffset);
              a2 += weights[wo + 2]! * (input[xo + i2]! + inputOffset);
              a3 += weights[wo + 3]! * (input[xo + i3]! + inputOffset);
            }
            acc[oc] = a0;
            acc[oc + 1] = a1;
            acc[oc + 2] = a2;
            acc[oc + 3] = a3;
          }
          for (; oc < outC; oc++) {
            const ic = (oc / dm) | 0;
            let a = 0;
            for (let j = 0; j < n; j++) a += weights[tapWeight[j]! + oc]! * (input[tapInput[j]! + ic]! + inputOffset);
            acc[oc] = a;
          }
          requantize(kind, rq, acc, 0, 0, outC, output, ((b * outH + oy) * outW + ox) * outC);
        }
      }
    }
  },
};

/**
 * int8. The input is copied into the zp_in-bordered
 * buffer, where every window is in bounds: an out-of-image tap then adds
 * w * zp_in, which the folded bias (-zp_in * sum(w) over the whole window)
 * cancels, leaving TFLM's sum over the in-image taps of w * (x - zp_in).
 */
function evalPadded(d: OpData, input: Int8Array, output: Int8Array, padded: Int8Array, rq: Requant): void {
  const { batches, inH, inW, inC, outH, outW, outC, padH, padW, paddedH, paddedW, strideH, strideW, acc } = d;
  const rowLen = inW * inC;
  for (let b = 0; b < batches; b++) {
    for (let iy = 0; iy < inH; iy++) {
      const src = (b * inH + iy) * rowLen;
      padded.set(input.subarray(src, src + rowLen), ((b * paddedH + iy + padH) * paddedW + padW) * inC);
    }
  }
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const rowBase = (b * paddedH + oy * strideH) * paddedW;
      for (let ox = 0; ox < outW; ox += 2) {
        pixelPair(d, padded, (rowBase + ox * strideW) * inC);
        const o = ((b * outH + oy) * outW + ox) * outC;
        requantizeInt8(rq, acc, 0, 0, outC, output, o);
        // The second pixel of the last pair may lie past the row (its window is still in the buffer).
        if (ox + 1 < outW) requantizeInt8(rq, acc, outC, 0, outC, output, o + outC);
      }
    }
  }
}

/**
 * Raw sums w * x for two horizontally adjacent output pixels whose windows
 * start at padded[x0] and padded[x0 + strideW * inC]: 4 channels x 2 pixels in
 * registers, each weight load serving both. Into acc[0..outC) and acc[outC..2 outC).
 */
function pixelPair(d: OpData, src: Int8Array, x0: number): void {
  const { inC, outC, filterH, filterW, strideW, dilationH, dilationW, paddedW, weights, acc, inputChannelOf } = d;
  const oc4 = outC & ~3;
  const pixelB = strideW * inC;
  const tapStep = dilationW * inC;
  const rowStep = dilationH * paddedW * inC;
  let oc = 0;
  for (; oc < oc4; oc += 4) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    let b3 = 0;
    let wo = oc;
    // The 4 channels' input channels (oc .. oc + 3 for depth multiplier 1).
    const i0 = inputChannelOf[oc]!;
    const i1 = inputChannelOf[oc + 1]!;
    const i2 = inputChannelOf[oc + 2]!;
    const i3 = inputChannelOf[oc + 3]!;
    for (let fy = 0; fy < filterH; fy++) {
      let xo = x0 + fy * rowStep;
      for (let fx = 0; fx < filterW; fx++) {
        const u0 = weights[wo]!;
        const u1 = weights[wo + 1]!;
        const u2 = weights[wo + 2]!;
        const u3 = weights[wo + 3]!;
        const xb = xo + pixelB;
        a0 += u0 * src[xo + i0]!;
        a1 += u1 * src[xo + i1]!;
        a2 += u2 * src[xo + i2]!;
        a3 += u3 * src[xo + i3]!;
        b0 += u0 * src[xb + i0]!;
        b1 += u1 * src[xb + i1]!;
        b2 += u2 * src[xb + i2]!;
        b3 += u3 * src[xb + i3]!;
        xo += tapStep;
        wo += outC;
      }
    }
    acc[oc] = a0;
    acc[oc + 1] = a1;
    acc[oc + 2] = a2;
    acc[oc + 3] = a3;
    acc[outC + oc] = b0;
    acc[outC + oc + 1] = b1;
    acc[outC + oc + 2] = b2;
    acc[outC + oc + 3] = b3;
  }
  for (; oc < outC; oc++) {
    let a = 0;
    let bb = 0;
    let wo = oc;
    for (let fy = 0; fy < filterH; fy++) {
      let xo = x0 + fy * rowStep + inputChannelOf[oc]!;
      for (let fx = 0; fx < filterW; fx++) {
        const u = weights[wo]!;
        a += u * src[xo]!;
        bb += u * src[xo + pixelB]!;
        xo += tapStep;
        wo += outC;
      }
    }
    acc[oc] = a;
    acc[outC + oc] = bb;
  }
}
