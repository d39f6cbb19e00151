/**
 * Generated firmware of the golden real models (and the example model) built
 * for the emulated board mps2-an386, measured: ELF sizes, the linker-map
 * split (weights / model code / harness) and, on request, the instructions of
 * one inference under QEMU. Shared by test/compile/native-estimate.test.ts,
 * bench/firmware.ts and scripts/fit-native.ts; builds and runs go through the
 * cache of generator/toolchain/build-cache.ts, so they are made once.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../lib/load.js';
import { renderFirmware } from '../../lib/generate.js';
import { nativeOps } from '../../generator/native/ops/index.js';
import type { GeneratedProject } from '../../generator/project.js';
import { cachedEmulationBuild, cachedEmulationRun, type CachedBuild } from '../../generator/toolchain/build-cache.js';
import { linkerMapBreakdown, type MapBreakdown } from '../../generator/toolchain/linker-map.js';
import type { Model } from '../../sim/ir/types.js';
import { goldenAvailable, listGoldenCases, readBytes, type GoldenCase } from '../golden/cases.js';

export const BOARD = 'mps2-an386';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const EXAMPLE_MODEL = join(ROOT, 'examples', 'gesture_int8.tflite');
export const EXAMPLE_INPUT = join(ROOT, 'examples', 'gesture_input.bin');

export interface FirmwareCase {
  name: string;
  modelPath: string;
  /** null for the example model (no golden data). */
  golden: GoldenCase | null;
}

/** The golden real models (TFLM examples, MLPerf Tiny) and examples/gesture_int8, example first. */
export function firmwareCases(): FirmwareCase[] {
  const golden = goldenAvailable() ? listGoldenCases().filter((c) => c.group === 'model') : [];
  return [{ name: 'examples/gesture_int8', modelPath: EXAMPLE_MODEL, golden: null }, ...golden.map((c) => ({ name: c.name, modelPath: c.modelPath, golden: c }))];
}

/** Operators of a model without a native emitter (empty when it can be generated). */
export function missingNativeOps(model: Model): string[] {
  const have = new Set(nativeOps());
  return [...new Set(model.subgraphs[0]!.operators.map((o) => o.op))].filter((op) => !have.has(op)).sort();
}

export interface FirmwareBuild {
  case: FirmwareCase;
  model: Model;
  project: GeneratedProject;
  build: CachedBuild;
  map: MapBreakdown;
  /** ELF text + data: what the firmware occupies in flash. */
  flash: number;
  /** ELF data + bss: static RAM (the stack comes on top). */
  ram: number;
}

export async function buildFirmware(c: FirmwareCase): Promise<FirmwareBuild> {
  const model = await loadModel(c.modelPath);
  const project = await renderFirmware(model, { board: BOARD, command: 'tinyforge generate --board mps2-an386' });
  const build = await cachedEmulationBuild(project);
  const map = linkerMapBreakdown(await readFile(build.map, 'utf8'));
  return { case: c, model, project, build, map, flash: build.size.text + build.size.data, ram: build.size.data + build.size.bss };
}

export interface FirmwareRun {
  /** Instructions of tf_invoke() on the first vector. */
  instructions: number;
  /** Outputs equal to TFLM's golden outputs for that vector (null for the example: no golden outputs). */
  exact: boolean | null;
  cached: boolean;
  ms: number;
}

/** Runs the first golden vector (the one TFLM's instruction figures are for), or the example input. */
export async function runFirmware(b: FirmwareBuild, timeoutMs = 60 * 60_000): Promise<FirmwareRun> {
  const g = b.case.golden;
  const inputs = g ? g.vectors[0]!.inputs.map((f) => readBytes(g.dir, f)) : [new Uint8Array(await readFile(EXAMPLE_INPUT))];
  const r = await cachedEmulationRun({
    elf: b.build.elf,
    qemu: 'qemu-system-arm',
    machine: BOARD,
    vectors: [inputs],
    outputBytes: b.project.program.outputs.map((o) => o.bytes),
    timeoutMs,
  });
  const exact = g ? g.vectors[0]!.outputs.every((f, k) => Buffer.compare(Buffer.from(readBytes(g.dir, f)), Buffer.from(r.outputs[0]![k]!)) === 0) : null;
  return { instructions: r.instructions[0]!, exact, cached: r.cached, ms: r.ms };
}
