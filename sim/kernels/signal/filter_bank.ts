/**
 * CUSTOM:SignalFilterBank. Mirrors tflite-micro
 * signal/micro/kernels/filter_bank.cc + signal/src/filter_bank.cc
 * (FilterbankAccumulateChannels): num_channels + 1 triangular channels over
 * the uint32 energy spectrum; channel i accumulates weights * energy over its
 * band, carried over from the previous channel's unweights * energy, in
 * uint64. Channel 0 is scratch: the output is channels 1..num_channels.
 * Options (FlexBuffers map): element 0 'num_channels'.
 * Inputs 1..5 (weights, unweights, channel frequency starts, weight starts,
 * widths; int16) must be constant: their indexes are checked once here, since
 * TFLM reads wherever they point.
 * Arithmetic: int16 weight x uint32 energy is exact as weight x (low 16 bits)
 * and weight x (high 16 bits) summed separately (each sum < 2^47), combined
 * into the uint64 result modulo 2^64 at the end of a channel (a negative
 * weight wraps like C's conversion to uint64). No BigInt.
 */
import type { Kernel } from '../types.js';
import type { Tensor } from '../../ir/types.js';
import { storeUint64FromSplit } from '../../math/uint64_pair.js';
import { requireCounts, requireDtype, requireRange, requireRank, signalOptions } from './_options.js';

interface OpData {
  input: Uint32Array;
  weights: Int16Array;
  unweights: Int16Array;
  freqStarts: Int16Array;
  weightStarts: Int16Array;
  widths: Int16Array;
  /** The uint64 output viewed as (low, high) uint32 words. */
  output: Uint32Array;
  numChannels: number;
  /** Output elements (<= numChannels): channels 1..outChannels are written. */
  outChannels: number;
}

const INPUT_NAMES = ['input', 'weights', 'unweights', 'channel_frequency_starts', 'channel_weight_starts', 'channel_widths'];

export const signalFilterBankKernel: Kernel<OpData> = {
  ops: ['CUSTOM:SignalFilterBank'],
  prepare(ctx) {
    requireCounts(ctx, 6, 1);
    const t: Tensor[] = [];
    for (let i = 0; i < 6; i++) {
      const x = ctx.requiredInput(i);
      requireRank(ctx, INPUT_NAMES[i]!, x.shape, 1);
      requireDtype(ctx, INPUT_NAMES[i]!, x.dtype, i === 0 ? 'uint32' : 'int16');
      if (i > 0 && !x.data) ctx.unsupported(`${INPUT_NAMES[i]} must be a constant tensor`);
      t.push(x);
    }
    const output = ctx.output(0);
    requireRank(ctx, 'output', output.shape, 1);
    requireDtype(ctx, 'output', output.dtype, 'uint64');
    const numChannels = signalOptions(ctx).int32(0, 'num_channels');
    const inputLen = t[0]!.elements;
    const weights = ctx.int16(t[1]!);
    const unweights = ctx.int16(t[2]!);
    const freqStarts = ctx.int16(t[3]!);
    const weightStarts = ctx.int16(t[4]!);
    const widths = ctx.int16(t[5]!);
    const per = Math.min(freqStarts.length, weightStarts.length, widths.length);
    requireRange(ctx, 'num_channels', numChannels, 0, per - 1, `the channel arrays hold ${per} entries, one more than the channel count`);
    requireRange(ctx, 'output size', output.elements, 0, numChannels, 'TFLM copies the output from num_channels accumulators');
    const wLen = Math.min(weights.length, unweights.length);
    for (let c = 0; c <= numChannels; c++) {
      const width = widths[c]!;
      if (width <= 0) continue; // the band is empty: nothing is read
      const fs = freqStarts[c]!;
      const ws = weightStarts[c]!;
      if (fs < 0 || fs + width > inputLen) ctx.unsupported(`channel ${c} reads spectrum bins [${fs}, ${fs + width}) outside the ${inputLen}-bin input`);
      if (ws < 0 || ws + width > wLen) ctx.unsupported(`channel ${c} reads weights [${ws}, ${ws + width}) outside the ${wLen} weights`);
    }
    const out = ctx.array(output) as BigUint64Array;
    return {
      input: ctx.uint32(t[0]!), weights, unweights, freqStarts, weightStarts, widths,
      output: new Uint32Array(out.buffer, out.byteOffset, out.length * 2),
      numChannels, outChannels: output.elements,
    };
  },
  eval(d) {
    const { input, weights, unweights, freqStarts, weightStarts, widths, output, numChannels, outChannels } = d;
    // Weight accumulator (carried from the previous channel's unweights), split by the energy's 16-bit halves.
    let wHi = 0;
    let wLo = 0;
    for (let c = 0; c <= numChannels; c++) {
      const fs = freqStarts[c]!;
      const ws = weightStarts[c]!;
      const width = widths[c]!;
      let uHi = 0;
      let uLo = 0;
      for (let j = 0; j < width; j++) {
        const e = input[fs + j]!;
        const eLo = e & 0xffff;
        const eHi = e >>> 16;
        const w = weights[ws + j]!;
        const u = unweights[ws + j]!;
        wLo += w * eLo;
        wHi += w * eHi;
        uLo += u * eLo;
        uHi += u * eHi;
      }
      if (c >= 1 && c <= outChannels) storeUint64FromSplit(output, c - 1, wHi, wLo);
      wHi = uHi;
      wLo = uLo;
    }
  },
};
