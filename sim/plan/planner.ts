/**
 * Static memory planner for the native engine: one arena, an offset for every
 * activation tensor and scratch buffer, fixed at generation time.
 *
 * Algorithm
 * 1. Lifetimes. Operator k runs at time k. A tensor lives from the op that
 *    produces it (graph inputs: time 0) to its last consumer (graph outputs:
 *    to the end, so the caller can read them after invoke). A scratch buffer
 *    lives only during its op. Constants live in flash and variable tensors
 *    (SVDF/LSTM state) in their own persistent region: neither is planned here.
 * 2. Aliasing, where it is sound:
 *    - reshape-like ops (RESHAPE, SQUEEZE, EXPAND_DIMS) copy bytes unchanged,
 *      so their output shares the input's buffer (TFLM copies instead);
 *    - element-wise ops whose output element i depends only on input element i
 *      (same byte size, no broadcasting) may write over an input whose life ends
 *      at that op ("in place"), e.g. a residual ADD or a QUANTIZE int8 -> int8.
 *    Aliased tensors form one buffer whose lifetime is the union of theirs.
 *    Graph inputs are never overwritten in place (the caller owns them).
 * 3. Placement. Buffers are placed first-fit at the lowest offset that does not
 *    collide with an already placed buffer whose lifetime overlaps, trying
 *    several orders (size descending as TFLM's greedy planner, then longest
 *    lifetime, then first use) plus a two-sided placement that is optimal when
 *    no three buffers are live at once (chains): even-numbered buffers of the
 *    chain from the bottom, odd ones from the top. The smallest arena wins.
 * 4. The lower bound (largest total of simultaneously live bytes) is reported
 *    beside the result: equal means the plan is optimal.
 * Offsets and sizes are multiples of `alignment`.
 */
import type { Subgraph } from '../ir/types.js';

export interface PlanOptions {
  /** Byte alignment of every offset and size (native engine: 8; TFLM: 16). */
  alignment?: number;
  /** Share buffers across RESHAPE-like ops. Default true. */
  aliasReshape?: boolean;
  /** Let element-wise ops write over a dying input. Default true. */
  inPlace?: boolean;
  /** Extra per-op scratch buffers: bytes needed while op `opIndex` runs. */
  scratch?: readonly { opIndex: number; bytes: number }[];
}

export interface PlannedBuffer {
  id: number;
  /** Tensor indexes stored here (several when aliased); empty for scratch. */
  tensors: number[];
  /** Scratch buffer of this op, if it is one. */
  scratchOfOp: number | null;
  size: number;
  offset: number;
  first: number;
  last: number;
}

export interface MemoryPlan {
  arenaBytes: number;
  /** Largest sum of simultaneously live buffer sizes: no plan can be smaller. */
  lowerBound: number;
  buffers: PlannedBuffer[];
  /** Tensor index -> byte offset in the arena (activations only). */
  tensorOffsets: Map<number, number>;
  /** Which placement order produced the plan. */
  strategy: string;
  /** Variable tensors, kept outside the arena (persistent state). */
  persistentBytes: number;
}

const RESHAPE_OPS = new Set(['RESHAPE', 'SQUEEZE', 'EXPAND_DIMS']);
/** Ops whose output element i is a function of input element(s) i only (when shapes match). */
const ELEMENTWISE_OPS = new Set([
  'ADD', 'SUB', 'MUL', 'RELU', 'RELU6', 'RELU_N1_TO_1', 'LEAKY_RELU', 'LOGISTIC', 'TANH', 'HARD_SWISH',
  'QUANTIZE', 'ABS', 'NEG', 'MINIMUM', 'MAXIMUM', 'SQUARED_DIFFERENCE',
]);

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

/** Union-find over tensor indexes, for aliasing. */
class Groups {
  private readonly parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(x: number): number {
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]!]!;
      x = this.parent[x]!;
    }
    return x;
  }
  union(a: number, b: number): void {
    this.parent[this.find(a)] = this.find(b);
  }
}

export function planMemory(sg: Subgraph, options: PlanOptions = {}): MemoryPlan {
  const alignment = options.alignment ?? 8;
  const aliasReshape = options.aliasReshape ?? true;
  const inPlace = options.inPlace ?? true;
  const n = sg.operators.length;
  const tensors = sg.tensors;
  const planned = (ti: number) => {
    const t = tensors[ti];
    return t !== undefined && t.data === null && !t.isVariable && t.bytes > 0;
  };

  // 1. Lifetimes.
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const graphInputs = new Set(sg.inputs);
  const graphOutputs = new Set(sg.outputs);
  const use = (ti: number, time: number) => {
    if (!planned(ti)) return;
    first.set(ti, Math.min(first.get(ti) ?? time, time));
    last.set(ti, Math.max(last.get(ti) ?? time, time));
  };
  for (const ti of sg.inputs) use(ti, 0);
  sg.operators.forEach((op, k) => {
    for (const ti of op.inputs) if (ti >= 0) use(ti, k);
    for (const ti of op.outputs) use(ti, k);
  });
  for (const ti of sg.outputs) use(ti, Math.max(0, n - 1));

  // 2. Aliasing.
  const groups = new Groups(tensors.length);
  const lastOfGroup = () => {
    const m = new Map<number, number>();
    for (const [ti, l] of last) {
      const g = groups.find(ti);
      m.set(g, Math.max(m.get(g) ?? l, l));
    }
    return m;
  };
  sg.operators.forEach((op, k) => {
    const out = op.outputs[0];
    const input = op.inputs[0];
    if (out === undefined || input === undefined || input < 0 || !planned(out) || !planned(input)) return;
    if (aliasReshape && RESHAPE_OPS.has(op.op) && tensors[input]!.bytes === tensors[out]!.bytes) {
      groups.union(out, input);
      return;
    }
    if (inPlace && ELEMENTWISE_OPS.has(op.op) && op.outputs.length === 1) {
      const groupLast = lastOfGroup();
      for (const ti of op.inputs) {
        if (ti < 0 || !planned(ti) || graphInputs.has(ti) || graphOutputs.has(ti)) continue;
        const t = tensors[ti]!;
        const o = tensors[out]!;
        if (t.bytes !== o.bytes || t.elements !== o.elements) continue;
        // The input's whole alias group must die here, and no other input of this op may share it.
        if (groupLast.get(groups.find(ti)) !== k) continue;
        if (op.inputs.some((tj) => tj !== ti && tj >= 0 && groups.find(tj) === groups.find(ti))) continue;
        groups.union(out, ti);
        return;
      }
    }
  });

  // Buffers: one per alias group, plus scratch.
  const byGroup = new Map<number, PlannedBuffer>();
  const buffers: PlannedBuffer[] = [];
  for (const ti of [...first.keys()].sort((a, b) => a - b)) {
    const g = groups.find(ti);
    let b = byGroup.get(g);
    if (!b) {
      b = { id: buffers.length, tensors: [], scratchOfOp: null, size: 0, offset: 0, first: Infinity, last: -Infinity };
      byGroup.set(g, b);
      buffers.push(b);
    }
    b.tensors.push(ti);
    b.size = Math.max(b.size, alignUp(tensors[ti]!.bytes, alignment));
    b.first = Math.min(b.first, first.get(ti)!);
    b.last = Math.max(b.last, last.get(ti)!);
  }
  for (const s of options.scratch ?? []) {
    if (s.bytes <= 0) continue;
    buffers.push({ id: buffers.length, tensors: [], scratchOfOp: s.opIndex, size: alignUp(s.bytes, alignment), offset: 0, first: s.opIndex, last: s.opIndex });
  }

  // 4. Lower bound.
  const live = new Array<number>(n + 1).fill(0);
  for (const b of buffers) for (let t = b.first; t <= b.last; t++) live[t]! += b.size;
  const lowerBound = Math.max(0, ...live);

  // 3. Placement: try several orders, keep the smallest.
  const overlapsInTime = (a: PlannedBuffer, b: PlannedBuffer) => a.first <= b.last && b.first <= a.last;
  const firstFit = (order: PlannedBuffer[]): Map<number, number> => {
    const placed: PlannedBuffer[] = [];
    const offsets = new Map<number, number>();
    for (const b of order) {
      const conflicts = placed
        .filter((p) => overlapsInTime(p, b))
        .map((p) => [offsets.get(p.id)!, offsets.get(p.id)! + p.size] as const)
        .sort((x, y) => x[0] - y[0]);
      let offset = 0;
      for (const [lo, hi] of conflicts) {
        if (offset + b.size <= lo) break;
        offset = Math.max(offset, hi);
      }
      offsets.set(b.id, offset);
      placed.push(b);
    }
    return offsets;
  };
  const sizeOf = (offsets: Map<number, number>) => Math.max(0, ...buffers.map((b) => offsets.get(b.id)! + b.size));
  const candidates: [string, Map<number, number>][] = [
    ['greedy-by-size', firstFit([...buffers].sort((a, b) => b.size - a.size || a.first - b.first || a.id - b.id))],
    ['greedy-by-lifetime', firstFit([...buffers].sort((a, b) => (b.last - b.first) - (a.last - a.first) || b.size - a.size || a.id - b.id))],
    ['first-use', firstFit([...buffers].sort((a, b) => a.first - b.first || b.size - a.size || a.id - b.id))],
    ['greedy-by-size-x-lifetime', firstFit([...buffers].sort((a, b) => b.size * (b.last - b.first + 1) - a.size * (a.last - a.first + 1) || a.id - b.id))],
  ];
  const twoSided = twoSidedChain(buffers, lowerBound, overlapsInTime);
  if (twoSided) candidates.push(['two-sided-chain', twoSided]);
  let best = candidates[0]!;
  for (const c of candidates) if (sizeOf(c[1]) < sizeOf(best[1])) best = c;
  for (const b of buffers) b.offset = best[1].get(b.id)!;

  const tensorOffsets = new Map<number, number>();
  for (const b of buffers) for (const ti of b.tensors) tensorOffsets.set(ti, b.offset);
  let persistentBytes = 0;
  for (const t of tensors) if (t.isVariable && t.data === null) persistentBytes += alignUp(t.bytes, alignment);
  return { arenaBytes: sizeOf(best[1]), lowerBound, buffers, tensorOffsets, strategy: best[0], persistentBytes };
}

/**
 * When no three buffers are ever live together, the overlap graph is a set of
 * paths: alternate buffers along each path between the bottom and the top of
 * an arena of size `bound` (the largest pair sum), which is optimal.
 */
function twoSidedChain(
  buffers: PlannedBuffer[],
  bound: number,
  overlaps: (a: PlannedBuffer, b: PlannedBuffer) => boolean,
): Map<number, number> | null {
  const neighbours = new Map<number, PlannedBuffer[]>();
  for (const a of buffers) neighbours.set(a.id, buffers.filter((b) => b !== a && overlaps(a, b)));
  if ([...neighbours.values()].some((v) => v.length > 2)) return null;
  const side = new Map<number, 0 | 1>();
  for (const start of buffers) {
    if (side.has(start.id)) continue;
    side.set(start.id, 0);
    const stack = [start];
    while (stack.length) {
      const a = stack.pop()!;
      for (const b of neighbours.get(a.id)!) {
        const want = side.get(a.id) === 0 ? 1 : 0;
        if (!side.has(b.id)) {
          side.set(b.id, want);
          stack.push(b);
        } else if (side.get(b.id) !== want) {
          return null; // an odd cycle: not two-colourable
        }
      }
    }
  }
  const offsets = new Map<number, number>();
  for (const b of buffers) offsets.set(b.id, side.get(b.id) === 0 ? 0 : bound - b.size);
  // Valid only if every overlapping pair fits side by side.
  for (const a of buffers) {
    for (const b of neighbours.get(a.id)!) {
      const ao = offsets.get(a.id)!;
      const bo = offsets.get(b.id)!;
      if (ao < bo + b.size && bo < ao + a.size) return null;
    }
  }
  return offsets;
}

/** True when two buffers that are live at the same time share bytes (a planner bug). */
export function findOverlap(plan: MemoryPlan): [PlannedBuffer, PlannedBuffer] | null {
  const bs = plan.buffers;
  for (let i = 0; i < bs.length; i++) {
    for (let j = i + 1; j < bs.length; j++) {
      const a = bs[i]!;
      const b = bs[j]!;
      const time = a.first <= b.last && b.first <= a.last;
      const mem = a.offset < b.offset + b.size && b.offset < a.offset + a.size;
      if (time && mem) return [a, b];
    }
  }
  return null;
}
