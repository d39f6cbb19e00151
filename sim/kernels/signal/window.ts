/**
 * CUSTOM:SignalWindow. Mirrors tflite-micro signal/micro/kernels/window.cc
 * + signal/src/window.cc (ApplyWindow): out = sat16((in * w) >> shift),
 * the int32 product shifted arithmetically, applied to each consecutive
 * chunk of weights-length samples (so batches share the window).
 * Options (FlexBuffers map): element 0 'shift'.
 * Traps: a flat size that is not a multiple of the window length would make
 * TFLM read past the input; shift outside [0, 31] is undefined in C. Both are
 * refused.
 */
import type { Kernel } from '../types.js';
import { requireCounts, requireDtype, requireRange, requireRank, signalOptions } from './_options.js';

interface OpData {
  input: Int16Array;
  weights: Int16Array;
  output: Int16Array;
  /** Right shift applied to each product. */
  shift: number;
}

export const signalWindowKernel: Kernel<OpData> = {
  ops: ['CUSTOM:SignalWindow'],
  prepare(ctx) {
    requireCounts(ctx, 2, 1);
    const input = ctx.requiredInput(0);
    const weights = ctx.requiredInput(1);
    const output = ctx.output(0);
    requireDtype(ctx, 'input', input.dtype, 'int16');
    requireDtype(ctx, 'weights', weights.dtype, 'int16');
    requireDtype(ctx, 'output', output.dtype, 'int16');
    if (input.shape.length < 1) ctx.unsupported('input must have rank >= 1');
    requireRank(ctx, 'weights', weights.shape, 1);
    requireRank(ctx, 'output', output.shape, input.shape.length);
    const shift = requireRange(ctx, 'shift', signalOptions(ctx).int32(0, 'shift'), 0, 31, 'a C shift of an int32');
    const n = weights.elements;
    if (n === 0 || input.elements % n !== 0) ctx.unsupported(`input size ${input.elements} is not a multiple of the window length ${n}`);
    if (output.elements !== input.elements) ctx.unsupported(`output size ${output.elements} differs from input size ${input.elements}`);
    return { input: ctx.int16(input), weights: ctx.int16(weights), output: ctx.int16(output), shift };
  },
  eval(d) {
    const { input, weights, output, shift } = d;
    const n = weights.length;
    const size = input.length;
    for (let base = 0; base < size; base += n) {
      for (let i = 0; i < n; i++) {
        const v = (input[base + i]! * weights[i]!) >> shift;
        output[base + i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      }
    }
  },
};
