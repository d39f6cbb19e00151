/**
 * Issue #7's host verification, per sensor kind: the generated capture HAL
 * (the emulated board's, which replays a recording through tf_sensor.h), front
 * end and always-on loop run under QEMU (mps2-an386); every input tensor the
 * firmware's front end produced, every output and every loop decision must be
 * byte-equal to the simulator's run of the same recording (lib/recording.ts).
 * Needs the Arm toolchain and QEMU (CI installs them; a missing tool fails in
 * CI) and, for the microphone and camera cases, ../shared/golden models.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../lib/load.js';
import { checkSensorOnEmulator } from '../../lib/validate-sensor.js';
import { readCsvRecording } from '../../lib/csv.js';
import { ARM_TOOLS } from '../../generator/toolchain/emulate.js';
import { listGoldenCases, requireGolden } from '../golden/cases.js';
import { requireToolchain } from './toolchain.js';

const haveTools = requireToolchain([...ARM_TOOLS, 'qemu-system-arm']);
const haveGolden = requireGolden();
const EXAMPLE = fileURLToPath(new URL('../../examples/gesture_int8.tflite', import.meta.url));
const RECORDING = fileURLToPath(new URL('../../examples/gesture_recording.csv', import.meta.url));

/** Deterministic xorshift32 stream. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function goldenModel(name: string): string {
  const c = listGoldenCases().find((g) => g.name === name);
  if (!c) throw new Error(`golden case ${name} not found`);
  return c.modelPath;
}

const TIMEOUT = 600_000;

describe.skipIf(!haveTools)('sensor path: emulated firmware vs simulator, byte for byte', () => {
  it('imu: the example gesture model on its recording (tinyforge.json beside the model)', async () => {
    const model = await loadModel(EXAMPLE);
    const samples = readCsvRecording(readFileSync(RECORDING, 'utf8'), ['ax', 'ay', 'az'], RECORDING);
    const r = await checkSensorOnEmulator(model, { sensor: 'imu', recording: { kind: 'stream', samples } });
    expect(r.firstDifference).toBeNull();
    expect(r.inferences).toBe(r.simulated.length);
    // 11 windows of 64 samples, an inference every 16 after the first window: 41.
    expect(r.inferences).toBe(41);
    expect(r.inputsEqual && r.outputsEqual && r.reportEqual).toBe(true);
    // The recording holds shake, circle and tap segments: the loop detects each.
    const detected = new Set(r.simulated.filter((s) => s.result.detected).map((s) => s.label));
    expect([...detected].sort()).toEqual(expect.arrayContaining(['circle', 'shake', 'tap']));
  }, TIMEOUT);

  it('adc: three pins with offset and scale, full-range and saturating counts', async () => {
    const model = await loadModel(EXAMPLE);
    const next = rng(7);
    const n = 900;
    const samples = new Int16Array(n * 3);
    let walk = 2048;
    for (let i = 0; i < n; i++) {
      walk = Math.max(0, Math.min(4095, walk + ((next() % 401) - 200)));
      samples[i * 3] = walk;
      samples[i * 3 + 1] = i % 97 < 10 ? 4095 : i % 89 < 10 ? 0 : next() % 4096;
      samples[i * 3 + 2] = 4095 - walk;
    }
    const r = await checkSensorOnEmulator(model, {
      recording: { kind: 'stream', samples },
      pipelineFile: undefined,
      pipeline: { sensor: 'adc', pins: ['A0', 'A1', 'A2'], adcBits: 12, sampleRateHz: 100, strideSamples: 10, scale: [0.0015, 0.002, 0.0015], offset: [2048], average: 3, threshold: 0.5 },
    });
    expect(r.firstDifference).toBeNull();
    expect(r.inferences).toBe(Math.floor((n - 64) / 10) + 1);
  }, TIMEOUT);

  it.runIf(haveGolden)('microphone: micro_speech with the log-mel front end on 1.6 s of synthetic audio', async () => {
    const model = await loadModel(goldenModel('tflm-micro_speech'));
    const next = rng(11);
    const n = 25600;
    const samples = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      const t = i / 16000;
      const sweep = Math.sin(2 * Math.PI * (200 + 3000 * t) * t);
      const seg = Math.floor(i / 3200);
      const amp = [0, 3000, 32767, 800, 20000, 0][seg % 6]!;
      const v = amp * sweep + ((next() % 401) - 200);
      samples[i] = Math.max(-32768, Math.min(32767, Math.round(v * (seg === 2 ? 1.5 : 1))));
    }
    const r = await checkSensorOnEmulator(model, { recording: { kind: 'stream', samples }, pipeline: { sensor: 'microphone', audio: { melBins: 40, hopsPerInference: 5 }, labels: ['silence', 'unknown', 'yes', 'no'], average: 2 } });
    expect(r.firstDifference).toBeNull();
    // 25600 samples: 79 frames of 30 ms every 20 ms; the first inference after 49 frames, then every 5th.
    expect(r.inferences).toBe(7);
  }, TIMEOUT);

  it.runIf(haveGolden)('camera: person_detect from 176x144 grayscale frames (OV7675 QCIF), center crop + bilinear', async () => {
    const model = await loadModel(goldenModel('tflm-person_detect'));
    const next = rng(5);
    const w = 176;
    const h = 144;
    const frames: Uint8Array[] = [];
    frames.push(Uint8Array.from({ length: w * h }, () => next() & 0xff));
    frames.push(Uint8Array.from({ length: w * h }, (_, i) => Math.floor(((i % w) * 255) / (w - 1))));
    frames.push(Uint8Array.from({ length: w * h }, (_, i) => ((((i % w) >> 3) + (Math.floor(i / w) >> 3)) & 1 ? 255 : 0)));
    const r = await checkSensorOnEmulator(model, {
      recording: { kind: 'frames', frames },
      pipeline: { sensor: 'camera', image: { frame: { width: w, height: h, format: 'grayscale' }, crop: 'center', resize: 'bilinear' }, labels: ['no_person', 'person'] },
    });
    expect(r.firstDifference).toBeNull();
    expect(r.inferences).toBe(3);
  }, TIMEOUT);
});
