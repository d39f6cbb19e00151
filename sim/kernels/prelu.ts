/**
 * PRELU. Mirrors tensorflow/lite/micro/kernels/prelu.cc + prelu_common.cc
 * (CalculatePreluParams) -> reference/prelu.h BroadcastPrelu4DSlow, which
 * always takes the broadcast walk over (input, alpha).
 * Multipliers in double: (M1, s1) = QM(S_in / S_out), (M2, s2) = QM(S_in * S_alpha / S_out).
 * d = x - zp_in; y = clamp_T(zp_out + (d >= 0 ? MBQM(d, M1, s1) : MBQM(d * (a - zp_alpha), M2, s2))).
 * No fused activation. int8 input takes an int8 alpha; int16 input also takes
 * an int8 alpha (TFLM requires it) and no zero point is checked.
 */
import { multiplyByQuantizedMultiplier, quantizeMultiplier, typeRange } from '../math/fixedpoint.js';
import type { Kernel } from './types.js';
import { planOrRefuse, type BroadcastPlan } from './_broadcast.js';
import { quantParams, requireDtype } from './_elementwise.js';

interface OpData {
  readonly input: Int8Array | Int16Array;
  readonly alpha: Int8Array;
  readonly output: Int8Array | Int16Array;
  readonly plan: BroadcastPlan;
  /** -zero points of input and alpha, output zero point. */
  readonly inOffset: number;
  readonly alphaOffset: number;
  readonly outZp: number;
  readonly mult1: number;
  readonly shift1: number;
  readonly mult2: number;
  readonly shift2: number;
  readonly qmin: number;
  readonly qmax: number;
}

export const preluKernel: Kernel<OpData> = {
  ops: ['PRELU'],
  prepare(ctx) {
    const input = ctx.requiredInput(0);
    const alpha = ctx.requiredInput(1);
    const output = ctx.output(0);
    const dtype = input.dtype;
    if (dtype !== 'int8' && dtype !== 'int16') ctx.unsupported(`${dtype} PRELU is not supported (int8 and int16 are)`);
    requireDtype(ctx, dtype, [['output', output]]);
    if (alpha.dtype !== 'int8') ctx.unsupported(`alpha is ${alpha.dtype}; TFLM's quantized PRELU reads an int8 alpha`);
    const plan = planOrRefuse(ctx, input, alpha, output);
    const qi = quantParams(ctx, input, 'input');
    const qa = quantParams(ctx, alpha, 'alpha');
    const qo = quantParams(ctx, output, 'output');
    const m1 = quantizeMultiplier(qi.scale / qo.scale);
    const m2 = quantizeMultiplier((qi.scale * qa.scale) / qo.scale);
    const [qmin, qmax] = typeRange(dtype);
    const int8 = dtype === 'int8';
    return {
      input: int8 ? ctx.int8(input) : ctx.int16(input),
      alpha: ctx.int8(alpha),
      output: int8 ? ctx.int8(output) : ctx.int16(output),
      plan,
      inOffset: -qi.zeroPoint, alphaOffset: -qa.zeroPoint, outZp: qo.zeroPoint,
      mult1: m1.multiplier, shift1: m1.shift, mult2: m2.multiplier, shift2: m2.shift,
      qmin, qmax,
    };
  },
  eval(d) {
    const { input, alpha, output, inOffset, alphaOffset, outZp, mult1, shift1, mult2, shift2, qmin, qmax } = d;
    const { rows, inner, aStep, bStep, aOff, bOff } = d.plan;
    for (let r = 0; r < rows; r++) {
      let ai = aOff[r]!;
      let bi = bOff[r]!;
      let o = r * inner;
      const end = o + inner;
      for (; o < end; o++) {
        const x = input[ai]! + inOffset;
        // int16 x times int8 alpha stays below 2^24: exact.
        const y = outZp + (x >= 0
          ? multiplyByQuantizedMultiplier(x, mult1, shift1)
          : multiplyByQuantizedMultiplier(x * (alpha[bi]! + alphaOffset), mult2, shift2));
        output[o] = y < qmin ? qmin : y > qmax ? qmax : y;
        ai += aStep;
        bi += bStep;
      }
    }
  },
};
