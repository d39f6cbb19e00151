/**
 * TFLite CheckedLog2(float x, int* log2_result)
 * (tensorflow/lite/kernels/internal/quantization_util.cc): log2 in float32 as
 * logf(x) * (1.0f / logf(2.0f)), rounded half away from zero; true when the
 * fractional part is below 1e-3 (x is a power of two "enough").
 */
import { f32, tfliteRound } from './fixedpoint.js';

const INV_LN2_F32 = f32(1 / f32(Math.log(2)));
const TOLERANCE_F32 = f32(1e-3);

export function checkedLog2(x: number): { log2: number; isPowerOfTwo: boolean } {
  const xLog2 = f32(f32(Math.log(x)) * INV_LN2_F32);
  const rounded = tfliteRound(xLog2);
  const frac = f32(xLog2 - rounded);
  return { log2: rounded, isPowerOfTwo: Math.abs(frac) < TOLERANCE_F32 };
}
