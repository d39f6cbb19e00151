/**
 * CUSTOM:SignalFilterBankLog. Mirrors tflite-micro
 * signal/micro/kernels/filter_bank_log.cc + signal/src/filter_bank_log.cc
 * and log.cc (Log32): scaled = uint32(in << input_correction_bits);
 * out = scaled > 1 ? min(Log32(scaled, output_scale), 32767) : 0, as int16.
 * Options (FlexBuffers map): element 0 'input_correction_bits', element 1
 * 'output_scale' (a uint32 in Log32: negative values wrap, kept).
 * A correction shift outside [0, 31] is undefined in C and refused.
 */
import type { Kernel } from '../types.js';
import { log32 } from '../../math/signal_math.js';
import { requireCounts, requireDtype, requireRange, requireRank, signalOptions } from './_options.js';

interface OpData {
  input: Uint32Array;
  output: Int16Array;
  correctionBits: number;
  /** Log32's out_scale, as uint32. */
  outputScale: number;
}

export const signalFilterBankLogKernel: Kernel<OpData> = {
  ops: ['CUSTOM:SignalFilterBankLog'],
  prepare(ctx) {
    requireCounts(ctx, 1, 1);
    const input = ctx.requiredInput(0);
    const output = ctx.output(0);
    requireRank(ctx, 'input', input.shape, 1);
    requireRank(ctx, 'output', output.shape, 1);
    requireDtype(ctx, 'input', input.dtype, 'uint32');
    requireDtype(ctx, 'output', output.dtype, 'int16');
    const o = signalOptions(ctx);
    const correctionBits = requireRange(ctx, 'input_correction_bits', o.int32(0, 'input_correction_bits'), 0, 31, 'a C shift of a uint32');
    const outputScale = o.int32(1, 'output_scale') >>> 0;
    if (output.elements < input.elements) ctx.unsupported(`output size ${output.elements} is smaller than the ${input.elements} input channels`);
    return { input: ctx.uint32(input), output: ctx.int16(output), correctionBits, outputScale };
  },
  eval(d) {
    const { input, output, correctionBits, outputScale } = d;
    const n = input.length;
    for (let i = 0; i < n; i++) {
      const scaled = (input[i]! << correctionBits) >>> 0;
      if (scaled > 1) {
        const v = log32(scaled, outputScale);
        output[i] = v < 32767 ? v : 32767;
      } else {
        output[i] = 0;
      }
    }
  },
};
