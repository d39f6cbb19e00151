/**
 * Shared by the data-movement emitters (STRIDED_SLICE, SLICE, SPLIT,
 * SPLIT_V, CONCATENATION): the simulator's copy plan (sim/kernels/
 * _copy_common.ts: which source word lands in which destination word) turned
 * into the cheapest loop of kernels/strided_copy.h:
 * - runs of equal length at regular source/destination steps -> tf_copy_rows;
 * - a contiguous destination whose source index is an affine function of up
 *   to 4 nested counters -> tf_strided_copy4 (slices, strided slices);
 * - anything else -> a flash table of runs or of source indexes.
 */
import type { CopyPlan } from '../../../sim/kernels/_copy_common.js';
import type { CType, EmitContext } from '../types.js';
import { targs } from './_sim_prepare.js';

function wordCType(plan: CopyPlan): CType {
  const b = plan.dst.BYTES_PER_ELEMENT;
  return b === 1 ? 'uint8_t' : b === 2 ? 'uint16_t' : 'uint32_t';
}

/** Nested loops (outermost first) whose row-major walk yields map, or null. */
export function fitAffine(map: ArrayLike<number>, maxLevels = 4): { n: number[]; s: number[] } | null {
  const len = map.length;
  if (len === 0) return null;
  const n: number[] = [];
  const s: number[] = [];
  let unit = 1;
  while (unit < len) {
    if (n.length === maxLevels) return null;
    const stride = map[unit]! - map[0]!;
    let k = 1;
    while (k * unit < len && map[k * unit] === map[0]! + k * stride) k++;
    while (k > 1 && len % (k * unit) !== 0) k--;
    if (k < 2) return null;
    n.unshift(k);
    s.unshift(stride);
    unit *= k;
  }
  if (n.length === 0) {
    n.push(1);
    s.push(0);
  }
  // Verify every element (the greedy split may not describe the whole map).
  const idx = new Array<number>(n.length).fill(0);
  for (let e = 0; e < len; e++) {
    let v = map[0]!;
    for (let l = 0; l < n.length; l++) v += idx[l]! * s[l]!;
    if (v !== map[e]) return null;
    for (let l = n.length - 1; l >= 0; l--) {
      if (++idx[l]! < n[l]!) break;
      idx[l] = 0;
    }
  }
  return { n, s };
}

/** Statements executing `plan` from tensor `src` into tensor `dst`. */
export function emitCopyPlan(ctx: EmitContext, plan: CopyPlan, src: number, dst: number): string {
  const ctype = wordCType(plan);
  const from = ctx.ptr(src, ctype);
  const to = ctx.ptr(dst, ctype);
  ctx.kernel('strided_copy');
  let map: Int32Array | null = plan.gather;
  if (plan.runs) {
    const runs = plan.runs;
    const count = runs.length / 3;
    if (count === 0) return '// nothing to copy';
    for (let i = 0; i < runs.length; i += 3) if (runs[i]! < 0) return ctx.unsupported('a copy with fill values is not supported here');
    const len = runs[2]!;
    const ds = count > 1 ? runs[3]! - runs[0]! : 0;
    const dd = count > 1 ? runs[4]! - runs[1]! : 0;
    let regular = true;
    for (let r = 0; r < count; r++) {
      if (runs[3 * r + 2] !== len || runs[3 * r] !== runs[0]! + r * ds || runs[3 * r + 1] !== runs[1]! + r * dd) regular = false;
    }
    if (regular) {
      return `tf_copy_rows<${ctype}, ${targs([count, len, ds, dd])}>(${to} + ${runs[1]}, ${from} + ${runs[0]});`;
    }
    // A contiguous destination written in order can still be affine in the source.
    let next = 0;
    let contiguous = true;
    for (let r = 0; r < count; r++) {
      if (runs[3 * r + 1] !== next) contiguous = false;
      next += runs[3 * r + 2]!;
    }
    if (!contiguous) {
      const table = ctx.constant('runs', 'int32_t', runs);
      return `tf_copy_runs<${ctype}, ${count}>(${to}, ${from}, ${table});`;
    }
    map = new Int32Array(next);
    for (let r = 0, e = 0; r < count; r++) for (let i = 0; i < runs[3 * r + 2]!; i++) map[e++] = runs[3 * r]! + i;
  }
  if (!map || map.length === 0) return '// nothing to copy';
  if (map.some((v) => v < 0)) return ctx.unsupported('a copy with fill values is not supported here');
  const fit = fitAffine(map);
  if (fit) {
    const n = [...new Array<number>(4 - fit.n.length).fill(1), ...fit.n];
    const s = [...new Array<number>(4 - fit.s.length).fill(0), ...fit.s];
    return `tf_strided_copy4<${ctype}, ${targs([...n, ...s])}>(${to}, ${from} + ${map[0]});`;
  }
  const table = ctx.constant('source_index', 'int32_t', map);
  return `tf_gather_index<${ctype}, ${map.length}>(${to}, ${from}, ${table});`;
}
