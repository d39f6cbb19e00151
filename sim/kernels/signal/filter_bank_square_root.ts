/**
 * CUSTOM:SignalFilterBankSquareRoot. Mirrors tflite-micro
 * signal/micro/kernels/filter_bank_square_root{,_common}.cc +
 * signal/src/filter_bank_square_root.cc (FilterbankSqrt):
 * out[i] = Sqrt64(in[i]) >> scale_bits, uint64 in, uint32 out; scale_bits is
 * the int32 scalar input 1 (in the audio preprocessor, FftAutoScale's shift),
 * read at every Invoke.
 * Traps: Sqrt64 rounds to nearest-ish (see sim/math/signal_math.ts) and uses
 * the 32-bit path below 2^32. A scale_bits outside [0, 31] is undefined in C;
 * x86 (the oracle) masks the count to 5 bits, and so does `>>>` here.
 */
import type { Kernel } from '../types.js';
import { sqrt64 } from '../../math/signal_math.js';
import { requireCounts, requireDtype, requireRank } from './_options.js';

interface OpData {
  /** The uint64 input viewed as (low, high) uint32 words. */
  input: Uint32Array;
  scaleBits: Int32Array;
  output: Uint32Array;
  channels: number;
}

export const signalFilterBankSquareRootKernel: Kernel<OpData> = {
  ops: ['CUSTOM:SignalFilterBankSquareRoot'],
  prepare(ctx) {
    requireCounts(ctx, 2, 1);
    const input = ctx.requiredInput(0);
    const scale = ctx.requiredInput(1);
    const output = ctx.output(0);
    requireRank(ctx, 'input', input.shape, 1);
    requireRank(ctx, 'scale_bits', scale.shape, 0);
    requireRank(ctx, 'output', output.shape, 1);
    requireDtype(ctx, 'input', input.dtype, 'uint64');
    requireDtype(ctx, 'scale_bits', scale.dtype, 'int32');
    requireDtype(ctx, 'output', output.dtype, 'uint32');
    if (output.elements < input.elements) ctx.unsupported(`output size ${output.elements} is smaller than the ${input.elements} input channels`);
    const a = ctx.array(input) as BigUint64Array;
    return { input: new Uint32Array(a.buffer, a.byteOffset, a.length * 2), scaleBits: ctx.int32(scale), output: ctx.uint32(output), channels: input.elements };
  },
  eval(d) {
    const { input, output, channels } = d;
    const s = d.scaleBits[0]!;
    for (let i = 0; i < channels; i++) output[i] = sqrt64(input[2 * i + 1]!, input[2 * i]!) >>> s;
  },
};
