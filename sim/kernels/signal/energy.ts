/**
 * CUSTOM:SignalEnergy. Mirrors tflite-micro signal/micro/kernels/energy.cc +
 * signal/src/energy.cc (SpectrumToEnergy): for bins start_index <= i <
 * end_index of the interleaved int16 complex input, out[i] = re^2 + im^2 as
 * uint32 (the int32 sum can reach 2^31; it converts to the same uint32).
 * Options (FlexBuffers map): element 0 'end_index', element 1 'start_index'.
 * Trap: bins outside [start_index, end_index) are never written; in TFLM they
 * keep whatever the arena held. The audio preprocessor slices them away; here
 * they stay at their initial zero.
 */
import type { Kernel } from '../types.js';
import { requireCounts, requireDtype, requireRange, requireRank, signalOptions } from './_options.js';

interface OpData {
  input: Int16Array;
  output: Uint32Array;
  start: number;
  end: number;
}

export const signalEnergyKernel: Kernel<OpData> = {
  ops: ['CUSTOM:SignalEnergy'],
  prepare(ctx) {
    requireCounts(ctx, 1, 1);
    const input = ctx.requiredInput(0);
    const output = ctx.output(0);
    requireRank(ctx, 'input', input.shape, 1);
    requireRank(ctx, 'output', output.shape, 1);
    requireDtype(ctx, 'input', input.dtype, 'int16');
    requireDtype(ctx, 'output', output.dtype, 'uint32');
    const opts = signalOptions(ctx);
    const end = opts.int32(0, 'end_index');
    const start = opts.int32(1, 'start_index');
    const bins = Math.min(input.elements >> 1, output.elements);
    requireRange(ctx, 'start_index', start, 0, bins, `the input has ${input.elements >> 1} complex bins, the output ${output.elements}`);
    requireRange(ctx, 'end_index', end, 0, bins, `the input has ${input.elements >> 1} complex bins, the output ${output.elements}`);
    return { input: ctx.int16(input), output: ctx.uint32(output), start, end };
  },
  eval(d) {
    const { input, output, start, end } = d;
    for (let i = start; i < end; i++) {
      const re = input[2 * i]!;
      const im = input[2 * i + 1]!;
      output[i] = re * re + im * im;
    }
  },
};
