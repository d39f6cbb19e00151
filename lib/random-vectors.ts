/**
 * Seeded random input vectors, the golden set's "golden-v1" scheme (see
 * ../shared/golden/README.md): element values come from SplitMix64 seeded with
 * FNV-1a-64 of "<prefix>/<vector id, 3 digits>/<input index>", one draw per
 * element in row-major order; integers take the top bits of the draw (full
 * range), float32 inputs are uniform over the real range of the QUANTIZE op
 * that consumes them widened by 10% on each side ([-1, 1] if none).
 * With prefix "golden-v1/<case>" this reproduces the golden vectors 000-002.
 */
import type { Model } from '../sim/ir/types.js';

const MASK64 = 0xffffffffffffffffn;

export function fnv1a64(text: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(text)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & MASK64;
  }
  return h;
}

export class SplitMix64 {
  private s: bigint;
  constructor(seed: bigint) {
    this.s = seed & MASK64;
  }
  next(): bigint {
    this.s = (this.s + 0x9e3779b97f4a7c15n) & MASK64;
    let z = this.s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    return z ^ (z >> 31n);
  }
}

const RANGE: Record<string, [number, number]> = { int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535], int32: [-2147483648, 2147483647] };

/** Real range [lo, hi] of the QUANTIZE op that reads tensor `ti`, or [-1, 1]. */
function floatRange(model: Model, ti: number): [number, number] {
  const sg = model.subgraphs[0]!;
  for (const op of sg.operators) {
    if (op.op !== 'QUANTIZE' || op.inputs[0] !== ti) continue;
    const out = sg.tensors[op.outputs[0]!]!;
    const q = out.quantization;
    const r = RANGE[out.dtype];
    if (!q || !r) continue;
    const scale = q.scale[0]!;
    const zp = q.zeroPoint[0]!;
    return [scale * (r[0] - zp), scale * (r[1] - zp)];
  }
  return [-1, 1];
}

/** The raw bytes of input `k` for vector `v` (id = v as 3 digits) under seed prefix `prefix`. */
export function randomInput(model: Model, prefix: string, v: number, k: number): Uint8Array {
  const sg = model.subgraphs[0]!;
  const t = sg.tensors[sg.inputs[k]!]!;
  const rng = new SplitMix64(fnv1a64(`${prefix}/${String(v).padStart(3, '0')}/${k}`));
  const bytes = new Uint8Array(t.bytes);
  const view = new DataView(bytes.buffer);
  const n = t.elements;
  switch (t.dtype) {
    case 'int8':
    case 'uint8':
      for (let i = 0; i < n; i++) bytes[i] = Number(rng.next() >> 56n);
      break;
    case 'bool':
      for (let i = 0; i < n; i++) bytes[i] = Number(rng.next() >> 63n);
      break;
    case 'int16':
    case 'uint16':
      for (let i = 0; i < n; i++) view.setUint16(i * 2, Number(rng.next() >> 48n), true);
      break;
    case 'int32':
    case 'uint32':
      for (let i = 0; i < n; i++) view.setUint32(i * 4, Number(rng.next() >> 32n), true);
      break;
    case 'float32': {
      const [lo, hi] = floatRange(model, t.index);
      const span = hi - lo;
      for (let i = 0; i < n; i++) {
        const u = Number(rng.next() >> 40n) / 2 ** 24;
        view.setFloat32(i * 4, Math.fround(lo - 0.1 * span + u * 1.2 * span), true);
      }
      break;
    }
    default:
      // Other dtypes: raw random bytes.
      for (let i = 0; i < bytes.length; i++) bytes[i] = Number(rng.next() >> 56n);
  }
  return bytes;
}

/** `count` vectors (one Uint8Array per model input each). */
export function randomVectors(model: Model, prefix: string, count: number): Uint8Array[][] {
  const inputs = model.subgraphs[0]!.inputs.length;
  return Array.from({ length: count }, (_, v) => Array.from({ length: inputs }, (_, k) => randomInput(model, prefix, v, k)));
}
