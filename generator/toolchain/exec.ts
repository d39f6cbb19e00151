/**
 * Running external tools (compilers, make, QEMU). This folder and
 * generator/serial are the only places in tinyforge that start processes.
 * Every failure becomes a ToolchainError that says which tool, what it
 * printed (the tail), and for a missing tool which Debian/Ubuntu packages
 * provide it.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { ToolchainError } from '../../lib/errors.js';

/** Debian/Ubuntu packages that provide each tool tinyforge runs. */
export const APT_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  'arm-none-eabi-gcc': ['gcc-arm-none-eabi', 'libnewlib-arm-none-eabi'],
  'arm-none-eabi-g++': ['gcc-arm-none-eabi', 'libnewlib-arm-none-eabi', 'libstdc++-arm-none-eabi-dev'],
  'arm-none-eabi-size': ['binutils-arm-none-eabi'],
  'arm-none-eabi-nm': ['binutils-arm-none-eabi'],
  'qemu-system-arm': ['qemu-system-arm'],
  make: ['make'],
  gcc: ['gcc'],
  'g++': ['g++'],
  nm: ['binutils'],
  'arm-none-eabi-readelf': ['binutils-arm-none-eabi'],
  'arm-none-eabi-c++filt': ['binutils-arm-none-eabi'],
  'riscv64-unknown-elf-g++': ['gcc-riscv64-unknown-elf', 'picolibc-riscv64-unknown-elf'],
  'riscv64-unknown-elf-nm': ['binutils-riscv64-unknown-elf'],
  socat: ['socat'],
};

export function aptHint(packages: readonly string[]): string {
  return `install it: sudo apt-get install ${[...new Set(packages)].join(' ')} (Debian/Ubuntu)`;
}

/** Absolute path of an executable on PATH, or null. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** Fails with one error naming every missing tool and the packages that provide them. */
export function requireTools(tools: readonly string[]): void {
  const missing = tools.filter((t) => !findOnPath(t));
  if (missing.length === 0) return;
  const packages = missing.flatMap((t) => APT_PACKAGES[t] ?? [t]);
  throw new ToolchainError('tool-missing', `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed (not found on PATH)`, aptHint(packages));
}

export interface RunOptions {
  cwd?: string;
  /** Kill the process (SIGKILL) after this many ms; 0 = no limit. */
  timeoutMs?: number;
  env?: Record<string, string>;
  /** What the process is, for messages ("building the firmware"). */
  what: string;
  /** Hint for a timeout. */
  timeoutHint?: string;
  /** Error code for a timeout (default 'timeout'). */
  timeoutCode?: string;
  /** Kills the tool when aborted (the caller already knows why). */
  signal?: AbortSignal;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  ms: number;
}

/** The last `lines` lines of a tool's output, for error messages. */
export function tail(text: string, lines = 25): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? ['...', ...all.slice(-lines)] : all).join('\n');
}

/**
 * Runs a tool to completion. A missing executable or a timeout throws a
 * ToolchainError; a non-zero exit code is returned (the caller knows what it
 * means).
 */
export async function runTool(file: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const t0 = performance.now();
  const r = await execa(file, [...args], {
    cwd: opts.cwd,
    env: opts.env,
    reject: false,
    stdin: 'ignore',
    timeout: opts.timeoutMs && opts.timeoutMs > 0 ? opts.timeoutMs : undefined,
    killSignal: 'SIGKILL',
    cancelSignal: opts.signal,
    maxBuffer: 64 * 1024 * 1024,
    stripFinalNewline: false,
  });
  const ms = performance.now() - t0;
  const stdout = String(r.stdout ?? '');
  const stderr = String(r.stderr ?? '');
  if (r.timedOut) {
    const secs = ((opts.timeoutMs ?? 0) / 1000).toFixed(opts.timeoutMs && opts.timeoutMs < 10_000 ? 1 : 0);
    const out = tail(`${stdout}${stderr}`, 10);
    throw new ToolchainError(
      opts.timeoutCode ?? 'timeout',
      `${opts.what} did not finish within ${secs} s, so ${file} was killed${out ? `; its last output:\n${out}` : ' (it printed nothing)'}`,
      opts.timeoutHint ?? 'raise the time limit if the work is simply long',
    );
  }
  const code = (r as { code?: string }).code;
  if (code === 'ENOENT' || (r.failed && r.exitCode === undefined && /ENOENT/.test(String(r.message)))) {
    throw new ToolchainError('tool-missing', `${file} is not installed (not found on PATH) — needed for ${opts.what}`, aptHint(APT_PACKAGES[file] ?? [file]));
  }
  if (r.exitCode === undefined) {
    throw new ToolchainError('tool-failed', `${opts.what}: ${file} could not run: ${r.signal ? `killed by ${r.signal}` : String(r.shortMessage ?? r.message)}`, 'check that the tool works when run by hand');
  }
  return { stdout, stderr, exitCode: r.exitCode, ms };
}
