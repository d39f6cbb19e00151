/**
 * Shared by the native emitters of the conv family and FULLY_CONNECTED: which
 * output pixels have windows inside the image, the C types of a kernel
 * instance, the dot4 weight layout of kernels/mac.h and the choice of the
 * output-stage parameters (kernels/requant.h).
 */
import type { Operator, Subgraph } from '../../../sim/ir/types.js';
import { computePaddingHeightWidth } from '../../../sim/kernels/_conv_common.js';
import type { EmitContext } from '../types.js';
import { allSame } from './_sim_prepare.js';

/**
 * Which output rows (or columns) of a windowed op read only in-image taps.
 * Mirrors the bounds the native kernels compute from their template
 * parameters (kernels/conv2d.h, depthwise_conv2d.h), so an emitter knows
 * whether the border path can run at all.
 */
export interface InteriorRange {
  /** First interior output index. */
  first: number;
  /** One past the last interior output index. */
  end: number;
  /** Every output index is interior. */
  all: boolean;
}

export function interiorRange(outSize: number, inSize: number, filter: number, stride: number, dilation: number, pad: number): InteriorRange {
  const first = Math.floor((pad + stride - 1) / stride);
  const last = inSize - 1 - (filter - 1) * dilation + pad;
  const end = last < 0 ? 0 : Math.floor(last / stride) + 1;
  return { first, end, all: first === 0 && end >= outSize };
}

/** C types of a conv-family kernel instance, from the simulator's output kind (sim/kernels/_conv_common.ts OutputKind). */
export interface AccTypes {
  input: 'int8_t' | 'int16_t';
  acc: 'int32_t' | 'uint32_t' | 'int64_t';
  bias: 'int32_t' | 'int64_t';
}

export function accTypes(kind: number): AccTypes {
  if (kind === 0) return { input: 'int8_t', acc: 'int32_t', bias: 'int32_t' };
  if (kind === 1) return { input: 'int16_t', acc: 'uint32_t', bias: 'int32_t' };
  return { input: 'int16_t', acc: 'int64_t', bias: 'int64_t' };
}

/** Bias values of one channel range as the typed array a constant of `bias` type needs (exact int64 when given). */
export function biasArray(types: AccTypes, values: ArrayLike<number>, big: BigInt64Array | null): Int32Array | BigInt64Array {
  if (types.bias === 'int32_t') return Int32Array.from(values as ArrayLike<number>);
  if (big) return big.slice();
  return BigInt64Array.from(Array.from(values as ArrayLike<number>, (v) => BigInt(v)));
}

/**
 * Weights of one block of 4 output channels over `k` inputs split into runs
 * of `run` inputs, in the dot4 layout of kernels/mac.h: per run, run/4 groups
 * of 16 bytes (channel j's weights for 4 consecutive inputs at bytes 4j..4j+3)
 * then run%4 groups of 4 bytes (one weight per channel). `weight(j, i)` is
 * channel j's weight for input i (0 for a missing channel); writes k * 4
 * bytes at dst[off].
 */
export function dot4Block(k: number, run: number, weight: (j: number, i: number) => number, dst: Int8Array, off: number): void {
  const quads = run >> 2;
  for (let i = 0; i < k; i++) {
    const r = Math.floor(i / run);
    const pos = i - r * run;
    const at = off + r * run * 4 + (pos < quads * 4 ? (pos >> 2) * 16 + (pos & 3) : quads * 16 + (pos - quads * 4) * 4);
    const stride = pos < quads * 4 ? 4 : 1;
    for (let j = 0; j < 4; j++) dst[at + j * stride] = weight(j, i);
  }
}

/**
 * Declares an op's output-stage parameters and returns the C++ expression of
 * its policy object (kernels/requant.h). int32 accumulators whose channels
 * all shift right (TFLM shift in [-31, -1], the usual case) get
 * tf_rq_packed: bias, multiplier, the merged rounding constant
 * 2^30 + 2^(30 + e) as two words, and e - 1, five int32 per channel, or
 * tf_rq_tensor (a bias array and one set of the other words) when every
 * channel shares one multiplier. Anything else (left shifts, e = 0, int16
 * accumulators) gets tf_rq_channels.
 */
export function rqPolicy(
  ctx: EmitContext, types: AccTypes, bias: Int32Array | BigInt64Array, multiplier: ArrayLike<number>, shift: ArrayLike<number>,
): string {
  const n = multiplier.length;
  let packed = types.acc === 'int32_t' && bias instanceof Int32Array;
  for (let c = 0; c < n && packed; c++) packed = shift[c]! <= -1 && shift[c]! >= -31 && multiplier[c]! >= 0;
  if (packed && n > 1 && allSame(multiplier) && allSame(shift)) {
    const e = -shift[0]!;
    const round = (1n << 30n) + (1n << BigInt(30 + e));
    const q = Int32Array.from([multiplier[0]!, Number(BigInt.asIntN(32, round)), Number(round >> 32n), e - 1]);
    return `tf_rq_tensor{${ctx.constant('bias', 'int32_t', bias)}, ${ctx.constant('rq', 'int32_t', q)}}`;
  }
  if (packed) {
    const p = new Int32Array(n * 5);
    for (let c = 0; c < n; c++) {
      const e = -shift[c]!;
      const round = (1n << 30n) + (1n << BigInt(30 + e));
      p.set([bias[c] as number, multiplier[c]!, Number(BigInt.asIntN(32, round)), Number(round >> 32n), e - 1], c * 5);
    }
    return `tf_rq_packed{${ctx.constant('rq', 'int32_t', p)}}`;
  }
  const left = Array.from(shift).some((s) => s > 0);
  const b = ctx.constant('bias', types.bias, bias);
  const m = ctx.constant('multiplier', 'int32_t', multiplier);
  const s = ctx.constant('shift', 'int32_t', shift);
  return `tf_rq_channels<${left ? 'true' : 'false'}, ${types.bias}>{${b}, ${m}, ${s}}`;
}

/**
 * Elements of one input window (FH * FW * window channels) when some output
 * pixel's window leaves the image (kernels/conv2d.h then gathers it into
 * scratch), else 0. `channels` is the filter's input depth (CONV_2D: filter
 * dim 3; a depthwise op run as a convolution: 1). Geometry as the simulator's
 * prepare computes it, over the output tensor's declared size.
 */
export function borderPatchElements(sg: Subgraph, op: Operator, channels: number): number {
  const input = sg.tensors[op.inputs[0]!]!;
  const filter = sg.tensors[op.inputs[1]!]!;
  const output = sg.tensors[op.outputs[0]!]!;
  if (input.shape.length !== 4 || filter.shape.length !== 4 || output.shape.length !== 4) return 0;
  const o = op.options as { padding: 'SAME' | 'VALID'; strideH: number; strideW: number; dilationH: number; dilationW: number };
  const [, inH, inW] = input.shape as [number, number, number, number];
  const [, fh, fw] = filter.shape as [number, number, number, number];
  const [, outH, outW] = output.shape as [number, number, number, number];
  const pad = computePaddingHeightWidth(o.strideH, o.strideW, o.dilationH, o.dilationW, inH, inW, fh, fw, o.padding);
  const y = interiorRange(outH, inH, fh, o.strideH, o.dilationH, pad.height);
  const x = interiorRange(outW, inW, fw, o.strideW, o.dilationW, pad.width);
  return y.all && x.all ? 0 : fh * fw * channels;
}
