/**
 * The host side of the firmware's validation protocol (the frame format is
 * specified in templates/arduino/tinyforge_validate.h): frame encoding, an
 * incremental frame reader that skips non-frame bytes, and the HELLO / INFER
 * payloads. Pure functions over bytes; the link itself (serial port, pty)
 * lives elsewhere.
 */
export const FRAME_MAGIC = [0xa5, 0x5a] as const;
export const FRAME = { HELLO: 0x01, INFER: 0x02, HELLO_OK: 0x81, INFER_OK: 0x82, ERROR: 0xee } as const;
export const FRAME_ERRORS: Readonly<Record<number, string>> = { 1: 'bad CRC', 2: 'bad length', 3: 'unknown frame type', 4: 'tf_invoke() failed' };
export const PROTOCOL_VERSION = 1;

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

export function encodeFrame(type: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(2 + 5 + payload.length + 4);
  const view = new DataView(out.buffer);
  out[0] = FRAME_MAGIC[0];
  out[1] = FRAME_MAGIC[1];
  out[2] = type;
  view.setUint32(3, payload.length, true);
  out.set(payload, 7);
  view.setUint32(7 + payload.length, crc32(out.subarray(2, 7 + payload.length)), true);
  return out;
}

export interface Frame {
  type: number;
  payload: Uint8Array;
}

/**
 * Collects frames from a byte stream. Bytes before a magic (text the firmware
 * printed) are kept in `skipped`; a frame with a bad CRC is reported by
 * `badFrames` and dropped.
 */
export class FrameReader {
  private buf = new Uint8Array(0);
  skipped = 0;
  badFrames = 0;

  push(bytes: Uint8Array): Frame[] {
    const joined = new Uint8Array(this.buf.length + bytes.length);
    joined.set(this.buf);
    joined.set(bytes, this.buf.length);
    const frames: Frame[] = [];
    let i = 0;
    for (;;) {
      while (i < joined.length && !(joined[i] === FRAME_MAGIC[0] && (i + 1 >= joined.length || joined[i + 1] === FRAME_MAGIC[1]))) {
        i++;
        this.skipped++;
      }
      if (joined.length - i < 7) break;
      const length = new DataView(joined.buffer, joined.byteOffset + i + 3, 4).getUint32(0, true);
      if (joined.length - i < 7 + length + 4) break;
      const body = joined.subarray(i + 2, i + 7 + length);
      const want = new DataView(joined.buffer, joined.byteOffset + i + 7 + length, 4).getUint32(0, true);
      if (crc32(body) === want) {
        frames.push({ type: joined[i + 2]!, payload: joined.slice(i + 7, i + 7 + length) });
        i += 7 + length + 4;
      } else {
        // Not a frame after all (or a damaged one): resynchronise one byte later.
        this.badFrames++;
        i++;
      }
    }
    this.buf = joined.slice(i);
    return frames;
  }
}

export interface TensorLayout {
  dtype: number;
  bytes: number;
  elements: number;
  scale: number;
  zeroPoint: number;
}

export interface Hello {
  version: number;
  sha256: string;
  arenaBytes: number;
  inputs: TensorLayout[];
  outputs: TensorLayout[];
}

export function parseHello(payload: Uint8Array): Hello {
  if (payload.length < 39) throw new Error(`HELLO_OK payload too short (${payload.length} bytes)`);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const nIn = payload[37]!;
  const nOut = payload[38]!;
  if (payload.length !== 39 + 17 * (nIn + nOut)) throw new Error(`HELLO_OK payload has ${payload.length} bytes for ${nIn} inputs and ${nOut} outputs`);
  const layout = (i: number): TensorLayout => {
    const o = 39 + 17 * i;
    return { dtype: payload[o]!, bytes: view.getUint32(o + 1, true), elements: view.getUint32(o + 5, true), scale: view.getFloat32(o + 9, true), zeroPoint: view.getInt32(o + 13, true) };
  };
  return {
    version: payload[0]!,
    sha256: Buffer.from(payload.subarray(1, 33)).toString('hex'),
    arenaBytes: view.getUint32(33, true),
    inputs: Array.from({ length: nIn }, (_, i) => layout(i)),
    outputs: Array.from({ length: nOut }, (_, i) => layout(nIn + i)),
  };
}

/** An INFER frame: flags (bit 0 keeps the model's state), then every input's bytes in order. */
export function inferFrame(inputs: readonly Uint8Array[], keepState = false): Uint8Array {
  const total = inputs.reduce((n, b) => n + b.length, 0);
  const payload = new Uint8Array(1 + total);
  payload[0] = keepState ? 1 : 0;
  let o = 1;
  for (const b of inputs) {
    payload.set(b, o);
    o += b.length;
  }
  return encodeFrame(FRAME.INFER, payload);
}

/** Splits an INFER_OK payload into the device's microseconds and each output's bytes. */
export function parseInferReply(payload: Uint8Array, outputBytes: readonly number[]): { micros: number; outputs: Uint8Array[] } {
  const total = outputBytes.reduce((a, b) => a + b, 0);
  if (payload.length !== 4 + total) throw new Error(`INFER_OK payload has ${payload.length} bytes, expected ${4 + total}`);
  const micros = new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, true);
  const outputs: Uint8Array[] = [];
  let o = 4;
  for (const n of outputBytes) {
    outputs.push(payload.slice(o, o + n));
    o += n;
  }
  return { micros, outputs };
}
