/**
 * CUSTOM:SignalFftAutoScale. Mirrors tflite-micro
 * signal/micro/kernels/fft_auto_scale_{kernel,common}.cc +
 * signal/src/fft_auto_scale.cc and max_abs.cc (portable MaxAbs16):
 * scale_bits = max(0, 15 - MostSignificantBit32(max_abs)) and
 * out = int16(in * 2^scale_bits); output 1 is the int32 scalar scale_bits.
 * Traps (kept, since TFLM has them):
 * - MaxAbs16 keeps its running maximum in an int16, so -32768 stores as
 *   -32768 (negative); later samples then compare against a negative "max".
 *   A negative max converts to a huge uint32 for the MSB, giving scale 0;
 *   but a later positive sample replaces it, and the scaled -32768 wraps.
 * - MostSignificantBit32(0) is 32 (GCC build), so silence gives scale 0.
 * - The element count is the output's; a different input size is refused.
 */
import type { Kernel } from '../types.js';
import { msb32 } from '../../math/signal_math.js';
import { requireCounts, requireDtype, requireRank } from './_options.js';

interface OpData {
  input: Int16Array;
  output: Int16Array;
  /** Scalar output: the left shift applied. */
  scaleBits: Int32Array;
}

export const signalFftAutoScaleKernel: Kernel<OpData> = {
  ops: ['CUSTOM:SignalFftAutoScale'],
  prepare(ctx) {
    requireCounts(ctx, 1, 2);
    const input = ctx.requiredInput(0);
    const output = ctx.output(0);
    const scale = ctx.output(1);
    requireRank(ctx, 'input', input.shape, 1);
    requireRank(ctx, 'output', output.shape, 1);
    requireRank(ctx, 'scale_bit output', scale.shape, 0);
    requireDtype(ctx, 'input', input.dtype, 'int16');
    requireDtype(ctx, 'output', output.dtype, 'int16');
    requireDtype(ctx, 'scale_bit output', scale.dtype, 'int32');
    if (input.elements !== output.elements) ctx.unsupported(`output size ${output.elements} differs from input size ${input.elements} (TFLM would read past the input)`);
    return { input: ctx.int16(input), output: ctx.int16(output), scaleBits: ctx.int32(scale) };
  },
  eval(d) {
    const { input, output } = d;
    const size = output.length;
    let max = 0; // int16_t in C
    for (let i = 0; i < size; i++) {
      const v = input[i]!;
      if (v > max) max = v;
      else if (-v > max) max = ((-v) << 16) >> 16;
    }
    let bits = 15 - msb32(max >>> 0);
    if (bits < 0) bits = 0;
    const mul = 1 << bits;
    for (let i = 0; i < size; i++) output[i] = input[i]! * mul;
    d.scaleBits[0] = bits;
  },
};
