/**
 * `simulate --csv/--wav/--image` through the built CLI: a recording goes
 * through the sensor pipeline described beside the model, one result per
 * inference the board would run; the input tensors it writes (--inputs-out)
 * give the same outputs when run directly, and wrong recordings are typed errors.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeModel } from '../../sim/parse/writer.js';
import { loadModel } from '../../lib/load.js';
import { Simulator } from '../../sim/interpreter.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'tinyforge.js');
const MODEL = join(ROOT, 'examples', 'gesture_int8.tflite');
const CSV = join(ROOT, 'examples', 'gesture_recording.csv');
const tmp = mkdtempSync(join(tmpdir(), 'tinyforge-cli-sensor-'));

function cli(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });
}

/** int8 [1,h,w,1] -> average pool -> [1, classes]. */
function poolModel(file: string, h: number, w: number, fh: number, fw: number): string {
  const q = { scale: [0.05], zeroPoint: [-10] };
  const n = (h / fh) * (w / fw);
  writeFileSync(
    file,
    writeModel({
      tensors: [
        { name: 'in', shape: [1, h, w, 1], dtype: 'int8', quantization: q },
        { name: 'pooled', shape: [1, h / fh, w / fw, 1], dtype: 'int8', quantization: q },
        { name: 'scores', shape: [1, n], dtype: 'int8', quantization: q },
      ],
      operators: [
        { op: 'AVERAGE_POOL_2D', inputs: [0], outputs: [1], options: { padding: 'VALID', strideW: fw, strideH: fh, filterWidth: fw, filterHeight: fh, activation: 'NONE' } },
        { op: 'RESHAPE', inputs: [1], outputs: [2], options: { newShape: [1, n] } },
      ],
      inputs: [0],
      outputs: [2],
    }),
  );
  return file;
}

function wav16(samples: Int16Array, rate: number): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

describe('simulate with a recording', () => {
  it('--csv: the example recording, every result; its input tensors reproduce the outputs', async () => {
    const dir = join(tmp, 'inputs');
    const r = cli('simulate', MODEL, '--csv', CSV, '--json', '--inputs-out', dir);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { results: { at: number; name: string; detected: boolean; outputs: { values: number[] }[] }[]; pipeline: { inferenceRateHz: number } };
    expect(report.results.length).toBe(41);
    expect(report.results.map((x) => x.at).slice(0, 3)).toEqual([64, 80, 96]);
    expect(report.pipeline.inferenceRateHz).toBeCloseTo(3.125, 10);
    expect(new Set(report.results.filter((x) => x.detected).map((x) => x.name))).toEqual(new Set(['idle', 'shake', 'circle', 'tap']));
    expect(readdirSync(dir).length).toBe(41);
    const sim = new Simulator(await loadModel(MODEL));
    for (const k of [0, 10, 40]) {
      const input = new Int8Array(new Uint8Array(readFileSync(join(dir, `input-${k}.bin`))).buffer);
      expect(Array.from(sim.run([input])[0] as Int8Array)).toEqual(report.results[k]!.outputs[0]!.values);
    }
    // Text output: one line per inference.
    const t = cli('simulate', MODEL, '--csv', CSV);
    expect(t.status).toBe(0);
    expect(t.stdout.split('\n').filter((l) => /^#\d+ t=/.test(l.replace(/\x1b\[[0-9;]*m/g, ''))).length).toBe(41);
  });

  it('--wav: a log-mel pipeline from the file beside the model; a wrong sample rate is refused with the fix', () => {
    const model = poolModel(join(tmp, 'kws.tflite'), 49, 40, 49, 10);
    writeFileSync(join(tmp, 'kws.tinyforge.json'), JSON.stringify({ sensor: 'microphone', audio: { melBins: 40 }, labels: ['a', 'b', 'c', 'd'] }));
    const samples = Int16Array.from({ length: 19200 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 16000)));
    writeFileSync(join(tmp, 'tone.wav'), wav16(samples, 16000));
    const r = cli('simulate', model, '--wav', join(tmp, 'tone.wav'), '--json');
    expect(r.status, r.stderr).toBe(0);
    // (19200 - 480) / 320 + 1 = 59 frames; the first inference after 49, then one per frame.
    expect((JSON.parse(r.stdout) as { results: unknown[] }).results.length).toBe(11);
    writeFileSync(join(tmp, 'tone8k.wav'), wav16(samples, 8000));
    const bad = cli('simulate', model, '--wav', join(tmp, 'tone8k.wav'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/8000 Hz.*16000 Hz/s);
    expect(bad.stderr).toMatch(/resample/);
    const wrong = cli('simulate', model, '--csv', CSV);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/use --wav/);
  });

  it('--image: a PGM through the camera pipeline (crop + resize) gives one result', () => {
    const model = poolModel(join(tmp, 'cam.tflite'), 24, 24, 12, 12);
    writeFileSync(join(tmp, 'cam.tinyforge.json'), JSON.stringify({ sensor: 'camera', image: { frame: { width: 176, height: 144, format: 'grayscale' } } }));
    const w = 64;
    const h = 48;
    const px = Buffer.alloc(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px[y * w + x] = x < w / 2 ? 0 : 255;
    writeFileSync(join(tmp, 'half.pgm'), Buffer.concat([Buffer.from(`P5\n${w} ${h}\n255\n`, 'latin1'), px]));
    const r = cli('simulate', model, '--image', join(tmp, 'half.pgm'), '--json');
    expect(r.status, r.stderr).toBe(0);
    const res = (JSON.parse(r.stdout) as { results: { outputs: { values: number[] }[] }[] }).results;
    expect(res.length).toBe(1);
    // Left half black, right half white: the left pooled cells are lower than the right ones.
    const v = res[0]!.outputs[0]!.values;
    expect(v[0]!).toBeLessThan(v[1]!);
    expect(v[2]!).toBeLessThan(v[3]!);
    const broken = cli('simulate', model, '--image', join(tmp, 'kws.tinyforge.json'));
    expect(broken.status).toBe(2);
  });
});
