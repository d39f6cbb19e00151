/**
 * Accuracy metrics of device outputs against the reference (the simulator),
 * as X-CUBE-AI's validation reports them: per output, over all vectors, on
 * dequantized values ((q - zero point) * scale): max absolute error, rmse,
 * mae, l2r (relative L2 error, ||device - ref|| / ||ref||) and cosine
 * similarity; plus the share of vectors whose output is byte-identical.
 * Pure functions over typed arrays.
 */
import type { TypedArray } from '../sim/kernels/types.js';

export interface OutputMetrics {
  index: number;
  /** Vectors whose output is byte-identical to the reference, / vectors. */
  exactRate: number;
  /** Largest |device - reference| in quantized units (integer outputs). */
  maxAbsErrorQ: number;
  /** The same, dequantized. */
  maxAbsError: number;
  rmse: number;
  mae: number;
  /** null when the reference is all zeros. */
  l2r: number | null;
  /** null when either side is all zeros. */
  cosine: number | null;
}

export interface Dequant {
  scale: number;
  zeroPoint: number;
}

/** Metrics of output `index`: ref[v] and got[v] are the arrays of vector v (same dtype and length). */
export function outputMetrics(index: number, ref: readonly TypedArray[], got: readonly TypedArray[], q: Dequant | null): OutputMetrics {
  const scale = q?.scale ?? 1;
  const zp = q?.zeroPoint ?? 0;
  let n = 0;
  let exact = 0;
  let maxQ = 0;
  let sumSq = 0;
  let sumAbs = 0;
  let refSq = 0;
  let gotSq = 0;
  let dot = 0;
  for (let v = 0; v < ref.length; v++) {
    const r = ref[v]!;
    const g = got[v]!;
    let same = r.length === g.length;
    for (let i = 0; i < Math.min(r.length, g.length); i++) {
      const rq = Number(r[i]);
      const gq = Number(g[i]);
      if (rq !== gq) same = false;
      maxQ = Math.max(maxQ, Math.abs(gq - rq));
      const rf = (rq - zp) * scale;
      const gf = (gq - zp) * scale;
      const d = gf - rf;
      sumSq += d * d;
      sumAbs += Math.abs(d);
      refSq += rf * rf;
      gotSq += gf * gf;
      dot += rf * gf;
      n++;
    }
    if (same) exact++;
  }
  return {
    index,
    exactRate: ref.length ? exact / ref.length : 0,
    maxAbsErrorQ: maxQ,
    maxAbsError: maxQ * scale,
    rmse: n ? Math.sqrt(sumSq / n) : 0,
    mae: n ? sumAbs / n : 0,
    l2r: refSq > 0 ? Math.sqrt(sumSq) / Math.sqrt(refSq) : null,
    cosine: refSq > 0 && gotSq > 0 ? dot / Math.sqrt(refSq * gotSq) : null,
  };
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}
