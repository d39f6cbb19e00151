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
