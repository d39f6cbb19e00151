/**
 * The arithmetic ADD and SUB share (TFLM reference/integer_ops/add.h AddFunc,
 * reference/add.h AddElementwise with pot_scale=false, reference/sub.h
 * SubElementwise / BroadcastQuantSubSlow). Per element:
 *   a_i = MBQM_STOE((x_i - zp_i) << left_shift, M_i, s_i)
 *   y   = clamp(MBQM_STOE(a_1 ± a_2, M_out, s_out) + zp_out)
 * with left_shift 20 for int8 and 15 for int16. The callers differ only in
 * how they turn scales into the three real multipliers (ADD in double, SUB in
 * float32) and in which int32 activation they apply.
 *
 * int8 speed: a_i depends on one int8 value only, so prepare tabulates it for
 * all 256 inputs (SUB stores -a_2, since a_1 - a_2 == a_1 + (-a_2) exactly in
 * int32) and eval does one multiply-by-quantized-multiplier per element; for
 * large tensors (residual adds) prepare instead tabulates the whole op over
 * all 65536 input pairs with that same formula.
 */
import { multiplyByQuantizedMultiplierSmallerThanOneExp, calculateActivationRangeQuantized } from '../math/fixedpoint.js';
import type { Activation, Tensor } from '../ir/types.js';
import type { PrepareContext } from './types.js';
import type { BroadcastPlan } from './_broadcast.js';
import { quantizeSmallerThanOneExp, type QuantParams } from './_elementwise.js';
import { applyInt8PairTable, int8PairTable, PAIR_TABLE_MIN_ELEMENTS } from './_int8_lookup.js';

export interface AddSubData {
  readonly kind: 'int8' | 'int16' | 'int32';
  readonly a: Int8Array | Int16Array | Int32Array;
  readonly b: Int8Array | Int16Array | Int32Array;
  readonly out: Int8Array | Int16Array | Int32Array;
  readonly plan: BroadcastPlan;
  /** +1 for ADD, -1 for SUB. */
  readonly sign: number;
  /** int8: a_1 and ±a_2 for every int8 input value, indexed by value + 128. */
  readonly table1: Int32Array;
  readonly table2: Int32Array;
  /** int8 with at least PAIR_TABLE_MIN_ELEMENTS outputs: the whole op per input pair, else null. */
  readonly pairTable: Int8Array | null;
  /** int16: the input terms computed per element (-zero point, multiplier, shift). */
  readonly offset1: number;
  readonly offset2: number;
  readonly mult1: number;
  readonly shift1: number;
  readonly mult2: number;
  readonly shift2: number;
  /** Output rescale (shift <= 0) and zero point. */
  readonly outMult: number;
  readonly outShift: number;
  readonly outZp: number;
  /** Clamp: the fused activation range (int8/int16 quantized; int32 raw bounds). */
  readonly actMin: number;
  readonly actMax: number;
}

/** Real multipliers as TFLM's CalculateOpDataAdd / CalculateOpDataSub compute them. */
export interface AddSubRatios {
  readonly input1: number;
  readonly input2: number;
  readonly output: number;
}

const EMPTY = new Int32Array(0);

/** Prepare for int8 / int16 (`plan` from planOrRefuse): `ratios(leftShift)` gives the three real multipliers for that left shift. */
export function prepareQuantizedAddSub(
  ctx: PrepareContext, sign: number, a: Tensor, b: Tensor, out: Tensor, plan: BroadcastPlan,
  q1: QuantParams, q2: QuantParams, qo: QuantParams, activation: Activation,
  ratios: (leftShift: number) => AddSubRatios,
): AddSubData {
  const int8 = out.dtype === 'int8';
  const leftShift = int8 ? 20 : 15;
  const r = ratios(leftShift);
  const m1 = quantizeSmallerThanOneExp(ctx, r.input1, 'input 1');
  const m2 = quantizeSmallerThanOneExp(ctx, r.input2, 'input 2');
  const mo = quantizeSmallerThanOneExp(ctx, r.output, 'output');
  const [actMin, actMax] = calculateActivationRangeQuantized(activation, out.dtype, qo.scale, qo.zeroPoint);
  const offset1 = -q1.zeroPoint;
  const offset2 = -q2.zeroPoint;
  let table1 = EMPTY;
  let table2 = EMPTY;
  let pairTable: Int8Array | null = null;
  if (int8) {
    const t1 = new Int32Array(256);
    const t2 = new Int32Array(256);
    for (let v = -128; v < 128; v++) {
      t1[v + 128] = multiplyByQuantizedMultiplierSmallerThanOneExp((v + offset1) * (1 << leftShift), m1.multiplier, m1.shift);
      t2[v + 128] = sign * multiplyByQuantizedMultiplierSmallerThanOneExp((v + offset2) * (1 << leftShift), m2.multiplier, m2.shift);
    }
    table1 = t1;
    table2 = t2;
    if (plan.rows * plan.inner >= PAIR_TABLE_MIN_ELEMENTS) {
      pairTable = int8PairTable((x, y) => {
        const v = multiplyByQuantizedMultiplierSmallerThanOneExp(t1[x + 128]! + t2[y + 128]!, mo.multiplier, mo.shift) + qo.zeroPoint;
        return v < actMin ? actMin : v > actMax ? actMax : v;
      });
    }
  }
  return {
    kind: int8 ? 'int8' : 'int16',
    a: int8 ? ctx.int8(a) : ctx.int16(a),
    b: int8 ? ctx.int8(b) : ctx.int16(b),
    out: int8 ? ctx.int8(out) : ctx.int16(out),
    plan, sign, table1, table2, pairTable,
    offset1, offset2,
    mult1: m1.multiplier, shift1: m1.shift, mult2: m2.multiplier, shift2: m2.shift,
    outMult: mo.multiplier, outShift: mo.shift, outZp: qo.zeroPoint,
    actMin, actMax,
  };
}

/** Prepare for unquantized int32: a wrapping add or subtract, clamped to [actMin, actMax]. */
export function prepareInt32AddSub(ctx: PrepareContext, sign: number, a: Tensor, b: Tensor, out: Tensor, plan: BroadcastPlan, actMin: number, actMax: number): AddSubData {
  return {
    kind: 'int32', a: ctx.int32(a), b: ctx.int32(b), out: ctx.int32(out),
    plan, sign, table1: EMPTY, table2: EMPTY, pairTable: null,
    offset1: 0, offset2: 0, mult1: 0, shift1: 0, mult2: 0, shift2: 0,
    outMult: 0, outShift: 0, outZp: 0, actMin, actMax,
  };
}

export function evalAddSub(d: AddSubData): void {
  if (d.pairTable) applyInt8PairTable(d.plan, d.a as Int8Array, d.b as Int8Array, d.out as Int8Array, d.pairTable);
  else if (d.kind === 'int8') evalInt8(d);
  else if (d.kind === 'int16') evalInt16(d);
  else evalInt32(d);
}

function evalInt8(d: AddSubData): void {
  const a = d.a as Int8Array;
  const b = d.b as Int8Array;
  const out = d.out as Int8Array;
  const { table1, table2, outMult, outShift, outZp, actMin, actMax } = d;
  const { rows, inner, aStep, bStep, aOff, bOff } = d.plan;
  for (let r = 0; r < rows; r++) {
    let ai = aOff[r]!;
    let bi = bOff[r]!;
    let o = r * inner;
    const end = o + inner;
    for (; o < end; o++) {
      const raw = table1[a[ai]! + 128]! + table2[b[bi]! + 128]!;
      const y = multiplyByQuantizedMultiplierSmallerThanOneExp(raw, outMult, outShift) + outZp;
      out[o] = y < actMin ? actMin : y > actMax ? actMax : y;
      ai += aStep;
      bi += bStep;
    }
  }
}

function evalInt16(d: AddSubData): void {
  const a = d.a as Int16Array;
  const b = d.b as Int16Array;
  const out = d.out as Int16Array;
  const { sign, offset1, offset2, mult1, shift1, mult2, shift2, outMult, outShift, outZp, actMin, actMax } = d;
  const { rows, inner, aStep, bStep, aOff, bOff } = d.plan;
  // (x - zp) * 2^15 stays below 2^31 in magnitude for int16 x and zp, as TFLM relies on.
  const scale = 32768;
  for (let r = 0; r < rows; r++) {
    let ai = aOff[r]!;
    let bi = bOff[r]!;
    let o = r * inner;
    const end = o + inner;
    for (; o < end; o++) {
      const s1 = multiplyByQuantizedMultiplierSmallerThanOneExp((a[ai]! + offset1) * scale, mult1, shift1);
      const s2 = multiplyByQuantizedMultiplierSmallerThanOneExp((b[bi]! + offset2) * scale, mult2, shift2);
      const y = multiplyByQuantizedMultiplierSmallerThanOneExp(s1 + sign * s2, outMult, outShift) + outZp;
      out[o] = y < actMin ? actMin : y > actMax ? actMax : y;
      ai += aStep;
      bi += bStep;
    }
  }
}

function evalInt32(d: AddSubData): void {
  const a = d.a as Int32Array;
  const b = d.b as Int32Array;
  const out = d.out as Int32Array;
  const { sign, actMin, actMax } = d;
  const { rows, inner, aStep, bStep, aOff, bOff } = d.plan;
  for (let r = 0; r < rows; r++) {
    let ai = aOff[r]!;
    let bi = bOff[r]!;
    let o = r * inner;
    const end = o + inner;
    for (; o < end; o++) {
      // C int32 overflow: wraps on every target TFLM runs on.
      const y = (sign > 0 ? a[ai]! + b[bi]! : a[ai]! - b[bi]!) | 0;
      out[o] = y < actMin ? actMin : y > actMax ? actMax : y;
      ai += aStep;
      bi += bStep;
    }
  }
}
