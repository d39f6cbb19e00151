/**
 * SUM, int8 and int16. Mirrors tensorflow/lite/micro/kernels/reduce.cc
 * (EvalSumHelper -> reference_ops::QuantizedMeanOrSum with compute_sum =
 * true): the int32 sum of the raw values minus zp_in * N, requantized with
 * QuantizeMultiplier(S_in / S_out) (no 1/N), plus zp_out, clamped to the type.
 * See _reduce_common.ts. Float SUM is not implemented.
 */
import type { Kernel } from './types.js';
import { evalMeanOrSum, prepareMeanOrSum, type MeanOrSumData } from './_reduce_common.js';

export const sumKernel: Kernel<MeanOrSumData> = {
  ops: ['SUM'],
  prepare: (ctx) => prepareMeanOrSum(ctx, true),
  eval: evalMeanOrSum,
};
