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
 * Speed, int8 input with patches of at most PACK_MAX_DEPTH (2047) taps: the
 * weights of output channels 2q and 2q+1 are packed into one double,
 * w_a + 2^26 w_b (sim/kernels/_packed_dot.ts explains the exactness bound), so
 * one multiply-add computes both dot products. That bound needs |x| <= 128,
 * so the patch holds the RAW input values, out-of-image taps hold zp_in
 * (their x - zp_in is 0, as when TFLM skips them), and -zp_in * sum(w) is
 * folded into the per-channel bias at prepare. Other cases (int16, deeper
 * patches): weights regrouped into blocks of 4 output channels
 * (Float64Array, see dotBlocks4) applied to a patch of x - zp_in.
 * Both gather one patch per output pixel and group, then run the dot products
 * and one requantization pass.
 */
import type { OptionsByKind } from '../ir/types.js';
import type { Kernel } from './types.js';
import {
  type OutputKind as OutputKindT, type Requant, OutputKind, computePaddingHeightWidth, constantFilterInt8, dims4, dotBlocks4,
  interleave4, populateConvolutionQuantizationParams, readBias, requantize, requantizeInt8, zeroPointOf,
} from './_conv_common.js';
import { fuseMultipliers } from '../math/fused_quantized_multiplier.js';
import { PACK, PACK_MAX_DEPTH } from './_packed_dot.js';

const INV_PACK = 1 / PACK;

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
  /**
   * Weights interleaved per group: [group][block][k][4]. Float64Array for the
   * dotBlocks4 path; with the packed path in use, the same layout as an
   * Int8Array (eval does not read it then, but the native emitters do).
   */
  weights: Float64Array | Int8Array;
  /** Scratch: one gathered patch (k values); PIXELS patches in the packed path. */
  patch: Float64Array;
  /** Scratch: accumulators of one output pixel, group g at g * blocks * 4; packed path: PIXELS pixels of one group, 2 * pairs each. */
  acc: Float64Array;
  /** Output stage with the model's bias (the dotBlocks4 path; also read by the native emitters). */
  rq: Requant;
  /** The packed path's output stage: bias - zp_in * sum(w) per channel (null when not packed). */
  rqPacked: Requant | null;
  /**
   * Packed path (null otherwise): row pairs per group, [group][pair][k], pair q
   * = channels 2q (low part) and 2q+1 (times 2^26) of the group.
   */
  packed: Float64Array | null;
  /** Row pairs per group: ceil(perGroup / 2). */
  pairs: number;
  /** Patch value of an out-of-image tap in the packed path: zp_in. */
  padValue: number;
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
    const pairs = (perGroup + 1) >> 1;
    const usePacked = kind === OutputKind.Int8 && k <= PACK_MAX_DEPTH;
    const blocks = (perGroup + 3) >> 2;
    const weights = usePacked ? new Int8Array(groups * blocks * k * 4) : new Float64Array(groups * blocks * k * 4);
    // With the packed path, one group at a time in doubles, then stored as int8.
    const interleaved = usePacked ? new Float64Array(blocks * k * 4) : weights as Float64Array;
    for (let g = 0; g < groups; g++) {
      if (usePacked) {
        interleave4(perGroup, k, (ch, i) => w[(g * perGroup + ch) * k + i]!, interleaved, 0);
        weights.set(interleaved, g * blocks * k * 4);
      } else {
        interleave4(perGroup, k, (ch, i) => w[(g * perGroup + ch) * k + i]!, interleaved, g * blocks * k * 4);
      }
    }
    let packed: Float64Array | null = null;
    let foldedBias: Float64Array | null = null;
    const zpIn = input.dtype === 'int8' ? zeroPointOf(input) : 0;
    if (usePacked) {
      packed = new Float64Array(groups * pairs * k);
      foldedBias = new Float64Array(outC);
      for (let g = 0; g < groups; g++) {
        for (let q = 0; q < pairs; q++) {
          const a = (g * perGroup + 2 * q) * k;
          const hasB = 2 * q + 1 < perGroup;
          const dst = (g * pairs + q) * k;
          for (let i = 0; i < k; i++) packed[dst + i] = w[a + i]! + (hasB ? PACK * w[a + k + i]! : 0);
        }
      }
      for (let oc = 0; oc < outC; oc++) {
        let sw = 0;
        for (let i = 0; i < k; i++) sw += w[oc * k + i]!;
        // Exact: |bias| < 2^31, |zp_in * sum(w)| < 2^8 * 2^7 * 2^11.
        foldedBias[oc] = biasValues.values[oc]! - zpIn * sw;
      }
    }

    const rq: Requant = {
      bias: biasValues.values, biasBig: biasValues.big, multiplier: q.multiplier, shift: q.shift,
      outZp: input.dtype === 'int8' ? zeroPointOf(output) : 0, actMin: q.actMin, actMax: q.actMax,
      fused: fuseMultipliers(q.multiplier, q.shift),
    };
    return {
      kind,
      input: input.dtype === 'int8' ? ctx.int8(input) : ctx.int16(input),
      output: output.dtype === 'int8' ? ctx.int8(output) : ctx.int16(output),
      inputOffset: input.dtype === 'int8' ? -zeroPointOf(input) : 0,
      batches, inH, inW, inC, outH, outW, outC, filterH, filterW, filterC, groups, perGroup,
      strideH: o.strideH, strideW: o.strideW, dilationH: o.dilationH, dilationW: o.dilationW,
      padH: pad.height, padW: pad.width,
      k, blocks, weights,
      patch: new Float64Array(usePacked ? PIXELS * k : k),
      acc: new Float64Array(usePacked ? PIXELS * pairs * 2 : groups * blocks * 4),
      packed, pairs, padValue: zpIn,
      rq, rqPacked: foldedBias === null ? null : { ...rq, bias: foldedBias },
    };
  },
  eval(d) {
    if (d.packed !== null && d.rqPacked !== null) {
      evalPacked(d, d.packed, d.input as Int8Array, d.output as Int8Array, d.rqPacked);
      return;
    }
    const { input, output, inputOffset, batches, inH, inW, inC, outH, outW, outC, filterH, filterW, filterC, groups, perGroup,
      strideH, strideW, dilationH, dilationW, padH, padW, k, blocks, patch, acc, rq, kind } = d;
    const weights = d.weights as Float64Array;
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

/** Pixels per pass over the packed weights (each weight load then serves PIXELS patches). */
const PIXELS = 4;

/**
 * int8 path with packed row pairs: raw-x patches (zp_in for out-of-image taps),
 * packed dot products, then the int8 output stage with the folded bias.
 * Output pixels (in flat b, oy, ox order) are processed PIXELS at a time.
 */
function evalPacked(d: OpData, packed: Float64Array, input: Int8Array, output: Int8Array, rq: Requant): void {
  const { batches, outH, outW, outC, groups, perGroup, k, pairs, patch, acc } = d;
  const total = batches * outH * outW;
  const accStride = 2 * pairs;
  let n = 0;
  for (; n + PIXELS <= total; n += PIXELS) {
    for (let g = 0; g < groups; g++) {
      for (let j = 0; j < PIXELS; j++) gatherPatch(d, input, n + j, g, patch, j * k);
      packedDots4(packed, g * pairs * k, pairs, k, patch, acc, accStride);
      for (let j = 0; j < PIXELS; j++) requantizeInt8(rq, acc, j * accStride, g * perGroup, perGroup, output, (n + j) * outC + g * perGroup);
    }
  }
  for (; n < total; n++) {
    for (let g = 0; g < groups; g++) {
      gatherPatch(d, input, n, g, patch, 0);
      packedDots1(packed, g * pairs * k, pairs, k, patch, acc);
      requantizeInt8(rq, acc, 0, g * perGroup, perGroup, output, n * outC + g * perGroup);
    }
  }
}

/** The raw-x patch of flat output pixel `pixel`, group g, at patch[off .. off + k). */
function gatherPatch(d: OpData, input: Int8Array, pixel: number, g: number, patch: Float64Array, off: number): void {
  const { inH, inW, inC, outH, outW, filterH, filterW, filterC, groups, strideH, strideW, dilationH, dilationW, padH, padW, padValue } = d;
  const ox = pixel % outW;
  const rest = (pixel - ox) / outW;
  const oy = rest % outH;
  const b = (rest - oy) / outH;
  const y0 = oy * strideH - padH;
  const x0 = ox * strideW - padW;
  let p = off;
  if (groups === 1 && dilationW === 1 && y0 >= 0 && y0 + dilationH * (filterH - 1) < inH && x0 >= 0 && x0 + filterW - 1 < inW) {
    // Interior pixel, all channels: each filter row is one contiguous run of the input.
    const rowLen = filterW * filterC;
    for (let fy = 0; fy < filterH; fy++) {
      const src = ((b * inH + y0 + dilationH * fy) * inW + x0) * inC;
      for (let i = 0; i < rowLen; i++) patch[p + i] = input[src + i]!;
      p += rowLen;
    }
    return;
  }
  const cBase = g * filterC;
  for (let fy = 0; fy < filterH; fy++) {
    const iy = y0 + dilationH * fy;
    const rowInside = iy >= 0 && iy < inH;
    for (let fx = 0; fx < filterW; fx++) {
      const ix = x0 + dilationW * fx;
      if (rowInside && ix >= 0 && ix < inW) {
        const src = ((b * inH + iy) * inW + ix) * inC + cBase;
        for (let c = 0; c < filterC; c++) patch[p++] = input[src + c]!;
      } else {
        for (let c = 0; c < filterC; c++) patch[p++] = padValue;
      }
    }
  }
}

/*
 * Packed dot products. Row pair q (k weights at wOff + q*k) times a patch
 * gives s = A + 2^26 B, A and B the dot products of channels 2q and 2q+1:
 * every partial sum is an exact integer below 2^52, and A = s - 2^26
 * round(s / 2^26) since |A| < 2^25. A missing last channel has B = 0, written
 * to a spare slot. acc layout: pixel j's channel c at acc[j * accStride + c].
 */

/** Four patches (x[j*k ..]) against every pair; two pairs per pass, so each weight load serves four products. */
function packedDots4(w: Float64Array, wOff: number, pairs: number, k: number, x: Float64Array, acc: Float64Array, accStride: number): void {
  const k2 = 2 * k;
  const k3 = 3 * k;
  let q = 0;
  for (; q + 1 < pairs; q += 2) {
    const w0 = wOff + q * k;
    const w1 = w0 + k;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    let b3 = 0;
    for (let i = 0; i < k; i++) {
      const u = w[w0 + i]!;
      const v = w[w1 + i]!;
      const x0 = x[i]!;
      const x1 = x[k + i]!;
      const x2 = x[k2 + i]!;
      const x3 = x[k3 + i]!;
      a0 += u * x0;
      a1 += u * x1;
      a2 += u * x2;
      a3 += u * x3;
      b0 += v * x0;
      b1 += v * x1;
      b2 += v * x2;
      b3 += v * x3;
    }
    const o = 2 * q;
    unpack(a0, acc, o);
    unpack(b0, acc, o + 2);
    unpack(a1, acc, accStride + o);
    unpack(b1, acc, accStride + o + 2);
    unpack(a2, acc, 2 * accStride + o);
    unpack(b2, acc, 2 * accStride + o + 2);
    unpack(a3, acc, 3 * accStride + o);
    unpack(b3, acc, 3 * accStride + o + 2);
  }
  if (q < pairs) {
    const w0 = wOff + q * k;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let i = 0; i < k; i++) {
      const u = w[w0 + i]!;
      a0 += u * x[i]!;
      a1 += u * x[k + i]!;
      a2 += u * x[k2 + i]!;
      a3 += u * x[k3 + i]!;
    }
    const o = 2 * q;
    unpack(a0, acc, o);
    unpack(a1, acc, accStride + o);
    unpack(a2, acc, 2 * accStride + o);
    unpack(a3, acc, 3 * accStride + o);
  }
}

/** One patch (x[0 .. k)) against every pair; two pairs per pass, two running sums each. */
function packedDots1(w: Float64Array, wOff: number, pairs: number, k: number, x: Float64Array, acc: Float64Array): void {
  let q = 0;
  for (; q + 1 < pairs; q += 2) {
    const w0 = wOff + q * k;
    const w1 = w0 + k;
    let s0 = 0;
    let s1 = 0;
    let t0 = 0;
    let t1 = 0;
    let i = 0;
    for (; i + 1 < k; i += 2) {
      const x0 = x[i]!;
      const x1 = x[i + 1]!;
      s0 += w[w0 + i]! * x0;
      s1 += w[w0 + i + 1]! * x1;
      t0 += w[w1 + i]! * x0;
      t1 += w[w1 + i + 1]! * x1;
    }
    if (i < k) {
      s0 += w[w0 + i]! * x[i]!;
      t0 += w[w1 + i]! * x[i]!;
    }
    unpack(s0 + s1, acc, 2 * q);
    unpack(t0 + t1, acc, 2 * q + 2);
  }
  if (q < pairs) {
    const w0 = wOff + q * k;
    let s0 = 0;
    let s1 = 0;
    let i = 0;
    for (; i + 1 < k; i += 2) {
      s0 += w[w0 + i]! * x[i]!;
      s1 += w[w0 + i + 1]! * x[i + 1]!;
    }
    if (i < k) s0 += w[w0 + i]! * x[i]!;
    unpack(s0 + s1, acc, 2 * q);
  }
}

/** acc[o] = low part A, acc[o + 1] = high part B of a packed sum. */
function unpack(s: number, acc: Float64Array, o: number): void {
  const hi = Math.round(s * INV_PACK);
  acc[o] = s - hi * PACK;
  acc[o + 1] = hi;
}
