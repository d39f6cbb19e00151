/**
 * The microphone front end (sim/frontend/audio.ts) against TFLM and against
 * hand-computed expectations:
 * - its tables equal the constants of TFLM's audio preprocessor model
 *   (golden tflm-audio_preprocessor_int8) for the micro_speech parameters,
 *   and one hop reproduces every golden output of that model byte for byte;
 * - a stream of hops equals the simulator running that model frame after
 *   frame (the noise estimate carried between frames);
 * - silence, a tone at a channel's center, ring order, inference cadence,
 *   pcm pass-through, reset, and every refused configuration.
 * (C == TypeScript is test/compile/frontend-audio.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PipelineError } from '../../lib/errors.js';
import { loadModel } from '../../lib/load.js';
import { planAudio, type AudioConfig } from '../../sim/frontend/audio.js';
import { runStream } from '../../sim/frontend/pipeline.js';
import type { InputTensorInfo, StreamPlan } from '../../sim/frontend/types.js';
import { Simulator } from '../../sim/interpreter.js';
import { GOLDEN_DIR, requireGolden } from '../golden/cases.js';

const MICRO_SPEECH: InputTensorInfo = { shape: [1, 1960], dtype: 'int8', scale: 0.10171568393707275, zeroPoint: -128, bytes: 1960 };
const ONE_FRAME: InputTensorInfo = { shape: [1, 40], dtype: 'int8', scale: 0.1, zeroPoint: -128, bytes: 40 };
/** One frame of 40 int8 features, mapped as TFLM's audio preprocessor does. */
const TFLM_ONE_FRAME: AudioConfig = { melBins: 40, quantize: 'tflm' };

/** The int16 / int32 values of a C array in the plan's source text. */
function cTable(plan: StreamPlan, name: string): number[] {
  const m = plan.c.source.match(new RegExp(`${name}\\[[^\\]]*\\] = \\{([^}]*)\\}`));
  if (!m) throw new Error(`table ${name} not in the source`);
  return m[1]!.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
}

function sine(n: number, freq: number, amp: number, rate = 16000): Int16Array {
  return Int16Array.from({ length: n }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * freq * i) / rate)));
}

function expectPipelineError(f: () => unknown, code: string, message: RegExp): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(PipelineError);
  const e = caught as PipelineError;
  expect(e.code).toBe(code);
  expect(e.message).toMatch(message);
  expect(e.hint).toBeTruthy();
}

const haveGolden = requireGolden();
const PRE = join(GOLDEN_DIR, 'tflm-audio_preprocessor_int8');

describe.skipIf(!haveGolden)('audio front end == TFLM audio preprocessor (golden)', () => {
  it('computes the same window, filter bank and PCAN tables as the model holds', async () => {
    const model = await loadModel(join(PRE, 'model.tflite'));
    const sg = model.subgraphs[0]!;
    const constInput = (op: string, slot: number): number[] => {
      const o = sg.operators.find((x) => x.op === op)!;
      const t = sg.tensors[o.inputs[slot]!]!;
      return Array.from(new Int16Array(t.data!.slice().buffer));
    };
    const plan = planAudio(TFLM_ONE_FRAME, ONE_FRAME);
    expect(cTable(plan, 'tf_fe_audio_window')).toEqual(constInput('CUSTOM:SignalWindow', 1));
    expect(cTable(plan, 'tf_fe_audio_fb_weights')).toEqual(constInput('CUSTOM:SignalFilterBank', 1));
    expect(cTable(plan, 'tf_fe_audio_fb_unweights')).toEqual(constInput('CUSTOM:SignalFilterBank', 2));
    expect(cTable(plan, 'tf_fe_audio_fb_freq_starts')).toEqual(constInput('CUSTOM:SignalFilterBank', 3));
    expect(cTable(plan, 'tf_fe_audio_fb_weight_starts')).toEqual(constInput('CUSTOM:SignalFilterBank', 4));
    expect(cTable(plan, 'tf_fe_audio_fb_widths')).toEqual(constInput('CUSTOM:SignalFilterBank', 5));
    expect(cTable(plan, 'tf_fe_audio_pcan_lut')).toEqual(constInput('CUSTOM:SignalPCAN', 2));
    // The energy range and the scalar parameters of the model's custom ops (see its options).
    for (const line of ['SPECTRUM_START 5', 'SPECTRUM_END 241', 'NR_SMOOTHING 409u', 'NR_ALT_SMOOTHING 983u', 'NR_MIN_SIGNAL_REMAINING 819u', 'NR_SMOOTHING_BITS 10', 'PCAN_SNR_SHIFT 6', 'LOG_CORRECTION_BITS 3', 'LOG_OUTPUT_SCALE 64u', 'FFT_LENGTH 512']) {
      expect(plan.c.header).toContain(`#define TF_FE_AUDIO_${line}\n`);
    }
  });

  it('reproduces every golden output of the model from a fresh state', () => {
    const meta = JSON.parse(readFileSync(join(PRE, 'meta.json'), 'utf8'));
    const plan = planAudio(TFLM_ONE_FRAME, ONE_FRAME);
    expect(plan.windowSamples).toBe(480);
    expect(meta.vectors.length).toBeGreaterThanOrEqual(6);
    for (const v of meta.vectors) {
      const input = new Int16Array(new Uint8Array(readFileSync(join(PRE, v.inputs[0]))).buffer);
      const expected = new Uint8Array(readFileSync(join(PRE, v.outputs[0])));
      const tensor = new Uint8Array(40);
      expect(plan.create().hop(input, tensor)).toBe(true);
      expect(Array.from(tensor), `vector ${v.id}`).toEqual(Array.from(expected));
    }
  });

  it('streams like the model invoked frame after frame (noise estimate carried over)', async () => {
    const sim = new Simulator(await loadModel(join(PRE, 'model.tflite')));
    const plan = planAudio(TFLM_ONE_FRAME, ONE_FRAME);
    // 1.2 s: noise, a voiced sweep, silence: the noise estimate rises and decays.
    let s = 12345;
    const n = 19200;
    const audio = Int16Array.from({ length: n }, (_, i) => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const noise = ((s >>> 16) % 2001) - 1000;
      const tone = i > 6000 && i < 14000 ? 9000 * Math.sin((2 * Math.PI * (200 + i / 8) * i) / 16000) : 0;
      return i > 16000 ? 0 : Math.round(noise + tone);
    });
    const steps = runStream(plan, audio);
    expect(steps.length).toBe(Math.floor((n - 480) / 320) + 1);
    steps.forEach((step, k) => {
      const frame = audio.subarray(k * 320, k * 320 + 480);
      const out = sim.run([frame])[0]!;
      expect(Array.from(new Int8Array(step.tensor.buffer)), `frame ${k}`).toEqual(Array.from(out as Int8Array));
    });
  });
});

describe('audio front end: features', () => {
  it('maps silence to the zero point (log 0 -> real 0), once the 49 frames are filled', () => {
    const plan = planAudio({ melBins: 40 }, MICRO_SPEECH);
    expect([plan.windowSamples, plan.hopSamples, plan.tensorBytes]).toEqual([480, 320, 1960]);
    const steps = runStream(plan, new Int16Array(16000));
    // The first inference after 480 + 48 * 320 samples; the next would need 16160.
    expect(steps.map((s) => s.endSample)).toEqual([15840]);
    expect(new Set(new Int8Array(steps[0]!.tensor.buffer))).toEqual(new Set([-128]));
    // uint8 with zero point 17, and the TFLM mapping: (0 * 256 + 333) / 666 - 128 = -128.
    const u8 = planAudio({ melBins: 40, frames: 1 }, { shape: [1, 40], dtype: 'uint8', scale: 0.1, zeroPoint: 17, bytes: 40 });
    const t = new Uint8Array(40);
    expect(u8.create().hop(new Int16Array(480), t)).toBe(true);
    expect(new Set(t)).toEqual(new Set([17]));
    const tflm = planAudio(TFLM_ONE_FRAME, ONE_FRAME);
    tflm.create().hop(new Int16Array(480), t);
    expect(new Set(new Int8Array(t.buffer))).toEqual(new Set([-128]));
  });

  it('puts a pure tone at a channel center into that channel (plain log-mel)', () => {
    // Channel o peaks at mel = melLow + (o + 1) * (melHigh - melLow) / (bins + 1), mel = 1127 ln(1 + f / 700).
    const mel = (f: number) => 1127 * Math.log1p(f / 700);
    const melLow = mel(125);
    const spacing = (mel(7500) - melLow) / 41;
    // int16 tensor, scale 1, featureScale 1: the tensor holds the log output v = 64 ln(amplitude) itself.
    const plan = planAudio(
      { frontEnd: 'logmel', melBins: 40, frames: 1, noiseReduction: false, pcan: false, featureScale: 1 },
      { shape: [1, 40], dtype: 'int16', scale: 1, zeroPoint: 0, bytes: 80 },
    );
    for (const o of [5, 20, 33]) {
      const f = 700 * (Math.exp((melLow + (o + 1) * spacing) / 1127) - 1);
      const t = new Uint8Array(80);
      plan.create().hop(sine(480, f, 10000), t);
      const v = Array.from(new Int16Array(t.buffer));
      const peak = v.indexOf(Math.max(...v));
      expect(peak, `tone ${f.toFixed(1)} Hz: ${v.join(',')}`).toBe(o);
      // Channels 4 or more away see only the Hann window's leakage: more than 30 dB (64 ln(31.6) = 221) down.
      expect(Math.max(...v.filter((_x, i) => Math.abs(i - o) > 3)), v.join(',')).toBeLessThan(v[o]! - 221);
    }
  });

  it('a louder tone gives a larger feature: 6 dB = 64 ln 2 = 44 log units', () => {
    const plan = planAudio(
      { frontEnd: 'logmel', melBins: 40, frames: 1, noiseReduction: false, pcan: false, featureScale: 1 },
      { shape: [1, 40], dtype: 'int16', scale: 1, zeroPoint: 0, bytes: 80 },
    );
    const feature = (amp: number) => {
      const t = new Uint8Array(80);
      plan.create().hop(sine(480, 1000, amp), t);
      return Math.max(...new Int16Array(t.buffer));
    };
    expect(feature(16000) - feature(8000)).toBeGreaterThanOrEqual(43);
    expect(feature(16000) - feature(8000)).toBeLessThanOrEqual(46);
    expect(feature(8000) - feature(4000)).toBeGreaterThanOrEqual(43);
    expect(feature(8000) - feature(4000)).toBeLessThanOrEqual(46);
  });

  it('keeps frames oldest first and runs every hopsPerInference frames', () => {
    const input: InputTensorInfo = { shape: [1, 4, 8], dtype: 'int8', scale: 0.05, zeroPoint: 0, bytes: 32 };
    const plan = planAudio({ noiseReduction: false, pcan: false, upperHz: 4000, hopsPerInference: 2 }, input);
    // 480 + 7 * 320 samples = 8 frames: due after frames 4, 6, 8. Silence, then a tone from sample 1440 on:
    // frame k sees samples [320k, 320k + 480), so frames 0..3 are silent, frame 4 sees the tone's start.
    const audio = new Int16Array(480 + 7 * 320);
    audio.set(sine(audio.length - 1440, 1000, 20000), 1440);
    const steps = runStream(plan, audio);
    expect(steps.map((s) => s.endSample)).toEqual([480 + 3 * 320, 480 + 5 * 320, 480 + 7 * 320]);
    const frames = (t: Uint8Array) => [0, 1, 2, 3].map((f) => Array.from(new Int8Array(t.buffer, f * 8, 8)).some((v) => v !== 0));
    expect(frames(steps[0]!.tensor)).toEqual([false, false, false, false]);
    // Frames 2..5, oldest first.
    expect(frames(steps[1]!.tensor)).toEqual([false, false, true, true]);
    expect(frames(steps[2]!.tensor)).toEqual([true, true, true, true]);
  });

  it('reset() gives the outputs of a fresh runner', () => {
    const plan = planAudio({ melBins: 40, frames: 1 }, ONE_FRAME);
    const noise = Int16Array.from({ length: 480 }, (_, i) => ((i * 7919) % 2001) - 1000);
    const fresh = new Uint8Array(40);
    plan.create().hop(noise, fresh);
    const r = plan.create();
    const t = new Uint8Array(40);
    for (let k = 0; k < 5; k++) r.hop(sine(480, 300 + 100 * k, 15000), t);
    r.hop(noise, t);
    expect(Array.from(t)).not.toEqual(Array.from(fresh)); // the noise estimate changed the result
    r.reset();
    r.hop(noise, t);
    expect(Array.from(t)).toEqual(Array.from(fresh));
  });
});

describe('audio front end: pcm', () => {
  it('passes the last N samples through as int16 little-endian', () => {
    const plan = planAudio({ strideMs: 20 }, { shape: [1, 480], dtype: 'int16', scale: 0, zeroPoint: 0, bytes: 960 });
    expect([plan.windowSamples, plan.hopSamples, plan.tensorBytes]).toEqual([480, 320, 960]);
    expect(plan.c.kernels).toEqual([]);
    const audio = Int16Array.from({ length: 2000 }, (_, i) => (i * 37) % 65536 - 32768);
    const steps = runStream(plan, audio);
    expect(steps.map((s) => s.endSample)).toEqual([480, 800, 1120, 1440, 1760]);
    for (const s of steps) expect(Array.from(new Int16Array(s.tensor.buffer))).toEqual(Array.from(audio.subarray(s.endSample - 480, s.endSample)));
  });

  it('defaults to non-overlapping windows and honours hopsPerInference', () => {
    const plan = planAudio({ hopsPerInference: 3 }, { shape: [1, 100], dtype: 'int16', scale: 0, zeroPoint: 0, bytes: 200 });
    expect(plan.hopSamples).toBe(100);
    expect(runStream(plan, new Int16Array(1000)).map((s) => s.endSample)).toEqual([100, 400, 700, 1000]);
  });
});

describe('audio front end: refused configurations', () => {
  const int16: InputTensorInfo = { shape: [1, 480], dtype: 'int16', scale: 0, zeroPoint: 0, bytes: 960 };
  it.each([
    ['upperHz above Nyquist', { melBins: 40, sampleRateHz: 8000, upperHz: 7500 }, MICRO_SPEECH, 'pipeline-band', /Nyquist/],
    ['bins that do not divide the tensor', { melBins: 30 }, MICRO_SPEECH, 'pipeline-shape', /not a whole number of 30-bin frames/],
    ['a flat tensor without melBins', {}, MICRO_SPEECH, 'pipeline-shape', /flat/],
    ['melBins against the inner dimension', { melBins: 49 }, { ...MICRO_SPEECH, shape: [1, 49, 40, 1] }, 'pipeline-shape', /40 values per frame/],
    ['frames that disagree with the tensor', { melBins: 40, frames: 50 }, MICRO_SPEECH, 'pipeline-shape', /49 frames/],
    ['a window past the largest FFT', { melBins: 40, windowMs: 300 }, MICRO_SPEECH, 'pipeline-window', /4096/],
    ['a window too short for the log shift', { melBins: 40, windowMs: 1 }, MICRO_SPEECH, 'pipeline-window', /at least 33/],
    ['a stride longer than the window', { melBins: 40, strideMs: 40 }, MICRO_SPEECH, 'pipeline-stride', /not between 1 and the 480-sample window/],
    ['an unknown setting', { melBins: 40, melbins: 40 } as AudioConfig, MICRO_SPEECH, 'pipeline-audio', /audio\.melbins is not a known setting/],
    ['PCAN without noise reduction', { melBins: 40, noiseReduction: false }, MICRO_SPEECH, 'pipeline-audio', /PCAN/],
    ['a float tensor', { melBins: 40 }, { ...MICRO_SPEECH, dtype: 'float32' as InputTensorInfo['dtype'] }, 'pipeline-dtype', /float32/],
    ['pcm into an int8 tensor', { frontEnd: 'pcm' }, MICRO_SPEECH, 'pipeline-dtype', /int8/],
    ['logmel settings on pcm', { melBins: 40 }, int16, 'pipeline-audio', /only applies to the logmel/],
    ['a pcm window that is not the tensor', { windowMs: 20 }, int16, 'pipeline-window', /holds 480 samples/],
    ['the TFLM mapping on uint8', { melBins: 40, quantize: 'tflm' }, { ...MICRO_SPEECH, dtype: 'uint8', zeroPoint: 0 }, 'pipeline-quant', /int8/],
    ['no input scale', { melBins: 40 }, { ...MICRO_SPEECH, scale: 0 }, 'pipeline-quant', /no quantization scale/],
    ['a non-integer sample rate', { melBins: 40, sampleRateHz: 16000.5 }, MICRO_SPEECH, 'pipeline-audio', /sampleRateHz/],
    ['a bad sub-setting', { melBins: 40, pcan: { strenght: 1 } as never }, MICRO_SPEECH, 'pipeline-audio', /pcan\.strenght/],
  ] as const)('%s', (_name, cfg, input, code, message) => {
    expectPipelineError(() => planAudio(cfg as AudioConfig, input as InputTensorInfo), code, message);
  });
});
