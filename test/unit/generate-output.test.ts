/**
 * `tinyforge generate` output on disk, through the built CLI (separate
 * processes) and the library:
 *  - determinism: two runs give byte-identical trees, whatever the working
 *    folder and however the model path is spelled; no file holds a local path;
 *  - every generated file opens with the banner (tool version, model SHA-256,
 *    board, the command with every flag that shapes the output);
 *  - an existing non-empty --out is refused (exit 2, the message names
 *    --force) and left untouched; --force replaces it, but never a folder
 *    that holds the working folder or the model itself;
 *  - a failure midway (an operator without a native emitter; a write failing
 *    after a few files, simulated here as ENOSPC) leaves no partial project,
 *    no temporary folder and no parent folder it created; with --force the
 *    old project survives such a failure.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../lib/load.js';
import { generateFirmware, renderFirmware } from '../../lib/generate.js';
import { writeProject } from '../../generator/output.js';
import { nativeOps } from '../../generator/native/ops/index.js';
import { supportedOps } from '../../sim/kernels/index.js';
import { writeModel, type ModelSpec } from '../../sim/parse/writer.js';
import { GenerateError } from '../../lib/errors.js';
import { VERSION } from '../../lib/version.js';
import { listGoldenCases, requireGolden } from '../golden/cases.js';

/** Simulated disk trouble: writeFile fails with ENOSPC once `after` files were written. */
const fault = vi.hoisted(() => ({ after: Infinity, written: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile: typeof real.writeFile = async (...args) => {
    if (fault.written >= fault.after) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
    fault.written++;
    return real.writeFile(...args);
  };
  return { ...real, default: { ...real, writeFile }, writeFile };
});

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'tinyforge.js');
const MODEL_REL = join('examples', 'gesture_int8.tflite');
const MODEL = join(ROOT, MODEL_REL);
const MODEL_SHA = createHash('sha256').update(readFileSync(MODEL)).digest('hex');
const BOARDS = ['nano33ble-sense-rev2', 'mps2-an386'];

function cli(args: string[], cwd = ROOT) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd });
}

/** Every file under `dir`: relative path -> bytes (sorted). */
function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** Paths, contents and modification times: what "untouched" means. */
function snapshot(dir: string): string[] {
  const rows: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      const st = statSync(p);
      rows.push(`${relative(dir, p)} ${e.isDirectory() ? 'dir' : createHash('sha256').update(readFileSync(p)).digest('hex')} ${st.mtimeMs}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return rows;
}

function expectSameTree(a: Map<string, Buffer>, b: Map<string, Buffer>): void {
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  for (const [k, v] of a) expect(b.get(k)!.equals(v), `${k} differs`).toBe(true);
}

/** Temp folders of this file, removed at the end even when a test failed midway. */
const temps: string[] = [];
const tmp = (tag: string) => {
  const d = mkdtempSync(join(tmpdir(), `tinyforge-out-${tag}-`));
  temps.push(d);
  return d;
};
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

beforeAll(() => {
  // `npm run build`: compiles dist/ when a source is newer (a no-op after `npm test`'s pretest).
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'postinstall.mjs')], { encoding: 'utf8', cwd: ROOT });
  expect(r.status, r.stderr || r.stdout).toBe(0);
}, 300_000);

describe('tinyforge generate: determinism and the banner', () => {
  for (const board of BOARDS) {
    it(`${board}: two runs (other working folder, absolute model path) give byte-identical trees`, () => {
      const a = tmp('det-a');
      const b = tmp('det-b');
      const r1 = cli(['generate', MODEL_REL, '--board', board, '--out', join(a, 'fw')]);
      expect(r1.status, r1.stderr).toBe(0);
      expect(r1.stdout).toMatch(/wrote \d+ files/);
      const r2 = cli(['generate', MODEL, '--board', board, '--out', 'fw'], b);
      expect(r2.status, r2.stderr).toBe(0);
      const t1 = readTree(join(a, 'fw'));
      const t2 = readTree(join(b, 'fw'));
      expect(t1.size).toBeGreaterThan(8);
      expectSameTree(t1, t2);
      // Nothing local leaks into the project: no checkout path, no temp folder.
      for (const [k, v] of t1) {
        const text = v.toString('utf8');
        for (const local of [ROOT.replace(/\/$/, ''), a, b, tmpdir()]) expect(text.includes(local), `${k} holds ${local}`).toBe(false);
      }
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }, 60_000);

    it(`${board}: every generated file opens with the banner (version, model SHA-256, board, command)`, () => {
      const d = tmp('banner');
      const r = cli(['generate', MODEL_REL, '--board', board, '--out', join(d, 'fw'), '--period', '250', '--name', 'gesture_fw']);
      expect(r.status, r.stderr).toBe(0);
      const tree = readTree(join(d, 'fw'));
      expect([...tree.keys()]).toContain(join('gesture_fw', 'gesture_fw.ino'));
      for (const [path, bytes] of tree) {
        const text = bytes.toString('utf8');
        const opener = /^(\/\/ |# )Generated by tinyforge /.test(text) || /^(\/\*|<!--)\nGenerated by tinyforge /.test(text);
        expect(opener, `${path} does not open with the banner:\n${text.slice(0, 200)}`).toBe(true);
        const head = text.split('\n').slice(0, 6).join('\n');
        expect(head, path).toContain(`Generated by tinyforge ${VERSION}`);
        expect(head, path).toContain(`sha256 ${MODEL_SHA}`);
        expect(head, path).toContain(`board:   ${board}`);
        expect(head, path).toContain(`command: tinyforge generate gesture_int8.tflite --board ${board} --engine native --name gesture_fw --period 250`);
      }
      rmSync(d, { recursive: true, force: true });
    }, 60_000);
  }

  it('the library renders the same files as the CLI writes, twice the same (a golden model too)', async () => {
    const d = tmp('lib');
    const r = cli(['generate', MODEL_REL, '--board', 'nano33ble-sense-rev2', '--out', join(d, 'fw')]);
    expect(r.status, r.stderr).toBe(0);
    const command = 'tinyforge generate gesture_int8.tflite --board nano33ble-sense-rev2 --engine native';
    const model = await loadModel(MODEL);
    const p1 = await renderFirmware(model, { board: 'nano33ble-sense-rev2', command });
    const p2 = await renderFirmware(await loadModel(MODEL), { board: 'nano33ble-sense-rev2', command });
    expect([...p2.files]).toEqual([...p1.files]);
    expectSameTree(new Map([...p1.files].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([k, v]) => [k, Buffer.from(v)])), readTree(join(d, 'fw')));
    rmSync(d, { recursive: true, force: true });

    const golden = requireGolden() ? listGoldenCases().find((c) => c.name === 'tiny-kws-dscnn') : undefined;
    if (golden) {
      const g1 = await renderFirmware(await loadModel(golden.modelPath), { board: 'mps2-an386' });
      const g2 = await renderFirmware(await loadModel(golden.modelPath), { board: 'mps2-an386' });
      expect([...g2.files]).toEqual([...g1.files]);
    }
  });
});

describe('tinyforge generate: never overwrites unasked, leaves nothing half-written', () => {
  it('refuses an existing non-empty --out (exit 2, names --force) and leaves it untouched', () => {
    const d = tmp('refuse');
    const out = join(d, 'fw');
    mkdirSync(join(out, 'mine'), { recursive: true });
    writeFileSync(join(out, 'notes.txt'), 'my own work\n');
    writeFileSync(join(out, 'mine', 'code.c'), 'int x;\n');
    const before = snapshot(d);
    const r = cli(['generate', MODEL_REL, '--board', 'nano33ble-sense-rev2', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--force');
    expect(r.stderr).toMatch(/not empty/);
    expect(snapshot(d)).toEqual(before);

    // An existing file as --out: refused, untouched.
    const file = join(d, 'file.txt');
    writeFileSync(file, 'x');
    const beforeFile = snapshot(d);
    const r2 = cli(['generate', MODEL_REL, '--board', 'nano33ble-sense-rev2', '--out', file]);
    expect(r2.status).toBe(2);
    expect(snapshot(d)).toEqual(beforeFile);

    // An existing empty folder is fine.
    mkdirSync(join(d, 'empty'));
    const r3 = cli(['generate', MODEL_REL, '--board', 'nano33ble-sense-rev2', '--out', join(d, 'empty')]);
    expect(r3.status, r3.stderr).toBe(0);
    expect(readdirSync(join(d, 'empty'))).toEqual(['gesture_int8']);
    rmSync(d, { recursive: true, force: true });
  }, 60_000);

  it('--force replaces the folder with exactly the new project and leaves no temporary folder', () => {
    const d = tmp('force');
    const out = join(d, 'fw');
    mkdirSync(join(out, 'old', 'deep'), { recursive: true });
    writeFileSync(join(out, 'old', 'deep', 'stale.h'), '#error stale\n');
    const r = cli(['generate', MODEL_REL, '--board', 'mps2-an386', '--out', out, '--force']);
    expect(r.status, r.stderr).toBe(0);
    const fresh = tmp('fresh');
    expect(cli(['generate', MODEL_REL, '--board', 'mps2-an386', '--out', join(fresh, 'fw')]).status).toBe(0);
    expectSameTree(readTree(join(fresh, 'fw')), readTree(out));
    expect(readdirSync(d)).toEqual(['fw']);
    rmSync(d, { recursive: true, force: true });
    rmSync(fresh, { recursive: true, force: true });
  }, 60_000);

  it('--force never deletes the folder that holds the model or the working folder', () => {
    const d = tmp('guard');
    const work = join(d, 'work');
    mkdirSync(work);
    copyFileSync(MODEL, join(work, 'm.tflite'));
    writeFileSync(join(work, 'train.py'), 'print(1)\n');
    const before = snapshot(d);
    const r1 = cli(['generate', join(work, 'm.tflite'), '--board', 'nano33ble-sense-rev2', '--out', work, '--force']);
    expect(r1.status).toBe(2);
    expect(r1.stderr).toMatch(/refusing to replace/);
    const r2 = cli(['generate', MODEL, '--board', 'nano33ble-sense-rev2', '--out', '.', '--force'], work);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/current folder/);
    const r3 = cli(['generate', MODEL, '--board', 'nano33ble-sense-rev2', '--out', d, '--force'], work);
    expect(r3.status).toBe(2);
    expect(snapshot(d)).toEqual(before);
    rmSync(d, { recursive: true, force: true });
  }, 60_000);

  it('a model with an operator the native engine lacks: exit 2, nothing created (not even the parent folders)', () => {
    const have = new Set(nativeOps());
    // A unary int8 op the simulator runs but no native emitter handles yet; a custom op (refused earlier, by the model check) when none is left.
    const op = ['NEG', 'ABS', 'ZEROS_LIKE'].find((o) => supportedOps().includes(o) && !have.has(o)) ?? 'CUSTOM:NoSuchOp';
    const spec: ModelSpec = {
      tensors: [
        { name: 'x', shape: [1, 8], dtype: 'int8', quantization: { scale: [0.1], zeroPoint: [0] } },
        { name: 'r', shape: [1, 8], dtype: 'int8', quantization: { scale: [0.1], zeroPoint: [0] } },
        { name: 'y', shape: [1, 8], dtype: 'int8', quantization: { scale: [0.1], zeroPoint: [0] } },
      ],
      operators: [
        { op: 'RELU', inputs: [0], outputs: [1] },
        { op, inputs: [1], outputs: [2] },
      ],
      inputs: [0],
      outputs: [2],
    };
    const d = tmp('noemit');
    writeFileSync(join(d, 'm.tflite'), writeModel(spec));
    const before = snapshot(d);
    const r = cli(['generate', join(d, 'm.tflite'), '--board', 'nano33ble-sense-rev2', '--out', join(d, 'a', 'b', 'fw')]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(op.replace(/^CUSTOM:/, ''));
    expect(snapshot(d)).toEqual(before);
    rmSync(d, { recursive: true, force: true });
  }, 60_000);

  it('a write failing midway (ENOSPC after 3 files) leaves no partial project, temp folder or created parent', async () => {
    const model = await loadModel(MODEL);
    const d = tmp('enospc');
    const before = snapshot(d);
    fault.written = 0;
    fault.after = 3;
    try {
      await expect(generateFirmware(model, { board: 'nano33ble-sense-rev2', outDir: join(d, 'new', 'deeper', 'fw') })).rejects.toThrow(/ENOSPC/);
      expect(fault.written).toBe(3);
      expect(snapshot(d)).toEqual(before);

      // With --force over an existing project: the old one survives intact.
      fault.after = Infinity;
      await generateFirmware(model, { board: 'nano33ble-sense-rev2', outDir: join(d, 'fw'), command: 'old' });
      writeFileSync(join(d, 'fw', 'extra.txt'), 'mine\n');
      const withOld = snapshot(d);
      fault.written = 0;
      fault.after = 5;
      await expect(generateFirmware(model, { board: 'nano33ble-sense-rev2', outDir: join(d, 'fw'), force: true, command: 'new' })).rejects.toThrow(/ENOSPC/);
      expect(snapshot(d)).toEqual(withOld);
    } finally {
      fault.after = Infinity;
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('writeProject refuses paths that leave the project, before writing anything', async () => {
    const d = tmp('escape');
    for (const bad of ['../outside.txt', 'p/../../outside.txt', '/abs/file.txt', '']) {
      const files = new Map([
        ['p/a.txt', 'a'],
        [bad, 'x'],
      ]);
      await expect(writeProject(join(d, 'fw'), files), JSON.stringify(bad)).rejects.toThrow(GenerateError);
      expect(readdirSync(d), JSON.stringify(bad)).toEqual([]);
    }
    expect(existsSync(join(tmpdir(), 'outside.txt'))).toBe(false);
    rmSync(d, { recursive: true, force: true });
  });

  it('bad --name / --period are refused before anything is written', () => {
    const d = tmp('flags');
    for (const args of [['--name', '../up'], ['--name', 'con'], ['--name', 'a b'], ['--period', 'soon'], ['--period', '0'], ['--period', '1.5']]) {
      const r = cli(['generate', MODEL_REL, '--board', 'nano33ble-sense-rev2', '--out', join(d, 'fw'), ...args]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(readdirSync(d)).toEqual([]);
    }
    rmSync(d, { recursive: true, force: true });
  }, 60_000);
});
