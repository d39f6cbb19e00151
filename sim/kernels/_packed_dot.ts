/**
 * Exact int8 x int8 dot products of many weight rows with one vector, two rows
 * per multiply: rows 2p and 2p+1 are packed into one double, w_a + 2^26 w_b,
 * so one multiply-add per element accumulates A + 2^26 B. With int8 weights
 * and |x| <= 128, |A|, |B| <= depth * 2^14 < 2^25 for depth <= 2047, every
 * partial sum stays below 2^52 (exact), and A is recovered from the total s
 * as s - 2^26 round(s / 2^26) (A / 2^26 lies strictly inside (-1/2, 1/2)).
 *
 * Used where a kernel evaluates the same constant int8 matrix many times
 * (FULLY_CONNECTED, SVDF's feature matmul, the LSTM gates). The packed
 * matrix, the vector and the results are plain double arrays
 * (sim/kernels/_plain_arrays.ts says why).
 */
import { doubleArray } from './_plain_arrays.js';

/** Packing factor 2^26. */
export const PACK = 67108864;
/** 2^-26. */
const UNPACK = 1 / PACK;
/** Largest depth for which the packing is exact with int8 weights and |x| <= 128. */
export const PACK_MAX_DEPTH = 2047;

/** Row pairs w[2p] + 2^26 w[2p+1] of a row-major [rows][depth] int8 matrix; [ceil(rows / 2)][depth]. */
export function packRowPairs(w: Int8Array, wOff: number, rows: number, depth: number): number[] {
  const pairs = (rows + 1) >> 1;
  const packed = doubleArray(pairs * depth);
  for (let p = 0; p < pairs; p++) {
    const a = wOff + 2 * p * depth;
    const hasB = 2 * p + 1 < rows;
    for (let k = 0; k < depth; k++) packed[p * depth + k] = w[a + k]! + (hasB ? PACK * w[a + depth + k]! : 0);
  }
  return packed;
}

/**
 * out[oOff + r] = sum_k w[r][k] * x[k] (exact) for r < rows, from the packed
 * pairs. x holds integers with |x| <= 128. Four pairs (eight rows) share each
 * x load, one running sum per pair; the remaining pairs one at a time with
 * two running sums. Each pair's packed sum is parked in its first output slot
 * and split in a final pass (no helper call: a double passed to a function
 * V8 does not inline is boxed, an allocation per call).
 */
export function packedRowDots(packed: number[], rows: number, depth: number, x: number[], out: number[], oOff: number): void {
  const pairs = (rows + 1) >> 1;
  let p = 0;
  for (; p + 3 < pairs; p += 4) {
    const w0 = p * depth;
    const w1 = w0 + depth;
    const w2 = w1 + depth;
    const w3 = w2 + depth;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < depth; k++) {
      const xk = x[k]!;
      s0 += packed[w0 + k]! * xk;
      s1 += packed[w1 + k]! * xk;
      s2 += packed[w2 + k]! * xk;
      s3 += packed[w3 + k]! * xk;
    }
    const o = oOff + 2 * p;
    out[o] = s0;
    out[o + 2] = s1;
    out[o + 4] = s2;
    out[o + 6] = s3;
  }
  for (; p < pairs; p++) {
    const w0 = p * depth;
    let s0 = 0;
    let s1 = 0;
    let k = 0;
    for (; k + 1 < depth; k += 2) {
      s0 += packed[w0 + k]! * x[k]!;
      s1 += packed[w0 + k + 1]! * x[k + 1]!;
    }
    if (k < depth) s0 += packed[w0 + k]! * x[k]!;
    out[oOff + 2 * p] = s0 + s1;
  }
  // s = A + 2^26 B with |A| < 2^25: B = round(s / 2^26), A = s - 2^26 B.
  for (let r = 0; r < rows; r += 2) {
    const s = out[oOff + r]!;
    const hi = Math.round(s * UNPACK);
    out[oOff + r] = s - hi * PACK;
    if (r + 1 < rows) out[oOff + r + 1] = hi;
  }
}
