/**
 * int16 sigmoid and tanh by table lookup with linear interpolation. Mirrors
 * tflite::reference_integer_ops::Logistic(int32 input_multiplier, int32
 * input_left_shift, int32 size, const int16*, int16*) and the int16 Tanh in
 * tensorflow/lite/kernels/internal/reference/integer_ops/{logistic,tanh}.h.
 * Used by the int16 LOGISTIC / TANH kernels and by the LSTM gates.
 *
 * Both functions share one 256-entry table of sigmoid(i / 24) in unsigned
 * Q0.16 (TFLite's sigmoid_table_uint16, tensorflow/lite/kernels/internal/
 * common.h). The table is not a plain rounding of the formula (about 45
 * entries are one above it), so it is kept as data.
 *
 * Input scaling: the raw int16 is multiplied by `inputMultiplier` and shifted
 * right by `inputLeftShift` with round-half-up; a zero multiplier means
 * "power of two": multiplier 3 << shift and no shift at all. The factor 3
 * with a 2^9 (sigmoid) or 2^8 (tanh) table step makes one table step 1/24 in
 * real units for a Q3.12 input (tanh uses tanh(x) = 2 sigmoid(2x) - 1).
 *
 * Traps kept from the C code:
 * - the scaled input is an int32 (C overflow wraps here);
 * - interpolation runs on |x| with the sign restored afterwards, so the
 *   rounding is symmetric around zero only up to the asymmetric constants below
 *   (sigmoid: +2^9 for x >= 0, 2^25 - r + 2^9 - 1 for x < 0; tanh: the same
 *   idea around 2^23 with rounding constant 2^7);
 * - |x| >= 255 table steps saturates (sigmoid 32767 / 1, tanh +-32767).
 */

/** sigmoid(i / 24) in unsigned Q0.16, i = 0..255 (the last entry is 65535). */
export const SIGMOID_TABLE = new Uint16Array([
  32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498,
  40149, 40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255,
  46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409, 51865,
  52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174,
  56503, 56823, 57133, 57433, 57724, 58007, 58280, 58544, 58800, 59048, 59288,
  59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110, 61279, 61441,
  61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886,
  62990, 63090, 63186, 63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835,
  63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308, 64357, 64405, 64450,
  64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845,
  64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097,
  65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258,
  65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360,
  65367, 65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425,
  65429, 65433, 65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465,
  65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
  65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508,
  65509, 65510, 65511, 65512, 65513, 65514, 65515, 65516, 65517, 65517, 65518,
  65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524, 65525,
  65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529,
  65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531, 65531, 65531, 65531,
  65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533, 65533, 65533,
  65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
  65534, 65534, 65535,
]);

/** SIGMOID_TABLE as a plain array (faster loads in hot loops; see sim/kernels/_plain_arrays.ts). */
const TABLE: number[] = Array.from(SIGMOID_TABLE);

/**
 * The sigmoid of one scaled input x (the int32 after the input multiplier and
 * shift), Q0.15. For the LSTM gates, which call it per element.
 */
export function sigmoidQ15(x: number): number {
  // |x| as C's uint32 abs (INT32_MIN stays 2^31).
  const ax = x < 0 ? -x : x;
  const uh = ax >>> 9;
  let r: number;
  if (uh >= 255) {
    r = 0x7fff << 10;
  } else {
    const ua = TABLE[uh]!;
    r = ua * 512 + (ax & 0x1ff) * (TABLE[uh + 1]! - ua);
  }
  // Sign restore with the reference's asymmetric rounding; r < 2^25 so all stays positive.
  r = x >= 0 ? r + 512 : 33554432 - r + 511;
  return r >> 10;
}

/** The tanh of one scaled input x, Q0.15 (-32767..32767). */
export function tanhQ15(x: number): number {
  const ax = x < 0 ? -x : x;
  const uh = ax >>> 8;
  let r: number;
  if (uh >= 255) {
    r = 0xffff << 8;
  } else {
    const ua = TABLE[uh]!;
    r = ua * 256 + (ax & 0xff) * (TABLE[uh + 1]! - ua);
  }
  // 2 * sigmoid - 1 around 2^23 (0.5 in the table's Q0.16 times 2^8), then back to Q0.15.
  r = x >= 0 ? r - 8388608 + 128 : 8388608 + 128 - 1 - r;
  return r >> 8;
}

/** The input scaling: (multiplier, shift) with multiplier 0 meaning 3 << shift and no shift. */
export interface Int16ActivationScale {
  mul: number;
  shift: number;
  round: number;
}

export function activationScale(inputMultiplier: number, inputLeftShift: number): Int16ActivationScale {
  let mul = inputMultiplier | 0;
  let shift = inputLeftShift | 0;
  if (mul === 0) {
    mul = 3 << shift;
    shift = 0;
  }
  return { mul, shift, round: shift > 0 ? 1 << (shift - 1) : 0 };
}

/**
 * int16 sigmoid: output is Q0.15 (1/32768 per step, 0..32767). `inputMultiplier`
 * 0 selects the power-of-two form (3 << inputLeftShift, no shift).
 */
export function logisticInt16(
  inputMultiplier: number, inputLeftShift: number, size: number,
  input: Int16Array, output: Int16Array, inOffset = 0, outOffset = 0,
): void {
  const { mul, shift, round } = activationScale(inputMultiplier, inputLeftShift);
  for (let i = 0; i < size; i++) {
    output[outOffset + i] = sigmoidQ15(((Math.imul(input[inOffset + i]!, mul) + round) | 0) >> shift);
  }
}

/**
 * int16 tanh: output is Q0.15 (-32767..32767). Same input convention as
 * logisticInt16 but with an 8-bit fractional table step.
 */
export function tanhInt16(
  inputMultiplier: number, inputLeftShift: number, size: number,
  input: Int16Array, output: Int16Array, inOffset = 0, outOffset = 0,
): void {
  const { mul, shift, round } = activationScale(inputMultiplier, inputLeftShift);
  for (let i = 0; i < size; i++) {
    output[outOffset + i] = tanhQ15(((Math.imul(input[inOffset + i]!, mul) + round) | 0) >> shift);
  }
}
