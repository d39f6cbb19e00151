/**
 * A minimal, bounds-checked FlexBuffers reader for operator custom options
 * (the TFLM signal-library ops store theirs as a FlexBuffers map).
 *
 * Custom options are untrusted bytes from the model file: every offset, size
 * and width is checked before it is followed, and anything malformed throws a
 * FlexbuffersError (never a RangeError from a DataView). The reader is lazy:
 * it decodes only what is asked for, so a hostile buffer whose offsets share
 * or loop back over the same bytes costs no more than the lookups made.
 *
 * Wire format facts used here (FlexBuffers, google/flatbuffers):
 * - The last byte is the root's byte width, the one before it the root's
 *   packed type (type << 2 | log2 of its own width); the root slot precedes them.
 * - Inline scalars (null, int, uint, float, bool) live in their slot, read with
 *   the width of the parent (the vector, or the root slot). Every other value
 *   is an unsigned offset back from its slot.
 * - Vectors and strings are preceded by their size (in their own width);
 *   untyped vectors and maps are followed by one packed-type byte per element.
 * - A map is an untyped vector of values sorted by key, preceded (in its
 *   width) by: offset to a typed vector of keys, that vector's width, size.
 *   Keys are NUL-terminated strings.
 */

/** FlexBuffers value types (the `type` half of a packed type byte). */
export const FlexType = {
  NULL: 0, INT: 1, UINT: 2, FLOAT: 3, KEY: 4, STRING: 5,
  INDIRECT_INT: 6, INDIRECT_UINT: 7, INDIRECT_FLOAT: 8,
  MAP: 9, VECTOR: 10,
  VECTOR_INT: 11, VECTOR_UINT: 12, VECTOR_FLOAT: 13, VECTOR_KEY: 14, VECTOR_STRING_DEPRECATED: 15,
  VECTOR_INT2: 16, VECTOR_UINT2: 17, VECTOR_FLOAT2: 18,
  VECTOR_INT3: 19, VECTOR_UINT3: 20, VECTOR_FLOAT3: 21,
  VECTOR_INT4: 22, VECTOR_UINT4: 23, VECTOR_FLOAT4: 24,
  BLOB: 25, BOOL: 26, VECTOR_BOOL: 36,
} as const;

const TYPE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(FlexType).map(([k, v]) => [v, k.toLowerCase()]),
);

export function flexTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `unknown type ${type}`;
}

/** Malformed FlexBuffers bytes, or a value of another type than the caller asked for. */
export class FlexbuffersError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlexbuffersError';
  }
}

const isInline = (t: number) => t <= FlexType.FLOAT || t === FlexType.BOOL;
const isTypedVector = (t: number) => (t >= FlexType.VECTOR_INT && t <= FlexType.VECTOR_STRING_DEPRECATED) || t === FlexType.VECTOR_BOOL;
const isFixedTypedVector = (t: number) => t >= FlexType.VECTOR_INT2 && t <= FlexType.VECTOR_FLOAT4;
const validWidth = (w: number) => w === 1 || w === 2 || w === 4 || w === 8;

/** The bytes of one buffer, with checked little-endian reads. */
class Bytes {
  readonly dv: DataView;
  constructor(readonly u8: Uint8Array) {
    this.dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  }
  get length(): number {
    return this.u8.byteLength;
  }
  check(pos: number, n: number, what: string): void {
    if (!(pos >= 0 && n >= 0 && pos + n <= this.u8.byteLength)) {
      throw new FlexbuffersError(`${what} at byte ${pos} (${n} bytes) lies outside the ${this.u8.byteLength}-byte buffer`);
    }
  }
  /** Unsigned read as a number (exact below 2^53; larger values only ever fail a later bounds check). */
  uint(pos: number, w: number, what: string): number {
    this.check(pos, w, what);
    switch (w) {
      case 1: return this.dv.getUint8(pos);
      case 2: return this.dv.getUint16(pos, true);
      case 4: return this.dv.getUint32(pos, true);
      default: return this.dv.getUint32(pos + 4, true) * 4294967296 + this.dv.getUint32(pos, true);
    }
  }
  int64(pos: number, w: number, what: string): bigint {
    this.check(pos, w, what);
    switch (w) {
      case 1: return BigInt(this.dv.getInt8(pos));
      case 2: return BigInt(this.dv.getInt16(pos, true));
      case 4: return BigInt(this.dv.getInt32(pos, true));
      default: return this.dv.getBigInt64(pos, true);
    }
  }
  uint64(pos: number, w: number, what: string): bigint {
    this.check(pos, w, what);
    return w === 8 ? this.dv.getBigUint64(pos, true) : BigInt(this.uint(pos, w, what));
  }
  float(pos: number, w: number, what: string): number {
    this.check(pos, w, what);
    if (w === 4) return this.dv.getFloat32(pos, true);
    if (w === 8) return this.dv.getFloat64(pos, true);
    throw new FlexbuffersError(`${what}: a ${w}-byte float is not supported`);
  }
  /** The target of the offset stored in the slot at `pos`. */
  indirect(pos: number, w: number, what: string): number {
    const target = pos - this.uint(pos, w, what);
    if (!(target >= 0)) throw new FlexbuffersError(`${what}: offset at byte ${pos} points before the start of the buffer`);
    return target;
  }
}

/** One value: a slot and its type. Accessors check the type and every byte they touch. */
export class FlexRef {
  /** @internal */
  constructor(
    private readonly b: Bytes,
    /** Byte position of the slot. */
    readonly offset: number,
    /** Width of the slot (inline scalars are read with it; offsets are stored in it). */
    readonly parentWidth: number,
    /** FlexType of the value. */
    readonly type: number,
    /** The value's own width (of its elements / size field / indirect scalar). */
    readonly byteWidth: number,
    /** Where the value is, for messages (e.g. `root["shift"]`). */
    readonly path: string,
  ) {}

  get typeName(): string {
    return flexTypeName(this.type);
  }

  /** True for int, uint and bool values stored in their slot. */
  get isInlineInteger(): boolean {
    return this.type === FlexType.INT || this.type === FlexType.UINT || this.type === FlexType.BOOL;
  }

  private wrongType(want: string): never {
    throw new FlexbuffersError(`${this.path}: expected ${want}, found ${this.typeName}`);
  }

  /** int, uint, bool and indirect int/uint, as a bigint. */
  asInt(): bigint {
    const what = this.path;
    switch (this.type) {
      case FlexType.INT: return this.b.int64(this.offset, this.parentWidth, what);
      case FlexType.UINT: return this.b.uint64(this.offset, this.parentWidth, what);
      case FlexType.BOOL: return this.b.uint64(this.offset, this.parentWidth, what) !== 0n ? 1n : 0n;
      case FlexType.INDIRECT_INT: return this.b.int64(this.b.indirect(this.offset, this.parentWidth, what), this.byteWidth, what);
      case FlexType.INDIRECT_UINT: return this.b.uint64(this.b.indirect(this.offset, this.parentWidth, what), this.byteWidth, what);
      default: return this.wrongType('an integer');
    }
  }

  /** bool, or an integer (non-zero is true). */
  asBool(): boolean {
    if (this.type === FlexType.BOOL || this.type === FlexType.INT || this.type === FlexType.UINT) {
      return this.b.uint64(this.offset, this.parentWidth, this.path) !== 0n;
    }
    return this.wrongType('a bool');
  }

  asFloat(): number {
    if (this.type === FlexType.FLOAT) return this.b.float(this.offset, this.parentWidth, this.path);
    if (this.type === FlexType.INDIRECT_FLOAT) return this.b.float(this.b.indirect(this.offset, this.parentWidth, this.path), this.byteWidth, this.path);
    return this.wrongType('a float');
  }

  /** A string or a key. */
  asString(): string {
    if (this.type === FlexType.KEY) return readKey(this.b, this.b.indirect(this.offset, this.parentWidth, this.path), this.path);
    if (this.type === FlexType.STRING) {
      const start = this.b.indirect(this.offset, this.parentWidth, this.path);
      const size = this.b.uint(start - this.byteWidth, this.byteWidth, `${this.path} size`);
      this.b.check(start, size, `${this.path} string`);
      return DECODER.decode(this.b.u8.subarray(start, start + size));
    }
    return this.wrongType('a string');
  }

  /** Any vector; a map reads as the vector of its values (in key order). */
  asVector(): FlexVector {
    const t = this.type;
    if (t !== FlexType.VECTOR && t !== FlexType.MAP && !isTypedVector(t) && !isFixedTypedVector(t)) return this.wrongType('a vector');
    const start = this.b.indirect(this.offset, this.parentWidth, this.path);
    const w = this.byteWidth;
    let size: number;
    let elementType = -1; // -1: each element has its own packed type byte
    if (isFixedTypedVector(t)) {
      size = Math.floor((t - FlexType.VECTOR_INT2) / 3) + 2;
      elementType = ((t - FlexType.VECTOR_INT2) % 3) + FlexType.INT;
    } else {
      size = this.b.uint(start - w, w, `${this.path} size`);
      if (isTypedVector(t)) elementType = t === FlexType.VECTOR_BOOL ? FlexType.BOOL : t - FlexType.VECTOR_INT + FlexType.INT;
    }
    // Elements, then (untyped) one type byte each: all must lie inside the buffer.
    const bytes = size * w + (elementType < 0 ? size : 0);
    this.b.check(start, bytes, `${this.path} (${size} elements of ${w} bytes)`);
    return new FlexVector(this.b, start, w, size, elementType, this.path);
  }

  asMap(): FlexMap {
    if (this.type !== FlexType.MAP) return this.wrongType('a map');
    const values = this.asVector();
    const w = this.byteWidth;
    const prefix = values.start - 3 * w;
    const keysStart = this.b.indirect(prefix, w, `${this.path} keys offset`);
    const keysWidth = this.b.uint(values.start - 2 * w, w, `${this.path} keys width`);
    if (!validWidth(keysWidth)) throw new FlexbuffersError(`${this.path}: invalid key vector width ${keysWidth}`);
    const keyCount = this.b.uint(keysStart - keysWidth, keysWidth, `${this.path} key count`);
    if (keyCount !== values.length) throw new FlexbuffersError(`${this.path}: map has ${values.length} values but ${keyCount} keys`);
    this.b.check(keysStart, keyCount * keysWidth, `${this.path} keys`);
    return new FlexMap(this.b, values, keysStart, keysWidth, this.path);
  }
}

const DECODER = new TextDecoder('utf-8');

/** Longest key read; real option names are short, and this bounds the scan in a hostile buffer. */
const MAX_KEY = 1024;

function readKey(b: Bytes, start: number, what: string): string {
  const u8 = b.u8;
  const end = Math.min(u8.byteLength, start + MAX_KEY);
  for (let i = start; i < end; i++) {
    if (u8[i] === 0) return DECODER.decode(u8.subarray(start, i));
  }
  throw new FlexbuffersError(`${what}: key at byte ${start} has no terminating NUL${end - start >= MAX_KEY ? ` within ${MAX_KEY} bytes` : ' before the end of the buffer'}`);
}

export class FlexVector {
  /** @internal */
  constructor(
    private readonly b: Bytes,
    /** Byte position of element 0. */
    readonly start: number,
    /** Width of each element slot. */
    readonly byteWidth: number,
    readonly length: number,
    private readonly elementType: number,
    private readonly path: string,
  ) {}

  get(i: number, path = `${this.path}[${i}]`): FlexRef {
    if (!(Number.isInteger(i) && i >= 0 && i < this.length)) throw new FlexbuffersError(`${this.path}: index ${i} is outside the ${this.length} elements`);
    const slot = this.start + i * this.byteWidth;
    if (this.elementType >= 0) return new FlexRef(this.b, slot, this.byteWidth, this.elementType, this.byteWidth, path);
    const packed = this.b.u8[this.start + this.length * this.byteWidth + i]!; // inside: checked by asVector
    const type = packed >> 2;
    const width = 1 << (packed & 3);
    if (!(type in TYPE_NAMES)) throw new FlexbuffersError(`${path}: unknown value type ${type}`);
    return new FlexRef(this.b, slot, this.byteWidth, type, width, path);
  }
}

export class FlexMap {
  /** @internal */
  constructor(
    private readonly b: Bytes,
    /** The values, in key order. */
    readonly values: FlexVector,
    private readonly keysStart: number,
    private readonly keysWidth: number,
    private readonly path: string,
  ) {}

  get length(): number {
    return this.values.length;
  }

  key(i: number): string {
    if (!(Number.isInteger(i) && i >= 0 && i < this.length)) throw new FlexbuffersError(`${this.path}: key index ${i} is outside the ${this.length} entries`);
    const slot = this.keysStart + i * this.keysWidth;
    return readKey(this.b, this.b.indirect(slot, this.keysWidth, `${this.path} key ${i}`), `${this.path} key ${i}`);
  }

  keys(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.key(i));
    return out;
  }

  /** Value at position i (positions follow key order). */
  value(i: number): FlexRef {
    return this.values.get(i, `${this.path}[${JSON.stringify(this.key(i))}]`);
  }

  /** Value of `key`, or null when the map has no such key. */
  get(key: string): FlexRef | null {
    for (let i = 0; i < this.length; i++) if (this.key(i) === key) return this.value(i);
    return null;
  }
}

/** The root value of a FlexBuffers buffer. Throws FlexbuffersError if the trailer is malformed. */
export function flexRoot(bytes: Uint8Array): FlexRef {
  const b = new Bytes(bytes);
  const n = bytes.byteLength;
  if (n < 3) throw new FlexbuffersError(`a FlexBuffers buffer has at least 3 bytes, got ${n}`);
  const rootWidth = bytes[n - 1]!;
  if (!validWidth(rootWidth)) throw new FlexbuffersError(`invalid root width ${rootWidth} (last byte; must be 1, 2, 4 or 8)`);
  const packed = bytes[n - 2]!;
  const type = packed >> 2;
  if (!(type in TYPE_NAMES)) throw new FlexbuffersError(`root has unknown value type ${type}`);
  const slot = n - 2 - rootWidth;
  if (slot < 0) throw new FlexbuffersError(`root slot of ${rootWidth} bytes does not fit in the ${n}-byte buffer`);
  if (isInline(type) && type !== FlexType.NULL) b.check(slot, rootWidth, 'root');
  return new FlexRef(b, slot, rootWidth, type, 1 << (packed & 3), 'root');
}
