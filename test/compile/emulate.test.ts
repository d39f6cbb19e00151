/**
 * Generated firmware on the emulated board (mps2-an386, Cortex-M4F under
 * qemu-system-arm): generate -> build with arm-none-eabi-gcc -> run under QEMU
 * -> every output byte equal to TFLite Micro's golden outputs for every golden
 * vector, with exact per-inference instruction counts. Covers the example
 * model and every golden real model (TFLM examples, MLPerf Tiny) whose
 * operators all have native emitters; the others are listed as skipped with
 * the missing operators. Every golden model also runs over the serial
 * protocol (QEMU's UART on a socat pty, generator/serial), which is what
 * `validate --emulate` uses. Also: `validate --emulate` end to end, firmware
 * for another model refused at the handshake, the semihosting fallback, and a
 * hung guest is killed by the time limit with a clear error.
 *
 * TINYFORGE_EMU_REPORT=<file> writes the measured instructions and ELF sizes
 * (with the golden TFLM Cortex-M4 figures beside them) as JSON.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { loadModel, parseModel } from '../../lib/load.js';
import { renderFirmware } from '../../lib/generate.js';
import { writeProject } from '../../generator/output.js';
import { ARM_TOOLS, buildEmulation, runEmulation, runEmulationSerial } from '../../generator/toolchain/emulate.js';
import { cachedEmulationBuild } from '../../generator/toolchain/build-cache.js';
import { PLUGIN_SOURCE } from '../../generator/toolchain/plugin.js';
import { nativeOps } from '../../generator/native/ops/index.js';
import { expectedFirmware, inferenceTimeoutMs, validateModel, randomInputVectors, vectorsFromFiles } from '../../lib/validate.js';
import { SerialError, ToolchainError } from '../../lib/errors.js';
import { writeModel } from '../../sim/parse/writer.js';
import { listGoldenCases, readBytes, requireGolden, type GoldenCase } from '../golden/cases.js';
import { requireToolchain } from './toolchain.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HAVE = requireToolchain([...ARM_TOOLS, 'qemu-system-arm', 'gcc', 'socat']);
const GOLDEN = HAVE && requireGolden();
const BOARD = 'mps2-an386';
const MINUTES = 60_000;

interface Row {
  case: string;
  vectors: number;
  exact: number;
  instructions: number[];
  elf: { text: number; data: number; bss: number };
  arenaBytes: number;
  buildMs: number;
  runMs: number;
  golden: Record<string, number | null>;
}
const rows: Row[] = [];

/** Real models: the TFLM examples and MLPerf Tiny, as the golden set has them. */
function realCases(): GoldenCase[] {
  return GOLDEN ? listGoldenCases().filter((c) => c.group === 'model') : [];
}

function missingOps(c: GoldenCase): string[] {
  const have = new Set(nativeOps());
  return Object.keys(c.meta.ops ?? {}).filter((op) => !have.has(op)).sort();
}

async function runGoldenCase(c: GoldenCase): Promise<void> {
  const model = await loadModel(c.modelPath);
  const project = await renderFirmware(model, { board: BOARD, command: `test/compile/emulate ${c.name}` });
  // Built through the shared cache: native-estimate.test.ts and bench:firmware read the same ELFs.
  const build = await cachedEmulationBuild(project);
  const vectors = c.vectors.map((v) => v.inputs.map((f) => readBytes(c.dir, f)));
  const run = await runEmulation({
    elf: build.elf,
    qemu: 'qemu-system-arm',
    machine: BOARD,
    vectors,
    outputBytes: project.program.outputs.map((o) => o.bytes),
    timeoutMs: 30 * MINUTES,
  });
  // The same ELF over the serial protocol (UART on a pty), as `validate --emulate` runs it.
  const serial = await runEmulationSerial({ elf: build.elf, qemu: 'qemu-system-arm', machine: BOARD, vectors, expect: expectedFirmware(model), timeoutMs: 30 * MINUTES, inferTimeoutMs: inferenceTimeoutMs(model) });
  let exact = 0;
  const bad: string[] = [];
  c.vectors.forEach((v, i) => {
    const same = v.outputs.every((f, k) => Buffer.compare(Buffer.from(readBytes(c.dir, f)), Buffer.from(run.outputs[i]![k]!)) === 0);
    const sameSerial = v.outputs.every((f, k) => Buffer.compare(Buffer.from(readBytes(c.dir, f)), Buffer.from(serial.outputs[i]![k]!)) === 0);
    if (same && sameSerial) exact++;
    else bad.push(`${v.id}${same ? '' : ' (semihosting)'}${sameSerial ? '' : ' (serial)'}`);
  });
  // Only the HAL call around tf_invoke() differs (a tail branch): the counts agree within a few instructions.
  serial.instructions.forEach((n, i) => expect(Math.abs(n - run.instructions[i]!)).toBeLessThanOrEqual(4));
  expect(serial.cycles.every((x) => x === null)).toBe(true); // DWT reads 0 under QEMU
  const g = c.meta.tflm_cortex_m4 ?? {};
  rows.push({
    case: c.name,
    vectors: c.vectors.length,
    exact,
    instructions: run.instructions,
    elf: build.size,
    arenaBytes: project.program.arenaBytes,
    buildMs: build.buildMs,
    runMs: Math.round(run.ms),
    golden: {
      instructions_reference: g.instructions_reference ?? null,
      instructions_cmsis_nn: g.instructions_cmsis_nn ?? null,
      elf_text_cmsis_nn: g.elf_text_cmsis_nn ?? null,
      elf_data_cmsis_nn: g.elf_data_cmsis_nn ?? null,
      elf_bss_cmsis_nn: g.elf_bss_cmsis_nn ?? null,
      elf_text: g.elf_text ?? null,
      model_bytes: g.model_bytes ?? null,
      arena_used_bytes_cmsis_nn: g.arena_used_bytes_cmsis_nn ?? null,
    },
  });
  expect(bad, `${c.name}: vectors whose outputs differ from TFLM's`).toEqual([]);
  expect(run.instructions).toHaveLength(c.vectors.length);
  for (const n of run.instructions) expect(n).toBeGreaterThan(0);
  // Inputs do not change the control flow of int8 kernels much: counts of one model stay within a few percent.
  const min = Math.min(...run.instructions);
  expect(Math.max(...run.instructions) / min).toBeLessThan(1.5);
}

/** A tiny model every build of tinyforge can generate: one int8 input reshaped to the output. */
function reshapeBytes(): Uint8Array {
  return writeModel({
    tensors: [
      { name: 'x', shape: [1, 4, 3], dtype: 'int8', quantization: { scale: [0.1], zeroPoint: [-5] } },
      { name: 'y', shape: [1, 12], dtype: 'int8', quantization: { scale: [0.1], zeroPoint: [-5] } },
    ],
    operators: [{ op: 'RESHAPE', inputs: [0], outputs: [1], options: { newShape: [1, 12] } }],
    inputs: [0],
    outputs: [1],
  });
}
const reshapeModel = () => parseModel(reshapeBytes(), 'reshape12.tflite');

describe.runIf(HAVE)('emulated board mps2-an386 (QEMU)', () => {
  afterAll(() => {
    if (rows.length === 0) return;
    const fmt = (n: number | null | undefined) => (n === null || n === undefined ? '-' : n.toLocaleString('en-US'));
    const lines = rows.map((r) => `${r.case.padEnd(32)} ${`${r.exact}/${r.vectors}`.padStart(5)} insns ${fmt(r.instructions[0]).padStart(14)} (TFLM ref ${fmt(r.golden.instructions_reference)}, cmsis-nn ${fmt(r.golden.instructions_cmsis_nn)})  text ${fmt(r.elf.text)} (TFLM cmsis-nn ${fmt(r.golden.elf_text_cmsis_nn)}) data ${r.elf.data} bss ${fmt(r.elf.bss)}  build ${(r.buildMs / 1000).toFixed(1)} s run ${(r.runMs / 1000).toFixed(1)} s`);
    console.log(`mps2-an386 firmware (instructions of vector 000):\n${lines.join('\n')}`);
    if (process.env.TINYFORGE_EMU_REPORT) writeFileSync(process.env.TINYFORGE_EMU_REPORT, `${JSON.stringify(rows, null, 2)}\n`);
  });

  it('the example model: validate --emulate matches the simulator on the example input and random vectors', async () => {
    const model = await loadModel(join(ROOT, 'examples', 'gesture_int8.tflite'));
    const example = await vectorsFromFiles(model, [join(ROOT, 'examples', 'gesture_input.bin')]);
    const vectors = [...example, ...randomInputVectors(model, 4), ...example];
    const { report, deviceOutputs } = await validateModel(model, { board: BOARD, emulate: true, vectors });
    expect(report.transport).toBe('serial');
    expect(report.serial!.requests).toBeGreaterThan(6 * 3);
    expect(report.metrics).toEqual([{ index: 0, exactRate: 1, maxAbsErrorQ: 0, maxAbsError: 0, rmse: 0, mae: 0, l2r: 0, cosine: expect.closeTo(1, 9) }]);
    expect(report.latency.estimateInstructions).toBeGreaterThan(0);
    expect(report.vectors.map((v) => v.exact)).toEqual([true, true, true, true, true, true]);
    expect(report.exact).toBe(6);
    expect(report.instructions).toHaveLength(6);
    for (const n of report.instructions) expect(n).toBeGreaterThan(100);
    // Exact counts: the same input gives the same count, run after run.
    expect(report.instructions[5]).toBe(report.instructions[0]);
    expect(report.elf!.text).toBeGreaterThan(report.constantBytes!);
    expect(report.arenaBytes).toBeGreaterThan(0);
    // The README's sample window is a "shake" (class 1).
    const probs = new Int8Array(deviceOutputs[0]![0]!.buffer.slice(0));
    expect(probs.indexOf(Math.max(...probs))).toBe(1);
    rows.push({ case: 'examples/gesture_int8', vectors: 6, exact: report.exact, instructions: report.instructions, elf: report.elf!, arenaBytes: report.arenaBytes, buildMs: Math.round(report.timing.buildMs), runMs: Math.round(report.timing.runMs), golden: {} });
  }, 10 * MINUTES);

  describe.runIf(GOLDEN)('golden real models: byte-equal to TFLite Micro on every vector', () => {
    for (const c of realCases()) {
      const missing = missingOps(c);
      // Every real golden model must have native kernels: a missing emitter is a failure, not a skip.
      it(c.name, () => {
        expect(missing, `no native emitter for ${missing.join(', ')}`).toEqual([]);
        return runGoldenCase(c);
      }, 45 * MINUTES);
    }
  });

  it('validate reports a differing output byte (exit 2 through the CLI) and writes the device outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyforge-validate-cli-'));
    try {
      const model = reshapeModel();
      const file = join(dir, 'reshape12.tflite');
      writeFileSync(file, reshapeBytes());
      const input = join(dir, 'in.bin');
      writeFileSync(input, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));

      // Library: a firmware built to flip one output bit is caught.
      const flipped = await validateModel(model, { board: BOARD, emulate: true, vectors: randomInputVectors(model, 2), defines: ['TINYFORGE_EMU_FLIP_OUTPUT'] });
      expect(flipped.report.exact).toBe(0);
      expect(flipped.report.vectors[0]!.outputs[0]!.differing).toBe(1);
      expect(flipped.report.vectors[0]!.outputs[0]!.firstDifference!.element).toBe(0);

      // CLI: JSON report, device outputs on disk, exit 0 when exact.
      const bin = join(ROOT, 'bin', 'tinyforge.js');
      const out = join(dir, 'out');
      const r = spawnSync(process.execPath, [bin, 'validate', file, '--board', BOARD, '--emulate', '--input', input, '--random', '2', '--json', '--out', out], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.exact).toBe(3);
      expect(report.vectors).toHaveLength(3);
      expect(report.instructions).toHaveLength(3);
      expect(report.arenaBytes).toBeGreaterThan(0);
      expect(Object.keys(report.elf)).toEqual(['text', 'data', 'bss']);
      expect([...readFileSync(join(out, 'vector-0', 'output-0.bin'))]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(readFileSync(join(out, 'vector-2', 'output-0.bin'))).toHaveLength(12);

      // CLI: a board without an emulator is a typed error (exit 2).
      const noEmu = spawnSync(process.execPath, [bin, 'validate', file, '--board', 'nano33ble-sense-rev2', '--emulate'], { encoding: 'utf8' });
      expect(noEmu.status).toBe(2);
      expect(noEmu.stderr).toContain('has no emulator');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 10 * MINUTES);

  it('the instruction-count plugin source compiles warning-free with the host gcc', async () => {
    const r = spawnSync('gcc', ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror', '-fsyntax-only', PLUGIN_SOURCE], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('serial: firmware for another model is refused with a SerialError, and QEMU is stopped', async () => {
    const model = reshapeModel();
    const project = await renderFirmware(model, { board: BOARD });
    const dir = mkdtempSync(join(tmpdir(), 'tinyforge-mismatch-'));
    try {
      await writeProject(join(dir, 'p'), project.files);
      const build = await buildEmulation(join(dir, 'p', project.name));
      const other = await loadModel(join(ROOT, 'examples', 'gesture_int8.tflite'));
      const t0 = performance.now();
      const err = await runEmulationSerial({ elf: build.elf, qemu: 'qemu-system-arm', machine: BOARD, vectors: randomInputVectors(other, 1).map((v) => v.inputs), expect: expectedFirmware(other), timeoutMs: 60_000 }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(SerialError);
      expect((err as SerialError).code).toBe('model-mismatch');
      expect((err as SerialError).message).toContain(other.sha256.slice(0, 16));
      expect((err as SerialError).message).toContain(model.sha256.slice(0, 16));
      expect(performance.now() - t0).toBeLessThan(20_000);

      // The semihosting fallback still runs the same firmware; the CLI selects it with --semihosting.
      const file = join(dir, 'reshape12.tflite');
      writeFileSync(file, reshapeBytes());
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'tinyforge.js'), 'validate', file, '--board', BOARD, '--emulate', '--semihosting', '--random', '2'], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('semihosting files');
      expect(r.stdout).toMatch(/2\/2 vectors byte-exact/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 5 * MINUTES);

  it('a hung guest is killed at the time limit with a clear ToolchainError', async () => {
    const model = reshapeModel();
    const project = await renderFirmware(model, { board: BOARD });
    const dir = mkdtempSync(join(tmpdir(), 'tinyforge-hang-'));
    try {
      await writeProject(join(dir, 'p'), project.files);
      const build = await buildEmulation(join(dir, 'p', project.name), { defines: ['TINYFORGE_EMU_HANG'] });
      const t0 = performance.now();
      const err = await runEmulation({ elf: build.elf, qemu: 'qemu-system-arm', machine: BOARD, vectors: randomInputVectors(model, 1).map((v) => v.inputs), outputBytes: [12], timeoutMs: 2000 }).then(
        () => null,
        (e: unknown) => e,
      );
      const ms = performance.now() - t0;
      expect(err).toBeInstanceOf(ToolchainError);
      expect((err as ToolchainError).code).toBe('emulator-timeout');
      expect((err as ToolchainError).message).toMatch(/did not finish within 2\.0 s, so qemu-system-arm was killed/);
      expect((err as ToolchainError).hint).toMatch(/--timeout/);
      expect(ms).toBeLessThan(10_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 5 * MINUTES);
});
