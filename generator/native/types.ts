/**
 * The contract between the native code generator and one operator's emitter
 * (generator/native/ops/<op>.ts). An emitter turns one IR operator into C++
 * statements that call a kernel from templates/native/kernels/, with every
 * shape, stride, zero point, multiplier and shift computed here in TypeScript
 * (reusing the simulator's prepare code, so both share one arithmetic) and
 * baked in as constants.
 */
import type { Model, Operator, Subgraph, Tensor } from '../../sim/ir/types.js';

export type CType = 'int8_t' | 'uint8_t' | 'int16_t' | 'uint16_t' | 'int32_t' | 'uint32_t' | 'int64_t' | 'float';

export interface EmitContext {
  readonly model: Model;
  readonly subgraph: Subgraph;
  readonly op: Operator;
  /** IR tensor at input slot i (null when omitted). */
  input(i: number): Tensor | null;
  output(i: number): Tensor;
  /** A C++ expression of type `ctype*` for a tensor's data: arena activation, flash constant or persistent state. */
  ptr(tensorIndex: number, ctype?: CType): string;
  /** A C++ expression for this op's scratch buffer (declared by the emitter's scratchBytes) as `ctype*`. */
  scratch(ctype: CType): string;
  /**
   * Declares a derived constant array in flash (folded biases, reordered
   * weights, per-channel multipliers...) and returns its identifier.
   */
  constant(hint: string, ctype: CType, values: ArrayLike<number | bigint>): string;
  /**
   * Declares a persistent state array of this op (kernel state outside the
   * variable tensors, e.g. a running noise estimate), kept across invokes and
   * set to `fill` by tf_reset(); returns its identifier.
   */
  state(hint: string, ctype: CType, count: number, fill?: number): string;
  /** Requires templates/native/kernels/<name>.h in the generated project. */
  kernel(name: string): void;
  /** Fails generation with a typed error naming this operator. */
  unsupported(message: string): never;
}

export interface OpEmitter {
  readonly ops: readonly string[];
  /** Arena bytes this op needs as scratch while it runs (planned like a tensor). */
  scratchBytes?(sg: Subgraph, op: Operator): number;
  /** C++ statements (inside the invoke function) that run the op. */
  emit(ctx: EmitContext): string;
}
