/**
 * Shared machinery for the data-movement kernels (PAD, MIRROR_PAD, SLICE,
 * STRIDED_SLICE, TRANSPOSE, CONCATENATION, SPLIT, PACK, ...). None of them
 * look at values, so they work on raw words: a tensor is viewed as
 * Uint8/Uint16/Uint32 words by element size (8-byte elements are two 32-bit
 * lanes). Raw unsigned views keep every bit pattern intact (a Float32Array or
 * Float64Array copy could canonicalise NaN payloads) and keep the copy loops
 * down to three array types.
 *
 * Every shape handled here is static, so prepare works out once which source
 * word lands in which destination word and stores it as a plan:
 * - runs mode: [srcStart, dstStart, length] triples (srcStart -1 = fill with
 *   the pad word). Long runs get a source view built in prepare, so eval is a
 *   `set` (a memmove) that allocates nothing; short runs use a plain loop.
 * - gather mode (when runs would be very short, e.g. a transpose that moves the
 *   innermost axis): one source index per destination word.
 */
import { DTYPE_BYTES, type Tensor } from '../ir/types.js';
import type { PrepareContext } from './types.js';

export type Words = Uint8Array | Uint16Array | Uint32Array;

/** Runs at least this long are copied with a prebuilt view and TypedArray.set. */
const LONG_RUN = 8;
/** Below this mean run length a per-word index table is faster than runs. */
const GATHER_BELOW = 4;

export interface WordView {
  words: Words;
  /** Words per element (2 for 8-byte types, else 1). */
  lanes: number;
}

/** Raw word view of a tensor's storage (see the header). Rejects sub-byte and variable-size types. */
export function wordView(ctx: PrepareContext, t: Tensor): WordView {
  const bytes = DTYPE_BYTES[t.dtype];
  if (bytes !== 1 && bytes !== 2 && bytes !== 4 && bytes !== 8) return ctx.unsupported(`${t.dtype} tensors cannot be copied (element size ${bytes} bytes)`);
  const a = ctx.array(t);
  switch (bytes) {
    case 1: return { words: new Uint8Array(a.buffer, a.byteOffset, a.byteLength), lanes: 1 };
    case 2: return { words: new Uint16Array(a.buffer, a.byteOffset, a.byteLength >> 1), lanes: 1 };
    case 4: return { words: new Uint32Array(a.buffer, a.byteOffset, a.byteLength >> 2), lanes: 1 };
    default: return { words: new Uint32Array(a.buffer, a.byteOffset, a.byteLength >> 2), lanes: 2 };
  }
}

export interface CopyPlan {
  src: Words;
  dst: Words;
  /** Runs mode: [srcStart, dstStart, len] triples in words; srcStart < 0 fills with `fill`. */
  runs: Int32Array | null;
  /** Prebuilt source views of the long copy runs (null for short or fill runs). */
  views: (Words | null)[];
  /** Gather mode: source word per destination word (-1 = fill), destination written from 0. */
  gather: Int32Array | null;
  /** Raw pad word (same width as the words). */
  fill: number;
}

/** A plan copies words between arrays of one width (same element size on both sides). */
function sameWidth(src: Words, dst: Words): boolean {
  return src.BYTES_PER_ELEMENT === dst.BYTES_PER_ELEMENT;
}

/**
 * Plan from explicit runs in ELEMENT units (srcStart -1 = fill). Adjacent runs
 * that continue each other are merged.
 */
export function planFromRuns(src: WordView, dst: WordView, triples: ArrayLike<number>, fill = 0): CopyPlan {
  if (!sameWidth(src.words, dst.words) || src.lanes !== dst.lanes) throw new TypeError('copy between tensors of different element sizes');
  const lanes = src.lanes;
  const merged: number[] = [];
  for (let i = 0; i + 2 < triples.length; i += 3) {
    const s = triples[i]!;
    const d = triples[i + 1]! * lanes;
    const n = triples[i + 2]! * lanes;
    if (n <= 0) continue;
    const sw = s < 0 ? -1 : s * lanes;
    const k = merged.length - 3;
    if (k >= 0 && merged[k + 1]! + merged[k + 2]! === d && (sw < 0 ? merged[k]! < 0 : merged[k]! >= 0 && merged[k]! + merged[k + 2]! === sw)) {
      merged[k + 2]! += n;
    } else {
      merged.push(sw, d, n);
    }
  }
  return finishRuns(src.words, dst.words, Int32Array.from(merged), fill);
}

/**
 * Plan from a full destination map: `map[e]` is the source ELEMENT of
 * destination element e (-1 = fill), for every destination element in order.
 */
export function planFromMap(src: WordView, dst: WordView, map: Int32Array, fill = 0): CopyPlan {
  if (!sameWidth(src.words, dst.words) || src.lanes !== dst.lanes) throw new TypeError('copy between tensors of different element sizes');
  const lanes = src.lanes;
  const n = map.length;
  // Count runs first (element units) to choose the mode.
  let runCount = 0;
  for (let e = 0; e < n; e++) {
    const s = map[e]!;
    if (e === 0) { runCount = 1; continue; }
    const p = map[e - 1]!;
    const continues = s < 0 ? p < 0 : p >= 0 && s === p + 1;
    if (!continues) runCount++;
  }
  if (n > 0 && n / runCount < GATHER_BELOW) {
    const gather = new Int32Array(n * lanes);
    if (lanes === 1) gather.set(map);
    else {
      for (let e = 0; e < n; e++) {
        const s = map[e]!;
        for (let l = 0; l < lanes; l++) gather[e * lanes + l] = s < 0 ? -1 : s * lanes + l;
      }
    }
    return { src: src.words, dst: dst.words, runs: null, views: [], gather, fill };
  }
  const runs = new Int32Array(runCount * 3);
  let r = -3;
  for (let e = 0; e < n; e++) {
    const s = map[e]!;
    const p = e > 0 ? map[e - 1]! : 0;
    const continues = e > 0 && (s < 0 ? p < 0 : p >= 0 && s === p + 1);
    if (continues) {
      runs[r + 2]! += lanes;
    } else {
      r += 3;
      runs[r] = s < 0 ? -1 : s * lanes;
      runs[r + 1] = e * lanes;
      runs[r + 2] = lanes;
    }
  }
  return finishRuns(src.words, dst.words, runs, fill);
}

function finishRuns(src: Words, dst: Words, runs: Int32Array, fill: number): CopyPlan {
  const views: (Words | null)[] = [];
  for (let i = 0; i < runs.length; i += 3) {
    const s = runs[i]!;
    const n = runs[i + 2]!;
    if ((s >= 0 && s + n > src.length) || runs[i + 1]! + n > dst.length) throw new RangeError('copy plan runs past a tensor');
    views.push(s >= 0 && n >= LONG_RUN ? src.subarray(s, s + n) : null);
  }
  return { src, dst, runs, views, gather: null, fill };
}

/** Executes a plan (no allocation). */
export function runCopyPlan(p: CopyPlan): void {
  const src = p.src;
  const dst = p.dst;
  const fill = p.fill;
  const gather = p.gather;
  if (gather !== null) {
    const n = gather.length;
    for (let i = 0; i < n; i++) {
      const s = gather[i]!;
      dst[i] = s >= 0 ? src[s]! : fill;
    }
    return;
  }
  const runs = p.runs!;
  const views = p.views;
  for (let i = 0, r = 0; i < runs.length; i += 3, r++) {
    const s = runs[i]!;
    const d = runs[i + 1]!;
    const n = runs[i + 2]!;
    if (s < 0) {
      dst.fill(fill, d, d + n);
      continue;
    }
    const v = views[r];
    if (v) {
      dst.set(v, d);
    } else {
      for (let k = 0; k < n; k++) dst[d + k] = src[s + k]!;
    }
  }
}

/** Row-major strides of a shape (elements). */
export function stridesOf(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = acc;
    acc *= shape[i]!;
  }
  return st;
}

/** Integer values of a constant int32 or int64 tensor (index parameters such as paddings or begin/end). */
export function constInts(ctx: PrepareContext, t: Tensor, what: string, allowInt64 = false): number[] {
  if (!t.data) ctx.unsupported(`the ${what} tensor must be constant`);
  if (t.dtype === 'int32') return Array.from(ctx.int32(t));
  if (t.dtype === 'int64' && allowInt64) {
    const out: number[] = [];
    for (const v of ctx.int64(t)) {
      if (v > 2147483647n || v < -2147483648n) ctx.unsupported(`the ${what} tensor holds ${v}, outside the int32 range`);
      out.push(Number(v));
    }
    return out;
  }
  return ctx.unsupported(`the ${what} tensor is ${t.dtype}; only int32${allowInt64 ? ' or int64' : ''} is supported`);
}

/** Shape equality check with a readable message. */
export function expectShape(ctx: PrepareContext, t: Tensor, want: readonly number[], what = 'output'): void {
  if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
    ctx.unsupported(`the ${what} shape is [${t.shape.join(', ')}] but the operator produces [${want.join(', ')}]`);
  }
}
