/**
 * HARD_SWISH, int8: x · relu6(x + 3) / 6.
 * Mirrors tensorflow/lite/micro/kernels/hard_swish.cc + hard_swish_common.cc
 * (HardSwishPrepare) and tensorflow/lite/kernels/internal/reference/
 * hard_swish.h (HardSwish<int8_t>(HardSwishParams, ...)).
 * Traps:
 * - prepare math is float32: hires = f32(S_in / 128) (as (1/128)·S_in),
 *   then f32(hires / S_out) and f32(hires / (3/32768)) are widened to double,
 *   quantized, and the int32 multipliers down-scaled to int16 with rounding
 *   ((M + 2^15) >> 16, saturating to 32767).
 * - eval is int16 throughout: every intermediate is truncated to int16 as the
 *   C assignments do; the relu-ish multiply uses gemmlowp's int16 rounding
 *   high-mul, the final product a NON-rounding doubling high-mul (truncating
 *   division by 2^15); the rounding shifts are gemmlowp RoundingDivideByPOT on
 *   int16 (whose mask is itself an int16: all ones for shifts >= 16).
 * - the output multiplier exponent must be <= 0 (TF_LITE_ENSURE).
 * Speed: the output depends only on the input byte, so prepare runs the
 * reference arithmetic once per possible byte and eval is a table lookup.
 */
import { f32, quantizeMultiplier } from '../math/fixedpoint.js';
import { saturatingRoundingDoublingHighMulInt16 } from '../math/gemmlowp.js';
import type { Kernel, PrepareContext } from './types.js';

interface OpData {
  input: Int8Array;
  output: Int8Array;
  size: number;
  /** int16 zero points (HardSwishParams stores them as int16_t). */
  inputZeroPoint: number;
  outputZeroPoint: number;
  /** hires input scale -> relu-ish scale (3/32768): int16 multiplier and exponent (any sign). */
  reluishMultiplier: number;
  reluishExponent: number;
  /** hires input scale -> output scale: int16 multiplier and exponent (<= 0). */
  outputMultiplier: number;
  outputExponent: number;
  /** The output for each input byte, indexed by x + 128. */
  table: Int8Array;
}

/** C's static_cast<int16_t>: keep the low 16 bits, two's complement. */
const toInt16 = (x: number) => (x << 16) >> 16;

/** TFLite DownScaleInt32ToInt16Multiplier. */
function downScaleInt32ToInt16Multiplier(m: number): number {
  if (m >= 2147483647 - (1 << 15)) return 32767;
  return (m + (1 << 15)) >> 16;
}

/** hard_swish.h SaturatingLeftShift: value · 2^amount in 64 bits, clamped to int16. */
function saturatingLeftShiftInt16(value: number, amount: number): number {
  const r = value * 2 ** amount;
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}

/** gemmlowp RoundingDivideByPOT<int16_t>: the mask (2^e - 1) is cast to int16 first. */
function roundingDivideByPOTInt16(x: number, exponent: number): number {
  const mask = exponent >= 16 ? -1 : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = toInt16((mask >> 1) + (x < 0 ? 1 : 0));
  return toInt16((x >> exponent) + (remainder > threshold ? 1 : 0));
}

/** reference_ops::HardSwish<int8_t> for one element. */
function hardSwishInt8(x: number, p: Omit<OpData, 'input' | 'output' | 'size' | 'table'>): number {
  const inputValue = toInt16(x - p.inputZeroPoint);
  const hires = toInt16(inputValue * 128);
  const preshiftOutput = saturatingRoundingDoublingHighMulInt16(hires, p.outputMultiplier);
  // Relu-ish value: the input on a scale where 3.0 is 32768, saturating, then mapped from [-1, 1] to [0, 1].
  let reluish = hires;
  if (p.reluishExponent > 0) reluish = saturatingLeftShiftInt16(reluish, p.reluishExponent - 1);
  reluish = saturatingRoundingDoublingHighMulInt16(reluish, p.reluishMultiplier);
  if (p.reluishExponent > 0) reluish = saturatingLeftShiftInt16(reluish, 1);
  if (p.reluishExponent < 0) reluish = roundingDivideByPOTInt16(reluish, -p.reluishExponent);
  reluish = (reluish + 32768) >> 1;
  // SaturatingDoublingHighMul: truncating /2^15; reluish >= 0 rules out the -32768² overflow.
  const preshift = toInt16(Math.trunc((reluish * preshiftOutput) / 32768));
  const y = toInt16(roundingDivideByPOTInt16(preshift, -p.outputExponent) + p.outputZeroPoint);
  return y > 127 ? 127 : y < -128 ? -128 : y;
}

export const hardSwishKernel: Kernel<OpData> = {
  ops: ['HARD_SWISH'],
  prepare(ctx: PrepareContext) {
    const input = ctx.input(0);
    const output = ctx.output(0);
    if (!input) ctx.unsupported('input 0 is missing');
    if (input.dtype !== 'int8' || output.dtype !== 'int8') ctx.unsupported(`${input.dtype} -> ${output.dtype} is not supported (int8 only)`);
    if (input.elements !== output.elements) ctx.unsupported(`input [${input.shape.join(', ')}] and output [${output.shape.join(', ')}] differ in size`);
    const qi = input.quantization;
    const qo = output.quantization;
    if (!qi || qi.scale.length === 0 || !qo || qo.scale.length === 0) ctx.unsupported('int8 input and output need quantization parameters');
    const hiresInputScale = f32(f32(1 / 128) * qi.scale[0]!);
    const reluishScale = f32(3 / 32768);
    const outQ = quantizeMultiplier(f32(hiresInputScale / qo.scale[0]!));
    if (outQ.shift > 0) ctx.unsupported(`output multiplier exponent ${outQ.shift} must be <= 0 (output scale too small for the input scale)`);
    const reluQ = quantizeMultiplier(f32(hiresInputScale / reluishScale));
    const params = {
      inputZeroPoint: toInt16(qi.zeroPoint[0] ?? 0),
      outputZeroPoint: toInt16(qo.zeroPoint[0] ?? 0),
      reluishMultiplier: downScaleInt32ToInt16Multiplier(reluQ.multiplier),
      reluishExponent: reluQ.shift,
      outputMultiplier: downScaleInt32ToInt16Multiplier(outQ.multiplier),
      outputExponent: outQ.shift,
    };
    const table = new Int8Array(256);
    for (let x = -128; x < 128; x++) table[x + 128] = hardSwishInt8(x, params);
    return { input: ctx.int8(input), output: ctx.int8(output), size: input.elements, table, ...params };
  },
  eval(d) {
    const { input, output, size, table } = d;
    for (let i = 0; i < size; i++) output[i] = table[input[i]! + 128]!;
  },
};
