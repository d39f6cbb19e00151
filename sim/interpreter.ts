/**
 * The simulator: runs subgraph 0 of a model with TFLM's reference-kernel
 * arithmetic. Storage is planned once per instance: every non-constant tensor
 * gets its own typed array (so every intermediate stays inspectable after a
 * run, for --dump and per-layer comparisons), constant tensors are views of
 * the model bytes, and each kernel's prepare runs once. `run()` copies the
 * inputs in, calls each kernel's eval in execution order and allocates
 * nothing per operator.
 */
import { ModelProblemsError, UnsupportedOpError, UsageError, type Problem } from '../lib/errors.js';
import type { DType, Model, Tensor } from './ir/types.js';
import type { Kernel, PrepareContext, TypedArray } from './kernels/types.js';
import { kernelFor } from './kernels/index.js';

export interface TensorInfo {
  readonly index: number;
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly scale: number | null;
  readonly zeroPoint: number | null;
  readonly bytes: number;
}

interface Step {
  kernel: Kernel;
  data: unknown;
  opIndex: number;
  op: string;
}

export function arrayFor(dtype: DType, buffer: ArrayBuffer, byteOffset: number, bytes: number): TypedArray {
  switch (dtype) {
    case 'int8': return new Int8Array(buffer, byteOffset, bytes);
    case 'uint8': case 'bool': return new Uint8Array(buffer, byteOffset, bytes);
    case 'int16': return new Int16Array(buffer, byteOffset, bytes >> 1);
    case 'uint16': case 'float16': case 'bfloat16': return new Uint16Array(buffer, byteOffset, bytes >> 1);
    case 'int32': return new Int32Array(buffer, byteOffset, bytes >> 2);
    case 'uint32': return new Uint32Array(buffer, byteOffset, bytes >> 2);
    case 'float32': return new Float32Array(buffer, byteOffset, bytes >> 2);
    case 'float64': return new Float64Array(buffer, byteOffset, bytes >> 3);
    case 'int64': return new BigInt64Array(buffer, byteOffset, bytes >> 3);
    case 'uint64': return new BigUint64Array(buffer, byteOffset, bytes >> 3);
    default: return new Uint8Array(buffer, byteOffset, bytes);
  }
}

const ALIGN: Partial<Record<DType, number>> = { int16: 2, uint16: 2, float16: 2, bfloat16: 2, int32: 4, uint32: 4, float32: 4, float64: 8, int64: 8, uint64: 8 };

export class Simulator {
  readonly model: Model;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  private readonly storage: (TypedArray | null)[];
  private readonly steps: Step[];
  private readonly variables: { array: TypedArray; fill: number }[];
  private readonly inputArrays: TypedArray[];
  private readonly outputArrays: TypedArray[];

  /** Use createSimulator(). Throws ModelProblemsError listing every op that cannot run. */
  constructor(model: Model) {
    this.model = model;
    const sg = model.subgraphs[0]!;
    const tensors = sg.tensors;
    this.storage = new Array(tensors.length).fill(null);
    this.variables = [];
    const storage = this.storage;

    const arrayOf = (t: Tensor): TypedArray => {
      let a = storage[t.index];
      if (a) return a;
      if (t.data) {
        const align = ALIGN[t.dtype] ?? 1;
        const d = t.data;
        if ((d.byteOffset % align) === 0) {
          a = arrayFor(t.dtype, d.buffer as ArrayBuffer, d.byteOffset, d.byteLength);
        } else {
          const copy = new ArrayBuffer(d.byteLength);
          new Uint8Array(copy).set(d);
          a = arrayFor(t.dtype, copy, 0, d.byteLength);
        }
      } else {
        a = arrayFor(t.dtype, new ArrayBuffer(Math.max(0, Math.ceil(t.bytes))), 0, Math.ceil(t.bytes));
        if (t.isVariable) {
          // TFLM ResetTensorData: int8 variables start at their zero point, the rest at 0.
          const fill = t.dtype === 'int8' && t.quantization ? t.quantization.zeroPoint[0]! : 0;
          this.variables.push({ array: a, fill });
        }
      }
      storage[t.index] = a;
      return a;
    };

    const problems: Problem[] = [];
    this.steps = [];
    for (const op of sg.operators) {
      const kernel = kernelFor(op.op);
      if (!kernel) {
        problems.push(unsupportedProblem(op.index, op.op));
        continue;
      }
      const typed = <T extends TypedArray>(want: string, C: abstract new (...a: any[]) => T) => (t: Tensor): T => {
        const a = arrayOf(t);
        if (!(a instanceof C)) ctx.unsupported(`tensor ${t.index} (${JSON.stringify(t.name)}) is ${t.dtype}, expected ${want}`);
        return a as T;
      };
      const ctx: PrepareContext = {
        model,
        subgraph: sg,
        op,
        inputCount: op.inputs.length,
        outputCount: op.outputs.length,
        input: (i) => {
          const ti = op.inputs[i];
          return ti === undefined || ti < 0 ? null : tensors[ti]!;
        },
        requiredInput: (i) => {
          const ti = op.inputs[i];
          if (ti === undefined || ti < 0) ctx.unsupported(`input ${i} is missing`);
          return tensors[ti]!;
        },
        output: (i) => {
          const ti = op.outputs[i];
          if (ti === undefined || ti < 0) ctx.unsupported(`output ${i} is missing`);
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
        unsupported: (message, hint) => {
          throw new UnsupportedOpError('unsupported-op-variant', `${op.op} (operator ${op.index}): ${message}`, hint ?? 'see `tinyforge inspect` for the supported operator set', { opIndex: op.index, op: op.op });
        },
      };
      try {
        const data = kernel.prepare(ctx);
        this.steps.push({ kernel, data, opIndex: op.index, op: op.op });
      } catch (e) {
        if (e instanceof UnsupportedOpError) {
          problems.push({ code: e.code, message: e.message, hint: e.hint, opIndex: op.index, op: op.op });
        } else if (e instanceof RangeError || e instanceof TypeError) {
          // A kernel tripping over shapes the model declares: the model is inconsistent, not our bug to crash on.
          problems.push({ code: 'inconsistent-op', message: `${op.op} (operator ${op.index}): its tensors do not fit together (${e.message})`, hint: 'check the model with the TFLite converter; tinyforge cannot run this operator as declared', opIndex: op.index, op: op.op });
        } else {
          throw e;
        }
      }
    }
    if (problems.length > 0) throw new ModelProblemsError(problems);

    const info = (i: number): TensorInfo => {
      const t = tensors[i]!;
      return { index: i, name: t.name, shape: t.shape, dtype: t.dtype, scale: t.quantization?.scale[0] ?? null, zeroPoint: t.quantization?.zeroPoint[0] ?? null, bytes: t.bytes };
    };
    this.inputs = sg.inputs.map(info);
    this.outputs = sg.outputs.map(info);
    this.inputArrays = sg.inputs.map((i) => arrayOf(tensors[i]!));
    this.outputArrays = sg.outputs.map((i) => arrayOf(tensors[i]!));
    this.reset();
  }

  /** Back to a fresh interpreter: variable tensors (SVDF/LSTM state) and kernel state reset. */
  reset(): void {
    for (const v of this.variables) (v.array as Int32Array).fill(v.fill);
    for (const s of this.steps) s.kernel.reset?.(s.data);
  }

  /**
   * One inference. `inputs` in model-input order, each a typed array of the
   * input's dtype (or any array-like of numbers) with the right element count.
   * Returns copies of the outputs. State in variable tensors persists across
   * calls until reset().
   */
  run(inputs: readonly ArrayLike<number | bigint>[]): TypedArray[] {
    this.invoke(inputs);
    return this.outputArrays.map((a) => a.slice());
  }

  /** Like run() but returns the simulator's own output arrays (overwritten by the next run). */
  invoke(inputs: readonly ArrayLike<number | bigint>[]): readonly TypedArray[] {
    if (inputs.length !== this.inputArrays.length) {
      throw new UsageError('input-count', `the model has ${this.inputArrays.length} input(s), got ${inputs.length}`, 'pass one array per model input, in model-input order');
    }
    for (let i = 0; i < inputs.length; i++) {
      const dst = this.inputArrays[i]!;
      const src = inputs[i]!;
      if (src.length !== dst.length) {
        const t = this.inputs[i]!;
        throw new UsageError('input-size', `input ${i} (${JSON.stringify(t.name)}) needs ${dst.length} ${t.dtype} elements for shape [${t.shape.join(', ')}], got ${src.length}`, 'check the input file and its dtype', { tensor: t.index, tensorName: t.name });
      }
      (dst as Int32Array).set(src as ArrayLike<number>);
    }
    const steps = this.steps;
    for (let k = 0; k < steps.length; k++) {
      const s = steps[k]!;
      s.kernel.eval(s.data);
    }
    return this.outputArrays;
  }

  /** Current contents of tensor `index` (constant data, or what the last run computed). */
  tensor(index: number): TypedArray | null {
    return this.storage[index] ?? null;
  }
}

function unsupportedProblem(opIndex: number, op: string): Problem {
  if (op.startsWith('CUSTOM:')) {
    const name = op.slice(7);
    const npu = /ethos|vela|npu/i.test(name);
    return {
      code: 'custom-op',
      message: `operator ${opIndex} is the custom op "${name}", which tinyforge has no kernel for${npu ? ' (an NPU command stream compiled by Vela: it only runs on that accelerator)' : ''}`,
      hint: npu
        ? 'use the model as it was before Vela compiled it (the plain int8 .tflite)'
        : 'replace the custom op with builtin ops before conversion, or convert without allow_custom_ops',
      opIndex,
      op,
    };
  }
  return {
    code: 'unsupported-op',
    message: `operator ${opIndex} (${op}) is not supported by tinyforge yet`,
    hint: 'rewrite that layer with supported ops (see the README\'s operator table) or open an issue',
    opIndex,
    op,
  };
}

/** Creates a simulator for subgraph 0 of a model (a Model, a path, or the file bytes). */
export async function createSimulator(model: Model | string | Uint8Array): Promise<Simulator> {
  const { loadModel } = await import('../lib/load.js');
  const m = typeof model === 'string' || model instanceof Uint8Array ? await loadModel(model) : model;
  return new Simulator(m);
}
