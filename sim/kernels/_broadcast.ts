/**
 * Broadcasting for the elementwise binary kernels (ADD, SUB, MUL, DIV,
 * MINIMUM/MAXIMUM, PRELU, SQUARED_DIFFERENCE).
 *
 * TFLM walks broadcast operands with BroadcastBinaryOpSimple
 * (reference/broadcast_loop.h): shapes are right-aligned and padded with
 * leading 1s, an input dimension of 1 facing a larger output dimension gets
 * stride 0, and adjacent dimensions whose strides line up are fused into one
 * loop. Every output element depends only on its own pair of input elements,
 * so any walk that pairs the same elements gives the same bytes; we fuse the
 * same way and then flatten all loops but the innermost into a precomputed
 * table of row start offsets. Eval is then two nested loops with no index
 * arithmetic beyond `+= step`, and the same-shape case is a single row.
 */
import type { Tensor } from '../ir/types.js';
import type { PrepareContext } from './types.js';

/**
 * How to walk the output: `rows` runs of `inner` consecutive output elements.
 * Row r starts at output offset r * inner, at aOff[r] in input a and bOff[r]
 * in input b; along a row a advances by aStep and b by bStep (0 = that input
 * repeats one element across the run, 1 = it runs alongside the output).
 */
export interface BroadcastPlan {
  readonly rows: number;
  readonly inner: number;
  readonly aStep: number;
  readonly bStep: number;
  readonly aOff: Int32Array;
  readonly bOff: Int32Array;
  /** Both inputs already have the output's element layout (one row, both steps 1). */
  readonly same: boolean;
  /** TFLM's ProcessBroadcastShapes would call this a broadcast (the padded input shapes differ). */
  readonly broadcast: boolean;
}

const ZERO = new Int32Array(1);

/**
 * Plans the walk for inputs of shapes `a` and `b` producing `out` (all as the
 * model declares them; rank 0 = scalar). Returns an error message instead of
 * a plan when a dimension of an input neither matches the output nor is 1.
 */
export function planBroadcast(a: readonly number[], b: readonly number[], out: readonly number[]): BroadcastPlan | string {
  const rank = Math.max(a.length, b.length, out.length);
  const dimA = (i: number) => (i < rank - a.length ? 1 : a[i - (rank - a.length)]!);
  const dimB = (i: number) => (i < rank - b.length ? 1 : b[i - (rank - b.length)]!);
  const dimO = (i: number) => (i < rank - out.length ? 1 : out[i - (rank - out.length)]!);

  let broadcast = false;
  let empty = false;
  for (let i = 0; i < rank; i++) {
    const da = dimA(i);
    const db = dimB(i);
    const dO = dimO(i);
    if (da !== db) broadcast = true;
    if ((da !== dO && da !== 1) || (db !== dO && db !== 1)) {
      return `input shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast to the output shape [${out.join(', ')}]`;
    }
    if (da <= 0 || db <= 0 || dO <= 0) empty = true;
  }
  if (empty) return { rows: 0, inner: 0, aStep: 0, bStep: 0, aOff: ZERO, bOff: ZERO, same: false, broadcast };

  // Loops from the innermost dimension outwards: [extent, aStride, bStride].
  const ext: number[] = [];
  const sa: number[] = [];
  const sb: number[] = [];
  let accA = 1;
  let accB = 1;
  for (let i = rank - 1; i >= 0; i--) {
    const da = dimA(i);
    const db = dimB(i);
    const dO = dimO(i);
    const strideA = da === 1 && dO !== 1 ? 0 : accA;
    const strideB = db === 1 && dO !== 1 ? 0 : accB;
    const k = ext.length - 1;
    if (k >= 0 && (dO === 1 || (canFuse(strideA, accA, sa[k]!) && canFuse(strideB, accB, sb[k]!)))) {
      // An extent-1 dimension, or one that continues the previous loop's stride pattern.
      if (dO !== 1) ext[k] = ext[k]! * dO;
    } else {
      ext.push(dO);
      sa.push(strideA);
      sb.push(strideB);
    }
    accA *= da;
    accB *= db;
  }
  if (ext.length === 0) {
    // Rank 0 (all scalars).
    ext.push(1);
    sa.push(1);
    sb.push(1);
  }

  const inner = ext[0]!;
  let rows = 1;
  for (let k = 1; k < ext.length; k++) rows *= ext[k]!;
  const aOff = new Int32Array(rows);
  const bOff = new Int32Array(rows);
  // Odometer over the outer loops, innermost outer loop fastest (row-major output order).
  const outerCount = ext.length - 1;
  const idx = new Array<number>(outerCount).fill(0);
  let oa = 0;
  let ob = 0;
  for (let r = 0; r < rows; r++) {
    aOff[r] = oa;
    bOff[r] = ob;
    for (let k = 0; k < outerCount; k++) {
      const loop = k + 1;
      oa += sa[loop]!;
      ob += sb[loop]!;
      if (++idx[k]! < ext[loop]!) break;
      idx[k] = 0;
      oa -= sa[loop]! * ext[loop]!;
      ob -= sb[loop]! * ext[loop]!;
    }
  }
  const aStep = sa[0]!;
  const bStep = sb[0]!;
  return { rows, inner, aStep, bStep, aOff, bOff, same: rows === 1 && aStep === 1 && bStep === 1, broadcast };
}

/** TFLM CanFuseLoops for a non-unit extent: a zero stride continues only a zero stride, else the stride must be contiguous. */
function canFuse(stride: number, expected: number, previous: number): boolean {
  return previous === 0 ? stride === 0 : stride === expected;
}

/** planBroadcast for an operator's tensors, refusing the operator when the shapes do not broadcast. */
export function planOrRefuse(ctx: PrepareContext, a: Tensor, b: Tensor, out: Tensor): BroadcastPlan {
  const plan = planBroadcast(a.shape, b.shape, out.shape);
  if (typeof plan === 'string') ctx.unsupported(plan);
  return plan;
}
