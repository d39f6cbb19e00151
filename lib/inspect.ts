/**
 * `inspect`: everything a user needs to know about a model in one object —
 * operators (execution order, shapes, dtypes, MACs), tensors (quantization,
 * bytes), totals, and every problem that stops it from running.
 */
import type { Problem } from './errors.js';
import type { Model, Tensor } from '../sim/ir/types.js';
import { checkModel } from '../sim/ir/check.js';
import { opCounts, peakActivationBytes } from '../sim/estimate/counts.js';
import { VERSION } from './version.js';

export interface TensorRef {
  tensor: number;
  name: string;
  shape: number[];
  dtype: string;
}

export interface InspectOperator {
  index: number;
  /** BuiltinOperator name, or CUSTOM:<custom_code>. */
  op: string;
  version: number;
  inputs: (TensorRef | null)[];
  outputs: TensorRef[];
  macs: number;
  params: number;
  options: Record<string, unknown>;
}

export type QuantizationReport =
  | { kind: 'per-tensor'; scale: number; zeroPoint: number }
  | { kind: 'per-channel'; axis: number; count: number; scaleMin: number; scaleMax: number; zeroPointMin: number; zeroPointMax: number };

export interface InspectTensor {
  index: number;
  name: string;
  shape: number[];
  shapeSignature: number[] | null;
  dtype: string;
  kind: 'input' | 'output' | 'constant' | 'variable' | 'activation';
  quantization: QuantizationReport | null;
  bytes: number;
}

export interface InspectReport {
  tool: { name: 'tinyforge'; version: string };
  model: { path: string | null; bytes: number; sha256: string; schemaVersion: number; description: string; subgraphs: number; metadata: string[] };
  inputs: InspectTensor[];
  outputs: InspectTensor[];
  operators: InspectOperator[];
  tensors: InspectTensor[];
  totals: { operators: number; tensors: number; parameters: number; weightBytes: number; macs: number; peakActivationBytes: number; opKinds: Record<string, number> };
  supported: boolean;
  problems: Problem[];
}

function quantReport(t: Tensor): QuantizationReport | null {
  const q = t.quantization;
  if (!q) return null;
  if (q.scale.length === 1) return { kind: 'per-tensor', scale: q.scale[0]!, zeroPoint: q.zeroPoint[0]! };
  return {
    kind: 'per-channel',
    axis: q.axis,
    count: q.scale.length,
    scaleMin: Math.min(...q.scale),
    scaleMax: Math.max(...q.scale),
    zeroPointMin: Math.min(...q.zeroPoint),
    zeroPointMax: Math.max(...q.zeroPoint),
  };
}

export async function inspectModel(model: Model): Promise<InspectReport> {
  const sg = model.subgraphs[0]!;
  const inputs = new Set(sg.inputs);
  const outputs = new Set(sg.outputs);
  const tensorReport = (t: Tensor): InspectTensor => ({
    index: t.index,
    name: t.name,
    shape: [...t.shape],
    shapeSignature: t.shapeSignature ? [...t.shapeSignature] : null,
    dtype: t.dtype,
    kind: inputs.has(t.index) ? 'input' : outputs.has(t.index) ? 'output' : t.data ? 'constant' : t.isVariable ? 'variable' : 'activation',
    quantization: quantReport(t),
    bytes: t.bytes,
  });
  const ref = (ti: number): TensorRef | null => {
    if (ti < 0) return null;
    const t = sg.tensors[ti]!;
    return { tensor: ti, name: t.name, shape: [...t.shape], dtype: t.dtype };
  };
  const opKinds: Record<string, number> = {};
  let macs = 0;
  const operators: InspectOperator[] = sg.operators.map((op) => {
    const c = opCounts(sg, op);
    macs += c.macs;
    opKinds[op.op] = (opKinds[op.op] ?? 0) + 1;
    return {
      index: op.index,
      op: op.op,
      version: op.version,
      inputs: op.inputs.map(ref),
      outputs: op.outputs.map((ti) => ref(ti)!),
      macs: c.macs,
      params: c.params,
      options: { ...op.options },
    };
  });
  let parameters = 0;
  let weightBytes = 0;
  for (const t of sg.tensors) {
    if (t.data) {
      parameters += t.elements;
      weightBytes += t.bytes;
    }
  }
  const problems = await checkModel(model);
  return {
    tool: { name: 'tinyforge', version: VERSION },
    model: {
      path: model.source,
      bytes: model.bytes.byteLength,
      sha256: model.sha256,
      schemaVersion: model.version,
      description: model.description,
      subgraphs: model.subgraphs.length,
      metadata: model.metadata.map((m) => m.name),
    },
    inputs: sg.inputs.map((i) => tensorReport(sg.tensors[i]!)),
    outputs: sg.outputs.map((i) => tensorReport(sg.tensors[i]!)),
    operators,
    tensors: sg.tensors.map(tensorReport),
    totals: {
      operators: sg.operators.length,
      tensors: sg.tensors.length,
      parameters,
      weightBytes,
      macs,
      peakActivationBytes: peakActivationBytes(sg),
      opKinds,
    },
    supported: problems.length === 0,
    problems,
  };
}
