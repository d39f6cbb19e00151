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
