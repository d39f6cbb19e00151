/**
 * Library entry for `validate`: run the firmware on input vectors and compare
 * every output byte with the simulator (which is bit-exact with TFLite
 * Micro's reference kernels), with X-CUBE-AI's accuracy metrics
 * (lib/validate-metrics.ts) and the measured latency beside the estimate.
 *
 * Two places to run:
 *  - `emulate: true` (boards with an `emulation` field such as mps2-an386):
 *    the project is generated into a temporary folder, built with the board's
 *    cross compiler and run under QEMU with exact per-inference instruction
 *    counts. By default the host talks to it over the serial validation
 *    protocol (QEMU's UART on a pty, generator/serial), exactly as to a real
 *    board; `transport: 'semihosting'` is the file-based fallback.
 *  - `port`: a real board already flashed with the firmware `tinyforge
 *    generate` made for this model; the handshake refuses any other firmware.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model } from '../sim/ir/types.js';
import { Simulator, arrayFor } from '../sim/interpreter.js';
import type { TypedArray } from '../sim/kernels/types.js';
import { modelCounts } from '../sim/estimate/counts.js';
import { resolveBoard, type ResolvedBoard } from './boards.js';
import { BoardError, UsageError } from './errors.js';
import { renderFirmware } from './generate.js';
import { writeProject } from '../generator/output.js';
import { buildEmulation, runEmulation, runEmulationSerial, type ElfSize } from '../generator/toolchain/emulate.js';
import { SerialLink, type SerialBinding } from '../generator/serial/link.js';
import { ValidationSession, type ExpectedFirmware, type SessionOptions, type SessionStats } from '../generator/serial/session.js';
import type { TensorLayout } from './validate-protocol.js';
import { median, outputMetrics, type OutputMetrics } from './validate-metrics.js';
import { estimate } from '../sim/estimate/index.js';
import type { Model as IrModel } from '../sim/ir/types.js';
import { decodeInputFile } from './tensor-files.js';
import { randomVectors } from './random-vectors.js';

export interface InputVector {
  /** Where it came from, for reports: file names or "random <prefix>/<id>". */
  label: string;
  /** Raw bytes of each model input, in model-input order. */
  inputs: Uint8Array[];
}

export type Transport = 'serial' | 'semihosting';

export interface ValidateRequest {
  board: string | ResolvedBoard;
  /** Run under the board's emulator. */
  emulate: boolean;
  /** With emulate: talk over the serial protocol (default) or semihosting files (fallback). */
  transport?: Transport;
  /** A real board's serial port (flashed with this model's firmware). */
  port?: string;
  baudRate?: number;
  /** The @serialport binding for `port` (tests: binding-mock; default: the native one). */
  binding?: SerialBinding;
  /** Serial session tuning for `port` (tests). */
  session?: SessionOptions;
  vectors: readonly InputVector[];
  /** Kill the emulator after this long; default from the model's MACs. */
  timeoutMs?: number;
  /** Keep the generated project folder (its path is in the report). */
  keep?: boolean;
  /** Extra preprocessor defines for the firmware (tests). */
  defines?: readonly string[];
  command?: string;
}

export interface OutputComparison {
  index: number;
  bytes: number;
  /** Elements that differ from the simulator (0 = byte-identical). */
  differing: number;
  firstDifference: { element: number; expected: number; got: number } | null;
}

export interface VectorResult {
  index: number;
  label: string;
  exact: boolean;
  /** Instructions of this inference (tf_invoke) on the emulator. */
  instructions: number | null;
  /** tf_invoke() time the firmware measured (serial protocol; not physical under QEMU). */
  micros: number | null;
  /** DWT cycles of tf_invoke() (null without a cycle counter, and under QEMU). */
  cycles: number | null;
  outputs: OutputComparison[];
}

export interface LatencyReport {
  /** Median measured tf_invoke() time, µs (null under semihosting). */
  measuredUs: number | null;
  /** Whether measuredUs is wall-clock time on hardware (false under QEMU). */
  physical: boolean;
  /** Median DWT cycles (null when the board has no counter, and under QEMU). */
  cycles: number | null;
  /** Median instructions (emulator only). */
  instructions: number | null;
  /** sim/estimate's figures for this board (null if the estimate failed). */
  estimateUs: number | null;
  estimateCycles: number | null;
  estimateInstructions: number | null;
}

export interface ValidateReport {
  model: { path: string | null; sha256: string };
  board: string;
  mode: 'emulate' | 'port';
  transport: Transport;
  /** QEMU machine (emulate) or null. */
  machine: string | null;
  /** Serial port (port mode) or null. */
  port: string | null;
  vectors: VectorResult[];
  /** Vectors whose every output byte equals the simulator's. */
  exact: number;
  total: number;
  /** Share of vectors whose every output is byte-exact. */
  exactRate: number;
  /** X-CUBE-AI style accuracy per output, over all vectors. */
  metrics: OutputMetrics[];
  latency: LatencyReport;
  /** Per-inference instructions, in vector order (emulator). */
  instructions: number[];
  arenaBytes: number;
  constantBytes: number | null;
  /** null in port mode (the firmware was built elsewhere). */
  elf: ElfSize | null;
  /** Link statistics of the serial protocol (null under semihosting). */
  serial: SessionStats | null;
  timing: { generateMs: number; buildMs: number; runMs: number; simulateMs: number };
  /** The generated project, when kept. */
  projectDir: string | null;
}

export interface ValidateResult {
  report: ValidateReport;
  /** deviceOutputs[v][k]: raw bytes the firmware produced. */
  deviceOutputs: Uint8Array[][];
}

const bytesOf = (a: TypedArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Default emulator time limit: generous for the slowest plain kernels (about 100 instructions per MAC at 100 M/s). */
export function defaultTimeoutMs(model: Model, vectors: number): number {
  const macs = modelCounts(model).macs;
  return Math.round(60_000 + vectors * (5_000 + (macs * 100) / 1e5));
}

/** One inference's allowance under the emulator (the per-vector part of defaultTimeoutMs). */
export function inferenceTimeoutMs(model: Model): number {
  return Math.round(5_000 + (modelCounts(model).macs * 100) / 1e5);
}

/** Vectors from files: each spec is one vector, "a.bin" or "a.bin,b.bin" (one file per model input). */
export async function vectorsFromFiles(model: Model, specs: readonly string[]): Promise<InputVector[]> {
  const sim = new Simulator(model);
  const out: InputVector[] = [];
  for (const spec of specs) {
    const files = spec.split(',').filter(Boolean);
    if (files.length !== sim.inputs.length) {
      throw new UsageError('input-count', `--input ${spec}: the model has ${sim.inputs.length} input(s), got ${files.length} file(s)`, 'pass one --input per vector, with one file per model input separated by commas, in model-input order');
    }
    const inputs: Uint8Array[] = [];
    for (let k = 0; k < files.length; k++) {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(files[k]!));
      } catch {
        throw new UsageError('cannot-read', `cannot read input file ${files[k]}`, 'check the path', { file: files[k] });
      }
      const arr = decodeInputFile(files[k]!, bytes, sim.inputs[k]!);
      inputs.push(bytesOf(arr).slice());
    }
    out.push({ label: files.join(','), inputs });
  }
  return out;
}

/** `count` seeded random vectors (lib/random-vectors.ts), labelled by their seed. */
export function randomInputVectors(model: Model, count: number, prefix = 'tinyforge-validate'): InputVector[] {
  return randomVectors(model, prefix, count).map((inputs, v) => ({ label: `random ${prefix}/${String(v).padStart(3, '0')}`, inputs }));
}

function compare(expected: TypedArray, got: Uint8Array, index: number): OutputComparison {
  const want = bytesOf(expected);
  const bytes = want.byteLength;
  if (got.byteLength !== bytes) return { index, bytes, differing: expected.length, firstDifference: null };
  const copy = got.slice();
  const gotArr = arrayFor(dtypeOf(expected), copy.buffer, 0, copy.byteLength);
  let differing = 0;
  let first: OutputComparison['firstDifference'] = null;
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] !== gotArr[i]) {
      if (!first) first = { element: i, expected: Number(expected[i]), got: Number(gotArr[i]) };
      differing++;
    }
  }
  return { index, bytes, differing, firstDifference: first };
}

function dtypeOf(a: TypedArray): Parameters<typeof arrayFor>[0] {
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof BigInt64Array) return 'int64';
  return 'uint64';
}

const DTYPE_CODES: Readonly<Record<string, number>> = { int8: 0, uint8: 1, int16: 2, int32: 3, float32: 4 };

/** What the firmware generated from `model` announces in its handshake. */
export function expectedFirmware(model: IrModel): ExpectedFirmware {
  const sg = model.subgraphs[0]!;
  const layout = (ti: number): TensorLayout => {
    const t = sg.tensors[ti]!;
    return { dtype: DTYPE_CODES[t.dtype] ?? 0, shape: [...t.shape], bytes: t.bytes, elements: t.elements, scale: Math.fround(t.quantization?.scale[0] ?? 0), zeroPoint: t.quantization?.zeroPoint[0] ?? 0 };
  };
  return { sha256: model.sha256, inputs: sg.inputs.map(layout), outputs: sg.outputs.map(layout) };
}

function latencyEstimate(model: Model, board: ResolvedBoard): { us: number; cycles: number; instructions: number } | null {
  try {
    const e = estimate(model, board, { engine: 'native' });
    return { us: e.latencyMs * 1000, cycles: e.totals.cycles, instructions: e.totals.instructions };
  } catch {
    return null;
  }
}

interface DeviceRun {
  outputs: Uint8Array[][];
  instructions: number[];
  micros: (number | null)[];
  cycles: (number | null)[];
  serial: SessionStats | null;
  ms: number;
}

export async function validateModel(model: Model, req: ValidateRequest): Promise<ValidateResult> {
  const board = typeof req.board === 'string' ? resolveBoard(req.board) : req.board;
  if (req.emulate && req.port) throw new UsageError('bad-flag', '--emulate and --port exclude each other', 'use --emulate for the QEMU board, --port for a real board');
  if (!req.emulate && !req.port) {
    throw new UsageError('needs-target', 'validate needs a place to run the firmware', `pass --port <path> for a board flashed with this model's firmware (tinyforge generate), or --emulate for an emulated board (--board mps2-an386)`);
  }
  if (req.emulate && !board.emulation) {
    throw new BoardError('no-emulator', `board ${board.id} has no emulator`, 'use --board mps2-an386 with --emulate (its firmware runs under QEMU), or --port with the real board', { board: board.id });
  }
  if (req.vectors.length === 0) throw new UsageError('no-vectors', 'no input vectors to validate with', 'pass --input FILE[,FILE...] (one per vector) and/or --random N');
  const transport: Transport = req.port ? 'serial' : req.transport ?? 'serial';

  // The reference: the simulator, one fresh run per vector.
  const t0 = performance.now();
  const sim = new Simulator(model);
  for (const v of req.vectors) {
    if (v.inputs.length !== sim.inputs.length) throw new UsageError('input-count', `vector ${v.label} has ${v.inputs.length} input(s), the model has ${sim.inputs.length}`, 'one input per model input');
    v.inputs.forEach((b, k) => {
      if (b.byteLength !== sim.inputs[k]!.bytes) throw new UsageError('bad-input-file', `vector ${v.label}: input ${k} has ${b.byteLength} bytes, the model needs ${sim.inputs[k]!.bytes}`, 'give the tensor\'s raw bytes');
    });
  }
  const expected: TypedArray[][] = req.vectors.map((v) => {
    sim.reset();
    const inputs = v.inputs.map((b, k) => {
      const copy = b.slice();
      return arrayFor(sim.inputs[k]!.dtype, copy.buffer, 0, copy.byteLength);
    });
    return sim.run(inputs);
  });
  const simulateMs = performance.now() - t0;
  const want = expectedFirmware(model);
  const timeoutMs = req.timeoutMs ?? defaultTimeoutMs(model, req.vectors.length);

  let run: DeviceRun;
  let generateMs = 0;
  let buildMs = 0;
  let elf: ElfSize | null = null;
  let arenaBytes = 0;
  let constantBytes: number | null = null;
  let projectDir: string | null = null;
  let root: string | null = null;
  let keep = req.keep ?? false;
  try {
    if (req.port) {
      // One INFER reply may take 20x the estimate (at least 2 s) before it is asked for again.
      const est = latencyEstimate(model, board);
      run = await runOnPort(req.port, req, want, Math.min(timeoutMs, Math.max(2000, est ? (est.us / 1000) * 20 : 60_000)));
    } else {
      const t1 = performance.now();
      const project = await renderFirmware(model, { board, command: req.command ?? 'tinyforge validate --emulate' });
      root = await mkdtemp(join(tmpdir(), 'tinyforge-validate-'));
      await writeProject(join(root, 'project'), project.files);
      projectDir = join(root, 'project', project.name);
      generateMs = performance.now() - t1;
      arenaBytes = project.program.arenaBytes;
      constantBytes = project.program.constantBytes;
      const build = await buildEmulation(projectDir, { defines: req.defines }).catch((e) => {
        keep = true; // the build log names files in it
        throw e;
      });
      buildMs = build.ms;
      elf = build.size;
      const emu = board.emulation!;
      const vectors = req.vectors.map((v) => v.inputs);
      if (transport === 'serial') {
        const r = await runEmulationSerial({ elf: build.elf, qemu: emu.qemu, machine: emu.machine, vectors, expect: want, timeoutMs, inferTimeoutMs: inferenceTimeoutMs(model) });
        run = { outputs: r.outputs, instructions: r.instructions, micros: r.micros, cycles: r.cycles, serial: r.stats, ms: r.ms };
      } else {
        const r = await runEmulation({ elf: build.elf, qemu: emu.qemu, machine: emu.machine, vectors, outputBytes: project.program.outputs.map((o) => o.bytes), timeoutMs });
        run = { outputs: r.outputs, instructions: r.instructions, micros: vectors.map(() => null), cycles: vectors.map(() => null), serial: null, ms: r.ms };
      }
    }
  } finally {
    if (root && !keep) await rm(root, { recursive: true, force: true });
  }

  const vectors: VectorResult[] = req.vectors.map((v, i) => {
    const outputs = expected[i]!.map((e, k) => compare(e, run.outputs[i]![k]!, k));
    return { index: i, label: v.label, exact: outputs.every((o) => o.differing === 0 && o.bytes === run.outputs[i]![o.index]!.byteLength), instructions: run.instructions[i] ?? null, micros: run.micros[i] ?? null, cycles: run.cycles[i] ?? null, outputs };
  });
  const sg = model.subgraphs[0]!;
  const metrics = sg.outputs.map((ti, k) => {
    const t = sg.tensors[ti]!;
    const ref = expected.map((row) => row[k]!);
    const got = run.outputs.map((row, v) => {
      const bytes = row[k]!.slice();
      const e = expected[v]![k]!;
      return bytes.byteLength === e.byteLength ? arrayFor(dtypeOf(e), bytes.buffer, 0, bytes.byteLength) : arrayFor(dtypeOf(e), new ArrayBuffer(0), 0, 0);
    });
    return outputMetrics(k, ref, got, t.quantization ? { scale: t.quantization.scale[0]!, zeroPoint: t.quantization.zeroPoint[0]! } : null);
  });
  const est = latencyEstimate(model, board);
  const nums = (xs: readonly (number | null)[]) => xs.filter((x): x is number => x !== null);
  const exact = vectors.filter((v) => v.exact).length;
  const report: ValidateReport = {
    model: { path: model.source, sha256: model.sha256 },
    board: board.id,
    mode: req.port ? 'port' : 'emulate',
    transport,
    machine: req.port ? null : board.emulation!.machine,
    port: req.port ?? null,
    vectors,
    exact,
    total: vectors.length,
    exactRate: vectors.length ? exact / vectors.length : 0,
    metrics,
    latency: {
      measuredUs: median(nums(run.micros)),
      physical: !!req.port,
      cycles: median(nums(run.cycles)),
      instructions: median(run.instructions),
      estimateUs: est ? Math.round(est.us * 10) / 10 : null,
      estimateCycles: est ? Math.round(est.cycles) : null,
      estimateInstructions: est ? Math.round(est.instructions) : null,
    },
    instructions: run.instructions,
    arenaBytes,
    constantBytes,
    elf,
    serial: run.serial,
    timing: { generateMs, buildMs, runMs: run.ms, simulateMs },
    projectDir: keep ? projectDir : null,
  };
  return { report, deviceOutputs: run.outputs };
}

/** A real board: open the port, check the firmware, run every vector. */
async function runOnPort(port: string, req: ValidateRequest, want: ExpectedFirmware, inferTimeoutMs: number): Promise<DeviceRun> {
  const t0 = performance.now();
  const link = await SerialLink.open(port, { baudRate: req.baudRate ?? 115200, binding: req.binding });
  const session = new ValidationSession(link, { baudRate: req.baudRate ?? 115200, inferTimeoutMs, where: `the board on ${port}`, ...req.session });
  try {
    const hello = await session.handshake();
    session.check(want);
    const outputs: Uint8Array[][] = [];
    const micros: number[] = [];
    const cycles: (number | null)[] = [];
    for (const v of req.vectors) {
      const r = await session.infer(v.inputs);
      outputs.push(r.outputs);
      micros.push(r.micros);
      cycles.push(hello.hasCycleCounter ? r.cycles : null);
    }
    await session.quit();
    return { outputs, instructions: [], micros, cycles, serial: { ...session.stats }, ms: performance.now() - t0 };
  } finally {
    session.dispose();
    await link.close();
  }
}
