/**
 * The kernel contract. One file per operator exports a `Kernel`:
 * - `prepare(ctx)` runs once per simulator instance: it validates the op
 *   (throwing through `ctx.unsupported`), does all float work (scales into
 *   integer multiplier + shift, activation ranges, lookup tables) and returns
 *   an OpData object that holds everything `eval` needs, including the typed
 *   arrays of its input and output tensors (storage is fixed per instance).
 * - `eval(data)` is integer-only, allocates nothing, and mirrors TFLM's
 *   reference kernel bit for bit.
 * New kernels start from `_template.ts`.
 */
import type { Model, Operator, Subgraph, Tensor } from '../ir/types.js';

export type TypedArray =
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

export interface PrepareContext {
  readonly model: Model;
  readonly subgraph: Subgraph;
  readonly op: Operator;
  /** Number of input slots the operator lists (including -1 slots). */
  readonly inputCount: number;
  readonly outputCount: number;
  /** IR tensor at input slot i; null when the slot is missing or -1 (optional input omitted). */
  input(i: number): Tensor | null;
  /** Like input(i) but throws through `unsupported` when the slot is missing or -1. */
  requiredInput(i: number): Tensor;
  /** IR tensor at output slot i (throws through `unsupported` if missing). */
  output(i: number): Tensor;
  /** Runtime storage of a tensor, typed by its dtype. Constant tensors are views of the model data. */
  array(t: Tensor): TypedArray;
  int8(t: Tensor): Int8Array;
  uint8(t: Tensor): Uint8Array;
  int16(t: Tensor): Int16Array;
  int32(t: Tensor): Int32Array;
  uint32(t: Tensor): Uint32Array;
  float32(t: Tensor): Float32Array;
  int64(t: Tensor): BigInt64Array;
  /**
   * Throws an UnsupportedOpError naming this operator. TypeScript only narrows
   * after it when written as `return ctx.unsupported(...)` (ctx has no explicit type).
   */
  unsupported(message: string, hint?: string): never;
}

export interface Kernel<D = any> {
  /** Operator names this kernel runs: BuiltinOperator names, or 'CUSTOM:<code>'. */
  readonly ops: readonly string[];
  prepare(ctx: PrepareContext): D;
  eval(data: D): void;
  /** For kernels with hidden state outside variable tensors: back to the fresh-interpreter state. */
  reset?(data: D): void;
}
