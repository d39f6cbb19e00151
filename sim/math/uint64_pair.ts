/**
 * Exact C uint64_t arithmetic on (hi, lo) pairs of uint32 held in plain
 * numbers, for the TFLM signal ops' `(uint64_t)a * b` products and 64-bit
 * shifts, without BigInt (no allocation in eval). Every intermediate stays
 * below 2^53, so each step is exact.
 */

const TWO32 = 4294967296;

/**
 * An accumulator holding one uint64 value. Kernels keep one in their OpData
 * and reuse it (methods mutate it; nothing is allocated).
 */
export class Uint64Acc {
  hi = 0;
  lo = 0;

  /** this = a * b (a, b uint32), exact. */
  setMul(a: number, b: number): this {
    const al = a & 0xffff;
    const ah = a >>> 16;
    const bl = b & 0xffff;
    const bh = b >>> 16;
    const mid = ah * bl + al * bh; // < 2^33
    const midLo = mid % 65536;
    const low = al * bl + midLo * 65536; // < 2^33
    const lo = low % TWO32;
    this.lo = lo;
    this.hi = ah * bh + (mid - midLo) / 65536 + (low - lo) / TWO32; // < 2^32: the product fits in 64 bits
    return this;
  }

  /** this += a * b (a, b uint32), modulo 2^64 like C. */
  addMul(a: number, b: number): this {
    const hi = this.hi;
    const lo = this.lo;
    this.setMul(a, b);
    const sumLo = this.lo + lo;
    const carry = sumLo >= TWO32 ? 1 : 0;
    this.lo = sumLo - carry * TWO32;
    this.hi = (this.hi + hi + carry) % TWO32;
    return this;
  }

  /** The low 32 bits of (this >> s), 0 <= s < 64: C's `(uint32_t)(x >> s)`. */
  shrToUint32(s: number): number {
    if (s === 0) return this.lo;
    if (s < 32) return ((this.lo >>> s) | (this.hi << (32 - s))) >>> 0;
    return this.hi >>> (s - 32);
  }
}

/**
 * Stores v = hiPart * 2^16 + loPart (hiPart, loPart exact integers below 2^53
 * in magnitude, possibly negative, e.g. sums of int16 x uint16 products) as a
 * C uint64_t, i.e. modulo 2^64, into u32[2i] (low word) and u32[2i+1] (high
 * word): the little-endian layout of element i of a uint64 tensor viewed as
 * Uint32Array.
 */
export function storeUint64FromSplit(u32: Uint32Array, i: number, hiPart: number, loPart: number): void {
  // v = hiPart * 2^16 + loPart, both exact integers (possibly negative).
  const hl = ((hiPart % 65536) + 65536) % 65536;
  const hh = (hiPart - hl) / 65536; // v = hh * 2^32 + hl * 2^16 + loPart
  const low = hl * 65536 + loPart;
  const lo = ((low % TWO32) + TWO32) % TWO32;
  const carry = (low - lo) / TWO32;
  u32[2 * i] = lo;
  u32[2 * i + 1] = (((hh + carry) % TWO32) + TWO32) % TWO32;
}
