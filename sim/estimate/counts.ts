/**
 * Board-independent cost counts per operator: multiply-accumulates, parameter
 * counts and bytes moved. They are addable (see `addCounts`), and the
 * estimators multiply them by per-board, per-engine cost tables.
 *
 * MACs follow the usual convention (one per weight tap per output element);
 * element-wise and data-movement ops count 0 MACs but report their bytes.
 */
import type { Model, Operator, Subgraph, Tensor } from '../ir/types.js';

export interface OpCounts {
  macs: number;
  /** Weight/bias elements (constant inputs). */
  params: number;
  /** Bytes of constant inputs (weights, biases, tables). */
  weightBytes: number;
  /** Bytes of non-constant inputs read. */
  bytesRead: number;
  /** Bytes of outputs written. */
  bytesWritten: number;
}

export const ZERO_COUNTS: Readonly<OpCounts> = { macs: 0, params: 0, weightBytes: 0, bytesRead: 0, bytesWritten: 0 };

export function addCounts(a: OpCounts, b: OpCounts): OpCounts {
  return {
    macs: a.macs + b.macs,
    params: a.params + b.params,
    weightBytes: a.weightBytes + b.weightBytes,
    bytesRead: a.bytesRead + b.bytesRead,
    bytesWritten: a.bytesWritten + b.bytesWritten,
  };
}

const dim = (t: Tensor | null, i: number): number => {
  if (!t) return 0;
  const s = t.shape;
  const k = i < 0 ? s.length + i : i;
  return Math.max(0, s[k] ?? 1);
};

/** MACs of one operator, from its static shapes. */
export function opMacs(sg: Subgraph, op: Operator): number {
  const t = (i: number): Tensor | null => {
    const ti = op.inputs[i];
    return ti === undefined || ti < 0 ? null : sg.tensors[ti]!;
  };
  const out = sg.tensors[op.outputs[0] ?? -1] ?? null;
  const outElems = out?.elements ?? 0;
  switch (op.op) {
    case 'CONV_2D': {
      const f = t(1); // [outC, kh, kw, inC/groups]
      return outElems * dim(f, 1) * dim(f, 2) * dim(f, 3);
    }
    case 'DEPTHWISE_CONV_2D': {
      const f = t(1); // [1, kh, kw, outC]
      return outElems * dim(f, 1) * dim(f, 2);
    }
    case 'TRANSPOSE_CONV': {
      const f = t(1); // [outC, kh, kw, inC]
      const input = t(2);
      return (input?.elements ?? 0) * dim(f, 0) * dim(f, 1) * dim(f, 2);
    }
    case 'FULLY_CONNECTED': {
      const w = t(1); // [outC, depth]
      return outElems * dim(w, -1);
    }
    case 'BATCH_MATMUL': {
      const a = t(0);
      return outElems * dim(a, -1);
    }
    case 'SVDF': {
      const wf = t(1); // [units*rank, input]
      const wt = t(2); // [units*rank, memory]
      const batch = dim(t(0), 0);
      return batch * (dim(wf, 0) * dim(wf, 1) + dim(wt, 0) * dim(wt, 1));
    }
    case 'UNIDIRECTIONAL_SEQUENCE_LSTM': {
      const input = t(0);
      const wIn = t(2); // input-to-forget [cells, input]
      const wRec = t(6); // recurrent-to-forget [cells, output]
      const steps = input ? input.elements / Math.max(1, dim(input, -1)) : 0;
      return steps * 4 * (dim(wIn, 0) * dim(wIn, 1) + dim(wRec, 0) * dim(wRec, 1));
    }
    default:
      return 0;
  }
}

export function opCounts(sg: Subgraph, op: Operator): OpCounts {
  let params = 0;
  let weightBytes = 0;
  let bytesRead = 0;
  for (const ti of op.inputs) {
    if (ti < 0) continue;
    const t = sg.tensors[ti]!;
    if (t.data) {
      params += t.elements;
      weightBytes += t.bytes;
    } else {
      bytesRead += t.bytes;
    }
  }
  let bytesWritten = 0;
  for (const ti of op.outputs) bytesWritten += sg.tensors[ti]?.bytes ?? 0;
  return { macs: opMacs(sg, op), params, weightBytes, bytesRead, bytesWritten };
}

/**
 * Lower bound of the activation memory: the largest sum of simultaneously
 * live non-constant tensors over the execution order (what an ideal planner
 * without in-place tricks needs). Variable tensors live throughout.
 */
export function peakActivationBytes(sg: Subgraph): number {
  const n = sg.operators.length;
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const touch = (ti: number, time: number) => {
    const t = sg.tensors[ti];
    if (!t || t.data || t.bytes <= 0) return;
    if (!first.has(ti) || first.get(ti)! > time) first.set(ti, time);
    if (!last.has(ti) || last.get(ti)! < time) last.set(ti, time);
  };
  for (const ti of sg.inputs) touch(ti, 0);
  sg.operators.forEach((op, k) => {
    for (const ti of op.inputs) if (ti >= 0) touch(ti, k + 1);
    for (const ti of op.outputs) touch(ti, k + 1);
  });
  for (const ti of sg.outputs) touch(ti, n + 1);
  const delta = new Array<number>(n + 3).fill(0);
  let variables = 0;
  for (const [ti, f] of first) {
    const t = sg.tensors[ti]!;
    if (t.isVariable) {
      variables += t.bytes;
      continue;
    }
    delta[f]! += t.bytes;
    delta[last.get(ti)! + 1]! -= t.bytes;
  }
  let live = 0;
  let peak = 0;
  for (const d of delta) {
    live += d;
    peak = Math.max(peak, live);
  }
  return peak + variables;
}

export function modelCounts(model: Model): OpCounts {
  let total = { ...ZERO_COUNTS };
  for (const sg of model.subgraphs) for (const op of sg.operators) total = addCounts(total, opCounts(sg, op));
  return total;
}
