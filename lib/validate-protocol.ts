/**
 * The host side of the firmware's validation protocol, version 2 (the frame
 * format is specified in templates/arduino/tinyforge_validate.h): frame
 * encoding, an incremental frame reader that resynchronises on the magic,
 * and the request / reply payloads. Pure functions over bytes; the link and
 * the retry logic live in generator/serial/.
 */
export const FRAME_MAGIC = [0xa5, 0x5a] as const;
export const FRAME = {
  HELLO: 0x01, LOAD: 0x02, INFER: 0x03, READ: 0x04, QUIT: 0x05,
  HELLO_OK: 0x81, LOAD_OK: 0x82, INFER_OK: 0x83, READ_OK: 0x84, QUIT_OK: 0x85,
  ERROR: 0xee,
} as const;
export const FRAME_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(FRAME).map(([k, v]) => [v, k]));
export const ERR = { CRC: 1, LENGTH: 2, TYPE: 3, INVOKE: 4, INPUT_CRC: 5, RANGE: 6 } as const;
export const FRAME_ERRORS: Readonly<Record<number, string>> = {
  1: 'bad CRC',
  2: 'bad length',
  3: 'unknown frame type',
  4: 'tf_invoke() failed',
  5: 'the inputs on the device differ from the ones sent',
  6: 'offset or length outside the tensors',
};
export const PROTOCOL_VERSION = 2;
/** magic, type, seq, length */
export const HEADER_BYTES = 8;
/** A frame announcing a longer payload is not a frame (the reader skips its magic). */
export const MAX_FRAME_PAYLOAD = 1 << 24;

let table: Uint32Array | null = null;

/** CRC-32 (zlib / ISO-HDLC); `crc` continues a previous call (start with 0). */
export function crc32(data: Uint8Array, crc = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 of several buffers laid end to end. */
export function crc32All(parts: readonly Uint8Array[]): number {
  return parts.reduce((c, p) => crc32(p, c), 0);
}

export function encodeFrame(type: number, seq: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + payload.length + 4);
  const view = new DataView(out.buffer);
  out[0] = FRAME_MAGIC[0];
  out[1] = FRAME_MAGIC[1];
  out[2] = type;
  out[3] = seq & 0xff;
  view.setUint32(4, payload.length, true);
  out.set(payload, HEADER_BYTES);
  view.setUint32(HEADER_BYTES + payload.length, crc32(out.subarray(2, HEADER_BYTES + payload.length)), true);
  return out;
}

export interface Frame {
  type: number;
  seq: number;
  payload: Uint8Array;
}

/**
 * Collects frames from a byte stream. Bytes before a magic (text the firmware
 * printed) are counted in `skipped` and kept in `text` (for diagnostics); a
 * frame with a bad CRC or an impossible length is counted in `badFrames` and
 * the reader resynchronises one byte after its magic.
 */
export class FrameReader {
  private buf = new Uint8Array(0);
  skipped = 0;
  badFrames = 0;
  /** The last bytes seen outside frames (at most 512). */
  text = '';

  constructor(private readonly maxPayload = MAX_FRAME_PAYLOAD) {}

  push(bytes: Uint8Array): Frame[] {
    const joined = new Uint8Array(this.buf.length + bytes.length);
    joined.set(this.buf);
    joined.set(bytes, this.buf.length);
    const frames: Frame[] = [];
    let i = 0;
    const skip = () => {
      this.text = (this.text + String.fromCharCode(joined[i]!)).slice(-512);
      this.skipped++;
      i++;
    };
    for (;;) {
      while (i < joined.length && !(joined[i] === FRAME_MAGIC[0] && (i + 1 >= joined.length || joined[i + 1] === FRAME_MAGIC[1]))) skip();
      if (joined.length - i < HEADER_BYTES) break;
      const length = new DataView(joined.buffer, joined.byteOffset + i + 4, 4).getUint32(0, true);
      if (length > this.maxPayload) {
        this.badFrames++;
        skip();
        continue;
      }
      if (joined.length - i < HEADER_BYTES + length + 4) break;
      const body = joined.subarray(i + 2, i + HEADER_BYTES + length);
      const want = new DataView(joined.buffer, joined.byteOffset + i + HEADER_BYTES + length, 4).getUint32(0, true);
      if (crc32(body) === want) {
        frames.push({ type: joined[i + 2]!, seq: joined[i + 3]!, payload: joined.slice(i + HEADER_BYTES, i + HEADER_BYTES + length) });
        i += HEADER_BYTES + length + 4;
      } else {
        // Not a frame after all (or a damaged one): resynchronise one byte later.
        this.badFrames++;
        skip();
      }
    }
    this.buf = joined.slice(i);
    return frames;
  }

  /** Forgets a partial frame (before a request is resent). */
  reset(): void {
    this.buf = new Uint8Array(0);
  }
}

export interface TensorLayout {
  dtype: number;
  shape: number[];
  bytes: number;
  elements: number;
  scale: number;
  zeroPoint: number;
}

export interface Hello {
  version: number;
  /** The firmware reads a cycle counter (DWT CYCCNT). */
  hasCycleCounter: boolean;
  /** Largest LOAD / READ chunk the firmware takes. */
  maxChunk: number;
  sha256: string;
  arenaBytes: number;
  inputs: TensorLayout[];
  outputs: TensorLayout[];
}

/** Parses HELLO_OK; throws a plain Error naming what is malformed (the caller wraps it). */
export function parseHello(payload: Uint8Array): Hello {
  if (payload.length < 2) throw new Error(`HELLO_OK payload too short (${payload.length} bytes)`);
  if (payload[0] !== PROTOCOL_VERSION) {
    return { version: payload[0]!, hasCycleCounter: false, maxChunk: 0, sha256: '', arenaBytes: 0, inputs: [], outputs: [] };
  }
  if (payload.length < 44) throw new Error(`HELLO_OK payload too short (${payload.length} bytes)`);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const nIn = payload[42]!;
  const nOut = payload[43]!;
  let o = 44;
  const need = (n: number) => {
    if (o + n > payload.length) throw new Error(`HELLO_OK payload ends inside the tensor layout (${payload.length} bytes)`);
  };
  const layout = (): TensorLayout => {
    need(2);
    const dtype = payload[o]!;
    const rank = payload[o + 1]!;
    o += 2;
    need(4 * rank + 16);
    const shape = Array.from({ length: rank }, (_, d) => view.getUint32(o + 4 * d, true));
    o += 4 * rank;
    const t = { dtype, shape, bytes: view.getUint32(o, true), elements: view.getUint32(o + 4, true), scale: view.getFloat32(o + 8, true), zeroPoint: view.getInt32(o + 12, true) };
    o += 16;
    return t;
  };
  const inputs = Array.from({ length: nIn }, layout);
  const outputs = Array.from({ length: nOut }, layout);
  if (o !== payload.length) throw new Error(`HELLO_OK payload has ${payload.length - o} bytes after the tensor layout`);
  return {
    version: payload[0]!,
    hasCycleCounter: (payload[1]! & 1) !== 0,
    maxChunk: view.getUint32(2, true),
    sha256: Buffer.from(payload.subarray(6, 38)).toString('hex'),
    arenaBytes: view.getUint32(38, true),
    inputs,
    outputs,
  };
}

const u32s = (...values: number[]): Uint8Array => {
  const out = new Uint8Array(4 * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint32(4 * i, v >>> 0, true));
  return out;
};

/** LOAD payload: offset, then the bytes (inputs laid end to end). */
export function loadPayload(offset: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + data.length);
  out.set(u32s(offset));
  out.set(data, 4);
  return out;
}

/** INFER payload: flags (bit 0 keeps the model's state), crc32 of every input byte. */
export function inferPayload(inputCrc: number, keepState = false): Uint8Array {
  const out = new Uint8Array(5);
  out[0] = keepState ? 1 : 0;
  new DataView(out.buffer).setUint32(1, inputCrc >>> 0, true);
  return out;
}

export function readPayload(offset: number, length: number): Uint8Array {
  return u32s(offset, length);
}

const view32 = (p: Uint8Array, i: number) => new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(4 * i, true);

export interface InferReply {
  micros: number;
  /** 0 when the firmware has no cycle counter (or it reads 0, as under QEMU). */
  cycles: number;
  outputBytes: number;
  outputCrc: number;
}

export function parseInferReply(payload: Uint8Array): InferReply {
  if (payload.length !== 16) throw new Error(`INFER_OK payload has ${payload.length} bytes, expected 16`);
  return { micros: view32(payload, 0), cycles: view32(payload, 1), outputBytes: view32(payload, 2), outputCrc: view32(payload, 3) };
}

export function parseLoadReply(payload: Uint8Array): { offset: number; length: number } {
  if (payload.length !== 8) throw new Error(`LOAD_OK payload has ${payload.length} bytes, expected 8`);
  return { offset: view32(payload, 0), length: view32(payload, 1) };
}

export function parseReadReply(payload: Uint8Array): { offset: number; data: Uint8Array } {
  if (payload.length < 4) throw new Error(`READ_OK payload has ${payload.length} bytes, expected at least 4`);
  return { offset: view32(payload, 0), data: payload.slice(4) };
}

export function parseError(payload: Uint8Array): { code: number; request: number } {
  return { code: payload[0] ?? 0, request: payload[1] ?? 0 };
}

/** Splits bytes laid end to end back into tensors of the given sizes. */
export function splitBytes(all: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  for (const n of sizes) {
    out.push(all.slice(o, o + n));
    o += n;
  }
  return out;
}

/** Lays tensors end to end. */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
