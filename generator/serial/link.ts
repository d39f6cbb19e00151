/**
 * SerialLink: a byte link to a board (or to QEMU's UART through a pty) over
 * @serialport/stream. Opened by path: listing ports needs udev, which CI
 * machines lack (emulation.md §6). The binding is injectable: real ports use
 * @serialport/bindings-cpp, tests use @serialport/binding-mock.
 *
 * The link only moves bytes; framing, retries and timeouts of the validation
 * protocol are in session.ts, line parsing for `monitor` in monitor.ts.
 */
import { SerialPortStream } from '@serialport/stream';
import { SerialError } from '../../lib/errors.js';

/** A @serialport binding (bindings-cpp for real ports, binding-mock in tests). */
export type SerialBinding = ConstructorParameters<typeof SerialPortStream>[0]['binding'];
type BindingInterface = SerialBinding;

/** What the protocol code needs from a link (SerialLink, or a fake in tests). */
export interface ByteLink {
  write(bytes: Uint8Array): Promise<void>;
  /** Subscribes to received bytes; returns the unsubscribe function. */
  onData(listener: (bytes: Uint8Array) => void): () => void;
  close(): Promise<void>;
}

export interface SerialLinkOptions {
  baudRate?: number;
  /** Default: @serialport/bindings-cpp's binding for this OS. */
  binding?: BindingInterface;
  /** Give up opening after this long (default 5000 ms). */
  openTimeoutMs?: number;
}

let defaultBinding: BindingInterface | null = null;
async function nativeBinding(): Promise<BindingInterface> {
  if (!defaultBinding) {
    try {
      const { autoDetect } = await import('@serialport/bindings-cpp');
      defaultBinding = autoDetect() as unknown as BindingInterface;
    } catch (e) {
      throw new SerialError('no-binding', `the native serial port binding could not be loaded: ${(e as Error).message}`, 'reinstall tinyforge (npm install) on this machine; @serialport/bindings-cpp ships prebuilt binaries for Linux, macOS and Windows');
    }
  }
  return defaultBinding;
}

export class SerialLink implements ByteLink {
  private closed = false;
  private readonly listeners = new Set<(bytes: Uint8Array) => void>();
  private lastError: Error | null = null;

  private constructor(readonly path: string, readonly baudRate: number, private readonly port: SerialPortStream) {
    port.on('data', (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (const l of this.listeners) l(bytes);
    });
    port.on('error', (e: Error) => {
      this.lastError = e;
    });
    port.on('close', () => {
      this.closed = true;
    });
  }

  /** Opens the port at `path` (e.g. /dev/ttyACM0, COM3, or a pty link). */
  static async open(path: string, opts: SerialLinkOptions = {}): Promise<SerialLink> {
    const baudRate = opts.baudRate ?? 115200;
    const binding = opts.binding ?? (await nativeBinding());
    const port = new SerialPortStream({ binding, path, baudRate, autoOpen: false });
    const timeoutMs = opts.openTimeoutMs ?? 5000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SerialError('open-timeout', `opening ${path} did not finish within ${timeoutMs} ms`, 'check that no other program (a serial monitor, the Arduino IDE) holds the port', { file: path })), timeoutMs);
      port.open((err) => {
        clearTimeout(timer);
        if (!err) return resolve();
        const msg = err.message;
        const hint = /ENOENT|not exist|No such file/i.test(msg)
          ? 'check the port name (ls /dev/tty*; on Windows COM<n>) and that the board is plugged in'
          : /EACCES|Permission/i.test(msg)
            ? 'add yourself to the dialout group (sudo usermod -aG dialout $USER, then log in again)'
            : /lock|busy/i.test(msg)
              ? 'close the other program (serial monitor, Arduino IDE) that has the port open'
              : 'check the port name and that the board is plugged in';
        reject(new SerialError('open-failed', `cannot open serial port ${path}: ${msg}`, hint, { file: path }));
      });
    });
    return new SerialLink(path, baudRate, port);
  }

  /** The underlying stream (tests reach the mock binding's port through it). */
  get stream(): SerialPortStream {
    return this.port;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.closed) throw new SerialError('port-closed', `serial port ${this.path} is closed`, 'the board was unplugged or reset; plug it in and run the command again', { file: this.path });
    await new Promise<void>((resolve, reject) => {
      this.port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (err) => {
        if (err) reject(new SerialError('write-failed', `writing to ${this.path} failed: ${err.message}`, 'the board was unplugged or reset; plug it in and run the command again', { file: this.path }));
        else resolve();
      });
    });
    await new Promise<void>((resolve) => this.port.drain(() => resolve()));
    if (this.lastError) {
      const e = this.lastError;
      this.lastError = null;
      throw new SerialError('port-error', `serial port ${this.path}: ${e.message}`, 'the board was unplugged or reset; plug it in and run the command again', { file: this.path });
    }
  }

  onData(listener: (bytes: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    if (this.closed || !this.port.isOpen) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}
