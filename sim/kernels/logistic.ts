/**
 * LOGISTIC (sigmoid), quantized paths.
 * Mirrors tensorflow/lite/micro/kernels/logistic.cc + logistic_common.cc:
 * - int8: reference_integer_ops::Logistic(int8): d = x - zp_in saturates to
 *   -128 / 127 outside ±radius, else gemmlowp logistic of MBQM(d) read as
 *   Q4.27, rounded from Q0.31 to 1/256 steps (RDBPOT by 23) and offset by -128.
 * - int16: reference_integer_ops::Logistic(int16), the sigmoid table with
 *   9-bit interpolation (sim/math/int16_activations.ts).
 * Traps: for int8 only zp_out == -128 is checked; the output SCALE is ignored
 * (assumed 1/256). Prepare params: see _logistic_tanh_common.ts.
 * Speed: an int8 output depends only on the input byte, so prepare runs the
 * reference arithmetic once per possible byte and eval is a table lookup.
 */
import { multiplyByQuantizedMultiplier, roundingDivideByPOT } from '../math/fixedpoint.js';
import { logistic } from '../math/gemmlowp.js';
import { logisticInt16 } from '../math/int16_activations.js';
import { int16InputParams, int8InputParams, type Int8InputParams } from './_logistic_tanh_common.js';
import type { Kernel, PrepareContext } from './types.js';

interface OpData {
  int16: boolean;
  input: Int8Array | Int16Array;
  output: Int8Array | Int16Array;
  size: number;
  /** int8: the output for each input byte, indexed by x + 128. */
  table: Int8Array;
  /** int16: table-input multiplier (0 = power of two) and shift. */
  multiplier: number;
  shift: number;
}

/** reference_integer_ops::Logistic(int8) for one element. */
function logisticInt8(x: number, p: Int8InputParams): number {
  const d = x - p.zeroPoint;
  if (d <= -p.radius) return -128;
  if (d >= p.radius) return 127;
  const y = roundingDivideByPOT(logistic(multiplyByQuantizedMultiplier(d, p.multiplier, p.shift), 4), 23) - 128;
  return y > 127 ? 127 : y < -128 ? -128 : y;
}

export const logisticKernel: Kernel<OpData> = {
  ops: ['LOGISTIC'],
  prepare(ctx: PrepareContext) {
    const input = ctx.input(0);
    const output = ctx.output(0);
    if (!input) ctx.unsupported('input 0 is missing');
    if (input.dtype !== output.dtype) ctx.unsupported(`input ${input.dtype} and output ${output.dtype} must have the same type`);
    if (input.elements !== output.elements) ctx.unsupported(`input [${input.shape.join(', ')}] and output [${output.shape.join(', ')}] differ in size`);
    if (input.dtype === 'int8') {
      const zpOut = output.quantization?.zeroPoint[0];
      if (zpOut !== -128) ctx.unsupported(`int8 output zero point must be -128, got ${zpOut}`);
      const p = int8InputParams(ctx, input);
      const table = new Int8Array(256);
      for (let x = -128; x < 128; x++) table[x + 128] = logisticInt8(x, p);
      return { int16: false, input: ctx.int8(input), output: ctx.int8(output), size: input.elements, table, multiplier: p.multiplier, shift: p.shift };
    }
    if (input.dtype === 'int16') {
      const p = int16InputParams(ctx, input, output, [0]);
      return { int16: true, input: ctx.int16(input), output: ctx.int16(output), size: input.elements, table: new Int8Array(0), ...p };
    }
    return ctx.unsupported(`${input.dtype} input is not supported (int8 or int16 only)`);
  },
  eval(d) {
    if (d.int16) {
      logisticInt16(d.multiplier, d.shift, d.size, d.input as Int16Array, d.output as Int16Array);
      return;
    }
    const input = d.input as Int8Array;
    const output = d.output as Int8Array;
    const { size, table } = d;
    for (let i = 0; i < size; i++) output[i] = table[input[i]! + 128]!;
  },
};
