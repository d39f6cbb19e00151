/**
 * Prepare logic shared by LOGISTIC and TANH (tensorflow/lite/micro/kernels/
 * logistic_common.cc CalculateArithmeticOpDataLogistic and tanh.cc
 * CalculateArithmeticOpData), which compute the same parameters:
 * - int8: the input is rescaled to gemmlowp Q4.27. real = S_in·2^27 in
 *   double, (q, shift) = frexp(real), M = TfLiteRound(q·2^31) with NO fix-up
 *   for q·2^31 rounding up to 2^31 (cannot happen for a float32 scale), and
 *   the saturation radius = floor(15·2^27 / 2^shift) (CalculateInputRadius).
 * - int16: zero points must be 0. A power-of-two input scale with the right
 *   exponent gets multiplier 0 (the int16 kernel then uses 3 << shift);
 *   otherwise S_in·4096·3 is doubled until it exceeds 32767/2 (at most 31
 *   times) and truncated. The output scale must be 2^-15 (CheckedLog2).
 */
import type { Tensor } from '../ir/types.js';
import { checkedLog2 } from '../math/checked_log2.js';
import { frexp, tfliteRound } from '../math/fixedpoint.js';
import type { PrepareContext } from './types.js';

export interface Int8InputParams {
  zeroPoint: number;
  multiplier: number;
  shift: number;
  radius: number;
}

/** Q4.27 input rescaling for the int8 paths. */
export function int8InputParams(ctx: PrepareContext, input: Tensor): Int8InputParams {
  const q = input.quantization;
  if (!q || q.scale.length === 0) ctx.unsupported(`int8 input (tensor ${input.index}) has no quantization parameters`);
  const inputIntegerBits = 4;
  const real = q.scale[0]! * 2 ** (31 - inputIntegerBits);
  const [mantissa, shift] = frexp(real);
  if (!(real > 0)) ctx.unsupported(`input scale ${q.scale[0]} must be positive`);
  // CalculateInputRadius shifts 1LL by `shift`, undefined in C for a negative shift (S_in < 2^-28).
  if (shift < 0) ctx.unsupported(`input scale ${q.scale[0]} is too small (TFLM's input radius is undefined for it)`);
  const radius = Math.floor((((1 << inputIntegerBits) - 1) * 2 ** (31 - inputIntegerBits)) / 2 ** shift);
  return {
    zeroPoint: q.zeroPoint[0] ?? 0,
    // static_cast<int32_t> of the rounded double; |0 mirrors the wrap for the impossible 2^31.
    multiplier: tfliteRound(mantissa * 2147483648) | 0,
    shift,
    radius,
  };
}

export interface Int16InputParams {
  multiplier: number;
  shift: number;
}

/**
 * int16 parameters. `potShifts` lists the left shifts (12 + log2(S_in)) for
 * which a power-of-two scale takes the multiplier-0 form: LOGISTIC accepts 0,
 * TANH accepts 0 and 1.
 */
export function int16InputParams(ctx: PrepareContext, input: Tensor, output: Tensor, potShifts: readonly number[]): Int16InputParams {
  const qi = input.quantization;
  const qo = output.quantization;
  if (!qi || qi.scale.length === 0 || !qo || qo.scale.length === 0) ctx.unsupported('int16 input and output need quantization parameters');
  if ((qi.zeroPoint[0] ?? 0) !== 0) ctx.unsupported(`int16 input zero point must be 0, got ${qi.zeroPoint[0]}`);
  if ((qo.zeroPoint[0] ?? 0) !== 0) ctx.unsupported(`int16 output zero point must be 0, got ${qo.zeroPoint[0]}`);
  const sIn = qi.scale[0]!;
  const inputIntegerBits = 3;
  const l2 = checkedLog2(sIn);
  let shift = 15 - inputIntegerBits + l2.log2;
  let multiplier: number;
  if (l2.isPowerOfTwo && potShifts.includes(shift)) {
    multiplier = 0;
  } else {
    // Rescale to 1/(3·4096) per step, as the table lookup wants; double math.
    let m = sIn * 4096.0 * 3.0;
    shift = 0;
    while (m <= 32767.0 / 2.0 && shift <= 30) {
      shift++;
      m *= 2.0;
    }
    multiplier = Math.trunc(m);
  }
  // TFLITE_DCHECK_LE(input_multiplier, 32767): active in TFLM's default build.
  if (multiplier > 32767) ctx.unsupported(`input scale ${sIn} is too large (TFLM's int16 input multiplier ${multiplier} exceeds 32767)`);
  const lo = checkedLog2(qo.scale[0]!);
  if (!lo.isPowerOfTwo || lo.log2 !== -15) ctx.unsupported(`int16 output scale must be 2^-15, got ${qo.scale[0]}`);
  return { multiplier, shift };
}
