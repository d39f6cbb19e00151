/**
 * SQUARED_DIFFERENCE. Mirrors tensorflow/lite/micro/kernels/squared_difference.cc
 * (PrepareQuantized, SquaredDifference<T>(x, y, params)).
 * - int8 (left shift 7) / int16 (left shift 0, all zero points must be 0):
 *   like ADD's input stage, a_i = MBQM_STOE((x_i - zp_i) << shift, M_i, s_i)
 *   with T = 2*max(S1, S2) and S_i / T in double; then
 *   y = clamp_T(MBQM((a_1 - a_2)^2, M, s) + zp_out) with
 *   (M, s) = QuantizeMultiplier(T^2 / double(f32(2^(2*shift) * S_out))) - a
 *   general multiplier (may exceed 1). No fused activation.
 * - int32: (a - b)^2 with wrapping int32 arithmetic.
 * int8 eval tabulates a_1 and a_2 per input byte.
 */
import { f32, multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierSmallerThanOneExp, quantizeMultiplier, typeRange } from '../math/fixedpoint.js';
import type { Kernel } from './types.js';
import { planOrRefuse, type BroadcastPlan } from './_broadcast.js';
import { quantizeSmallerThanOneExp, quantParams, requireDtype } from './_elementwise.js';

interface OpData {
  readonly kind: 'int8' | 'int16' | 'int32';
  readonly a: Int8Array | Int16Array | Int32Array;
  readonly b: Int8Array | Int16Array | Int32Array;
  readonly out: Int8Array | Int16Array | Int32Array;
  readonly plan: BroadcastPlan;
  /** int8: a_1 and a_2 for every input byte (index value + 128). */
  readonly table1: Int32Array;
  readonly table2: Int32Array;
  /** int16: input multipliers (zero points are 0, left shift 0). */
  readonly mult1: number;
  readonly shift1: number;
  readonly mult2: number;
  readonly shift2: number;
  readonly outMult: number;
  readonly outShift: number;
  readonly outZp: number;
  readonly qmin: number;
  readonly qmax: number;
}

const EMPTY = new Int32Array(0);

export const squaredDifferenceKernel: Kernel<OpData> = {
  ops: ['SQUARED_DIFFERENCE'],
  prepare(ctx) {
    const a = ctx.requiredInput(0);
    const b = ctx.requiredInput(1);
    const out = ctx.output(0);
    const dtype = a.dtype;
    if (dtype !== 'int8' && dtype !== 'int16' && dtype !== 'int32') ctx.unsupported(`${dtype} SQUARED_DIFFERENCE is not supported (int8, int16 and int32 are)`);
    requireDtype(ctx, dtype, [['input 2', b], ['output', out]]);
    const plan = planOrRefuse(ctx, a, b, out);
    const none = { table1: EMPTY, table2: EMPTY, mult1: 0, shift1: 0, mult2: 0, shift2: 0, outMult: 0, outShift: 0, outZp: 0, qmin: 0, qmax: 0 };
    if (dtype === 'int32') return { ...none, kind: 'int32', a: ctx.int32(a), b: ctx.int32(b), out: ctx.int32(out), plan };
    const q1 = quantParams(ctx, a, 'input 1');
    const q2 = quantParams(ctx, b, 'input 2');
    const qo = quantParams(ctx, out, 'output');
    const int8 = dtype === 'int8';
    if (!int8 && (q1.zeroPoint !== 0 || q2.zeroPoint !== 0 || qo.zeroPoint !== 0)) ctx.unsupported('int16 SQUARED_DIFFERENCE needs zero points of 0 (TFLM checks this)');
    if (int8 && [q1, q2, qo].some((q) => q.zeroPoint < -128 || q.zeroPoint > 127)) ctx.unsupported('int8 SQUARED_DIFFERENCE needs zero points within [-128, 127] (TFLM checks this)');
    const leftShift = int8 ? 7 : 0;
    const twiceMax = 2 * Math.max(q1.scale, q2.scale);
    const m1 = quantizeSmallerThanOneExp(ctx, q1.scale / twiceMax, 'input 1');
    const m2 = quantizeSmallerThanOneExp(ctx, q2.scale / twiceMax, 'input 2');
    const mo = quantizeMultiplier((twiceMax * twiceMax) / f32((1 << (2 * leftShift)) * qo.scale));
    const [qmin, qmax] = typeRange(dtype);
    const common = { ...none, plan, mult1: m1.multiplier, shift1: m1.shift, mult2: m2.multiplier, shift2: m2.shift, outMult: mo.multiplier, outShift: mo.shift, outZp: qo.zeroPoint, qmin, qmax };
    if (!int8) return { ...common, kind: 'int16', a: ctx.int16(a), b: ctx.int16(b), out: ctx.int16(out) };
    const table1 = new Int32Array(256);
    const table2 = new Int32Array(256);
    for (let v = -128; v < 128; v++) {
      table1[v + 128] = multiplyByQuantizedMultiplierSmallerThanOneExp((v - q1.zeroPoint) * (1 << leftShift), m1.multiplier, m1.shift);
      table2[v + 128] = multiplyByQuantizedMultiplierSmallerThanOneExp((v - q2.zeroPoint) * (1 << leftShift), m2.multiplier, m2.shift);
    }
    return { ...common, kind: 'int8', a: ctx.int8(a), b: ctx.int8(b), out: ctx.int8(out), table1, table2 };
  },
  eval(d) {
    if (d.kind === 'int8') evalInt8(d);
    else if (d.kind === 'int16') evalInt16(d);
    else evalInt32(d);
  },
};

function evalInt8(d: OpData): void {
  const a = d.a as Int8Array;
  const b = d.b as Int8Array;
  const out = d.out as Int8Array;
  const { table1, table2, outMult, outShift, outZp, qmin, qmax } = d;
  const { rows, inner, aStep, bStep, aOff, bOff } = d.plan;
  for (let r = 0; r < rows; r++) {
    let ai = aOff[r]!;
    let bi = bOff[r]!;
    let o = r * inner;
    const end = o + inner;
    for (; o < end; o++) {
      const diff = table1[a[ai]! + 128]! - table2[b[bi]! + 128]!;
      const y = multiplyByQuantizedMultiplier(Math.imul(diff, diff), outMult, outShift) + outZp;
      out[o] = y < qmin ? qmin : y > qmax ? qmax : y;
      ai += aStep;
      bi += bStep;
    }
  }
}

function evalInt16(d: OpData): void {
  const a = d.a as Int16Array;
  const b = d.b as Int16Array;
  const out = d.out as Int16Array;
  const { mult1, shift1, mult2, shift2, outMult, outShift, outZp, qmin, qmax } = d;
  const { rows, inner, aStep, bStep, aOff, bOff } = d.plan;
  for (let r = 0; r < rows; r++) {
    let ai = aOff[r]!;
    let bi = bOff[r]!;
    let o = r * inner;
    const end = o + inner;
    for (; o < end; o++) {
      const diff = multiplyByQuantizedMultiplierSmallerThanOneExp(a[ai]!, mult1, shift1) - multiplyByQuantizedMultiplierSmallerThanOneExp(b[bi]!, mult2, shift2);
      const y = multiplyByQuantizedMultiplier(Math.imul(diff, diff), outMult, outShift) + outZp;
      out[o] = y < qmin ? qmin : y > qmax ? qmax : y;
      ai += aStep;
      bi += bStep;
    }
  }
}

function evalInt32(d: OpData): void {
  const a = d.a as Int32Array;
  const b = d.b as Int32Array;
  const out = d.out as Int32Array;
  const { rows, inner, aStep, bStep, aOff, bOff } = d.plan;
  for (let r = 0; r < rows; r++) {
    let ai = aOff[r]!;
    let bi = bOff[r]!;
    let o = r * inner;
    const end = o + inner;
    for (; o < end; o++) {
      const diff = (a[ai]! - b[bi]!) | 0;
      out[o] = Math.imul(diff, diff);
      ai += aStep;
      bi += bStep;
    }
  }
}
