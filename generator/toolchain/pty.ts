/**
 * A linked pty pair from socat (emulation.md §6): QEMU's UART opens one end
 * (`-chardev serial,path=<fw>`), the host's SerialLink the other. The links
 * have fixed names in a folder, so nothing has to be parsed from socat's output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ToolchainError } from '../../lib/errors.js';
import { requireTools } from './exec.js';

export interface PtyPair {
  /** The firmware's end (QEMU). */
  fw: string;
  /** The host's end (SerialLink). */
  host: string;
  close(): void;
}

export async function openPtyPair(dir: string, timeoutMs = 5000): Promise<PtyPair> {
  requireTools(['socat']);
  const fw = join(dir, 'tty-fw');
  const host = join(dir, 'tty-host');
  const proc: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${fw}`, `pty,raw,echo=0,link=${host}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited: number | null = null;
  proc.on('exit', (code) => (exited = code ?? -1));
  proc.on('error', () => (exited = -1));
  const close = () => {
    if (exited === null) proc.kill('SIGTERM');
  };
  const t0 = performance.now();
  while (!(existsSync(fw) && existsSync(host))) {
    if (exited !== null || performance.now() - t0 > timeoutMs) {
      close();
      throw new ToolchainError('pty-failed', `socat did not create the pty pair in ${dir}${stderr ? `: ${stderr.trim()}` : ''}`, 'check that socat works: socat pty,raw,echo=0,link=/tmp/a pty,raw,echo=0,link=/tmp/b');
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return { fw, host, close };
}
