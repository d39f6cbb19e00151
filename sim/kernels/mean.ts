/**
 * MEAN, int8 and int16. Mirrors tensorflow/lite/micro/kernels/reduce.cc
 * (EvalMeanHelper -> EvalIntegerMean -> reference_ops::QuantizedMeanOrSum with
 * compute_sum = false). At this TFLM commit integer MEAN always takes that
 * generic path, whatever the axes. The arithmetic (1/N folded into the
 * multiplier, int32 wrap of sum - zp_in * N) is described in _reduce_common.ts.
 * Float MEAN is not implemented.
 */
import type { Kernel } from './types.js';
import { evalMeanOrSum, prepareMeanOrSum, type MeanOrSumData } from './_reduce_common.js';

export const meanKernel: Kernel<MeanOrSumData> = {
  ops: ['MEAN'],
  prepare: (ctx) => prepareMeanOrSum(ctx, false),
  eval: evalMeanOrSum,
};
