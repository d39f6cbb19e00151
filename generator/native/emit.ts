/**
 * Native engine: IR -> the view model of the generated C++ (weights, arena
 * layout, one block of statements per operator). Pure: no file I/O; the
 * templates only loop over what this returns.
 *
 * Memory: activations live in one static arena laid out by sim/plan/planner.ts
 * (with reshape aliasing and in-place element-wise ops), variable tensors in
 * their own zero-initialised state arrays (reset to their zero point by
 * tf_reset()), constants in flash as 16-byte aligned const arrays.
 */
import { GenerateError } from '../../lib/errors.js';
import type { Model, Tensor } from '../../sim/ir/types.js';
import { planMemory, type MemoryPlan } from '../../sim/plan/planner.js';
import { cText } from '../names.js';
import { emitterFor } from './ops/index.js';
import type { CType, EmitContext } from './types.js';

export interface ConstantArray {
  name: string;
  ctype: CType;
  count: number;
  /** Values pre-formatted as C initializer lines. */
  lines: string[];
  comment: string;
}

export interface TensorIO {
  index: number;
  /** Escaped for C comments / string literals. */
  name: string;
  ctype: CType;
  dtype: string;
  elements: number;
  bytes: number;
  shape: string;
  /** Rank and dims as a C initializer ("1u, 12u"), for the validation handshake. */
  rank: number;
  dims: string;
  scale: string;
  zeroPoint: number;
  /** C++ expression of the data pointer (uint8_t*). */
  ptr: string;
}

export interface OpBlock {
  index: number;
  op: string;
  comment: string;
  code: string;
}

export interface NativeProgram {
  arenaBytes: number;
  plan: MemoryPlan;
  constants: ConstantArray[];
  state: { name: string; ctype: CType; count: number; fill: number }[];
  ops: OpBlock[];
  inputs: TensorIO[];
  outputs: TensorIO[];
  kernels: string[];
  constantBytes: number;
}

const CTYPE: Record<string, CType> = {
  int8: 'int8_t', uint8: 'uint8_t', bool: 'uint8_t', int16: 'int16_t', uint16: 'uint16_t', int32: 'int32_t', uint32: 'uint32_t', int64: 'int64_t', float32: 'float',
};
const SIZE: Record<CType, number> = { int8_t: 1, uint8_t: 1, int16_t: 2, uint16_t: 2, int32_t: 4, uint32_t: 4, int64_t: 8, float: 4 };

export function ctypeOf(t: Tensor): CType {
  const c = CTYPE[t.dtype];
  if (!c) throw new GenerateError('unsupported-dtype', `tensor ${t.index} has dtype ${t.dtype}, which the native engine does not handle`, 'use an int8 / int16 quantized model', { tensor: t.index });
  return c;
}

/** C initializer lines, 16 values per line. Floats are written as exact hex-float literals. */
function formatValues(ctype: CType, values: ArrayLike<number | bigint>): string[] {
  const lines: string[] = [];
  const per = ctype === 'int8_t' || ctype === 'uint8_t' ? 24 : 12;
  for (let i = 0; i < values.length; i += per) {
    const row: string[] = [];
    for (let j = i; j < Math.min(values.length, i + per); j++) row.push(literal(ctype, values[j]!));
    lines.push(`${row.join(', ')},`);
  }
  return lines;
}

function literal(ctype: CType, v: number | bigint): string {
  switch (ctype) {
    case 'int32_t':
      return Number(v) === -2147483648 ? '(-2147483647 - 1)' : String(v);
    case 'int64_t': {
      const b = BigInt(v);
      return b === -(2n ** 63n) ? '(-9223372036854775807LL - 1)' : `${b}LL`;
    }
    case 'uint32_t':
      return `${v}u`;
    case 'float': {
      const f = Number(v);
      if (!Number.isFinite(f)) return Number.isNaN(f) ? '(0.0f/0.0f)' : f > 0 ? '(1.0f/0.0f)' : '(-1.0f/0.0f)';
      return `${f.toString().includes('e') || f.toString().includes('.') ? f : `${f}.0`}f`;
    }
    default:
      return String(v);
  }
}

function typedValues(t: Tensor): ArrayLike<number | bigint> {
  const d = t.data!;
  const buf = d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) as ArrayBuffer;
  switch (t.dtype) {
    case 'int8': return new Int8Array(buf);
    case 'uint8': case 'bool': return new Uint8Array(buf);
    case 'int16': return new Int16Array(buf);
    case 'uint16': return new Uint16Array(buf);
    case 'int32': return new Int32Array(buf);
    case 'uint32': return new Uint32Array(buf);
    case 'int64': return new BigInt64Array(buf);
    case 'float32': return new Float32Array(buf);
    default: throw new GenerateError('unsupported-dtype', `constant tensor ${t.index} has dtype ${t.dtype}`, 'use an int8 / int16 quantized model', { tensor: t.index });
  }
}

export function buildNativeProgram(model: Model): NativeProgram {
  const sg = model.subgraphs[0]!;
  const scratch: { opIndex: number; bytes: number }[] = [];
  for (const op of sg.operators) {
    const em = emitterFor(op.op);
    if (!em) {
      throw new GenerateError('unsupported-op', `operator ${op.index} (${op.op}) has no native-engine kernel yet`, 'generate with --engine tflm, or check `tinyforge inspect` for the supported set', { opIndex: op.index, op: op.op });
    }
    const bytes = em.scratchBytes?.(sg, op) ?? 0;
    if (bytes > 0) scratch.push({ opIndex: op.index, bytes });
  }
  const plan = planMemory(sg, { alignment: 16, scratch });
  const scratchOffset = new Map<number, number>();
  for (const b of plan.buffers) if (b.scratchOfOp !== null) scratchOffset.set(b.scratchOfOp, b.offset);

  const constants: ConstantArray[] = [];
  const constantByTensor = new Map<number, string>();
  const state: NativeProgram['state'] = [];
  const stateByTensor = new Map<number, string>();
  let constantBytes = 0;
  const addConstant = (name: string, ctype: CType, values: ArrayLike<number | bigint>, comment: string) => {
    constants.push({ name, ctype, count: values.length, lines: formatValues(ctype, values), comment });
    constantBytes += values.length * SIZE[ctype];
    return name;
  };

  const ptrOf = (ti: number, ctype: CType): string => {
    const t = sg.tensors[ti]!;
    if (t.data) {
      let name = constantByTensor.get(ti);
      if (!name) {
        name = addConstant(`tf_const_t${ti}`, ctypeOf(t), typedValues(t), `tensor ${ti} ${cText(t.name)} ${t.dtype}[${t.shape.join('x')}]`);
        constantByTensor.set(ti, name);
      }
      return `((const ${ctype}*)${name})`;
    }
    if (t.isVariable) {
      let name = stateByTensor.get(ti);
      if (!name) {
        name = `tf_state_t${ti}`;
        const fill = t.dtype === 'int8' && t.quantization ? t.quantization.zeroPoint[0]! : 0;
        state.push({ name, ctype: ctypeOf(t), count: t.elements, fill });
        stateByTensor.set(ti, name);
      }
      return `((${ctype}*)${name})`;
    }
    const off = plan.tensorOffsets.get(ti);
    if (off === undefined) throw new GenerateError('plan', `tensor ${ti} has no place in the arena`, 'this is a bug in tinyforge; please report it', { tensor: ti });
    return `((${ctype}*)(tf_arena + ${off}))`;
  };

  const kernels = new Set<string>();
  const ops: OpBlock[] = [];
  for (const op of sg.operators) {
    const em = emitterFor(op.op)!;
    let derived = 0;
    const ctx: EmitContext = {
      model,
      subgraph: sg,
      op,
      input: (i) => {
        const ti = op.inputs[i];
        return ti === undefined || ti < 0 ? null : sg.tensors[ti]!;
      },
      output: (i) => sg.tensors[op.outputs[i]!]!,
      ptr: (ti, ctype) => ptrOf(ti, ctype ?? ctypeOf(sg.tensors[ti]!)),
      scratch: (ctype) => {
        const off = scratchOffset.get(op.index);
        if (off === undefined) throw new GenerateError('plan', `operator ${op.index} asked for scratch it did not declare`, 'this is a bug in tinyforge; please report it', { opIndex: op.index, op: op.op });
        return `((${ctype}*)(tf_arena + ${off}))`;
      },
      constant: (hint, ctype, values) => addConstant(`tf_op${op.index}_${hint.replace(/[^A-Za-z0-9_]/g, '_')}_${derived++}`, ctype, values, `derived for operator ${op.index} (${op.op})`),
      state: (hint, ctype, count, fill = 0) => {
        const name = `tf_op${op.index}_${hint.replace(/[^A-Za-z0-9_]/g, '_')}_${derived++}`;
        state.push({ name, ctype, count, fill });
        return name;
      },
      kernel: (name) => void kernels.add(name),
      unsupported: (message) => {
        throw new GenerateError('unsupported-op', `${op.op} (operator ${op.index}): ${message}`, 'generate with --engine tflm, or rewrite that layer', { opIndex: op.index, op: op.op });
      },
    };
    const code = em.emit(ctx);
    const outs = op.outputs.map((ti) => `${cText(sg.tensors[ti]!.name, 60)}`).join(', ');
    ops.push({ index: op.index, op: op.op, comment: `operator ${op.index}: ${op.op} -> ${outs}`, code });
  }

  const io = (ti: number): TensorIO => {
    const t = sg.tensors[ti]!;
    const q = t.quantization;
    if (t.shape.length > 6) throw new GenerateError('bad-shape', `model input/output tensor ${ti} has rank ${t.shape.length}; the firmware's tensor layout holds at most 6 dims (TF_MAX_RANK)`, 'reshape the model\'s inputs and outputs to rank 6 or less', { tensor: ti });
    return {
      index: ti,
      name: cText(t.name, 60),
      ctype: ctypeOf(t),
      dtype: t.dtype,
      elements: t.elements,
      bytes: t.bytes,
      shape: t.shape.join('x'),
      rank: t.shape.length,
      dims: t.shape.length ? t.shape.map((d) => `${d}u`).join(', ') : '0u',
      // Printed before an `f` suffix: it needs a '.' or an exponent to be a float literal ("1f" is not C).
      scale: ((s: string) => (/[.e]/.test(s) ? s : `${s}.0`))(q ? `${Math.fround(q.scale[0]!)}` : '0'),
      zeroPoint: q ? q.zeroPoint[0]! : 0,
      ptr: ptrOf(ti, 'uint8_t'),
    };
  };
  return {
    arenaBytes: Math.max(16, plan.arenaBytes),
    plan,
    constants,
    state,
    ops,
    inputs: sg.inputs.map(io),
    outputs: sg.outputs.map(io),
    kernels: [...kernels].sort(),
    constantBytes,
  };
}
