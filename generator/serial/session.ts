/**
 * The host side of a validation session (protocol v2, specified in
 * templates/arduino/tinyforge_validate.h) over any ByteLink.
 *
 * Reliability, in order of defence:
 *  - every reply is CRC-checked (FrameReader) and must carry the seq of the
 *    request it answers and the expected type; anything else is ignored;
 *  - a request whose reply is missing (timeout), damaged (a bad frame was
 *    seen) or refused as damaged (ERROR crc / length) is resent with the
 *    same seq after the link has been quiet for `resyncMs`, long enough for
 *    the firmware to drop a partial frame (TF_VALIDATE_FRAME_TIMEOUT_US);
 *    the firmware answers a repeated INFER from its cache, so a retry never
 *    runs the model twice;
 *  - inputs go in LOAD chunks and INFER carries their CRC-32: the firmware
 *    refuses to run on inputs that differ (then the host loads them again);
 *  - outputs come back in READ chunks whose offsets are checked, and the
 *    assembled bytes must match INFER_OK's length and CRC-32.
 * So a result is either the device's exact output or a SerialError.
 */
import { SerialError } from '../../lib/errors.js';
import {
  crc32, encodeFrame, ERR, FRAME, FRAME_ERRORS, FRAME_NAMES, FrameReader, inferPayload, joinBytes, loadPayload,
  parseError, parseHello, parseInferReply, parseLoadReply, parseReadReply, PROTOCOL_VERSION, readPayload, splitBytes,
  type Frame, type Hello, type TensorLayout,
} from '../../lib/validate-protocol.js';
import type { ByteLink } from './link.js';

export interface SessionOptions {
  /** Wait this long for a reply (plus the transfer time at `baudRate`); default 1000 ms. */
  timeoutMs?: number;
  /** Extra wait for an INFER reply (the inference itself); default 10 000 ms. */
  inferTimeoutMs?: number;
  /** Attempts per request, first one included; default 6. */
  attempts?: number;
  /** Quiet time before a request is resent; default 150 ms. */
  resyncMs?: number;
  /** Largest LOAD / READ chunk; default 1024 (capped by the firmware's). */
  chunkBytes?: number;
  /** Line speed, for transfer-time allowances (default 115200; ptys are faster). */
  baudRate?: number;
  /** Where the session is (error messages). */
  where?: string;
}

export interface SessionStats {
  requests: number;
  /** Requests resent after a timeout, a damaged reply or a NAK. */
  retries: number;
  timeouts: number;
  /** Damaged frames seen (bad CRC, impossible length). */
  badFrames: number;
  /** ERROR crc / length replies (the firmware saw a damaged request). */
  naks: number;
  /** INFERs refused because the inputs on the device differed. */
  reloads: number;
}

export interface InferResult {
  outputs: Uint8Array[];
  micros: number;
  /** null when the firmware has no cycle counter or it reads 0 (QEMU). */
  cycles: number | null;
}

/** What the host expects the firmware to hold (from the model). */
export interface ExpectedFirmware {
  sha256: string;
  inputs: readonly TensorLayout[];
  outputs: readonly TensorLayout[];
}

type Outcome = { kind: 'reply'; frame: Frame } | { kind: 'retry'; why: string } | { kind: 'input-crc' };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const DTYPES = ['int8', 'uint8', 'int16', 'int32', 'float32'];
const describe = (t: TensorLayout) => `${DTYPES[t.dtype] ?? `dtype ${t.dtype}`}[${t.shape.join('x')}] ${t.bytes} B scale ${t.scale} zp ${t.zeroPoint}`;

export class ValidationSession {
  readonly stats: SessionStats = { requests: 0, retries: 0, timeouts: 0, badFrames: 0, naks: 0, reloads: 0 };
  private readonly reader = new FrameReader(1 << 20);
  private frames: Frame[] = [];
  private wake: (() => void) | null = null;
  private lastByteAt = 0;
  private seq = 0;
  private hello: Hello | null = null;
  private readonly unsubscribe: () => void;
  private readonly o: Required<Omit<SessionOptions, 'where'>> & { where: string };

  constructor(private readonly link: ByteLink, opts: SessionOptions = {}) {
    this.o = {
      timeoutMs: opts.timeoutMs ?? 1000,
      inferTimeoutMs: opts.inferTimeoutMs ?? 10_000,
      attempts: Math.max(1, opts.attempts ?? 6),
      resyncMs: opts.resyncMs ?? 150,
      chunkBytes: opts.chunkBytes ?? 1024,
      baudRate: opts.baudRate ?? 115200,
      where: opts.where ?? 'the device',
    };
    this.unsubscribe = link.onData((bytes) => {
      this.lastByteAt = performance.now();
      const before = this.reader.badFrames;
      this.frames.push(...this.reader.push(bytes));
      this.stats.badFrames += this.reader.badFrames - before;
      if (this.reader.badFrames !== before) this.frames.push({ type: -1, seq: -1, payload: new Uint8Array(0) });
      this.wake?.();
    });
  }

  /** Text the device printed outside frames (boot messages, the always-on loop). */
  get text(): string {
    return this.reader.text;
  }

  dispose(): void {
    this.unsubscribe();
  }

  private transferMs(bytes: number): number {
    return Math.ceil(((bytes * 10) / this.o.baudRate) * 1000);
  }

  private async waitFrame(deadline: number): Promise<Frame | null> {
    for (;;) {
      const f = this.frames.shift();
      if (f) return f;
      const left = deadline - performance.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.wake = null;
          resolve();
        }, left);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        };
      });
    }
  }

  /** Waits until nothing has arrived for resyncMs, then forgets what did. */
  private async resync(): Promise<void> {
    const start = performance.now();
    this.lastByteAt = Math.max(this.lastByteAt, start);
    while (performance.now() - this.lastByteAt < this.o.resyncMs && performance.now() - start < 20 * this.o.resyncMs) {
      await sleep(Math.max(1, this.o.resyncMs - (performance.now() - this.lastByteAt)));
    }
    this.frames = [];
    this.reader.reset();
  }

  private fail(code: string, message: string, hint: string): never {
    throw new SerialError(code, message, hint);
  }

  /** One request with retries; returns the matching reply frame. */
  private async request(type: number, payload: Uint8Array, expect: number, extraMs: number, replyBytes: number): Promise<Outcome & { kind: 'reply' | 'input-crc' }> {
    const seq = this.seq;
    this.seq = (this.seq + 1) & 0xff;
    this.stats.requests++;
    const frame = encodeFrame(type, seq, payload);
    const name = FRAME_NAMES[type] ?? `0x${type.toString(16)}`;
    const why: string[] = [];
    for (let attempt = 1; attempt <= this.o.attempts; attempt++) {
      if (attempt > 1) {
        this.stats.retries++;
        await this.resync();
      }
      this.frames = [];
      this.reader.reset();
      await this.link.write(frame);
      const deadline = performance.now() + this.o.timeoutMs + extraMs + this.transferMs(frame.length + replyBytes + 16);
      const outcome = await this.await(seq, expect, deadline, name);
      if (outcome.kind !== 'retry') return outcome;
      why.push(outcome.why);
    }
    const silent = why.every((w) => w === 'no reply');
    return this.fail(
      silent ? 'no-reply' : 'link-unreliable',
      `${this.o.where} did not answer ${name} correctly after ${this.o.attempts} attempts (${summarize(why)})`,
      silent
        ? 'check the port and baud rate, that the board runs firmware generated by `tinyforge generate` for this model (validation is built in), and press its reset button'
        : 'the serial link is losing or corrupting bytes: use a shorter or better USB cable, a lower baud rate, or a smaller --chunk',
    );
  }

  private async await(seq: number, expect: number, deadline: number, name: string): Promise<Outcome> {
    for (;;) {
      const f = await this.waitFrame(deadline);
      if (!f) {
        this.stats.timeouts++;
        return { kind: 'retry', why: 'no reply' };
      }
      if (f.type === -1) return { kind: 'retry', why: 'damaged reply' };
      if (f.type === FRAME.ERROR) {
        const e = parseError(f.payload);
        // The firmware saw a damaged frame: its seq may be damaged too, so any such NAK means "resend".
        if (e.code === ERR.CRC || e.code === ERR.LENGTH) {
          this.stats.naks++;
          return { kind: 'retry', why: `device: ${FRAME_ERRORS[e.code]}` };
        }
        if (f.seq !== seq) continue;
        if (e.code === ERR.INPUT_CRC) return { kind: 'input-crc' };
        this.fail('device-error', `${this.o.where} refused ${name}: ${FRAME_ERRORS[e.code] ?? `error ${e.code}`}`, e.code === ERR.INVOKE ? 'tf_invoke() failed on the device: this is a bug in tinyforge; please report it with the model' : 'the firmware and this tinyforge speak different protocol versions: regenerate and flash the firmware with this tinyforge');
      }
      if (f.seq !== seq) continue; // a stale reply to an earlier request
      if (f.type !== expect) continue;
      return { kind: 'reply', frame: f };
    }
  }

  private async reply(type: number, payload: Uint8Array, expect: number, extraMs = 0, replyBytes = 0): Promise<Frame> {
    const r = await this.request(type, payload, expect, extraMs, replyBytes);
    if (r.kind !== 'reply') this.fail('protocol', `${this.o.where} answered ${FRAME_NAMES[type]} with an unexpected error`, 'regenerate and flash the firmware with this tinyforge');
    return r.frame;
  }

  private parse<T>(what: string, f: () => T): T {
    try {
      return f();
    } catch (e) {
      return this.fail('bad-reply', `${this.o.where} sent a malformed ${what}: ${(e as Error).message}`, 'the firmware and this tinyforge speak different protocol versions: regenerate and flash the firmware with this tinyforge');
    }
  }

  /** HELLO: the firmware's model hash and tensor layout. */
  async handshake(): Promise<Hello> {
    const f = await this.reply(FRAME.HELLO, new Uint8Array(0), FRAME.HELLO_OK, 0, 4096);
    const hello = this.parse('HELLO_OK', () => parseHello(f.payload));
    if (hello.version !== PROTOCOL_VERSION) {
      this.fail('protocol-version', `${this.o.where} speaks validation protocol version ${hello.version}, this tinyforge speaks ${PROTOCOL_VERSION}`, 'regenerate the firmware with this tinyforge (tinyforge generate) and flash it');
    }
    if (hello.maxChunk < 1) this.fail('bad-reply', `${this.o.where} announced a chunk size of ${hello.maxChunk}`, 'regenerate and flash the firmware');
    this.hello = hello;
    return hello;
  }

  /** Refuses a firmware built from another model, or whose tensors differ from the model's. */
  check(expected: ExpectedFirmware): void {
    const h = this.hello;
    if (!h) this.fail('no-handshake', 'check() before handshake()', 'this is a bug in tinyforge; please report it');
    if (h.sha256 !== expected.sha256) {
      this.fail('model-mismatch', `${this.o.where} runs firmware for another model: expected model sha256 ${expected.sha256.slice(0, 16)}…, the firmware has ${h.sha256.slice(0, 16)}…`, 'generate the firmware for this model (tinyforge generate MODEL --board ID), flash it, and run validate again');
    }
    for (const [kind, want, got] of [['input', expected.inputs, h.inputs], ['output', expected.outputs, h.outputs]] as const) {
      if (want.length !== got.length) this.fail('layout-mismatch', `${this.o.where}: the firmware has ${got.length} ${kind}(s), the model ${want.length}`, 'regenerate and flash the firmware for this model');
      want.forEach((w, k) => {
        const g = got[k]!;
        const same = w.dtype === g.dtype && w.bytes === g.bytes && w.elements === g.elements && w.zeroPoint === g.zeroPoint && Math.fround(w.scale) === g.scale && w.shape.join(',') === g.shape.join(',');
        if (!same) this.fail('layout-mismatch', `${this.o.where}: ${kind} ${k} is ${describe(g)} on the firmware, expected ${describe(w)}`, 'regenerate and flash the firmware for this model');
      });
    }
  }

  private chunk(): number {
    return Math.max(1, Math.min(this.o.chunkBytes, this.hello?.maxChunk ?? this.o.chunkBytes));
  }

  /** Loads the inputs, runs one inference, reads the outputs back (all verified). */
  async infer(inputs: readonly Uint8Array[], keepState = false): Promise<InferResult> {
    const h = this.hello;
    if (!h) this.fail('no-handshake', 'infer() before handshake()', 'this is a bug in tinyforge; please report it');
    const sizes = h.inputs.map((t) => t.bytes);
    if (inputs.length !== sizes.length || inputs.some((b, k) => b.length !== sizes[k])) {
      this.fail('bad-inputs', `inputs of ${inputs.map((b) => b.length).join(', ')} bytes for a firmware that takes ${sizes.join(', ')}`, 'pass one raw tensor per model input');
    }
    const all = joinBytes(inputs);
    const inputCrc = crc32(all);
    const chunk = this.chunk();
    let reply: ReturnType<typeof parseInferReply> | null = null;
    for (let round = 0; round < this.o.attempts && !reply; round++) {
      if (round > 0) this.stats.reloads++;
      for (let o = 0; o < all.length; o += chunk) {
        const data = all.subarray(o, Math.min(all.length, o + chunk));
        const f = await this.reply(FRAME.LOAD, loadPayload(o, data), FRAME.LOAD_OK);
        const r = this.parse('LOAD_OK', () => parseLoadReply(f.payload));
        if (r.offset !== o || r.length !== data.length) this.fail('bad-reply', `${this.o.where} stored ${r.length} bytes at ${r.offset}, expected ${data.length} at ${o}`, 'regenerate and flash the firmware with this tinyforge');
      }
      const r = await this.request(FRAME.INFER, inferPayload(inputCrc, keepState), FRAME.INFER_OK, this.o.inferTimeoutMs, 16);
      if (r.kind === 'reply') reply = this.parse('INFER_OK', () => parseInferReply(r.frame.payload));
    }
    if (!reply) this.fail('link-unreliable', `${this.o.where} never received the inputs intact (${this.o.attempts} tries)`, 'the serial link is corrupting bytes: use a better USB cable or a lower baud rate');
    const outSizes = h.outputs.map((t) => t.bytes);
    const total = outSizes.reduce((a, b) => a + b, 0);
    if (reply.outputBytes !== total) this.fail('bad-reply', `${this.o.where} reports ${reply.outputBytes} output bytes, the model has ${total}`, 'regenerate and flash the firmware for this model');
    const out = new Uint8Array(total);
    for (let o = 0; o < total; o += chunk) {
      const n = Math.min(chunk, total - o);
      const f = await this.reply(FRAME.READ, readPayload(o, n), FRAME.READ_OK, 0, n);
      const r = this.parse('READ_OK', () => parseReadReply(f.payload));
      if (r.offset !== o || r.data.length !== n) this.fail('bad-reply', `${this.o.where} sent ${r.data.length} bytes at ${r.offset}, asked for ${n} at ${o}`, 'regenerate and flash the firmware with this tinyforge');
      out.set(r.data, o);
    }
    if (crc32(out) !== reply.outputCrc) {
      // Each chunk was intact, so the outputs changed between INFER and READ: never accept that.
      this.fail('output-crc', `the outputs read back from ${this.o.where} do not match the CRC it reported after the inference`, 'the firmware is not in validation mode only (is something else running the model?); reset the board and run again');
    }
    return { outputs: splitBytes(out, outSizes), micros: reply.micros, cycles: reply.cycles === 0 ? null : reply.cycles };
  }

  /** QUIT: tells the firmware the session is over (the emulation main exits after it). */
  async quit(): Promise<void> {
    await this.reply(FRAME.QUIT, new Uint8Array(0), FRAME.QUIT_OK);
  }
}

function summarize(why: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const w of why) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts].map(([w, n]) => (n > 1 ? `${w} ×${n}` : w)).join(', ');
}


