/**
 * Unary int8 kernels whose output depends on one input byte only (RELU,
 * LEAKY_RELU, ABS, ...): prepare evaluates the kernel's exact integer formula
 * for all 256 inputs once, eval is a table lookup per element. Binary int8
 * kernels do the same over all 65536 input pairs when the tensor is large.
 */
import type { BroadcastPlan } from './_broadcast.js';

/** table[x + 128] = f(x) for every int8 x; f must return a value already clamped to int8. */
export function int8Table(f: (x: number) => number): Int8Array {
  const table = new Int8Array(256);
  for (let x = -128; x < 128; x++) table[x + 128] = f(x);
  return table;
}

export function applyInt8Table(input: Int8Array, output: Int8Array, table: Int8Array): void {
  const n = output.length;
  for (let i = 0; i < n; i++) output[i] = table[input[i]! + 128]!;
}

/**
 * Binary int8 kernels (ADD, SUB, MUL): below this many output elements the
 * kernel computes per element; from it on, prepare fills a 64 KiB table of
 * all 65536 input pairs (about the cost of one evaluation of 65536 elements),
 * and eval is one lookup per element.
 */
export const PAIR_TABLE_MIN_ELEMENTS = 8192;

/** table[((x & 255) << 8) | (y & 255)] = f(x, y) for every int8 pair; f must return a value already clamped to int8. */
export function int8PairTable(f: (x: number, y: number) => number): Int8Array {
  const table = new Int8Array(65536);
  for (let x = -128; x < 128; x++) {
    const row = (x & 255) << 8;
    for (let y = -128; y < 128; y++) table[row | (y & 255)] = f(x, y);
  }
  return table;
}

/** Evaluates a binary op from its pair table along a broadcast plan. */
export function applyInt8PairTable(plan: BroadcastPlan, a: Int8Array, b: Int8Array, out: Int8Array, table: Int8Array): void {
  if (plan.same) {
    // Residual adds and friends: both operands share the output's layout.
    const n = out.length;
    for (let i = 0; i < n; i++) out[i] = table[((a[i]! & 255) << 8) | (b[i]! & 255)]!;
    return;
  }
  const { rows, inner, aStep, bStep, aOff, bOff } = plan;
  for (let r = 0; r < rows; r++) {
    let ai = aOff[r]!;
    let bi = bOff[r]!;
    let o = r * inner;
    const end = o + inner;
    for (; o < end; o++) {
      out[o] = table[((a[ai]! & 255) << 8) | (b[bi]! & 255)]!;
      ai += aStep;
      bi += bStep;
    }
  }
}
