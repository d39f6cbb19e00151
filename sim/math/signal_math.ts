/**
 * Integer helpers of TFLM's signal library (tflite-micro signal/src/):
 * msb_32.cc (MostSignificantBit32, GCC build), square_root_32.cc /
 * square_root_64.cc (Sqrt32, Sqrt64) and log.cc (Log32).
 *
 * Traps:
 * - MostSignificantBit32(0) is 32 in the GCC build (it takes 32 - clz only
 *   for x != 0 and returns 32 otherwise), not 0.
 * - Sqrt32 / Sqrt64 are a bit-by-bit integer square root (exact floor) that
 *   then rounds up when the remainder exceeds the root, except at the type's
 *   maximum (0xFFFF / 0xFFFFFFFF). Sqrt64 hands values below 2^32 to Sqrt32,
 *   whose result is a uint16.
 * - Log32's last scaling step multiplies in uint32 and may wrap.
 */

/** MostSignificantBit32 as the GCC build computes it: bit count of x, and 32 for x = 0. */
export function msb32(x: number): number {
  return x === 0 ? 32 : 32 - Math.clz32(x);
}

/** Sqrt32 (signal/src/square_root_32.cc): x uint32 -> uint16. */
export function sqrt32(x: number): number {
  if (x === 0) return 0;
  // For x < 2^32, floor(Math.sqrt(x)) is the exact integer root: a non-square's
  // root is at least 2^-17 away from an integer, far more than a double's error.
  const r = Math.floor(Math.sqrt(x));
  const rem = x - r * r;
  return rem > r && r !== 0xffff ? r + 1 : r;
}

const TWO32 = 4294967296;

/** Sqrt64 (signal/src/square_root_64.cc) of the uint64 hi * 2^32 + lo (hi, lo uint32) -> uint32. */
export function sqrt64(hi: number, lo: number): number {
  if (hi === 0) return sqrt32(lo);
  // Estimate, then fix up with the exact remainder. The double estimate is
  // within 1 of the integer root, so the remainder is small and exact.
  let r = Math.min(Math.floor(Math.sqrt(hi * TWO32 + lo)), 0xffffffff);
  // r*r as (sqHi, sqLo), exact, via 16-bit halves of r.
  const rl = r % 65536;
  const rh = (r - rl) / 65536;
  const mid = 2 * rh * rl; // < 2^33
  const midLo = mid % 65536;
  const low = rl * rl + midLo * 65536; // < 2^34
  const sqLo = low % TWO32;
  const sqHi = rh * rh + (mid - midLo) / 65536 + (low - sqLo) / TWO32;
  let rem = (hi - sqHi) * TWO32 + (lo - sqLo); // num - r^2, |rem| < 2^35
  if (rem < 0) {
    r -= 1;
    rem += 2 * r + 1;
  } else if (rem >= 2 * r + 1 && r < 0xffffffff) {
    rem -= 2 * r + 1;
    r += 1;
  }
  return rem > r && r !== 0xffffffff ? r + 1 : r;
}

/**
 * log.cc's correction table: 65536 * (log2(1 + k/128) - k/128) rounded, for
 * k = 0..128, plus one padding entry. Generated here; every entry is at least
 * 0.0014 away from a rounding boundary, so double math reproduces TFLM's
 * table exactly (a unit test pins it).
 */
export const LOG_LUT: Uint16Array = (() => {
  const t = new Uint16Array(130);
  for (let k = 0; k <= 128; k++) t[k] = Math.round(65536 * (Math.log2(1 + k / 128) - k / 128));
  return t;
})();

const LOG_COEFF = 45426; // ln(2) in Q16

/** Log32 (signal/src/log.cc): ln(x) * out_scale in Q16 of out_scale, x > 0 uint32, out_scale uint32. */
export function log32(x: number, outScale: number): number {
  const integer = msb32(x) - 1;
  // Fraction part of log2: the mantissa in Q16, corrected by the table.
  let frac = x - 2 ** integer; // < 2^31: fits int32
  if (integer < 16) frac <<= 16 - integer;
  else frac >>= integer - 16;
  const seg = frac >>> 9; // 128 segments of 512
  const c0 = LOG_LUT[seg]!;
  const c1 = LOG_LUT[seg + 1]!;
  const relPos = ((c1 - c0) * (frac - seg * 512)) >> 16;
  const log2 = integer * 65536 + ((frac + c0 + relPos) >>> 0); // < 2^22
  const loge = Math.floor((LOG_COEFF * log2 + 32768) / 65536); // the uint64 product is < 2^38: exact
  // uint32 arithmetic in C: the product may wrap.
  return (((Math.imul(outScale, loge) >>> 0) + 32768) >>> 0) >>> 16;
}

/**
 * WideDynamicFunction (signal/src/pcan_argc_fixed.cc): lut[x] for x <= 2, else the
 * quadratic of x's msb segment; shared by the SignalPCAN kernel and the audio front end.
 */
export function wideDynamicFunction(x: number, lut: Int16Array): number {
  if (x <= 2) return lut[x]!;
  const interval = msb32(x);
  const base = 4 * interval - 6;
  const frac = (interval < 11 ? x << (11 - interval) : x >>> (interval - 11)) & 0x3ff;
  let result = (lut[base + 2]! * frac) >> 5;
  result += lut[base + 1]! * 32; // (uint32)lut << 5 read back as int32: the same for |lut| < 2^15
  result = Math.imul(result, frac);
  result = (result + 16384) >> 15;
  result += lut[base]!;
  return (result << 16) >> 16;
}
