/**
 * Emulated boards: build a generated project's emulation/ folder with make,
 * measure the ELF, and run it under QEMU on input vectors with exact
 * per-inference instruction counts.
 *
 * The host <-> firmware contract is templates/mps2/tf_emu.h. Two transports:
 *  - serial (runEmulationSerial, what `validate --emulate` uses): tf_job.txt
 *    says "serial"; QEMU's UART0 is one end of a socat pty pair and the host
 *    speaks the validation protocol on the other end through SerialLink and
 *    ValidationSession (generator/serial), the same stack as for a real board;
 *  - files (runEmulation, the fallback): the host writes tf_job.txt (vector
 *    count) and tf_in_<v>_<k>.bin, the firmware writes tf_out_<v>_<k>.bin over
 *    semihosting.
 * QEMU runs in a fresh working folder and exits with a TF_EMU_EXIT_* status;
 * the plugin writes one "region N" line per inference.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolchainError } from '../../lib/errors.js';
import { APT_PACKAGES, aptHint, requireTools, runTool, tail, type RunResult } from './exec.js';
import { insnCountPlugin } from './plugin.js';
import { openPtyPair, type PtyPair } from './pty.js';
import { SerialLink } from '../serial/link.js';
import { ValidationSession, type ExpectedFirmware, type SessionStats } from '../serial/session.js';

/** Exit statuses of the emulation main (templates/mps2/tf_emu.h). */
export const EMU_EXIT: Readonly<Record<number, string>> = {
  2: 'it could not read tf_job.txt',
  3: 'an input file was missing',
  4: 'an input file had the wrong size',
  5: 'it could not write an output file',
  6: 'tf_invoke() returned an error',
  99: 'the CPU faulted (an invalid memory access or instruction)',
};

export const ARM_TOOLS = ['make', 'arm-none-eabi-gcc', 'arm-none-eabi-g++', 'arm-none-eabi-size', 'arm-none-eabi-nm'] as const;

export interface ElfSize {
  text: number;
  data: number;
  bss: number;
}

export interface BuildOptions {
  /** Extra preprocessor defines, e.g. ['TINYFORGE_EMU_HANG']. */
  defines?: readonly string[];
  /** Optimization flag passed as OPT= (default: the Makefile's -O2). */
  opt?: string;
  timeoutMs?: number;
  jobs?: number;
}

export interface BuildResult {
  elf: string;
  size: ElfSize;
  ms: number;
}

/** Known messages of a half-installed cross toolchain -> the package that is missing. */
const MISSING_PARTS: [RegExp, string[]][] = [
  [/nano\.specs|rdimon\.specs|cannot find -l(c|g|m|rdimon|c_nano|rdimon_nano)\b|stdio\.h: No such file|stdint\.h: No such file|string\.h: No such file/, APT_PACKAGES['arm-none-eabi-gcc'] as string[]],
  [/fatal error: (cstdint|cstddef|cstring|cmath|algorithm|array|type_traits|limits|utility): No such file/, ['libstdc++-arm-none-eabi-dev']],
];

/** Builds <projectDir>/emulation with make; returns the ELF and its size. */
export async function buildEmulation(projectDir: string, opts: BuildOptions = {}): Promise<BuildResult> {
  const emuDir = join(projectDir, 'emulation');
  if (!existsSync(join(emuDir, 'Makefile'))) {
    throw new ToolchainError('no-emulation', `${projectDir} has no emulation/Makefile`, 'generate the project for a board with an emulator (e.g. --board mps2-an386)', { file: projectDir });
  }
  requireTools(ARM_TOOLS);
  const args = ['-C', emuDir, `-j${opts.jobs ?? Math.max(1, availableParallelism())}`, 'build/firmware.elf'];
  if (opts.defines?.length) args.push(`DEFS=${opts.defines.map((d) => `-D${d}`).join(' ')}`);
  if (opts.opt) args.push(`OPT=${opts.opt}`);
  const r = await runTool('make', args, {
    what: 'building the emulation firmware',
    timeoutMs: opts.timeoutMs ?? 20 * 60_000,
    timeoutHint: 'a very large model can take minutes to compile; raise the build time limit',
  });
  if (r.exitCode !== 0) {
    const out = `${r.stdout}\n${r.stderr}`;
    for (const [re, pkgs] of MISSING_PARTS) {
      if (re.test(out)) {
        throw new ToolchainError('tool-missing', `the Arm cross toolchain is incomplete:\n${tail(r.stderr || out, 12)}`, aptHint(pkgs));
      }
    }
    throw new ToolchainError('build-failed', `building the emulation firmware failed (make exited with ${r.exitCode}):\n${tail(r.stderr || out)}`, `the project is in ${projectDir}; run make -C ${emuDir} to see the whole log`, { file: emuDir });
  }
  const elf = join(emuDir, 'build', 'firmware.elf');
  return { elf, size: await elfSize(elf), ms: r.ms };
}

/** `arm-none-eabi-size` (Berkeley format): text includes read-only data and the weights. */
export async function elfSize(elf: string): Promise<ElfSize> {
  const r = await runTool('arm-none-eabi-size', [elf], { what: 'measuring the ELF', timeoutMs: 60_000 });
  const line = r.stdout.trim().split('\n')[1];
  const m = line ? /^\s*(\d+)\s+(\d+)\s+(\d+)/.exec(line) : null;
  if (r.exitCode !== 0 || !m) throw new ToolchainError('size-failed', `arm-none-eabi-size could not read ${elf}: ${tail(r.stderr || r.stdout, 5)}`, 'rebuild the firmware', { file: elf });
  return { text: Number(m[1]), data: Number(m[2]), bss: Number(m[3]) };
}

/** Addresses of global symbols in an ELF (arm-none-eabi-nm). */
export async function symbolAddresses(elf: string, names: readonly string[]): Promise<Map<string, number>> {
  const r = await runTool('arm-none-eabi-nm', ['-g', elf], { what: 'reading the ELF symbols', timeoutMs: 60_000 });
  const found = new Map<string, number>();
  for (const line of r.stdout.split('\n')) {
    const m = /^([0-9a-fA-F]+)\s+\S\s+(\S+)$/.exec(line.trim());
    if (m && names.includes(m[2]!)) found.set(m[2]!, parseInt(m[1]!, 16));
  }
  const missing = names.filter((n) => !found.has(n));
  if (missing.length) throw new ToolchainError('symbol-missing', `${elf} has no symbol ${missing.join(', ')}`, 'the emulation main defines perf_begin/perf_end; rebuild the firmware', { file: elf });
  return found;
}

export interface EmulationRequest {
  elf: string;
  /** QEMU binary and machine, from the board's `emulation` field. */
  qemu: string;
  machine: string;
  /** vectors[v][k]: raw bytes of model input k. */
  vectors: readonly (readonly Uint8Array[])[];
  /** Byte size of each model output. */
  outputBytes: readonly number[];
  /** Kill QEMU after this many ms. */
  timeoutMs: number;
  /** Count instructions (default true). */
  countInstructions?: boolean;
  /** Keep the working folder (default: removed). */
  keepWorkDir?: boolean;
}

export interface EmulationResult {
  /** outputs[v][k]: raw bytes of model output k after vector v. */
  outputs: Uint8Array[][];
  /** Instructions of each tf_invoke() (empty when not counted). */
  instructions: number[];
  /** Every instruction the guest executed (startup and file I/O included). */
  totalInstructions: number | null;
  /** What the firmware printed. */
  console: string;
  ms: number;
  workDir: string;
}

/** Runs the firmware under QEMU on the vectors; outputs and per-inference instruction counts. */
export async function runEmulation(req: EmulationRequest): Promise<EmulationResult> {
  requireTools([req.qemu, 'arm-none-eabi-nm']);
  const count = req.countInstructions ?? true;
  const work = await mkdtemp(join(tmpdir(), 'tinyforge-emu-'));
  try {
    await writeFile(join(work, 'tf_job.txt'), `${req.vectors.length}\n`);
    for (let v = 0; v < req.vectors.length; v++) {
      const inputs = req.vectors[v]!;
      for (let k = 0; k < inputs.length; k++) await writeFile(join(work, `tf_in_${v}_${k}.bin`), inputs[k]!);
    }
    const args = ['-M', req.machine, '-display', 'none', '-monitor', 'none', '-serial', 'none', '-semihosting-config', 'enable=on,target=native'];
    const countFile = join(work, 'tf_insn_count.txt');
    if (count) args.push(...(await pluginArgs(req.elf, countFile)));
    args.push('-kernel', req.elf);
    const secs = (req.timeoutMs / 1000).toFixed(req.timeoutMs < 10_000 ? 1 : 0);
    const r = await runTool(req.qemu, args, {
      cwd: work,
      what: `the firmware under ${req.qemu} -M ${req.machine}`,
      timeoutMs: req.timeoutMs,
      timeoutCode: 'emulator-timeout',
      timeoutHint: `the guest ran longer than ${secs} s: it hangs, or the model is slower than the time limit allows (raise it with --timeout)`,
    });
    const consoleText = r.stdout;
    if (r.exitCode !== 0) throw exitError(req, r);
    const outputs: Uint8Array[][] = [];
    for (let v = 0; v < req.vectors.length; v++) {
      const row: Uint8Array[] = [];
      for (let k = 0; k < req.outputBytes.length; k++) {
        const file = join(work, `tf_out_${v}_${k}.bin`);
        if (!existsSync(file)) throw new ToolchainError('emulation-output', `the firmware did not write tf_out_${v}_${k}.bin`, 'this is a bug in tinyforge; please report it');
        const bytes = new Uint8Array(await readFile(file));
        if (bytes.byteLength !== req.outputBytes[k]) throw new ToolchainError('emulation-output', `tf_out_${v}_${k}.bin has ${bytes.byteLength} bytes, expected ${req.outputBytes[k]}`, 'this is a bug in tinyforge; please report it');
        row.push(bytes);
      }
      outputs.push(row);
    }
    const { instructions, total } = count ? await readCounts(countFile, req.vectors.length) : { instructions: [], total: null };
    return { outputs, instructions, totalInstructions: total, console: consoleText, ms: r.ms, workDir: work };
  } finally {
    if (!req.keepWorkDir) await rm(work, { recursive: true, force: true });
  }
}

/** -plugin arguments that count the instructions between perf_begin() and perf_end(). */
async function pluginArgs(elf: string, countFile: string): Promise<string[]> {
  const [plugin, syms] = await Promise.all([insnCountPlugin(), symbolAddresses(elf, ['perf_begin', 'perf_end'])]);
  const hex = (n: number) => `0x${n.toString(16)}`;
  // QEMU option values escape a comma by doubling it.
  const q = (s: string) => s.replace(/,/g, ',,');
  return ['-plugin', `${q(plugin)},begin=${hex(syms.get('perf_begin')!)},end=${hex(syms.get('perf_end')!)},out=${q(countFile)}`];
}

async function readCounts(countFile: string, vectors: number): Promise<{ instructions: number[]; total: number | null }> {
  const text = existsSync(countFile) ? await readFile(countFile, 'utf8') : '';
  const instructions = [...text.matchAll(/^region (\d+)$/gm)].map((m) => Number(m[1]));
  const t = /^total (\d+)$/m.exec(text);
  if (instructions.length !== vectors) {
    throw new ToolchainError('insn-count', `the instruction-count plugin reported ${instructions.length} inference(s) for ${vectors} vector(s)`, `its output was: ${tail(text, 5) || '(empty)'}`);
  }
  return { instructions, total: t ? Number(t[1]) : null };
}

function exitError(req: { qemu: string; machine: string }, r: RunResult, extra = ''): ToolchainError {
  const why = EMU_EXIT[r.exitCode] ?? (r.exitCode === 1 && /qemu-system|plugin|Could not/i.test(r.stderr) ? 'QEMU itself failed' : `unexpected exit status ${r.exitCode}`);
  return new ToolchainError('emulation-failed', `the firmware failed under ${req.qemu} -M ${req.machine}: ${why}\n${tail(`${r.stdout}${extra}${r.stderr}`, 15)}`, r.exitCode === 99 ? 'a fault in generated code is a bug in tinyforge; please report it with the model' : 'see the output above');
}

export interface SensorEmulationRequest {
  elf: string;
  qemu: string;
  machine: string;
  /** The recording the emulated HAL replays (tf_sensor.bin): int16 LE samples, or whole camera frames. */
  stream: Uint8Array;
  timeoutMs: number;
}

export interface SensorEmulationResult {
  /** Every input tensor the firmware's front end produced, concatenated in order (tf_feat.bin). */
  inputs: Uint8Array;
  /** Output 0 after each inference, concatenated (tf_outs.bin). */
  outputs: Uint8Array;
  /** The always-on loop's results: "<index> <label> <sum> <count> <detected>" per line. */
  report: string[];
  console: string;
  ms: number;
}

/**
 * Runs a firmware generated with a sensor on the emulated board: its
 * always-on loop (tf_loop.cpp) takes the recording through the emulated HAL
 * until it is used up (tf_emu.h, job "sensor").
 */
export async function runEmulationSensor(req: SensorEmulationRequest): Promise<SensorEmulationResult> {
  requireTools([req.qemu]);
  const work = await mkdtemp(join(tmpdir(), 'tinyforge-emu-sensor-'));
  try {
    await writeFile(join(work, 'tf_job.txt'), 'sensor\n');
    await writeFile(join(work, 'tf_sensor.bin'), req.stream);
    const args = ['-M', req.machine, '-display', 'none', '-monitor', 'none', '-serial', 'none', '-semihosting-config', 'enable=on,target=native', '-kernel', req.elf];
    const r = await runTool(req.qemu, args, {
      cwd: work,
      what: `the firmware under ${req.qemu} -M ${req.machine}`,
      timeoutMs: req.timeoutMs,
      timeoutCode: 'emulator-timeout',
      timeoutHint: 'the always-on loop did not finish the recording in time: it hangs, or the recording is too long for the time limit',
    });
    if (r.exitCode !== 0) throw exitError(req, r);
    const read = async (f: string) => {
      const file = join(work, f);
      if (!existsSync(file)) throw new ToolchainError('emulation-output', `the firmware did not write ${f}`, 'this is a bug in tinyforge; please report it');
      return new Uint8Array(await readFile(file));
    };
    const report = new TextDecoder().decode(await read('tf_report.txt')).split('\n').filter((l) => l.length > 0);
    return { inputs: await read('tf_feat.bin'), outputs: await read('tf_outs.bin'), report, console: r.stdout, ms: r.ms };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export interface SerialEmulationRequest {
  elf: string;
  qemu: string;
  machine: string;
  /** vectors[v][k]: raw bytes of model input k. */
  vectors: readonly (readonly Uint8Array[])[];
  /** The model the firmware must hold (hash and tensor layout): another firmware is refused. */
  expect: ExpectedFirmware;
  /** Kill QEMU after this many ms (the whole session). */
  timeoutMs: number;
  /**
   * Wait this long for one INFER reply before resending it (default 60 s).
   * A resend is cheap: the firmware answers a repeated INFER from its cache.
   */
  inferTimeoutMs?: number;
  /** Count instructions (default true). */
  countInstructions?: boolean;
  keepWorkDir?: boolean;
}

export interface SerialEmulationResult extends EmulationResult {
  /** tf_hal_micros() around each tf_invoke() (not physical time under QEMU). */
  micros: number[];
  /** The cycle counter around each tf_invoke(): null under QEMU (DWT reads 0). */
  cycles: (number | null)[];
  stats: SessionStats;
}

/**
 * Runs the firmware under QEMU with its UART on a pty and validates over the
 * serial protocol: handshake (model hash and layout checked), then LOAD /
 * INFER / READ per vector, then QUIT and the ack byte.
 */
export async function runEmulationSerial(req: SerialEmulationRequest): Promise<SerialEmulationResult> {
  requireTools([req.qemu, 'arm-none-eabi-nm', 'socat']);
  const count = req.countInstructions ?? true;
  const work = await mkdtemp(join(tmpdir(), 'tinyforge-emu-'));
  let pty: PtyPair | null = null;
  let link: SerialLink | null = null;
  const abort = new AbortController();
  try {
    await writeFile(join(work, 'tf_job.txt'), 'serial\n');
    pty = await openPtyPair(work);
    link = await SerialLink.open(pty.host);
    const countFile = join(work, 'tf_insn_count.txt');
    const args = ['-M', req.machine, '-display', 'none', '-monitor', 'none', '-chardev', `serial,id=u0,path=${pty.fw.replace(/,/g, ',,')}`, '-serial', 'chardev:u0', '-semihosting-config', 'enable=on,target=native'];
    if (count) args.push(...(await pluginArgs(req.elf, countFile)));
    args.push('-kernel', req.elf);
    const secs = (req.timeoutMs / 1000).toFixed(req.timeoutMs < 10_000 ? 1 : 0);
    const t0 = performance.now();
    const qemuDone = runTool(req.qemu, args, {
      cwd: work,
      what: `the firmware under ${req.qemu} -M ${req.machine}`,
      timeoutMs: req.timeoutMs,
      timeoutCode: 'emulator-timeout',
      timeoutHint: `the guest ran longer than ${secs} s: it hangs, or the model is slower than the time limit allows (raise it with --timeout)`,
      signal: abort.signal,
    }).then((r) => ({ ok: true as const, r }), (e: unknown) => ({ ok: false as const, e }));

    // resyncMs outlasts the firmware's 1 s frame timeout (TF_VALIDATE_FRAME_TIMEOUT_US in the Makefile).
    const session = new ValidationSession(link, { timeoutMs: 3000, inferTimeoutMs: Math.min(req.inferTimeoutMs ?? 60_000, req.timeoutMs), resyncMs: 1100, chunkBytes: 4096, where: `the firmware under ${req.qemu} -M ${req.machine}` });
    const results: Awaited<ReturnType<ValidationSession['infer']>>[] = [];
    const l = link;
    const talk = (async () => {
      await session.handshake();
      session.check(req.expect);
      for (const v of req.vectors) results.push(await session.infer(v));
      await session.quit();
      // The ack byte the firmware waits for before it exits (resent until QEMU has exited).
      for (let i = 0; i < 20; i++) {
        await l.write(new Uint8Array([0x21])).catch(() => {});
        if (await Promise.race([qemuDone.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 500))])) break;
      }
    })().then(() => ({ ok: true as const }), (e: unknown) => ({ ok: false as const, e }));

    const first = await Promise.race([talk.then((t) => ({ from: 'session' as const, t })), qemuDone.then((q) => ({ from: 'qemu' as const, q }))]);
    if (first.from === 'session' && !first.t.ok) {
      abort.abort();
      await qemuDone;
      throw first.t.e;
    }
    const q = await qemuDone;
    if (!q.ok) throw q.e;
    if (q.r.exitCode !== 0) throw exitError(req, q.r, session.text);
    const t = await talk;
    if (!t.ok) throw t.e;
    const { instructions, total } = count ? await readCounts(countFile, req.vectors.length) : { instructions: [], total: null };
    session.dispose();
    return {
      outputs: results.map((r) => r.outputs),
      instructions,
      totalInstructions: total,
      micros: results.map((r) => r.micros),
      cycles: results.map((r) => r.cycles),
      stats: session.stats,
      console: `${session.text}${q.r.stdout}`,
      ms: performance.now() - t0,
      workDir: work,
    };
  } finally {
    abort.abort();
    await link?.close().catch(() => {});
    pty?.close();
    if (!req.keepWorkDir) await rm(work, { recursive: true, force: true });
  }
}
