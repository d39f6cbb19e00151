/**
 * Library entry for `validate`: generate the firmware for a board, run it on
 * input vectors, and compare every output byte with the simulator (which is
 * bit-exact with TFLite Micro's reference kernels).
 *
 * Today the firmware runs under the board's emulator (`emulate: true`, boards
 * with an `emulation` field such as mps2-an386): the project is generated into
 * a temporary folder, built with the board's cross compiler, run under QEMU
 * with exact per-inference instruction counts. Validation on real boards over
 * the serial link (templates/arduino/tinyforge_validate.h) comes next.
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
import { buildEmulation, runEmulation, type ElfSize } from '../generator/toolchain/emulate.js';
import { decodeInputFile } from './tensor-files.js';
import { randomVectors } from './random-vectors.js';

export interface InputVector {
  /** Where it came from, for reports: file names or "random <prefix>/<id>". */
  label: string;
  /** Raw bytes of each model input, in model-input order. */
  inputs: Uint8Array[];
}

export interface ValidateRequest {
  board: string | ResolvedBoard;
  /** Run under the board's emulator (the only mode so far). */
  emulate: boolean;
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
  outputs: OutputComparison[];
}

export interface ValidateReport {
  model: { path: string | null; sha256: string };
  board: string;
  mode: 'emulate';
  machine: string;
  vectors: VectorResult[];
  /** Vectors whose every output byte equals the simulator's. */
  exact: number;
  total: number;
  /** Per-inference instructions, in vector order. */
  instructions: number[];
  arenaBytes: number;
  constantBytes: number;
  elf: ElfSize;
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

export async function validateModel(model: Model, req: ValidateRequest): Promise<ValidateResult> {
  const board = typeof req.board === 'string' ? resolveBoard(req.board) : req.board;
  if (!req.emulate) {
    throw new UsageError('needs-emulate', 'validation on a real board over the serial link is not available yet', `run it on the emulator: --board mps2-an386 --emulate`);
  }
  if (!board.emulation) {
    throw new BoardError('no-emulator', `board ${board.id} has no emulator`, 'use --board mps2-an386 with --emulate (its firmware runs under QEMU)', { board: board.id });
  }
  if (req.vectors.length === 0) throw new UsageError('no-vectors', 'no input vectors to validate with', 'pass --input FILE[,FILE...] (one per vector) and/or --random N');

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

  const t1 = performance.now();
  const project = await renderFirmware(model, { board, command: req.command ?? 'tinyforge validate --emulate' });
  const root = await mkdtemp(join(tmpdir(), 'tinyforge-validate-'));
  let keep = req.keep ?? false;
  try {
    await writeProject(join(root, 'project'), project.files);
    const projectDir = join(root, 'project', project.name);
    const generateMs = performance.now() - t1;
    const build = await buildEmulation(projectDir, { defines: req.defines }).catch((e) => {
      keep = true; // the build log names files in it
      throw e;
    });
    const run = await runEmulation({
      elf: build.elf,
      qemu: board.emulation.qemu,
      machine: board.emulation.machine,
      vectors: req.vectors.map((v) => v.inputs),
      outputBytes: project.program.outputs.map((o) => o.bytes),
      timeoutMs: req.timeoutMs ?? defaultTimeoutMs(model, req.vectors.length),
    });
    const vectors: VectorResult[] = req.vectors.map((v, i) => {
      const outputs = expected[i]!.map((e, k) => compare(e, run.outputs[i]![k]!, k));
      return { index: i, label: v.label, exact: outputs.every((o) => o.differing === 0 && o.bytes === run.outputs[i]![o.index]!.byteLength), instructions: run.instructions[i] ?? null, outputs };
    });
    const report: ValidateReport = {
      model: { path: model.source, sha256: model.sha256 },
      board: board.id,
      mode: 'emulate',
      machine: board.emulation.machine,
      vectors,
      exact: vectors.filter((v) => v.exact).length,
      total: vectors.length,
      instructions: run.instructions,
      arenaBytes: project.program.arenaBytes,
      constantBytes: project.program.constantBytes,
      elf: build.size,
      timing: { generateMs, buildMs: build.ms, runMs: run.ms, simulateMs },
      projectDir: keep ? projectDir : null,
    };
    return { report, deviceOutputs: run.outputs };
  } finally {
    if (!keep) await rm(root, { recursive: true, force: true });
  }
}
