/**
 * Exact int8 x int8 dot products of many weight rows with one vector, two rows
 * per multiply: rows 2p and 2p+1 are packed into one double, w_a + 2^26 w_b,
 * so one multiply-add per element accumulates A + 2^26 B. With int8 weights
 * and |x| <= 128, |A|, |B| <= depth * 2^14 < 2^25 for depth <= 2047, every
 * partial sum stays below 2^52 (exact), and A is recovered from the total s
 * as s - 2^26 round(s / 2^26) (A / 2^26 lies strictly inside (-1/2, 1/2)).
 *
 * Used where a kernel evaluates the same constant int8 matrix many times
 * (the LSTM gates); fully_connected.ts applies the same packing inline.
 */

/** Packing factor 2^26. */
export const PACK = 67108864;
/** Largest depth for which the packing is exact with int8 weights and |x| <= 128. */
export const PACK_MAX_DEPTH = 2047;

/** Row pairs w[2p] + 2^26 w[2p+1] of a row-major [rows][depth] int8 matrix; [ceil(rows / 2)][depth]. */
export function packRowPairs(w: Int8Array, wOff: number, rows: number, depth: number): Float64Array {
  const pairs = (rows + 1) >> 1;
  const packed = new Float64Array(pairs * depth);
  for (let p = 0; p < pairs; p++) {
    const a = wOff + 2 * p * depth;
    const hasB = 2 * p + 1 < rows;
    for (let k = 0; k < depth; k++) packed[p * depth + k] = w[a + k]! + (hasB ? PACK * w[a + depth + k]! : 0);
  }
  return packed;
}

/**
 * out[oOff + r] = sum_k w[r][k] * x[k] (exact) for r < rows, from the packed
 * pairs. x holds integers with |x| <= 128 as doubles. Two pairs (four rows)
 * share each x load; two running sums per pair.
 */
export function packedRowDots(packed: Float64Array, rows: number, depth: number, x: Float64Array, out: Int32Array, oOff: number): void {
  const pairs = (rows + 1) >> 1;
  let p = 0;
  for (; p + 1 < pairs; p += 2) {
    const w0 = p * depth;
    const w1 = w0 + depth;
    let s0 = 0;
    let s1 = 0;
    let t0 = 0;
    let t1 = 0;
    let k = 0;
    for (; k + 1 < depth; k += 2) {
      const x0 = x[k]!;
      const x1 = x[k + 1]!;
      s0 += packed[w0 + k]! * x0;
      s1 += packed[w0 + k + 1]! * x1;
      t0 += packed[w1 + k]! * x0;
      t1 += packed[w1 + k + 1]! * x1;
    }
    if (k < depth) {
      s0 += packed[w0 + k]! * x[k]!;
      t0 += packed[w1 + k]! * x[k]!;
    }
    unpackPair(s0 + s1, 2 * p, rows, out, oOff);
    unpackPair(t0 + t1, 2 * p + 2, rows, out, oOff);
  }
  if (p < pairs) {
    const w0 = p * depth;
    let s0 = 0;
    let s1 = 0;
    let k = 0;
    for (; k + 1 < depth; k += 2) {
      s0 += packed[w0 + k]! * x[k]!;
      s1 += packed[w0 + k + 1]! * x[k + 1]!;
    }
    if (k < depth) s0 += packed[w0 + k]! * x[k]!;
    unpackPair(s0 + s1, 2 * p, rows, out, oOff);
  }
}

function unpackPair(s: number, row: number, rows: number, out: Int32Array, oOff: number): void {
  const hi = Math.round(s / PACK);
  out[oOff + row] = s - hi * PACK;
  if (row + 1 < rows) out[oOff + row + 1] = hi;
}
