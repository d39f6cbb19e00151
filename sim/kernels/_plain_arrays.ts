/**
 * Plain JavaScript arrays for the constant and scratch data of hot kernels.
 *
 * Why not typed arrays: in V8 every optimized typed-array access loads the
 * array's data pointer (on-heap base + external pointer) and bounds-checks it,
 * and once any ArrayBuffer in the process has been detached or transferred
 * (tsx's module loader does it, worker-thread test runners may) every access
 * also re-checks that the buffer is not detached. A packed JS array of
 * doubles (V8's PACKED_DOUBLE_ELEMENTS) has neither cost: the small-matrix
 * loops of SVDF, FULLY_CONNECTED and the LSTM run 20-40 % faster on them
 * (integer data included: a double multiply-add beats Math.imul on an array
 * of small integers, whose loads untag every element). Tensor storage stays
 * typed (it is the simulator's public view of every tensor); these are for
 * data a kernel owns, built once at prepare.
 *
 * Elements kinds only ever generalize (SMI -> DOUBLE -> tagged), so an array
 * that starts with double elements keeps them whatever numbers are written
 * later, and no store in eval can trigger a transition (an allocation). Only
 * numbers may be stored, and never past the length.
 */

/** n zeros with double elements. */
export function doubleArray(n: number): number[] {
  // Filling with a non-Smi value makes the elements double (HOLEY_DOUBLE: the
  // array is created with a length, but no slot is ever a hole, and loads run
  // as fast as from a packed array). Several times faster to build than
  // pushing element by element, which matters for large weight matrices.
  const a = new Array<number>(n).fill(0.5);
  a.fill(0);
  return a;
}

/** A double-elements copy of `src` (values exactly as given). */
export function toDoubleArray(src: ArrayLike<number>): number[] {
  const a = doubleArray(src.length);
  for (let i = 0; i < src.length; i++) a[i] = src[i]!;
  return a;
}
