/**
 * `analyze`: the report (lib/analyze.ts) on the example model and, when
 * ../shared/golden is there, on real ones; the HTML report's escaping and
 * structure (lib/report-html.ts); the CLI's output and exit codes, run as a
 * user runs it (`node bin/tinyforge.js analyze ...`, after the build).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeExitCode, analyzeModel, type AnalyzeReport } from '../../lib/analyze.js';
import { renderReportHtml } from '../../lib/report-html.js';
import { UsageError } from '../../lib/errors.js';
import { loadModel, parseModel } from '../../lib/load.js';
import { estimate } from '../../sim/estimate/index.js';
import { tflmArena } from '../../sim/estimate/tflm_arena.js';
import { nativeMemoryPlan } from '../../sim/estimate/memory.js';
import { GOLDEN_DIR, requireGolden } from '../golden/cases.js';
import { EXAMPLE, HOSTILE_OP, HOSTILE_TENSOR, ROOT, hostileCustomOpModel, hostileNameModel, tightBoard, writeTemp } from '../fixtures/analyze-models.js';

const BOARD = 'nano33ble-sense-rev2';

/** No two buffers that are live during the same operator share bytes; all lie inside the arena. */
function expectSoundTimeline(r: AnalyzeReport): void {
  const t = r.timeline;
  const n = t.operators.length;
  for (const b of t.buffers) {
    expect(b.size).toBeGreaterThan(0);
    expect(b.offset).toBeGreaterThanOrEqual(0);
    expect(b.offset + b.size).toBeLessThanOrEqual(t.planBytes);
    expect(b.firstOp).toBeGreaterThanOrEqual(0);
    expect(b.lastOp).toBeGreaterThanOrEqual(b.firstOp);
    expect(b.lastOp).toBeLessThan(Math.max(1, n));
  }
  for (const reg of t.reserved) expect(reg.offset + reg.size).toBeLessThanOrEqual(t.arenaBytes);
  expect(t.planBytes).toBeLessThanOrEqual(t.arenaBytes);
  const bs = t.buffers;
  for (let i = 0; i < bs.length; i++) {
    for (let j = i + 1; j < bs.length; j++) {
      const a = bs[i]!;
      const b = bs[j]!;
      const time = a.firstOp <= b.lastOp && b.firstOp <= a.lastOp;
      const mem = a.offset < b.offset + b.size && b.offset < a.offset + a.size;
      // TFLM's lifetimes are per allocation scope: two buffers can meet in one operator only across the input scope.
      if (r.engine === 'native') expect(time && mem, `buffers ${i} and ${j} overlap`).toBe(false);
    }
  }
}

describe('analyzeModel on the example model', () => {
  it('native: the estimate, the planner timeline, fit and exit code 0', async () => {
    const model = await loadModel(EXAMPLE);
    const r = await analyzeModel(model, BOARD, { rateHz: 10, batteryMah: 500 });
    const est = estimate(model, BOARD, { engine: 'native', rateHz: 10, batteryMah: 500 });
    expect(r.engine).toBe('native');
    expect(r.board.id).toBe(BOARD);
    expect(r.tool).toEqual({ name: 'tinyforge', version: expect.any(String) });
    expect(r.model).toMatchObject({ path: EXAMPLE, sha256: model.sha256, operators: 5 });
    for (const k of ['arenaBytes', 'ramBytes', 'flashBytes', 'latencyMs', 'energyUj'] as const) expect(r[k]).toBe(est[k]);
    expect(r.fits).toBe(true);
    expect(r.supported).toBe(true);
    expect(r.problems).toEqual([]);
    expect(analyzeExitCode(r)).toBe(0);
    expect(r.layers.map((l) => l.op)).toEqual(['CONV_2D', 'MAX_POOL_2D', 'RESHAPE', 'FULLY_CONNECTED', 'SOFTMAX']);
    expect(r.layers[0]).toMatchObject({ index: 0, macs: 7680, params: 128 });
    expect(r.power).toEqual(est.power);
    expect(r.power!.batteryDays).toBeGreaterThan(0);
    expect(r.rateHz).toBe(10);
    expect(r.batteryMah).toBe(500);
    // Limits: the toolchain's (maxTextBytes / maxDataBytes); the arena gets what the rest of RAM leaves.
    expect(r.board.limits).toEqual({ flashBytes: 983040, ramBytes: 262144, arenaBytes: 262144 - (r.ramBytes - r.arenaBytes) });
    expect(r.usage.ram).toBeCloseTo(r.ramBytes / 262144, 12);

    // The timeline is the native planner's plan, whose size is the reported arena.
    const plan = nativeMemoryPlan(model);
    expect(r.timeline.arenaBytes).toBe(r.arenaBytes);
    expect(r.timeline.planBytes).toBe(plan.arenaBytes);
    expect(r.timeline.lowerBound).toBe(plan.lowerBound);
    expect(r.timeline.buffers).toHaveLength(plan.buffers.length);
    expect(r.timeline.reserved).toEqual([]);
    const conv = r.timeline.buffers.find((b) => b.tensors.some((t) => t.index === 3))!;
    expect(conv).toMatchObject({ tensors: [{ index: 3, name: 'conv/Relu' }], size: 512, firstOp: 0, lastOp: 1 });
    expectSoundTimeline(r);
  });

  it('tflm: kTensorArenaSize from the AllocateTensors() replay, its plan and persistent tail', async () => {
    const model = await loadModel(EXAMPLE);
    const r = await analyzeModel(model, BOARD, { engine: 'tflm' });
    const replay = tflmArena(model, { abi: 'arm32', kernels: 'cmsis-nn' });
    expect(r.arenaBytes).toBe(replay.recommendedArenaBytes);
    expect(r.timeline.arenaBytes).toBe(r.arenaBytes);
    expect(r.timeline.planBytes).toBe(replay.planBytes);
    expect(r.timeline.buffers).toHaveLength(replay.buffers.length);
    expect(r.timeline.reserved).toEqual([{ label: expect.stringContaining('persistent'), offset: r.arenaBytes - replay.persistentBytes, size: replay.persistentBytes }]);
    expect(r.timeline.buffers.filter((b) => b.scratchOfOp !== null)).toEqual([expect.objectContaining({ scratchOfOp: 0, tensors: [], firstOp: 0, lastOp: 0 })]);
    // The graph input (replay scope 0..1) is live during operator 0 only.
    expect(r.timeline.buffers.find((b) => b.tensors[0]?.index === 0)).toMatchObject({ firstOp: 0, lastOp: 0 });
    expect(r.power).toBeUndefined();
    expect(r.rateHz).toBeNull();
    expectSoundTimeline(r);
  });

  it('does not fit a board with too little RAM: which memory, by how much, what to try; exit code 2', async () => {
    const model = await loadModel(EXAMPLE);
    const native = await analyzeModel(model, BOARD);
    const board = tightBoard(native.ramBytes + 64);
    expect(analyzeExitCode(await analyzeModel(model, board))).toBe(0);
    const r = await analyzeModel(model, board, { engine: 'tflm' });
    expect(r.fits).toBe(false);
    expect(analyzeExitCode(r)).toBe(2);
    expect(r.fitProblems).toHaveLength(1);
    const p = r.fitProblems[0]!;
    expect(p).toMatchObject({ memory: 'ram', limitBytes: native.ramBytes + 64, neededBytes: r.ramBytes, overBytes: r.ramBytes - native.ramBytes - 64 });
    expect(p.hint).toMatch(/engine 'native'/);
    expect(r.usage.ram).toBeGreaterThan(1);
  });

  it('an unsupported model still gets memory figures and a timeline, with its problems', async () => {
    const r = await analyzeModel(parseModel(hostileCustomOpModel()), BOARD, { engine: 'tflm' });
    expect(r.supported).toBe(false);
    expect(r.problems.map((p) => p.code)).toEqual(['custom-op']);
    expect(r.arenaBytes).toBeGreaterThan(0);
    expect(r.flashBytes).toBeGreaterThan(0);
    expect(r.timeline.buffers.length).toBeGreaterThan(0);
    expect(analyzeExitCode(r)).toBe(2);
  });

  it('rejects bad options with a UsageError that says what to pass', async () => {
    const model = await loadModel(EXAMPLE);
    await expect(analyzeModel(model, BOARD, { engine: 'tvm' as never })).rejects.toThrow(UsageError);
    await expect(analyzeModel(model, BOARD, { engine: 'tvm' as never })).rejects.toThrow(/expected engine 'native' or 'tflm', got "tvm"/);
    await expect(analyzeModel(model, BOARD, { rateHz: -1 })).rejects.toThrow(/--rate/);
    await expect(analyzeModel(model, BOARD, { rateHz: Number.NaN })).rejects.toThrow(UsageError);
    await expect(analyzeModel(model, BOARD, { batteryMah: 500 })).rejects.toThrow(/--battery was given without --rate/);
  });
});

const haveGolden = requireGolden();
describe.skipIf(!haveGolden)('analyzeModel on golden models (../shared/golden)', () => {
  it('tflm-person_detect: kTensorArenaSize equals the measured Cortex-M4 CMSIS-NN minimum arena', async () => {
    const dir = join(GOLDEN_DIR, 'tflm-person_detect');
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    const r = await analyzeModel(await loadModel(join(dir, 'model.tflite')), BOARD, { engine: 'tflm' });
    expect(r.board.kernels).toBe('cmsis-nn');
    expect(r.arenaBytes).toBe(meta.tflm_cortex_m4.min_arena_bytes_cmsis_nn);
    expect(r.layers).toHaveLength(meta.op_sequence.length);
    expect(r.layers.map((l) => l.op)).toEqual(meta.op_sequence);
    expect(r.fits).toBe(true);
    expect(analyzeExitCode(r)).toBe(0);
    expectSoundTimeline(r);
    const native = await analyzeModel(await loadModel(join(dir, 'model.tflite')), BOARD);
    expectSoundTimeline(native);
    expect(native.arenaBytes).toBeLessThan(r.arenaBytes);
  });

  it('tflm-mobilenet_v2_pytorch does not fit a Nano 33 BLE: flash and RAM, each with a way out', async () => {
    const r = await analyzeModel(await loadModel(join(GOLDEN_DIR, 'tflm-mobilenet_v2_pytorch', 'model.tflite')), BOARD, { engine: 'tflm' });
    expect(r.fits).toBe(false);
    expect(r.fitProblems.map((p) => p.memory)).toEqual(['flash', 'ram']);
    for (const p of r.fitProblems) {
      expect(p.overBytes).toBe(p.neededBytes - p.limitBytes);
      expect(p.hint).toMatch(/a board with more memory|smaller/);
    }
    expect(analyzeExitCode(r)).toBe(2);
  });

  it('a float model is unsupported but still estimated', async () => {
    const r = await analyzeModel(await loadModel(join(GOLDEN_DIR, 'rejected', 'float-hello_world_float', 'model.tflite')), BOARD);
    expect(r.problems.map((p) => p.code)).toContain('float-model');
    expect(r.arenaBytes).toBeGreaterThan(0);
    expect(analyzeExitCode(r)).toBe(2);
  });
});

describe('renderReportHtml', () => {
  it('escapes model-supplied names everywhere (tooltips, labels, tables, problems)', async () => {
    const r = await analyzeModel(parseModel(hostileCustomOpModel(), '<b>"model".tflite'), BOARD, { engine: 'native' });
    const html = renderReportHtml(r);
    // Nothing the model supplied becomes markup.
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<svg onload/i);
    expect(html).not.toMatch(/<b>/);
    expect(html).not.toContain('\u0001');
    expect(html).toContain('&lt;/title&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;y&#39;&gt;&amp;amp;\ufffd');
    expect(html).toContain(`CUSTOM:${HOSTILE_OP.replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')}`);
    expect(html).toContain('&lt;b&gt;&quot;model&quot;.tflite');
    // The only <script>-free, URL-free page: a CSP forbids both.
    expect(html).toContain(`default-src 'none'`);
    expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?(?:https?:|\/\/)/i);
    expect(html).not.toMatch(/url\((?!#)/);
  });

  it('has one timeline rectangle per planned buffer and is deterministic', async () => {
    const model = parseModel(hostileNameModel(), 'hostile.tflite');
    for (const engine of ['native', 'tflm'] as const) {
      const r = await analyzeModel(model, BOARD, { engine, rateHz: 2, batteryMah: 300 });
      const html = renderReportHtml(r);
      expect(html.match(/<rect class="buf"/g)).toHaveLength(r.timeline.buffers.length);
      expect(html).toContain(`<svg id="timeline"`);
      expect(html).toContain(`<svg id="memory-bars"`);
      expect(html.match(/<tr><td class="num">\d+<\/td><td class="op">/g)).toHaveLength(r.layers.length);
      expect(html).toContain(r.model.sha256);
      expect(html).toContain(`tinyforge ${r.tool.version}`);
      expect(renderReportHtml(structuredClone(r))).toBe(html);
      // Every id is unique.
      const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});

// ---- the CLI, as a user runs it ----

const BIN = join(ROOT, 'bin', 'tinyforge.js');

function tinyforge(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tinyforge analyze (CLI)', () => {
  beforeAll(() => {
    // `npm test` builds first (pretest); the build script skips itself when dist/ is current.
    const b = spawnSync(process.execPath, [join(ROOT, 'scripts', 'postinstall.mjs')], { cwd: ROOT, encoding: 'utf8' });
    expect(b.status, b.stderr + b.stdout).toBe(0);
  });

  it('prints totals, layers and a verdict; exit 0 when it fits', () => {
    const r = tinyforge('analyze', EXAMPLE, '--board', BOARD, '--rate', '10', '--battery', '500');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/arena +720 B of .* free for it/); // the generator's plan: 16-byte alignment, conv scratch
    expect(r.stdout).toMatch(/RAM +[\d.]+ KiB of 256\.0 KiB \(\d+%\)/);
    expect(r.stdout).toMatch(/flash +\d+\.\d KiB of 960\.0 KiB/);
    expect(r.stdout).toMatch(/latency +[\d.]+ ms per inference/);
    expect(r.stdout).toMatch(/energy +[\d.]+ µJ per inference/);
    expect(r.stdout).toMatch(/at 10 Hz: duty cycle [\d.]+%, average [\d.]+ mW, battery 500 mAh lasts [\d.]+ days/);
    expect(r.stdout).toMatch(/#\s+op\s+MACs\s+params\s+act\. bytes\s+est\. cycles\s+ms/);
    expect(r.stdout).toMatch(/0\s+CONV_2D\s+7\.7 k\s+128\s+704/);
    expect(r.stdout).toContain(`✓ fits ${BOARD}`);
  });

  it('--json prints the report; --html writes the page', () => {
    const html = writeTemp('x.html', '');
    const r = tinyforge('analyze', EXAMPLE, '--board', BOARD, '--engine', 'tflm', '--json', '--html', html);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const k of ['board', 'engine', 'arenaBytes', 'ramBytes', 'flashBytes', 'latencyMs', 'energyUj', 'fits', 'layers', 'timeline', 'problems']) expect(j).toHaveProperty(k);
    expect(j.engine).toBe('tflm');
    expect(j.timeline.buffers.length).toBeGreaterThan(0);
    const page = readFileSync(html, 'utf8');
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).toContain(j.model.sha256);
  });

  it('exit 2 with the JSON still printed when it does not fit, and a warning naming memory, amount and what to try', async () => {
    const native = await analyzeModel(await loadModel(EXAMPLE), BOARD);
    const board = tightBoard(native.ramBytes + 64);
    const j = tinyforge('analyze', EXAMPLE, '--board', board, '--engine', 'tflm', '--json');
    expect(j.status).toBe(2);
    expect(JSON.parse(j.stdout)).toMatchObject({ fits: false, fitProblems: [{ memory: 'ram' }] });
    const t = tinyforge('analyze', EXAMPLE, '--board', board, '--engine', 'tflm');
    expect(t.status).toBe(2);
    expect(t.stdout).toContain('✗ does not fit tight-board:');
    expect(t.stdout).toMatch(/RAM: needs [\d.]+ KiB .* tight-board allows [\d.]+ KiB: [\d.]+ KiB over/);
    expect(t.stdout).toMatch(/- try engine 'native'/);
  });

  it('exit 2 for an unsupported model, problems listed, names made safe for the terminal', () => {
    const model = writeTemp('custom.tflite', hostileCustomOpModel());
    const html = writeTemp('custom.html', '');
    const r = tinyforge('analyze', model, '--board', BOARD, '--html', html);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('problem [custom-op]');
    expect(r.stdout).toMatch(/arena +\d+ B of/);
    expect(readFileSync(html, 'utf8')).toContain('&lt;script&gt;');
    expect(readFileSync(html, 'utf8')).not.toContain(HOSTILE_TENSOR);
  });

  it.each([
    [['--board', 'no-such-board'], /unknown board "no-such-board"/],
    [[], /analyze needs a board/],
    [['--board', BOARD, '--engine', 'tvm'], /expected engine 'native' or 'tflm', got "tvm"/],
    [['--board', BOARD, '--rate', 'fast'], /expected --rate HZ to be a positive number, got "fast"/],
    [['--board', BOARD, '--battery', '500'], /--battery was given without --rate/],
  ])('bad flags %j: exit 2 with what to do', (flags, message) => {
    const r = tinyforge('analyze', EXAMPLE, ...(flags as string[]));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr).toMatch(/hint: /);
  });

  it('an --html path that cannot be written: exit 2', () => {
    // Its "folder" is the model file itself.
    const r = tinyforge('analyze', EXAMPLE, '--board', BOARD, '--html', join(EXAMPLE, 'r.html'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot write the HTML report to .*r\.html: (ENOTDIR|EEXIST)/);
  });

  it('--html creates the report\'s folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-html-'));
    const file = join(dir, 'new', 'deeper', 'r.html');
    const r = tinyforge('analyze', EXAMPLE, '--board', BOARD, '--html', file);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/<svg/);
  });

  it('a missing model file: exit 2', () => {
    const r = tinyforge('analyze', join(ROOT, 'nope.tflite'), '--board', BOARD);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/model file not found/);
    expect(existsSync(join(ROOT, 'nope.tflite'))).toBe(false);
  });
});
