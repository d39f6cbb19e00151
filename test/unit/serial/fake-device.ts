/**
 * Test fakes for generator/serial: a firmware double that speaks validation
 * protocol v2 exactly as templates/arduino/tinyforge_validate.cpp does
 * (parser states, length refusal, NAKs, the INFER cache), a seeded fault
 * injector for both directions of the link, and a @serialport/binding-mock
 * binding that wires them to a SerialLink.
 */
import { MockBinding, type MockPortBinding } from '@serialport/binding-mock';
import type { SerialBinding } from '../../../generator/serial/link.js';
import { crc32, encodeFrame, ERR, FRAME, joinBytes, PROTOCOL_VERSION, type TensorLayout } from '../../../lib/validate-protocol.js';

export interface FakeModel {
  sha256: string;
  inputs: TensorLayout[];
  outputs: TensorLayout[];
  /** All outputs laid end to end, from all inputs laid end to end. */
  compute(inputs: Uint8Array): Uint8Array;
}

/** outputs = inputs reversed, xor 0x5a, then cycled to the output size. */
export function toyModel(inBytes: number[], outBytes: number[], sha256 = 'ab'.repeat(32)): FakeModel {
  const t = (bytes: number): TensorLayout => ({ dtype: 0, shape: [1, bytes], bytes, elements: bytes, scale: 0.5, zeroPoint: -3 });
  const outTotal = outBytes.reduce((a, b) => a + b, 0);
  return {
    sha256,
    inputs: inBytes.map(t),
    outputs: outBytes.map(t),
    compute: (x) => Uint8Array.from({ length: outTotal }, (_, i) => x[(x.length - 1 - (i % x.length))]! ^ 0x5a ^ (i & 0xff)),
  };
}

const u32 = (v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v >>> 0, true); return b; };
const get32 = (p: Uint8Array, o: number) => new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(o, true);

export class FakeDevice {
  private state: 'm0' | 'm1' | 'header' | 'payload' | 'crc' = 'm0';
  private header: number[] = [];
  private payload: number[] = [];
  private crcBytes: number[] = [];
  private length = 0;
  private lastByteAt = 0;
  readonly inputs: Uint8Array;
  private outputs: Uint8Array;
  private cache: { seq: number; flags: number; crc: number; reply: Uint8Array } | null = null;
  invocations = 0;
  quit = false;

  constructor(readonly model: FakeModel, readonly opts: { maxChunk?: number; frameTimeoutMs?: number; cycles?: number; corruptOutputsAfterInfer?: boolean } = {}) {
    this.inputs = new Uint8Array(model.inputs.reduce((n, t) => n + t.bytes, 0));
    this.outputs = new Uint8Array(model.outputs.reduce((n, t) => n + t.bytes, 0));
  }

  get maxChunk(): number { return this.opts.maxChunk ?? 64; }

  /** Feeds received bytes; returns what the device sends back. */
  receive(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    const now = performance.now();
    if (this.state !== 'm0' && now - this.lastByteAt > (this.opts.frameTimeoutMs ?? 5)) this.state = 'm0';
    this.lastByteAt = now;
    for (const b of bytes) this.feed(b, out);
    return out;
  }

  private lengthOk(type: number, n: number): boolean {
    switch (type) {
      case FRAME.HELLO: case FRAME.QUIT: return n === 0;
      case FRAME.LOAD: return n >= 4 && n <= 4 + this.maxChunk;
      case FRAME.INFER: return n === 5;
      case FRAME.READ: return n === 8;
      default: return n <= 8;
    }
  }

  private feed(b: number, out: Uint8Array[]): void {
    switch (this.state) {
      case 'm0': if (b === 0xa5) this.state = 'm1'; return;
      case 'm1': if (b === 0x5a) { this.state = 'header'; this.header = []; } else if (b !== 0xa5) this.state = 'm0'; return;
      case 'header':
        this.header.push(b);
        if (this.header.length === 6) {
          this.length = get32(Uint8Array.from(this.header), 2);
          if (!this.lengthOk(this.header[0]!, this.length)) {
            out.push(this.error(this.header[1]!, ERR.LENGTH, this.header[0]!));
            this.state = 'm0';
            return;
          }
          this.payload = [];
          this.crcBytes = [];
          this.state = this.length === 0 ? 'crc' : 'payload';
        }
        return;
      case 'payload':
        this.payload.push(b);
        if (this.payload.length === this.length) this.state = 'crc';
        return;
      case 'crc': {
        this.crcBytes.push(b);
        if (this.crcBytes.length < 4) return;
        this.state = 'm0';
        const body = Uint8Array.from([...this.header, ...this.payload]);
        if (crc32(body) !== get32(Uint8Array.from(this.crcBytes), 0)) {
          out.push(this.error(this.header[1]!, ERR.CRC, this.header[0]!));
          return;
        }
        out.push(this.handle(this.header[0]!, this.header[1]!, Uint8Array.from(this.payload)));
      }
    }
  }

  private error(seq: number, code: number, request: number): Uint8Array {
    return encodeFrame(FRAME.ERROR, seq, new Uint8Array([code, request]));
  }

  private handle(type: number, seq: number, p: Uint8Array): Uint8Array {
    const m = this.model;
    switch (type) {
      case FRAME.HELLO: {
        const layout = (t: TensorLayout) => {
          const f = new Uint8Array(16);
          const v = new DataView(f.buffer);
          v.setUint32(0, t.bytes, true); v.setUint32(4, t.elements, true); v.setFloat32(8, t.scale, true); v.setInt32(12, t.zeroPoint, true);
          return joinBytes([new Uint8Array([t.dtype, t.shape.length]), ...t.shape.map(u32), f]);
        };
        const head = joinBytes([new Uint8Array([PROTOCOL_VERSION, this.opts.cycles ? 1 : 0]), u32(this.maxChunk), Buffer.from(m.sha256, 'hex'), u32(4096), new Uint8Array([m.inputs.length, m.outputs.length])]);
        return encodeFrame(FRAME.HELLO_OK, seq, joinBytes([head, ...m.inputs.map(layout), ...m.outputs.map(layout)]));
      }
      case FRAME.LOAD: {
        const off = get32(p, 0);
        const data = p.subarray(4);
        this.cache = null;
        if (off > this.inputs.length || data.length > this.inputs.length - off) return this.error(seq, ERR.RANGE, type);
        this.inputs.set(data, off);
        return encodeFrame(FRAME.LOAD_OK, seq, joinBytes([u32(off), u32(data.length)]));
      }
      case FRAME.INFER: {
        const flags = p[0]!;
        const crc = get32(p, 1);
        if (this.cache && this.cache.seq === seq && this.cache.flags === flags && this.cache.crc === crc) return encodeFrame(FRAME.INFER_OK, seq, this.cache.reply);
        this.cache = null;
        if (crc32(this.inputs) !== crc) return this.error(seq, ERR.INPUT_CRC, type);
        this.invocations++;
        this.outputs = m.compute(this.inputs);
        const reply = joinBytes([u32(1234), u32(this.opts.cycles ?? 0), u32(this.outputs.length), u32(crc32(this.outputs))]);
        if (this.opts.corruptOutputsAfterInfer) this.outputs[0]! ^= 1;
        this.cache = { seq, flags, crc, reply };
        return encodeFrame(FRAME.INFER_OK, seq, reply);
      }
      case FRAME.READ: {
        const off = get32(p, 0);
        const n = get32(p, 4);
        if (n > this.maxChunk || off > this.outputs.length || n > this.outputs.length - off) return this.error(seq, ERR.RANGE, type);
        return encodeFrame(FRAME.READ_OK, seq, joinBytes([u32(off), this.outputs.slice(off, off + n)]));
      }
      case FRAME.QUIT:
        this.quit = true;
        return encodeFrame(FRAME.QUIT_OK, seq);
      default:
        return this.error(seq, ERR.TYPE, type);
    }
  }
}

/** The plain mock binding, typed for SerialLink. */
export const MOCK = MockBinding as unknown as SerialBinding;

/** mulberry32: a small seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultRates {
  /** Per byte, each direction. */
  drop?: number;
  flip?: number;
  /** Per reply frame: cut it at a random point. */
  truncate?: number;
  /** Per host write: the device never sees it. */
  lose?: number;
  /** Per reply: noise bytes before it. */
  noise?: number;
}

export class Faults {
  injected = 0;
  constructor(private readonly random: () => number, private readonly rates: FaultRates) {}
  private bytes(b: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (const x of b) {
      if (this.random() < (this.rates.drop ?? 0)) { this.injected++; continue; }
      if (this.random() < (this.rates.flip ?? 0)) { this.injected++; out.push(x ^ (1 << Math.floor(this.random() * 8))); continue; }
      out.push(x);
    }
    return Uint8Array.from(out);
  }
  toDevice(b: Uint8Array): Uint8Array {
    if (this.random() < (this.rates.lose ?? 0)) { this.injected++; return new Uint8Array(0); }
    return this.bytes(b);
  }
  toHost(b: Uint8Array): Uint8Array {
    let x = b;
    if (this.random() < (this.rates.truncate ?? 0)) { this.injected++; x = x.subarray(0, Math.floor(this.random() * x.length)); }
    if (this.random() < (this.rates.noise ?? 0)) {
      this.injected++;
      const n = 1 + Math.floor(this.random() * 12);
      x = joinBytes([Uint8Array.from({ length: n }, () => (this.random() < 0.3 ? 0xa5 : Math.floor(this.random() * 256))), x]);
    }
    return this.bytes(x);
  }
}

/**
 * A binding-mock binding whose port is wired to `device`: what the host
 * writes goes through `faults` to the device, its replies through `faults`
 * back. `silent` makes the device deaf.
 */
export function deviceBinding(device: FakeDevice | null, faults?: Faults): SerialBinding {
  return {
    ...MockBinding,
    list: () => MockBinding.list(),
    async open(options: Parameters<typeof MockBinding.open>[0]) {
      const port = (await MockBinding.open(options)) as MockPortBinding;
      const write = port.write.bind(port);
      port.write = async (buffer: Buffer) => {
        await write(buffer);
        if (!device) return;
        const got = faults ? faults.toDevice(new Uint8Array(buffer)) : new Uint8Array(buffer);
        for (const reply of device.receive(got)) {
          const sent = faults ? faults.toHost(reply) : reply;
          if (sent.length) setImmediate(() => port.isOpen && port.emitData(Buffer.from(sent)));
        }
      };
      return port;
    },
  } as unknown as SerialBinding;
}
