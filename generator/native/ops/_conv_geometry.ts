/**
 * Which output rows (or columns) of a windowed op read only in-image taps.
 * Mirrors the bounds the native kernels compute from their template
 * parameters (kernels/conv2d.h, depthwise_conv2d.h), so an emitter knows
 * whether the border path can run at all.
 */
export interface InteriorRange {
  /** First interior output index. */
  first: number;
  /** One past the last interior output index. */
  end: number;
  /** Every output index is interior. */
  all: boolean;
}

export function interiorRange(outSize: number, inSize: number, filter: number, stride: number, dilation: number, pad: number): InteriorRange {
  const first = Math.floor((pad + stride - 1) / stride);
  const last = inSize - 1 - (filter - 1) * dilation + pad;
  const end = last < 0 ? 0 : Math.floor(last / stride) + 1;
  return { first, end, all: first === 0 && end >= outSize };
}

/** C types of a conv-family kernel instance, from the simulator's output kind (sim/kernels/_conv_common.ts OutputKind). */
export interface AccTypes {
  input: 'int8_t' | 'int16_t';
  acc: 'int32_t' | 'uint32_t' | 'int64_t';
  bias: 'int32_t' | 'int64_t';
}

export function accTypes(kind: number): AccTypes {
  if (kind === 0) return { input: 'int8_t', acc: 'int32_t', bias: 'int32_t' };
  if (kind === 1) return { input: 'int16_t', acc: 'uint32_t', bias: 'int32_t' };
  return { input: 'int16_t', acc: 'int64_t', bias: 'int64_t' };
}

/** Bias values of one channel range as the typed array a constant of `bias` type needs (exact int64 when given). */
export function biasArray(types: AccTypes, values: ArrayLike<number>, big: BigInt64Array | null): Int32Array | BigInt64Array {
  if (types.bias === 'int32_t') return Int32Array.from(values as ArrayLike<number>);
  if (big) return big.slice();
  return BigInt64Array.from(Array.from(values as ArrayLike<number>, (v) => BigInt(v)));
}

/**
 * Weights of one block of 4 output channels over `k` inputs split into runs
 * of `run` inputs, in the dot4 layout of kernels/mac.h: per run, run/4 groups
 * of 16 bytes (channel j's weights for 4 consecutive inputs at bytes 4j..4j+3)
 * then run%4 groups of 4 bytes (one weight per channel). `weight(j, i)` is
 * channel j's weight for input i (0 for a missing channel); writes k * 4
 * bytes at dst[off].
 */
export function dot4Block(k: number, run: number, weight: (j: number, i: number) => number, dst: Int8Array, off: number): void {
  const quads = run >> 2;
  for (let i = 0; i < k; i++) {
    const r = Math.floor(i / run);
    const pos = i - r * run;
    const at = off + r * run * 4 + (pos < quads * 4 ? (pos >> 2) * 16 + (pos & 3) : quads * 16 + (pos - quads * 4) * 4);
    const stride = pos < quads * 4 ? 4 : 1;
    for (let j = 0; j < 4; j++) dst[at + j * stride] = weight(j, i);
  }
}
