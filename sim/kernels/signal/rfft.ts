/**
 * CUSTOM:SignalRfft (int16). Mirrors tflite-micro signal/micro/kernels/rfft.cc
 * + signal/src/rfft_int16.cc: each row of the input (last dimension,
 * input_length samples) is copied into an fft_length work buffer, zero
 * padded, and transformed by kissfft's fixed-point kiss_fftr (see
 * sim/math/kissfft_int16.ts for the arithmetic); the output row holds
 * fft_length/2 + 1 complex bins as interleaved (re, im) int16.
 * Options (FlexBuffers map): 'T' looked up by key (the tensor type: only
 * INT16 = 7 is supported here), element 1 'fft_length'.
 * Refused (TFLM would overrun buffers or crash): input rows longer than
 * fft_length, output rows other than fft_length + 2 values, fft lengths
 * kissfft cannot run in TFLM's build.
 */
import type { Kernel } from '../types.js';
import { kissFftr16, kissFftr16Plan, type KissFftr16Plan } from '../../math/kissfft_int16.js';
import { requireCounts, requireDtype, signalOptions } from './_options.js';

/** tflite::TensorType_INT16 */
const TENSOR_TYPE_INT16 = 7;
const TENSOR_TYPE_NAMES: Readonly<Record<number, string>> = { 0: 'FLOAT32', 2: 'INT32', 7: 'INT16' };

interface OpData {
  input: Int16Array;
  output: Int16Array;
  plan: KissFftr16Plan;
  /** The zero-padded row handed to kiss_fftr (TFLM's scratch buffer). */
  work: Int16Array;
  inputLength: number;
  /** Rows (product of the leading dimensions). */
  rows: number;
}

export const signalRfftKernel: Kernel<OpData> = {
  ops: ['CUSTOM:SignalRfft'],
  prepare(ctx) {
    requireCounts(ctx, 1, 1);
    const opts = signalOptions(ctx);
    const t = opts.int32ByKey('T');
    // A missing 'T' reads as 0 (FLOAT32) in TFLM.
    if (t !== TENSOR_TYPE_INT16) ctx.unsupported(`only the int16 variant is supported; the options ask for T = ${t ?? 0} (${TENSOR_TYPE_NAMES[t ?? 0] ?? 'unknown type'})`);
    const fftLength = opts.int32(1, 'fft_length');
    const input = ctx.requiredInput(0);
    const output = ctx.output(0);
    requireDtype(ctx, 'input', input.dtype, 'int16');
    requireDtype(ctx, 'output', output.dtype, 'int16');
    if (input.shape.length !== output.shape.length || input.shape.length < 1) {
      ctx.unsupported(`input [${input.shape.join(', ')}] and output [${output.shape.join(', ')}] must have the same rank (>= 1)`);
    }
    const inputLength = input.shape[input.shape.length - 1]!;
    const outputLast = output.shape[output.shape.length - 1]!;
    if (inputLength < 1 || inputLength > fftLength) ctx.unsupported(`input rows of ${inputLength} samples do not fit fft_length ${fftLength}`);
    if (outputLast !== fftLength + 2) ctx.unsupported(`output rows must hold fft_length/2 + 1 complex values (${fftLength + 2} int16), got ${outputLast}`);
    const rows = input.elements / inputLength;
    if (output.elements !== rows * outputLast) ctx.unsupported(`output [${output.shape.join(', ')}] does not have one row per input row (${rows})`);
    const plan = kissFftr16Plan(fftLength);
    if (typeof plan === 'string') return ctx.unsupported(plan);
    return { input: ctx.int16(input), output: ctx.int16(output), plan, work: new Int16Array(fftLength), inputLength, rows };
  },
  eval(d) {
    const { input, output, plan, work, inputLength, rows } = d;
    const outLength = plan.fftLength + 2;
    for (let r = 0; r < rows; r++) {
      // The tail of `work` stays zero: only the first inputLength samples are ever written.
      const base = r * inputLength;
      for (let i = 0; i < inputLength; i++) work[i] = input[base + i]!;
      kissFftr16(plan, work, 0, output, r * outLength);
    }
  },
};
