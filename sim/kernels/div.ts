/**
 * DIV. Mirrors tensorflow/lite/micro/kernels/div.cc -> reference/div.h.
 * - int32 (unquantized): C truncating division, clamped to the fused
 *   activation as raw int32 bounds (CalculateActivationRange<int32_t>).
 * - int8: DivElementwise / BroadcastDivSlowQuantized. Prepare:
 *   (M, s) = QuantizeMultiplier(double(f32(S1 / f32(S2 * S_out)))), all in
 *   float32. Per element, with d_i = x_i - zp_i: if d2 < 0 both signs flip;
 *   (inv, rs) = GetReciprocal(d2, 31); h = CountLeadingSignBits(d1);
 *   y = clamp(zp_out + MBQM_STOE(MBQM_GTO(d1, inv, h), M, s - rs - h)).
 *   The reciprocal depends on the divisor byte only, so prepare tabulates it.
 * Division by zero has no TFLM result (int32: SIGFPE on x86, as is
 * INT32_MIN / -1; int8: a DCHECK abort when d2 == 0): a constant divisor
 * holding one is refused at prepare, a computed one throws at eval.
 */
import { UnsupportedOpError } from '../../lib/errors.js';
import { calculateActivationRangeQuantized, countLeadingSignBits, f32, multiplyByQuantizedMultiplierGreaterThanOne, multiplyByQuantizedMultiplierSmallerThanOneExp, quantizeMultiplier } from '../math/fixedpoint.js';
import { getReciprocal } from '../math/gemmlowp.js';
import type { Kernel } from './types.js';
import { planOrRefuse, type BroadcastPlan } from './_broadcast.js';
import { fusedActivation, int32ActivationRange, quantParams, requireDtype } from './_elementwise.js';

interface OpData {
  readonly kind: 'int8' | 'int32';
  readonly a: Int8Array | Int32Array;
  readonly b: Int8Array | Int32Array;
  readonly out: Int8Array | Int32Array;
  readonly plan: BroadcastPlan;
  /** int8: -zero point of input 1, output zero point, output rescale. */
  readonly offset1: number;
  readonly outZp: number;
  readonly mult: number;
  readonly shift: number;
  /** int8, indexed by divisor byte + 128: sign of d2 (+1/-1, 0 when d2 == 0), GetReciprocal(|d2|, 31) and its shift. */
  readonly divSign: Int8Array;
  readonly recip: Int32Array;
  readonly recipShift: Int32Array;
  readonly actMin: number;
  readonly actMax: number;
  /** For the eval-time error message. */
  readonly opIndex: number;
}

const EMPTY8 = new Int8Array(0);
const EMPTY32 = new Int32Array(0);

export const divKernel: Kernel<OpData> = {
  ops: ['DIV'],
  prepare(ctx) {
    const a = ctx.requiredInput(0);
    const b = ctx.requiredInput(1);
    const out = ctx.output(0);
    const dtype = out.dtype;
    if (dtype !== 'int8' && dtype !== 'int32') ctx.unsupported(`${dtype} DIV is not supported (TFLM runs int8, int32 and float32; tinyforge int8 and int32)`);
    requireDtype(ctx, dtype, [['input 1', a], ['input 2', b]]);
    const plan = planOrRefuse(ctx, a, b, out);
    const activation = fusedActivation(ctx);
    if (dtype === 'int32') {
      if (a.quantization || b.quantization) ctx.unsupported('int32 DIV with quantized inputs is not supported by TFLM');
      const bArr = ctx.int32(b);
      if (b.data && bArr.includes(0)) ctx.unsupported('the constant divisor contains 0 (TFLM traps on integer division by zero)');
      const [actMin, actMax] = int32ActivationRange(activation);
      return {
        kind: 'int32', a: ctx.int32(a), b: bArr, out: ctx.int32(out), plan, offset1: 0, outZp: 0, mult: 0, shift: 0,
        divSign: EMPTY8, recip: EMPTY32, recipShift: EMPTY32, actMin, actMax, opIndex: ctx.op.index,
      };
    }
    const q1 = quantParams(ctx, a, 'input 1');
    const q2 = quantParams(ctx, b, 'input 2');
    const qo = quantParams(ctx, out, 'output');
    const bArr = ctx.int8(b);
    if (b.data && bArr.includes(q2.zeroPoint)) ctx.unsupported('the constant divisor contains its zero point, i.e. divides by zero (TFLM DCHECK)');
    const { multiplier, shift } = quantizeMultiplier(f32(q1.scale / f32(q2.scale * qo.scale)));
    // The final rescale is MBQM_STOE(q, M, s - rs - h) with h >= 23 and rs >= 0 for int8 operands: a shift
    // above 23 would make it a left shift for some inputs, which RoundingDivideByPOT does not define.
    if (shift > 23) ctx.unsupported(`the output multiplier S1 / (S2 * S_out) = ${f32(q1.scale / f32(q2.scale * qo.scale))} is too large for TFLM's int8 DIV`);
    const [actMin, actMax] = calculateActivationRangeQuantized(activation, 'int8', qo.scale, qo.zeroPoint);
    const divSign = new Int8Array(256);
    const recip = new Int32Array(256);
    const recipShift = new Int32Array(256);
    const shiftOut = new Int32Array(1);
    for (let v = -128; v < 128; v++) {
      const d2 = v - q2.zeroPoint;
      if (d2 === 0) continue;
      divSign[v + 128] = d2 < 0 ? -1 : 1;
      recip[v + 128] = getReciprocal(d2 < 0 ? -d2 : d2, 31, shiftOut);
      recipShift[v + 128] = shiftOut[0]!;
    }
    return {
      kind: 'int8', a: ctx.int8(a), b: bArr, out: ctx.int8(out), plan, offset1: -q1.zeroPoint, outZp: qo.zeroPoint, mult: multiplier, shift,
      divSign, recip, recipShift, actMin, actMax, opIndex: ctx.op.index,
    };
  },
  eval(d) {
    if (d.kind === 'int8') evalInt8(d);
    else evalInt32(d);
  },
};

function divisionByZero(d: OpData, what: string): never {
  throw new UnsupportedOpError('division-by-zero', `DIV (operator ${d.opIndex}): ${what}; TFLM has no result for it (it traps or aborts)`, 'check the model inputs that feed the divisor', { opIndex: d.opIndex, op: 'DIV' });
}

function evalInt8(d: OpData): void {
  const a = d.a as Int8Array;
  const b = d.b as Int8Array;
  const out = d.out as Int8Array;
  const { offset1, outZp, mult, shift, divSign, recip, recipShift, actMin, actMax } = d;
  const { rows, inner, aStep, bStep, aOff, bOff } = d.plan;
  for (let r = 0; r < rows; r++) {
    let ai = aOff[r]!;
    let bi = bOff[r]!;
    let o = r * inner;
    const end = o + inner;
    for (; o < end; o++) {
      const k = b[bi]! + 128;
      const sign = divSign[k]!;
      if (sign === 0) divisionByZero(d, 'the divisor equals its zero point (a real 0)');
      const d1 = sign * (a[ai]! + offset1);
      const headroom = countLeadingSignBits(d1);
      const q = multiplyByQuantizedMultiplierGreaterThanOne(d1, recip[k]!, headroom);
      const y = outZp + multiplyByQuantizedMultiplierSmallerThanOneExp(q, mult, shift - recipShift[k]! - headroom);
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
      const x = a[ai]!;
      const z = b[bi]!;
      if (z === 0) divisionByZero(d, 'int32 division by zero');
      if (z === -1 && x === -2147483648) divisionByZero(d, 'int32 division INT32_MIN / -1 overflows');
      // |x|, |z| < 2^31: the double quotient truncates to the exact C quotient.
      const y = (x / z) | 0;
      out[o] = y < actMin ? actMin : y > actMax ? actMax : y;
      ai += aStep;
      bi += bStep;
    }
  }
}
