/**
 * CUSTOM:SignalPCAN (per-channel amplitude normalization). Mirrors
 * tflite-micro signal/micro/kernels/pcan.cc + signal/src/pcan_argc_fixed.cc
 * (ApplyPcanAutoGainControlFixed, WideDynamicFunction, PcanShrink):
 *   gain = uint32(WideDynamicFunction(noise[i], gain_lut))  (int16 -> uint32:
 *          a negative gain wraps, kept)
 *   snr  = uint32((uint64(in[i]) * gain) >> snr_shift)
 *   out  = snr < 2^13 ? (snr * snr) >> 20 : (snr >> 6) - 64   (kPcanSnrBits 12,
 *          kPcanOutputBits 6)
 * WideDynamicFunction: lut[x] for x <= 2, else a quadratic interpolation in
 * the segment of x's most significant bit (lut entries 4*msb - 6 .. + 2):
 * the table must hold 125 entries for any uint32 noise value.
 * Options (FlexBuffers map): element 0 'snr_shift'. No state of its own: the
 * noise estimate is an input (spectral subtraction's second output).
 */
import type { Kernel } from '../types.js';
import { wideDynamicFunction } from '../../math/signal_math.js';
import { Uint64Acc } from '../../math/uint64_pair.js';
import { requireCounts, requireDtype, requireRange, requireRank, signalOptions } from './_options.js';

/** Entries WideDynamicFunction can reach: 4 * 32 - 6 + 3. */
const LUT_SIZE = 125;

interface OpData {
  input: Uint32Array;
  noise: Uint32Array;
  lut: Int16Array;
  output: Uint32Array;
  snrShift: number;
  acc: Uint64Acc;
}

export const signalPcanKernel: Kernel<OpData> = {
  ops: ['CUSTOM:SignalPCAN'],
  prepare(ctx) {
    requireCounts(ctx, 3, 1);
    const input = ctx.requiredInput(0);
    const noise = ctx.requiredInput(1);
    const lut = ctx.requiredInput(2);
    const output = ctx.output(0);
    requireRank(ctx, 'input', input.shape, 1);
    requireRank(ctx, 'noise_estimate', noise.shape, 1);
    requireRank(ctx, 'gain_lut', lut.shape, 1);
    requireRank(ctx, 'output', output.shape, 1);
    requireDtype(ctx, 'input', input.dtype, 'uint32');
    requireDtype(ctx, 'noise_estimate', noise.dtype, 'uint32');
    requireDtype(ctx, 'gain_lut', lut.dtype, 'int16');
    requireDtype(ctx, 'output', output.dtype, 'uint32');
    const snrShift = requireRange(ctx, 'snr_shift', signalOptions(ctx).int32(0, 'snr_shift'), 0, 63, 'a C shift of a uint64');
    const n = input.elements;
    if (noise.elements !== n || output.elements !== n) ctx.unsupported(`input, noise_estimate and output must have the same size, got ${n}, ${noise.elements}, ${output.elements}`);
    if (lut.elements < LUT_SIZE) ctx.unsupported(`gain_lut has ${lut.elements} entries; TFLM indexes up to ${LUT_SIZE - 1}`);
    return { input: ctx.uint32(input), noise: ctx.uint32(noise), lut: ctx.int16(lut), output: ctx.uint32(output), snrShift, acc: new Uint64Acc() };
  },
  eval(d) {
    const { input, noise, lut, output, snrShift, acc } = d;
    const n = input.length;
    for (let i = 0; i < n; i++) {
      const gain = wideDynamicFunction(noise[i]!, lut) >>> 0;
      const snr = acc.setMul(input[i]!, gain).shrToUint32(snrShift);
      output[i] = snr < 8192 ? (snr * snr) >>> 20 : (snr >>> 6) - 64;
    }
  },
};
