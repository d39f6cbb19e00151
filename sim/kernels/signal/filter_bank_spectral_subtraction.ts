/**
 * CUSTOM:SignalFilterBankSpectralSubtraction. Mirrors tflite-micro
 * signal/micro/kernels/filter_bank_spectral_subtraction.cc +
 * signal/src/filter_bank_spectral_subtraction.cc.
 * Per channel (odd channels use the alternate coefficients):
 *   s = in << smoothing_bits                               (uint32, may wrap)
 *   noise = (s * smoothing + noise * one_minus) >> spectral_subtraction_bits
 *                                     (uint64 products, truncated to uint32)
 *   est = min(noise, s); with clamping, noise = est
 *   floor = (in * min_signal_remaining) >> spectral_subtraction_bits (uint64)
 *   out = max((s - est) >> smoothing_bits, floor)
 * Output 1 is a copy of the noise estimate after the update.
 *
 * State: the noise estimate persists across Invokes in the kernel (TFLM keeps
 * it in a persistent buffer, zeroed in Prepare and by the registration's
 * reset). Here it lives in OpData.noise; `reset` zeroes it. Between resets,
 * consecutive runs are a stream (e.g. micro_speech's 49 frames).
 * Options (FlexBuffers map, by element index in key order):
 *   0 alternate_one_minus_smoothing, 1 alternate_smoothing, 2 clamping,
 *   3 min_signal_remaining, 4 num_channels, 5 one_minus_smoothing,
 *   6 smoothing, 7 smoothing_bits, 8 spectral_subtraction_bits.
 * The coefficients are uint32 fields assigned from int32 options: negative
 * values wrap (kept). Shift counts outside C's defined range are refused.
 */
import type { Kernel } from '../types.js';
import { Uint64Acc } from '../../math/uint64_pair.js';
import { requireCounts, requireDtype, requireRange, requireRank, signalOptions } from './_options.js';

interface OpData {
  input: Uint32Array;
  output: Uint32Array;
  /** Output tensor 1: receives a copy of `noise` after each Invoke. */
  noiseOut: Uint32Array;
  /** The persistent noise estimate (TFLM's params->noise_estimate). */
  noise: Uint32Array;
  /** uint32 coefficients, scaled by 2^spectralBits. */
  smoothing: number;
  oneMinusSmoothing: number;
  altSmoothing: number;
  altOneMinusSmoothing: number;
  minSignalRemaining: number;
  smoothingBits: number;
  spectralBits: number;
  clamping: boolean;
  /** Scratch for the uint64 products. */
  acc: Uint64Acc;
}

export const signalFilterBankSpectralSubtractionKernel: Kernel<OpData> = {
  ops: ['CUSTOM:SignalFilterBankSpectralSubtraction'],
  prepare(ctx) {
    requireCounts(ctx, 1, 2);
    const input = ctx.requiredInput(0);
    const output = ctx.output(0);
    const noiseOut = ctx.output(1);
    requireRank(ctx, 'input', input.shape, 1);
    requireRank(ctx, 'output', output.shape, 1);
    requireRank(ctx, 'noise_estimate output', noiseOut.shape, 1);
    requireDtype(ctx, 'input', input.dtype, 'uint32');
    requireDtype(ctx, 'output', output.dtype, 'uint32');
    requireDtype(ctx, 'noise_estimate output', noiseOut.dtype, 'uint32');
    const o = signalOptions(ctx);
    const altOneMinusSmoothing = o.int32(0, 'alternate_one_minus_smoothing') >>> 0;
    const altSmoothing = o.int32(1, 'alternate_smoothing') >>> 0;
    const clamping = o.bool(2, 'clamping');
    const minSignalRemaining = o.int32(3, 'min_signal_remaining') >>> 0;
    const numChannels = o.int32(4, 'num_channels');
    const oneMinusSmoothing = o.int32(5, 'one_minus_smoothing') >>> 0;
    const smoothing = o.int32(6, 'smoothing') >>> 0;
    const smoothingBits = requireRange(ctx, 'smoothing_bits', o.int32(7, 'smoothing_bits'), 0, 31, 'a C shift of a uint32');
    const spectralBits = requireRange(ctx, 'spectral_subtraction_bits', o.int32(8, 'spectral_subtraction_bits'), 0, 63, 'a C shift of a uint64');
    for (const [what, t] of [['input', input], ['output', output], ['noise_estimate output', noiseOut]] as const) {
      if (t.elements !== numChannels) ctx.unsupported(`${what} has ${t.elements} elements, num_channels is ${numChannels}`);
    }
    return {
      input: ctx.uint32(input), output: ctx.uint32(output), noiseOut: ctx.uint32(noiseOut),
      noise: new Uint32Array(numChannels),
      smoothing, oneMinusSmoothing, altSmoothing, altOneMinusSmoothing, minSignalRemaining,
      smoothingBits, spectralBits, clamping, acc: new Uint64Acc(),
    };
  },
  eval(d) {
    const { input, output, noise, acc, smoothingBits, spectralBits, clamping, minSignalRemaining } = d;
    const n = noise.length;
    for (let i = 0; i < n; i++) {
      const odd = (i & 1) === 1;
      const smoothing = odd ? d.altSmoothing : d.smoothing;
      const oneMinus = odd ? d.altOneMinusSmoothing : d.oneMinusSmoothing;
      const x = input[i]!;
      const s = (x << smoothingBits) >>> 0;
      const est0 = acc.setMul(s, smoothing).addMul(noise[i]!, oneMinus).shrToUint32(spectralBits);
      noise[i] = est0;
      let est = est0;
      if (est > s) {
        est = s;
        if (clamping) noise[i] = s;
      }
      const floor = acc.setMul(x, minSignalRemaining).shrToUint32(spectralBits);
      const sub = (s - est) >>> smoothingBits;
      output[i] = sub > floor ? sub : floor;
    }
    d.noiseOut.set(noise);
  },
  reset(d) {
    d.noise.fill(0);
  },
};
