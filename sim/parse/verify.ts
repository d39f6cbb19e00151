/**
 * Up-front structural check of a TFLite flatbuffer, before any generated
 * accessor touches it. The flatbuffers runtime trusts its input: a bad offset
 * makes it read garbage, build a typed-array view that throws RangeError, or
 * walk a huge vector. This pass follows the schema from the root and checks
 * every table, vtable, vector and string that the reader will use lies inside
 * the file, so the reader itself can never fail on an offset.
 *
 * Scalar fields need no individual check: a table's fields all lie inside its
 * declared size, which is checked against the file. Tables are checked once
 * per offset (models share nothing in practice, but a hostile file could make
 * many references to one object).
 */
import { ModelFormatError } from '../../lib/errors.js';

/** What a field of a table holds, for the fields the reader follows. */
type FieldSpec =
  | { kind: 'table'; table: string }
  | { kind: 'vector'; elem: number }
  | { kind: 'tables'; table: string }
  | { kind: 'string' }
  | { kind: 'union'; of: 'BuiltinOptions' | 'QuantizationDetails' | 'BuiltinOptions2' | 'SparseIndexVector' };

/** Field id -> spec, only for non-scalar fields (ids follow the .fbs order; a union takes two ids). */
const TABLES: Record<string, Record<number, FieldSpec>> = {
  Model: {
    1: { kind: 'tables', table: 'OperatorCode' },
    2: { kind: 'tables', table: 'SubGraph' },
    3: { kind: 'string' },
    4: { kind: 'tables', table: 'Buffer' },
    5: { kind: 'vector', elem: 4 },
    6: { kind: 'tables', table: 'Metadata' },
  },
  OperatorCode: { 1: { kind: 'string' } },
  SubGraph: {
    0: { kind: 'tables', table: 'Tensor' },
    1: { kind: 'vector', elem: 4 },
    2: { kind: 'vector', elem: 4 },
    3: { kind: 'tables', table: 'Operator' },
    4: { kind: 'string' },
  },
  Tensor: {
    0: { kind: 'vector', elem: 4 },
    3: { kind: 'string' },
    4: { kind: 'table', table: 'QuantizationParameters' },
    6: { kind: 'table', table: 'Opaque' },
    7: { kind: 'vector', elem: 4 },
  },
  QuantizationParameters: {
    0: { kind: 'vector', elem: 4 },
    1: { kind: 'vector', elem: 4 },
    2: { kind: 'vector', elem: 4 },
    3: { kind: 'vector', elem: 8 },
    5: { kind: 'union', of: 'QuantizationDetails' },
  },
  Operator: {
    1: { kind: 'vector', elem: 4 },
    2: { kind: 'vector', elem: 4 },
    4: { kind: 'union', of: 'BuiltinOptions' },
    5: { kind: 'vector', elem: 1 },
    7: { kind: 'vector', elem: 1 },
    8: { kind: 'vector', elem: 4 },
    12: { kind: 'union', of: 'BuiltinOptions2' },
  },
  Buffer: { 0: { kind: 'vector', elem: 1 } },
  Metadata: { 0: { kind: 'string' } },
  /** Union members whose vectors the reader decodes. */
  ReshapeOptions: { 0: { kind: 'vector', elem: 4 } },
  SqueezeOptions: { 0: { kind: 'vector', elem: 4 } },
  /** Any other table: only its own bounds are checked (the reader reads scalars from it, if anything). */
  Opaque: {},
};

/** BuiltinOptions union ids whose tables have vectors the reader reads. */
const OPTION_TABLE_BY_ID: Record<number, string> = { 17: 'ReshapeOptions', 30: 'SqueezeOptions' };

export class Verifier {
  private readonly view: DataView;
  private readonly len: number;
  private readonly seen = new Set<string>();
  /** Total vector elements accepted: bounds the work a hostile file can cause. */
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.len = bytes.byteLength;
  }

  fail(message: string, offset: number): never {
    throw new ModelFormatError(
      'bad-offset',
      `not a valid TFLite model: ${message}`,
      'the file is truncated or corrupted; re-export it from the converter (tf.lite.TFLiteConverter) or copy it again',
      { offset },
    );
  }

  private u32(pos: number, what: string): number {
    if (pos < 0 || pos + 4 > this.len) this.fail(`${what} at ${pos} lies outside the ${this.len}-byte file`, pos);
    return this.view.getUint32(pos, true);
  }

  /** Checks a table at `pos` and returns its field positions (0 = absent) as a function. */
  private table(pos: number, what: string): (id: number) => number {
    if ((pos & 3) !== 0) this.fail(`${what} table at ${pos} is misaligned`, pos);
    const soff = this.view.getInt32(this.checkRange(pos, 4, what), true);
    const vt = pos - soff;
    if (vt < 0 || vt + 4 > this.len || (vt & 1) !== 0) this.fail(`${what} vtable at ${vt} is out of range`, pos);
    const vtSize = this.view.getUint16(vt, true);
    const tableSize = this.view.getUint16(vt + 2, true);
    if (vtSize < 4 || (vtSize & 1) !== 0 || vt + vtSize > this.len) this.fail(`${what} vtable size ${vtSize} is invalid`, vt);
    if (tableSize < 4 || pos + tableSize > this.len) this.fail(`${what} table size ${tableSize} runs past the end of the file`, pos);
    const nFields = (vtSize - 4) >> 1;
    return (id: number) => {
      if (id >= nFields) return 0;
      const off = this.view.getUint16(vt + 4 + 2 * id, true);
      if (off === 0) return 0;
      if (off < 4 || off >= tableSize) this.fail(`${what} field ${id} offset ${off} lies outside its table`, pos);
      return pos + off;
    };
  }

  private checkRange(pos: number, size: number, what: string): number {
    if (pos < 0 || pos + size > this.len) this.fail(`${what} at ${pos} (+${size} bytes) lies outside the ${this.len}-byte file`, pos);
    return pos;
  }

  /** Follows a uoffset stored at `at`; returns the target position. */
  private deref(at: number, what: string): number {
    const rel = this.u32(at, what);
    const target = at + rel;
    if (rel === 0 || target >= this.len) this.fail(`${what} points to ${target}, outside the ${this.len}-byte file`, at);
    return target;
  }

  private vector(pos: number, elem: number, what: string): number {
    const n = this.u32(pos, `${what} length`);
    if ((pos & 3) !== 0) this.fail(`${what} vector at ${pos} is misaligned`, pos);
    if (pos + 4 + n * elem > this.len) this.fail(`${what} has ${n} elements, more than the file holds`, pos);
    return n;
  }

  verifyTable(pos: number, name: string): void {
    const key = `${name}@${pos}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const field = this.table(pos, name);
    const spec = TABLES[name] ?? {};
    for (const [idStr, f] of Object.entries(spec)) {
      const id = Number(idStr);
      const at = field(id);
      if (at === 0) continue;
      const what = `${name}.field${id}`;
      switch (f.kind) {
        case 'table':
          this.verifyTable(this.deref(at, what), f.table);
          break;
        case 'vector':
          this.vector(this.deref(at, what), f.elem, what);
          break;
        case 'string': {
          const p = this.deref(at, what);
          this.vector(p, 1, what);
          break;
        }
        case 'tables': {
          const p = this.deref(at, what);
          const n = this.vector(p, 4, what);
          for (let i = 0; i < n; i++) this.verifyTable(this.deref(p + 4 + 4 * i, `${what}[${i}]`), f.table);
          break;
        }
        case 'union': {
          const typeAt = field(id - 1);
          const type = typeAt === 0 ? 0 : this.bytes[typeAt]!;
          if (type === 0) break;
          const target = this.deref(at, what);
          const member = f.of === 'BuiltinOptions' ? OPTION_TABLE_BY_ID[type] ?? 'Opaque' : 'Opaque';
          this.verifyTable(target, member);
          break;
        }
      }
    }
  }

  /** Verifies the whole model from its root. */
  verifyModel(): void {
    if (this.len < 8) this.fail(`the file has ${this.len} bytes, too few for a flatbuffer header`, 0);
    const root = this.u32(0, 'root offset');
    if (root < 8 || root >= this.len) this.fail(`root table offset ${root} lies outside the ${this.len}-byte file`, 0);
    this.verifyTable(root, 'Model');
  }
}
