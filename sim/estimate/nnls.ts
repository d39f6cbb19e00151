/**
 * Non-negative least squares (Lawson & Hanson, "Solving Least Squares
 * Problems", 1974, ch. 23): minimise ||A x - b||2 subject to x >= 0.
 *
 * Used offline by `scripts/fit-estimates.ts` to fit the instruction and code
 * size tables in latency.ts / memory.ts from the golden Cortex-M4 figures, and
 * by the estimate tests to show the fit is reproducible. Costs cannot be
 * negative, which is why this is NNLS and not plain least squares. Problems
 * here are tiny (tens of rows, about a dozen columns), so the inner solve is a
 * plain normal-equations Cholesky on the passive set.
 */

/** Solves min ||A x - b|| with x >= 0. A is row-major, rows.length === b.length. */
export function nnls(A: readonly (readonly number[])[], b: readonly number[], maxIter = 500): number[] {
  const m = A.length;
  const n = A[0]?.length ?? 0;
  const x = new Array<number>(n).fill(0);
  const passive = new Array<boolean>(n).fill(false);
  const tol = 1e-12 * Math.max(1, ...b.map(Math.abs));

  const residual = (v: number[]) => b.map((bi, i) => bi - A[i]!.reduce((s, a, j) => s + a * v[j]!, 0));
  const gradient = (r: number[]) => Array.from({ length: n }, (_, j) => A.reduce((s, row, i) => s + row[j]! * r[i]!, 0));

  for (let iter = 0; iter < maxIter; iter++) {
    const w = gradient(residual(x));
    let best = -1;
    for (let j = 0; j < n; j++) if (!passive[j] && w[j]! > tol && (best < 0 || w[j]! > w[best]!)) best = j;
    if (best < 0) break;
    passive[best] = true;
    for (;;) {
      const z = solvePassive(A, b, passive, m, n);
      const bad = z.some((zj, j) => passive[j] && zj <= 0);
      if (!bad) {
        for (let j = 0; j < n; j++) x[j] = passive[j] ? z[j]! : 0;
        break;
      }
      let alpha = Infinity;
      for (let j = 0; j < n; j++) {
        if (passive[j] && z[j]! <= 0) alpha = Math.min(alpha, x[j]! / (x[j]! - z[j]!));
      }
      for (let j = 0; j < n; j++) {
        x[j] = x[j]! + alpha * (z[j]! - x[j]!);
        if (passive[j] && Math.abs(x[j]!) <= 1e-15) {
          passive[j] = false;
          x[j] = 0;
        }
      }
    }
  }
  return x;
}

/** Unconstrained least squares on the passive columns (others fixed at 0). */
function solvePassive(A: readonly (readonly number[])[], b: readonly number[], passive: boolean[], m: number, n: number): number[] {
  const cols = [...Array(n).keys()].filter((j) => passive[j]);
  const k = cols.length;
  const ata = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const atb = new Array<number>(k).fill(0);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const ap = A[i]![cols[p]!]!;
      atb[p]! += ap * b[i]!;
      for (let q = 0; q < k; q++) ata[p]![q]! += ap * A[i]![cols[q]!]!;
    }
  }
  // Tiny ridge so rank-deficient passive sets (columns no row distinguishes) stay solvable.
  for (let p = 0; p < k; p++) ata[p]![p]! += 1e-12 * (ata[p]![p]! || 1);
  const sol = solveSymmetric(ata, atb);
  const z = new Array<number>(n).fill(0);
  cols.forEach((j, p) => (z[j] = sol[p]!));
  return z;
}

/** Gaussian elimination with partial pivoting (k is at most a dozen or two). */
function solveSymmetric(M: number[][], v: number[]): number[] {
  const k = v.length;
  const a = M.map((row, i) => [...row, v[i]!]);
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[piv]![c]!)) piv = r;
    [a[c], a[piv]] = [a[piv]!, a[c]!];
    const d = a[c]![c]!;
    if (d === 0) continue;
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / d;
      if (f === 0) continue;
      for (let q = c; q <= k; q++) a[r]![q]! -= f * a[c]![q]!;
    }
  }
  return a.map((row, i) => (row[i] === 0 ? 0 : row[k]! / row[i]!));
}
