/**
 * Test harness: runs one kernel on hand-built tensors, without a .tflite file.
 * Mirrors what sim/interpreter.ts gives a kernel (one typed array per tensor,
 * constant tensors as views of their bytes, variables reset to their zero
 * point if int8, else 0).
 */
import { DTYPE_BYTES, type DType, type Operator, type Tensor } from '../../../sim/ir/types.js';
import { arrayFor } from '../../../sim/interpreter.js';
import type { Kernel, PrepareContext, TypedArray } from '../../../sim/kernels/types.js';

export interface TensorSpec {
  dtype: DType;
  shape: number[];
  /** One value = per-tensor; an array of several = per-channel along `axis`. */
  scale?: number | number[];
  zeroPoint?: number | number[];
  axis?: number;
  /** Constant data (element values; for int4 the packed bytes). */
  data?: ArrayLike<number> | ArrayLike<bigint>;
  variable?: boolean;
}

export class HarnessError extends Error {}

export interface OpRun<D> {
  data: D;
  /** Storage of inputs (in order, null for omitted) then outputs. */
  inputs: (TypedArray | null)[];
  outputs: TypedArray[];
  /** Copies the given values into the non-constant inputs (in order) and evaluates. */
  run(...values: ArrayLike<number>[]): TypedArray[];
  /** Variables back to their initial value. */
  reset(): void;
}

export function runOp<D>(kernel: Kernel<D>, opName: string, options: Record<string, unknown>, inputs: (TensorSpec | null)[], outputs: TensorSpec[]): OpRun<D> {
  const specs = [...inputs, ...outputs];
  const tensors: (Tensor | null)[] = [];
  const storage: (TypedArray | null)[] = [];
  const variables: { a: TypedArray; fill: number }[] = [];
  specs.forEach((s, index) => {
    if (!s) {
      tensors.push(null);
      storage.push(null);
      return;
    }
    const elements = s.shape.reduce((a, b) => a * b, 1);
    const bytes = Math.ceil(elements * DTYPE_BYTES[s.dtype]);
    const scales = s.scale === undefined ? null : Array.isArray(s.scale) ? s.scale : [s.scale];
    const zps = s.zeroPoint === undefined ? (scales ? scales.map(() => 0) : null) : Array.isArray(s.zeroPoint) ? s.zeroPoint : [s.zeroPoint];
    let raw: Uint8Array | null = null;
    const buf = new ArrayBuffer(Math.max(8, Math.ceil(bytes / 8) * 8));
    const arr = arrayFor(s.dtype, buf, 0, bytes);
    if (s.data) {
      if (s.dtype === 'int4') (arr as Uint8Array).set(s.data as ArrayLike<number>);
      else if (arr instanceof BigInt64Array) arr.set(Array.from(s.data as ArrayLike<bigint | number>, (v) => BigInt(v)));
      else (arr as Int32Array).set(s.data as ArrayLike<number>);
      raw = new Uint8Array(buf, 0, bytes);
    }
    tensors.push({
      index,
      name: `t${index}`,
      shape: s.shape,
      shapeSignature: null,
      dtype: s.dtype,
      quantization: scales ? { scale: scales, zeroPoint: zps!, axis: s.axis ?? 0 } : null,
      buffer: 0,
      data: raw,
      isVariable: !!s.variable,
      elements,
      bytes,
      sparse: false,
    });
    storage.push(arr);
    if (s.variable) variables.push({ a: arr, fill: s.dtype === 'int8' && zps ? zps[0]! : 0 });
  });
  const nIn = inputs.length;
  const op: Operator = {
    index: 0,
    op: opName,
    builtinCode: 0,
    customCode: null,
    version: 1,
    inputs: inputs.map((s, i) => (s ? i : -1)),
    outputs: outputs.map((_, i) => nIn + i),
    intermediates: [],
    optionsKind: 'Empty',
    options,
    customOptions: null,
  };
  const arrOf = (t: Tensor) => storage[t.index]!;
  const ctx: PrepareContext = {
    model: null as never,
    subgraph: null as never,
    op,
    inputCount: nIn,
    outputCount: outputs.length,
    input: (i) => tensors[i] ?? null,
    requiredInput: (i) => {
      const t = tensors[i];
      if (!t || i >= nIn) throw new HarnessError(`input ${i} is missing`);
      return t;
    },
    output: (i) => tensors[nIn + i]!,
    array: arrOf,
    int8: (t) => arrOf(t) as Int8Array,
    uint8: (t) => arrOf(t) as Uint8Array,
    int16: (t) => arrOf(t) as Int16Array,
    int32: (t) => arrOf(t) as Int32Array,
    uint32: (t) => arrOf(t) as Uint32Array,
    float32: (t) => arrOf(t) as Float32Array,
    int64: (t) => arrOf(t) as BigInt64Array,
    unsupported: (message) => {
      throw new HarnessError(message);
    },
  };
  const data = kernel.prepare(ctx);
  const reset = () => {
    for (const v of variables) (v.a as Int32Array).fill(v.fill);
    // As the interpreter: kernels with hidden state (e.g. SVDF's state shadow) reset after the variables.
    kernel.reset?.(data);
  };
  reset();
  const outArrays = storage.slice(nIn) as TypedArray[];
  return {
    data,
    inputs: storage.slice(0, nIn),
    outputs: outArrays,
    reset,
    run(...values) {
      let k = 0;
      inputs.forEach((s, i) => {
        if (s && !s.data && !s.variable) (storage[i] as Int32Array).set(values[k++]!);
      });
      kernel.eval(data);
      return outArrays;
    },
  };
}
