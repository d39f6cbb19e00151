/**
 * MUL. Mirrors tensorflow/lite/micro/kernels/mul.cc + mul_common.cc
 * (CalculateOpDataMul, EvalMulQuantizedReference):
 * - int8 / int16: reference_integer_ops::MulElementwise / BroadcastMul6DSlow,
 *   y = clamp(zp_out + MBQM((x1 - zp1) * (x2 - zp2), M, s)) with
 *   (M, s) = QuantizeMultiplier(S1 * S2 / S_out) in double (the shift may be
 *   positive). int16 requires all three zero points to be 0.
 * - int32 (unquantized): reference_ops::Mul, a wrapping int32 multiply
 *   (WrappingMul) clamped to the fused activation as raw int32 bounds.
 * The kernel dispatches on input 1's type; we require all three types equal.
 * Large int8 tensors are evaluated from a table of all 65536 input pairs,
 * filled at prepare with the same formula.
 */
import { calculateActivationRangeQuantized, multiplyByQuantizedMultiplier, quantizeMultiplier } from '../math/fixedpoint.js';
import type { Kernel } from './types.js';
import { planOrRefuse, type BroadcastPlan } from './_broadcast.js';
import { fusedActivation, int32ActivationRange, quantParams, requireDtype } from './_elementwise.js';
import { applyInt8PairTable, int8PairTable, PAIR_TABLE_MIN_ELEMENTS } from './_int8_lookup.js';

interface OpData {
  readonly kind: 'int8' | 'int16' | 'int32';
  readonly a: Int8Array | Int16Array | Int32Array;
  readonly b: Int8Array | Int16Array | Int32Array;
  readonly out: Int8Array | Int16Array | Int32Array;
  readonly plan: BroadcastPlan;
  /** -zero point of each input (0 for int16 and int32). */
  readonly offset1: number;
  readonly offset2: number;
  /** Output rescale and zero point (quantized only). */
  readonly mult: number;
  readonly shift: number;
  readonly outZp: number;
  /** Fused activation clamp. */
  readonly actMin: number;
  readonly actMax: number;
  /** int8 with at least PAIR_TABLE_MIN_ELEMENTS outputs: the whole op per input pair, else null. */
  readonly pairTable: Int8Array | null;
}

export const mulKernel: Kernel<OpData> = {
  ops: ['MUL'],
  prepare(ctx) {
    const a = ctx.requiredInput(0);
    const b = ctx.requiredInput(1);
    const out = ctx.output(0);
    const dtype = out.dtype;
    if (dtype !== 'int8' && dtype !== 'int16' && dtype !== 'int32') ctx.unsupported(`${dtype} MUL is not supported (int8, int16 and int32 are)`);
    requireDtype(ctx, dtype, [['input 1', a], ['input 2', b]]);
    const plan = planOrRefuse(ctx, a, b, out);
    const activation = fusedActivation(ctx);
    if (dtype === 'int32') {
      const [actMin, actMax] = int32ActivationRange(activation);
      return { kind: 'int32', a: ctx.int32(a), b: ctx.int32(b), out: ctx.int32(out), plan, offset1: 0, offset2: 0, mult: 0, shift: 0, outZp: 0, actMin, actMax, pairTable: null };
    }
    const q1 = quantParams(ctx, a, 'input 1');
    const q2 = quantParams(ctx, b, 'input 2');
    const qo = quantParams(ctx, out, 'output');
    if (dtype === 'int16' && (q1.zeroPoint !== 0 || q2.zeroPoint !== 0 || qo.zeroPoint !== 0)) {
      ctx.unsupported('int16 MUL needs zero points of 0 on both inputs and the output (TFLM checks this)');
    }
    const [actMin, actMax] = calculateActivationRangeQuantized(activation, dtype, qo.scale, qo.zeroPoint);
    const { multiplier, shift } = quantizeMultiplier((q1.scale * q2.scale) / qo.scale);
    const int8 = dtype === 'int8';
    const offset1 = -q1.zeroPoint;
    const offset2 = -q2.zeroPoint;
    const pairTable = int8 && plan.rows * plan.inner >= PAIR_TABLE_MIN_ELEMENTS
      ? int8PairTable((x, y) => {
        const v = qo.zeroPoint + multiplyByQuantizedMultiplier((x + offset1) * (y + offset2), multiplier, shift);
        return v < actMin ? actMin : v > actMax ? actMax : v;
      })
      : null;
    return {
      kind: int8 ? 'int8' : 'int16',
      a: int8 ? ctx.int8(a) : ctx.int16(a),
      b: int8 ? ctx.int8(b) : ctx.int16(b),
      out: int8 ? ctx.int8(out) : ctx.int16(out),
      plan, offset1, offset2, mult: multiplier, shift, outZp: qo.zeroPoint, actMin, actMax, pairTable,
    };
  },
  eval(d) {
    if (d.pairTable) applyInt8PairTable(d.plan, d.a as Int8Array, d.b as Int8Array, d.out as Int8Array, d.pairTable);
    else if (d.kind === 'int32') evalInt32(d);
    else if (d.kind === 'int8') evalQuantized(d, d.a as Int8Array, d.b as Int8Array, d.out as Int8Array);
    else evalQuantized(d, d.a as Int16Array, d.b as Int16Array, d.out as Int16Array);
  },
};

function evalQuantized(d: OpData, a: Int8Array | Int16Array, b: Int8Array | Int16Array, out: Int8Array | Int16Array): void {
  const { offset1, offset2, mult, shift, outZp, actMin, actMax } = d;
  const { rows, inner, aStep, bStep, aOff, bOff } = d.plan;
  for (let r = 0; r < rows; r++) {
    let ai = aOff[r]!;
    let bi = bOff[r]!;
    let o = r * inner;
    const end = o + inner;
    for (; o < end; o++) {
      // |product| <= 2^30 for int16 with zero points 0, 65025 for int8: exact, as in C.
      const y = outZp + multiplyByQuantizedMultiplier((a[ai]! + offset1) * (b[bi]! + offset2), mult, shift);
      out[o] = y < actMin ? actMin : y > actMax ? actMax : y;
      ai += aStep;
      bi += bStep;
    }
  }
}

function evalInt32(d: OpData): void {
  const a = d.a as Int32Array;
  const b = d.b as Int32Array;
  const out = d.out as Int32Array;
  const { actMin, actMax } = d;
  const { rows, inner, aStep, bStep, aOff, bOff } = d.plan;
  for (let r = 0; r < rows; r++) {
    let ai = aOff[r]!;
    let bi = bOff[r]!;
    let o = r * inner;
    const end = o + inner;
    for (; o < end; o++) {
      const y = Math.imul(a[ai]!, b[bi]!);
      out[o] = y < actMin ? actMin : y > actMax ? actMax : y;
      ai += aStep;
      bi += bStep;
    }
  }
}
