/**
 * `tinyforge simulate` end to end through the built CLI: input formats,
 * --out, --json, --dump, --expect (names the first differing operator) and
 * --repeat timing, plus typed errors for bad inputs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../lib/load.js';
import { Simulator } from '../../sim/interpreter.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'tinyforge.js');
const MODEL = join(ROOT, 'examples', 'gesture_int8.tflite');
const INPUT = join(ROOT, 'examples', 'gesture_input.bin');

function cli(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });
}

let expected: Int8Array;
beforeAll(async () => {
  const sim = new Simulator(await loadModel(MODEL));
  expected = sim.run([new Int8Array(new Uint8Array(readFileSync(INPUT)).buffer)])[0] as Int8Array;
});

function npy(descr: string, shape: number[], data: ArrayBufferView): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

describe('tinyforge simulate', () => {
  it('runs a .bin input and writes --out files identical to the library', () => {
    const out = mkdtempSync(join(tmpdir(), 'tf-sim-'));
    const r = cli('simulate', MODEL, '--input', INPUT, '--out', out, '--json');
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.outputs[0].values).toEqual(Array.from(expected));
    expect(json.outputs[0].dequantized[0]).toBeCloseTo(0.00390625 * (expected[0]! + 128), 6);
    expect(new Int8Array(new Uint8Array(readFileSync(join(out, "output-0.bin"))).buffer)).toEqual(expected);
  });

  it('accepts .npy (int8 as is, float32 quantized) and .json inputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-sim-'));
    const raw = new Int8Array(new Uint8Array(readFileSync(INPUT)).buffer);
    const sim = new Simulator(await loadModel(MODEL));
    const t = sim.inputs[0]!;
    writeFileSync(join(dir, 'x.npy'), npy('|i1', t.shape as number[], raw));
    writeFileSync(join(dir, 'x.json'), JSON.stringify(Array.from(raw)));
    const reals = Float32Array.from(raw, (q) => t.scale! * (q - t.zeroPoint!));
    writeFileSync(join(dir, 'xf.npy'), npy('<f4', t.shape as number[], reals));
    writeFileSync(join(dir, 'xr.json'), JSON.stringify({ real: Array.from(reals) }));
    for (const f of ['x.npy', 'x.json', 'xf.npy', 'xr.json']) {
      const r = cli('simulate', MODEL, '--input', join(dir, f), '--json');
      expect(r.status, `${f}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout).outputs[0].values, f).toEqual(Array.from(expected));
    }
  });

  it('--dump writes every computed tensor and --expect names the first differing operator', () => {
    const dump = mkdtempSync(join(tmpdir(), 'tf-dump-'));
    const r = cli('simulate', MODEL, '--input', INPUT, '--dump', dump);
    expect(r.status, r.stderr).toBe(0);
    const index = JSON.parse(readFileSync(join(dump, 'index.json'), 'utf8'));
    expect(index.length).toBeGreaterThanOrEqual(5);
    for (const e of index) expect(existsSync(join(dump, e.file))).toBe(true);
    const ok = cli('simulate', MODEL, '--input', INPUT, '--expect', dump, '--json');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).expect).toEqual({ compared: index.length, firstMismatch: null });
    // Corrupt the output of operator 1 (and a later one): operator 1 must be named.
    const victim = index.find((e: { opIndex: number }) => e.opIndex === 1);
    const later = index.find((e: { opIndex: number }) => e.opIndex === 3);
    for (const v of [victim, later]) {
      const b = readFileSync(join(dump, v.file));
      b[0] ^= 1;
      writeFileSync(join(dump, v.file), b);
    }
    const bad = cli('simulate', MODEL, '--input', INPUT, '--expect', dump);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toMatch(new RegExp(`operator 1 \\(${victim.op}\\)`));
  });

  it('--repeat reports median and minimum ms', () => {
    const r = cli('simulate', MODEL, '--input', INPUT, '--repeat', '5', '--json');
    expect(r.status, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout).timing;
    expect(t.runs).toBe(5);
    expect(t.minMs).toBeGreaterThan(0);
    expect(t.medianMs).toBeGreaterThanOrEqual(t.minMs);
  });

  it('bad inputs are typed errors with exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-sim-'));
    writeFileSync(join(dir, 'short.bin'), Buffer.alloc(3));
    writeFileSync(join(dir, 'big.json'), JSON.stringify(new Array(192).fill(300)));
    const cases: [string[], RegExp][] = [
      [['--input', join(dir, 'short.bin')], /has 3 bytes, input .* needs 192/],
      [['--input', join(dir, 'big.json')], /value 300 at element 0 is not a int8/],
      [[], /got 0 --input file/],
      [['--input', INPUT, '--repeat', '0'], /--repeat must be a positive integer/],
      [['--input', join(dir, 'missing.bin')], /cannot read input file/],
    ];
    for (const [args, msg] of cases) {
      const r = cli('simulate', MODEL, ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).toMatch(/hint:/);
    }
  });
});
