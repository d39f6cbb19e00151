/**
 * MAXIMUM and MINIMUM. Mirrors tensorflow/lite/micro/kernels/maximum_minimum.cc
 * -> reference/maximum_minimum.h MaximumMinimumBroadcastSlow: the raw stored
 * values are compared (`a > b ? a : b`, `a < b ? a : b`) with broadcasting.
 * No Prepare: quantization is neither checked nor applied, so inputs with
 * different scales are compared raw. TFLM dispatches on the output type
 * (float32, int8, int16, int32, int64); we require all three types equal.
 * For float32 the ternary keeps C's NaN and signed-zero behaviour.
 */
import type { Kernel, TypedArray } from './types.js';
import { planOrRefuse, type BroadcastPlan } from './_broadcast.js';
import { requireDtype } from './_elementwise.js';

type Values = Int8Array | Int16Array | Int32Array | Float32Array | BigInt64Array;

interface OpData {
  readonly max: boolean;
  readonly a: Values;
  readonly b: Values;
  readonly out: Values;
  readonly plan: BroadcastPlan;
}

const TYPES = ['float32', 'int8', 'int16', 'int32', 'int64'];

export const maximumMinimumKernel: Kernel<OpData> = {
  ops: ['MAXIMUM', 'MINIMUM'],
  prepare(ctx) {
    const a = ctx.requiredInput(0);
    const b = ctx.requiredInput(1);
    const out = ctx.output(0);
    if (!TYPES.includes(out.dtype)) ctx.unsupported(`${out.dtype} is not supported (TFLM runs ${TYPES.join(', ')})`);
    requireDtype(ctx, out.dtype, [['input 1', a], ['input 2', b]]);
    const plan = planOrRefuse(ctx, a, b, out);
    const arr = (t: typeof a): Values => ctx.array(t) as TypedArray as Values;
    return { max: ctx.op.op === 'MAXIMUM', a: arr(a), b: arr(b), out: arr(out), plan };
  },
  eval(d) {
    const { a, b, out } = d;
    if (a instanceof BigInt64Array) {
      if (d.max) maxBig(d.plan, a, b as BigInt64Array, out as BigInt64Array);
      else minBig(d.plan, a, b as BigInt64Array, out as BigInt64Array);
    } else if (d.max) {
      maxNum(d.plan, a, b as Exclude<Values, BigInt64Array>, out as Exclude<Values, BigInt64Array>);
    } else {
      minNum(d.plan, a, b as Exclude<Values, BigInt64Array>, out as Exclude<Values, BigInt64Array>);
    }
  },
};

type Num = Exclude<Values, BigInt64Array>;

function maxNum(p: BroadcastPlan, a: Num, b: Num, out: Num): void {
  const { rows, inner, aStep, bStep, aOff, bOff } = p;
  for (let r = 0; r < rows; r++) {
    let ai = aOff[r]!;
    let bi = bOff[r]!;
    let o = r * inner;
    const end = o + inner;
    for (; o < end; o++) {
      const x = a[ai]!;
      const y = b[bi]!;
      out[o] = x > y ? x : y;
      ai += aStep;
      bi += bStep;
    }
  }
}

function minNum(p: BroadcastPlan, a: Num, b: Num, out: Num): void {
  const { rows, inner, aStep, bStep, aOff, bOff } = p;
  for (let r = 0; r < rows; r++) {
    let ai = aOff[r]!;
    let bi = bOff[r]!;
    let o = r * inner;
    const end = o + inner;
    for (; o < end; o++) {
      const x = a[ai]!;
      const y = b[bi]!;
      out[o] = x < y ? x : y;
      ai += aStep;
      bi += bStep;
    }
  }
}

function maxBig(p: BroadcastPlan, a: BigInt64Array, b: BigInt64Array, out: BigInt64Array): void {
  const { rows, inner, aStep, bStep, aOff, bOff } = p;
  for (let r = 0; r < rows; r++) {
    let ai = aOff[r]!;
    let bi = bOff[r]!;
    let o = r * inner;
    const end = o + inner;
    for (; o < end; o++) {
      const x = a[ai]!;
      const y = b[bi]!;
      out[o] = x > y ? x : y;
      ai += aStep;
      bi += bStep;
    }
  }
}

function minBig(p: BroadcastPlan, a: BigInt64Array, b: BigInt64Array, out: BigInt64Array): void {
  const { rows, inner, aStep, bStep, aOff, bOff } = p;
  for (let r = 0; r < rows; r++) {
    let ai = aOff[r]!;
    let bi = bOff[r]!;
    let o = r * inner;
    const end = o + inner;
    for (; o < end; o++) {
      const x = a[ai]!;
      const y = b[bi]!;
      out[o] = x < y ? x : y;
      ai += aStep;
      bi += bStep;
    }
  }
}
