/**
 * Every golden model parses and `inspect --json` lists its operators in
 * execution order exactly as TFLM's meta.json has them; every model the
 * project must refuse exits 2 naming the reason and the fix.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { listGoldenCases, requireGolden } from './cases.js';
import { loadModel } from '../../lib/load.js';
import { inspectModel } from '../../lib/inspect.js';

const BIN = fileURLToPath(new URL('../../bin/tinyforge.js', import.meta.url));
const have = requireGolden();
const cases = have ? listGoldenCases() : [];

describe.runIf(have)('inspect on every golden model', () => {
  it('finds the golden set', () => {
    expect(cases.length).toBeGreaterThanOrEqual(233);
  });
  it('op sequence equals meta.json for every model (library)', async () => {
    for (const c of cases) {
      const model = await loadModel(c.modelPath);
      const report = await inspectModel(model);
      expect(report.operators.map((o) => o.op), c.name).toEqual(c.meta.op_sequence);
      expect(report.operators.map((o) => o.index)).toEqual(report.operators.map((_, i) => i));
      expect(report.model.sha256, c.name).toBe(c.meta.model_sha256);
      for (const [i, io] of (c.meta.inputs ?? []).entries()) {
        expect(report.inputs[i]!.index, c.name).toBe(io.index);
        expect(report.inputs[i]!.shape, c.name).toEqual(io.shape);
        expect(report.inputs[i]!.dtype, c.name).toBe(io.dtype);
      }
    }
  });
  it('CLI --json on the real models: exit 0 or 2, operators as meta.json', () => {
    for (const c of cases.filter((x) => x.group === 'model')) {
      const r = spawnSync(process.execPath, [BIN, 'inspect', '--json', c.modelPath], { encoding: 'utf8', maxBuffer: 64 << 20 });
      expect([0, 2], `${c.name}: ${r.stderr}`).toContain(r.status);
      const json = JSON.parse(r.stdout);
      expect(json.operators.map((o: { op: string }) => o.op), c.name).toEqual(c.meta.op_sequence);
      expect(r.status === 0, c.name).toBe(json.problems.length === 0);
    }
  });
  it('refuses every must_reject model with the reason and the fix', () => {
    const rejected = cases.filter((c) => c.group === 'rejected');
    expect(rejected.length).toBe(3);
    const reasons: Record<string, RegExp> = {
      'custom-person_detect_vela': /custom op "ethos-u"/,
      'float-hello_world_float': /float32 model/,
      'hybrid-kws_ref_model_float32': /hybrid/,
    };
    for (const c of rejected) {
      const r = spawnSync(process.execPath, [BIN, 'inspect', '--json', c.modelPath], { encoding: 'utf8' });
      expect(r.status, c.name).toBe(2);
      const json = JSON.parse(r.stdout);
      const text = json.problems.map((p: { message: string; hint?: string }) => `${p.message} ${p.hint ?? ''}`).join('\n');
      expect(text, c.name).toMatch(reasons[c.meta.case]!);
      expect(json.problems.every((p: { hint?: string }) => (p.hint ?? '').length > 20), c.name).toBe(true);
      const plain = spawnSync(process.execPath, [BIN, 'inspect', c.modelPath], { encoding: 'utf8' });
      expect(plain.status).toBe(2);
      expect(plain.stdout).toMatch(/hint:/);
    }
  });
  it('person_detect inspects cold in well under a second', () => {
    const c = cases.find((x) => x.meta.case === 'tflm-person_detect')!;
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [BIN, 'inspect', '--json', c.modelPath], { stdio: ['ignore', 'ignore', 'ignore'] });
    const ms = performance.now() - t0;
    expect([0, 2]).toContain(r.status);
    expect(ms).toBeLessThan(800);
  });
});
