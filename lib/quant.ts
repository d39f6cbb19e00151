/**
 * Converting between real values and a tensor's quantized integers:
 * real = scale * (q - zeroPoint). `quantize` rounds like TFLite's
 * AffineQuantize (float32 division, half away from zero) and clamps to the
 * dtype's range.
 */
import type { TensorInfo } from '../sim/interpreter.js';
import type { TypedArray } from '../sim/kernels/types.js';
import { UsageError } from './errors.js';

type QuantTarget = Pick<TensorInfo, 'dtype' | 'scale' | 'zeroPoint'> & { name?: string };

function params(t: QuantTarget): [number, number] {
  if (t.scale === null || t.zeroPoint === null) {
    throw new UsageError('not-quantized', `tensor ${JSON.stringify(t.name ?? '')} (${t.dtype}) has no quantization parameters`, 'pass the tensor info of a quantized input or output (sim.inputs[i] / sim.outputs[i])');
  }
  return [t.scale, t.zeroPoint];
}

/** Real values -> the tensor's integer type (Int8Array for int8, Int16Array for int16, ...). */
export function quantize(values: ArrayLike<number>, t: QuantTarget): Int8Array | Int16Array | Int32Array | Uint8Array {
  const [scale, zp] = params(t);
  const out =
    t.dtype === 'int8' ? new Int8Array(values.length)
    : t.dtype === 'int16' ? new Int16Array(values.length)
    : t.dtype === 'uint8' ? new Uint8Array(values.length)
    : new Int32Array(values.length);
  const [lo, hi] = t.dtype === 'int8' ? [-128, 127] : t.dtype === 'int16' ? [-32768, 32767] : t.dtype === 'uint8' ? [0, 255] : [-2147483648, 2147483647];
  for (let i = 0; i < values.length; i++) {
    const r = Math.fround(Math.fround(values[i]!) / Math.fround(scale));
    const q = (r < 0 ? -Math.round(-r) : Math.round(r)) + zp;
    out[i] = q < lo ? lo : q > hi ? hi : q;
  }
  return out;
}

/** The tensor's integers -> real values (as TFLite's Dequantize: double product, rounded to float32). */
export function dequantize(values: TypedArray | ArrayLike<number>, t: QuantTarget): Float32Array {
  if (values instanceof Float32Array && t.dtype === 'float32') return values.slice();
  const [scale, zp] = params(t);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = scale * (Number(values[i]) - zp);
  return out;
}
