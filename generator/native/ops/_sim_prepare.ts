/**
 * Runs a simulator kernel's prepare for the native engine, so the generated
 * C++ and the simulator share one arithmetic: every multiplier, shift,
 * activation range, padding and lookup table an emitter bakes in comes from
 * the same TypeScript that the golden-checked simulator runs.
 *
 * The simulator's prepare also binds typed arrays to tensors; here they are
 * throwaway zero-filled arrays (constants are views of the model bytes, as in
 * the simulator), and only the integer parameters are kept. A refusal by the
 * simulator (UnsupportedOpError) becomes the emitter's typed refusal.
 */
import { UnsupportedOpError } from '../../../lib/errors.js';
import type { Tensor } from '../../../sim/ir/types.js';
import { arrayFor } from '../../../sim/interpreter.js';
import type { Kernel, PrepareContext, TypedArray } from '../../../sim/kernels/types.js';
import type { EmitContext } from '../types.js';

const ALIGN: Partial<Record<string, number>> = { int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8, int64: 8, uint64: 8 };

export function simPrepare<D>(ctx: EmitContext, kernel: Kernel<D>): D {
  const op = ctx.op;
  const tensors = ctx.subgraph.tensors;
  const arrays = new Map<number, TypedArray>();
  const arrayOf = (t: Tensor): TypedArray => {
    let a = arrays.get(t.index);
    if (a) return a;
    if (t.data) {
      const d = t.data;
      if (d.byteOffset % (ALIGN[t.dtype] ?? 1) === 0) {
        a = arrayFor(t.dtype, d.buffer as ArrayBuffer, d.byteOffset, d.byteLength);
      } else {
        const copy = new ArrayBuffer(d.byteLength);
        new Uint8Array(copy).set(d);
        a = arrayFor(t.dtype, copy, 0, d.byteLength);
      }
    } else {
      a = arrayFor(t.dtype, new ArrayBuffer(Math.max(0, Math.ceil(t.bytes))), 0, Math.ceil(t.bytes));
    }
    arrays.set(t.index, a);
    return a;
  };
  const typed = <T extends TypedArray>(want: string, C: abstract new (...a: any[]) => T) => (t: Tensor): T => {
    const a = arrayOf(t);
    if (!(a instanceof C)) return ctx.unsupported(`tensor ${t.index} is ${t.dtype}, expected ${want}`);
    return a as T;
  };
  const pctx: PrepareContext = {
    model: ctx.model,
    subgraph: ctx.subgraph,
    op,
    inputCount: op.inputs.length,
    outputCount: op.outputs.length,
    input: (i) => {
      const ti = op.inputs[i];
      return ti === undefined || ti < 0 ? null : tensors[ti]!;
    },
    requiredInput: (i) => {
      const ti = op.inputs[i];
      if (ti === undefined || ti < 0) return ctx.unsupported(`input ${i} is missing`);
      return tensors[ti]!;
    },
    output: (i) => {
      const ti = op.outputs[i];
      if (ti === undefined || ti < 0) return ctx.unsupported(`output ${i} is missing`);
      return tensors[ti]!;
    },
    array: arrayOf,
    int8: typed('int8', Int8Array),
    uint8: typed('uint8', Uint8Array),
    int16: typed('int16', Int16Array),
    int32: typed('int32', Int32Array),
    uint32: typed('uint32', Uint32Array),
    float32: typed('float32', Float32Array),
    int64: typed('int64', BigInt64Array),
    unsupported: (message) => ctx.unsupported(message),
  };
  try {
    return kernel.prepare(pctx);
  } catch (e) {
    if (e instanceof UnsupportedOpError) return ctx.unsupported(e.message);
    throw e;
  }
}

/** The tensor's first zero point (TFLM's params.zero_point), 0 when unquantized. */
export function zeroPoint(t: Tensor): number {
  return t.quantization?.zeroPoint[0] ?? 0;
}

/** A C++ int32 literal (INT32_MIN cannot be written directly). */
export function i32(v: number): string {
  return v === -2147483648 ? '(-2147483647 - 1)' : String(v | 0);
}

/** True when every element equals the first (per-tensor parameters stored per channel). */
export function allSame(a: ArrayLike<number>): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] !== a[0]) return false;
  return true;
}

/** Template argument list: values joined for `name<...>`. */
export function targs(values: readonly (number | string)[]): string {
  return values.map((v) => (typeof v === 'number' ? i32(v) : v)).join(', ');
}

/**
 * A float32 value as a C float literal that parses back to exactly that
 * float: the shortest decimal that identifies the double (which equals the
 * float) is far closer to it than half a float ulp.
 */
export function floatLit(v: number): string {
  const f = Math.fround(v);
  if (!Number.isFinite(f)) return f > 0 ? '(1.0f / 0.0f)' : f < 0 ? '(-1.0f / 0.0f)' : '(0.0f / 0.0f)';
  const s = String(f);
  return `${/[.e]/.test(s) ? s : `${s}.0`}f`;
}

/** C type of the unsigned word a tensor of `bytes`-byte elements is copied as. */
export function wordType(bytes: number): 'uint8_t' | 'uint16_t' | 'uint32_t' | null {
  return bytes === 1 ? 'uint8_t' : bytes === 2 ? 'uint16_t' : bytes === 4 ? 'uint32_t' : null;
}

/** int32 wrap of an exact integer held in a double (C's conversion on two's-complement targets). */
export function wrap32(v: number): number {
  return Number.isSafeInteger(v) ? Number(BigInt.asIntN(32, BigInt(v))) : v | 0;
}

/** Left-pads a shape to rank 5 with 1s. */
export function rank5(shape: readonly number[], fill = 1): number[] {
  return [...new Array<number>(Math.max(0, 5 - shape.length)).fill(fill), ...shape];
}
