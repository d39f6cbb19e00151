/**
 * C++ static_cast from float to integer types, as the golden TFLM build
 * (x86-64, GCC) executes it. In range, the conversion truncates toward zero.
 * Out of range or NaN is undefined behaviour in C++; on x86-64 the conversion
 * instruction (cvttss2si / cvttps2dq) returns the "integer indefinite" value
 * (the most negative integer of its width) instead of saturating like ARM's
 * vcvt. The kernels that convert floats (QUANTIZE, CAST) follow the x86
 * result so they stay byte-equal with the oracle for every input.
 */

const TWO_31 = 2147483648;
const TWO_63 = 9223372036854775808;
const INT32_MIN = -2147483648;

/** static_cast<int32_t>(float): trunc, or INT32_MIN when out of range / NaN. */
export function floatToInt32(x: number): number {
  return x > -2147483649 && x < TWO_31 ? Math.trunc(x) | 0 : INT32_MIN;
}

/**
 * static_cast<uint32_t>(float) on x86-64: GCC converts through a signed
 * 64-bit cvttss2si and keeps the low 32 bits (so -1.5 gives 0xFFFFFFFF);
 * out of the int64 range or NaN gives INT64_MIN, whose low 32 bits are 0.
 * Returned as the uint32 value.
 */
export function floatToUint32(x: number): number {
  if (!(x > -TWO_63 && x < TWO_63)) return 0;
  const t = Math.trunc(x);
  // t is an integer double; reduce modulo 2^32 exactly (t may exceed 2^53 only in steps of powers of two).
  const r = t - Math.floor(t / 4294967296) * 4294967296;
  return r >>> 0;
}
