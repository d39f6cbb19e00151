/**
 * Input tensors from files: raw `.bin` in the tensor's dtype, NumPy `.npy`
 * (integers as they are, floats quantized with the tensor's scale / zero
 * point) and `.json` arrays. Pure functions over bytes; the CLI reads files.
 */
import { UsageError } from './errors.js';
import { quantize } from './quant.js';
import type { TensorInfo } from '../sim/interpreter.js';
import type { TypedArray } from '../sim/kernels/types.js';
import { arrayFor } from '../sim/interpreter.js';

const RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  bool: [0, 1],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

function fail(file: string, message: string, hint: string): never {
  throw new UsageError('bad-input-file', `${file}: ${message}`, hint, { file });
}

function describe(t: TensorInfo): string {
  return `${t.dtype}[${t.shape.join(', ')}] (${t.bytes} bytes)`;
}

/** Allocates a typed array for the tensor and fills it from numbers, checking the integer range. */
function fromNumbers(values: ArrayLike<number>, t: TensorInfo, file: string): TypedArray {
  const out = arrayFor(t.dtype, new ArrayBuffer(t.bytes), 0, t.bytes);
  if (values.length !== out.length) fail(file, `has ${values.length} values, input ${JSON.stringify(t.name)} needs ${out.length} for ${describe(t)}`, 'check the shape of the data');
  const range = RANGES[t.dtype];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (range) {
      if (!Number.isInteger(v) || v < range[0] || v > range[1]) {
        fail(file, `value ${v} at element ${i} is not a ${t.dtype} (range ${range[0]}..${range[1]})`, t.scale !== null ? 'to give real values, use {"real": [...]} in JSON or a float32 .npy: they are quantized with the tensor\'s scale and zero point' : 'give integers of the tensor\'s dtype');
      }
    }
    (out as Float32Array)[i] = v;
  }
  return out;
}

function quantizeReal(values: ArrayLike<number>, t: TensorInfo, file: string): TypedArray {
  if (t.dtype === 'float32') return fromNumbers(values, t, file);
  if (t.scale === null || t.zeroPoint === null) fail(file, `holds real values but input ${JSON.stringify(t.name)} (${t.dtype}) has no quantization parameters`, 'give integers of the tensor\'s dtype');
  const n = t.bytes / (t.dtype === 'int8' || t.dtype === 'uint8' ? 1 : t.dtype === 'int16' ? 2 : 4);
  if (values.length !== n) fail(file, `has ${values.length} values, input ${JSON.stringify(t.name)} needs ${n} for ${describe(t)}`, 'check the shape of the data');
  return quantize(values, t);
}

/** Raw little-endian bytes in the tensor's dtype. */
export function decodeBin(bytes: Uint8Array, t: TensorInfo, file: string): TypedArray {
  if (bytes.byteLength !== t.bytes) {
    fail(file, `has ${bytes.byteLength} bytes, input ${JSON.stringify(t.name)} needs ${t.bytes} for ${describe(t)}`, 'a .bin input holds exactly the tensor\'s raw bytes in its dtype, row-major');
  }
  const copy = bytes.slice();
  return arrayFor(t.dtype, copy.buffer, 0, copy.byteLength);
}

/** NumPy .npy (format versions 1-3, C order). */
export function decodeNpy(bytes: Uint8Array, t: TensorInfo, file: string): TypedArray {
  const magic = String.fromCharCode(...bytes.subarray(0, 6));
  if (magic !== '\x93NUMPY') fail(file, 'is not a .npy file (no \\x93NUMPY magic)', 'save the array with numpy.save');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  if (headerStart + headerLen > bytes.byteLength) fail(file, 'has a truncated .npy header', 'save the array with numpy.save');
  const header = new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '';
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (!descr) fail(file, 'has no dtype in its .npy header', 'save the array with numpy.save');
  if (fortran) fail(file, 'is in Fortran order', 'save a C-ordered array: numpy.save(f, numpy.ascontiguousarray(a))');
  const count = shape.reduce((a, b) => a * b, 1);
  const data = bytes.slice(headerStart + headerLen);
  const kinds: Record<string, [number, (b: ArrayBuffer, n: number) => ArrayLike<number>]> = {
    '|i1': [1, (b, n) => new Int8Array(b, 0, n)],
    '<i1': [1, (b, n) => new Int8Array(b, 0, n)],
    '|u1': [1, (b, n) => new Uint8Array(b, 0, n)],
    '<u1': [1, (b, n) => new Uint8Array(b, 0, n)],
    '|b1': [1, (b, n) => new Uint8Array(b, 0, n)],
    '<i2': [2, (b, n) => new Int16Array(b, 0, n)],
    '<u2': [2, (b, n) => new Uint16Array(b, 0, n)],
    '<i4': [4, (b, n) => new Int32Array(b, 0, n)],
    '<u4': [4, (b, n) => new Uint32Array(b, 0, n)],
    '<i8': [8, (b, n) => Array.from(new BigInt64Array(b, 0, n), Number)],
    '<f4': [4, (b, n) => new Float32Array(b, 0, n)],
    '<f8': [8, (b, n) => new Float64Array(b, 0, n)],
  };
  const kind = kinds[descr];
  if (!kind) fail(file, `has dtype ${descr}, which tinyforge does not read`, 'save int8/int16/int32 or float32 arrays (little-endian)');
  if (data.byteLength < count * kind[0]) fail(file, `holds ${data.byteLength} data bytes, its header promises ${count} x ${kind[0]}`, 'the file is truncated');
  const values = kind[1](data.buffer, count);
  return descr.includes('f') ? quantizeReal(values, t, file) : fromNumbers(values, t, file);
}

/** JSON: a (nested) array of integers in the tensor's domain, or {"real": [...]} to quantize. */
export function decodeJson(text: string, t: TensorInfo, file: string): TypedArray {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    fail(file, `is not valid JSON (${(e as Error).message})`, 'give an array of numbers, e.g. [1, -3, 7]');
  }
  const flat = (v: unknown): number[] => {
    if (typeof v === 'number') return [v];
    if (Array.isArray(v)) return v.flatMap(flat);
    fail(file, `contains ${JSON.stringify(v)?.slice(0, 40)}, not a number`, 'give an array of numbers');
  };
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const o = parsed as Record<string, unknown>;
    if ('real' in o) return quantizeReal(flat(o.real), t, file);
    if ('values' in o) return fromNumbers(flat(o.values), t, file);
    fail(file, 'is an object without "real" or "values"', 'give an array, {"values": [...]} (integers) or {"real": [...]} (real values to quantize)');
  }
  return fromNumbers(flat(parsed), t, file);
}

/** Picks the decoder by file extension. */
export function decodeInputFile(file: string, bytes: Uint8Array, t: TensorInfo): TypedArray {
  const lower = file.toLowerCase();
  if (lower.endsWith('.npy')) return decodeNpy(bytes, t, file);
  if (lower.endsWith('.json')) return decodeJson(new TextDecoder().decode(bytes), t, file);
  return decodeBin(bytes, t, file);
}
