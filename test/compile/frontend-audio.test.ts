/**
 * The microphone front end's C++ (templates/native/frontend/tf_fe_audio.cpp
 * with the generated tf_frontend_params.*, the signal kernels it includes, and
 * tf_pipeline.cpp's windowing) must produce the same tensor bytes as the
 * simulator's (sim/frontend/audio.ts through sim/frontend/pipeline.ts
 * runStream). For each configuration everything is compiled with g++ -Werror
 * together with the host driver (fixtures/frontend_main.cpp), int16 streams
 * are piped through `frontend_main stream` (which feeds them in uneven
 * chunks), and stdout is compared byte for byte with the concatenated tensors
 * of runStream: seeded noise at several levels, a sine sweep, silence, a
 * full-scale square wave (clipping, -32768), a tone burst, and a 1 s
 * recording read through lib/wav.ts from 24-bit stereo WAV bytes.
 * The template is also cross-compiled for Cortex-M4 and Cortex-M0+ (-c): no
 * heap, no float helper, and the tables are read-only data.
 *
 * Needs g++ (and arm-none-eabi-g++ for the cross part): in CI a missing one
 * fails, elsewhere that part is skipped with a warning.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadModel } from '../../lib/load.js';
import { readWav } from '../../lib/wav.js';
import { planAudio, type AudioConfig } from '../../sim/frontend/audio.js';
import { runStream } from '../../sim/frontend/pipeline.js';
import type { InputTensorInfo, StreamPlan } from '../../sim/frontend/types.js';
import { listGoldenCases, requireGolden } from '../golden/cases.js';
import { requireToolchain } from './toolchain.js';

const run = promisify(execFile);
const TEMPLATES = fileURLToPath(new URL('../../templates/native/', import.meta.url));
const FRONTEND = join(TEMPLATES, 'frontend');
const DRIVER = fileURLToPath(new URL('./fixtures/frontend_main.cpp', import.meta.url));
const CXXFLAGS = ['-std=c++11', '-O2', '-Wall', '-Wextra', '-Werror', '-fno-exceptions', '-fno-rtti'];

const work = mkdtempSync(join(tmpdir(), 'tinyforge-fe-audio-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The input tensor of a golden model, read through the project's loader. */
async function goldenInput(name: string): Promise<InputTensorInfo> {
  const c = listGoldenCases().find((g) => g.name === name);
  if (!c) throw new Error(`golden case ${name} not found`);
  const model = await loadModel(c.modelPath);
  const sg = model.subgraphs[0]!;
  const t = sg.tensors[sg.inputs[0]!]!;
  return { shape: [...t.shape], dtype: t.dtype as InputTensorInfo['dtype'], scale: t.quantization?.scale[0] ?? 0, zeroPoint: t.quantization?.zeroPoint[0] ?? 0, bytes: t.bytes };
}

/** Without ../shared (developer machines only; CI requires it): the golden models' inputs. */
const FALLBACK: Record<string, InputTensorInfo> = {
  'tflm-micro_speech': { shape: [1, 1960], dtype: 'int8', scale: 0.10171568393707275, zeroPoint: -128, bytes: 1960 },
  'tflm-audio_preprocessor_int8': { shape: [1, 480], dtype: 'int16', scale: 0, zeroPoint: 0, bytes: 960 },
};
const haveGolden = requireGolden();
async function modelInput(name: string): Promise<InputTensorInfo> {
  return haveGolden ? goldenInput(name) : FALLBACK[name]!;
}

/** xorshift32 in [0, 2^32). */
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

/** A WAV file's bytes: 24-bit PCM, two channels (channel 0 = `left`, channel 1 = noise). */
function wav24Stereo(left: Float64Array, rate: number, seed: number): Uint8Array {
  const frames = left.length;
  const out = new Uint8Array(44 + frames * 6);
  const dv = new DataView(out.buffer);
  const ascii = (o: number, s: string) => [...s].forEach((ch, i) => (out[o + i] = ch.charCodeAt(0)));
  ascii(0, 'RIFF');
  dv.setUint32(4, 36 + frames * 6, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  dv.setUint32(16, 16, true);
  dv.setUint16(20, 1, true);
  dv.setUint16(22, 2, true);
  dv.setUint32(24, rate, true);
  dv.setUint32(28, rate * 6, true);
  dv.setUint16(32, 6, true);
  dv.setUint16(34, 24, true);
  ascii(36, 'data');
  dv.setUint32(40, frames * 6, true);
  const r = rng(seed);
  for (let i = 0; i < frames; i++) {
    const a = Math.max(-8388608, Math.min(8388607, Math.round(left[i]! * 8388607)));
    const b = (r() & 0xffffff) - 8388608;
    for (const [k, v] of [[0, a], [3, b]] as const) {
      out[44 + i * 6 + k] = v & 0xff;
      out[44 + i * 6 + k + 1] = (v >> 8) & 0xff;
      out[44 + i * 6 + k + 2] = (v >> 16) & 0xff;
    }
  }
  return out;
}

/** The test stream at `rate` Hz: about 4.5 s of structured and random signals. */
function stream(rate: number, seed: number): Int16Array {
  const parts: Int16Array[] = [];
  const r = rng(seed);
  const sec = (s: number) => Math.round(s * rate);
  // Seeded noise at three levels (quiet noise exercises the noise estimate, loud noise the auto-scale).
  for (const amp of [300, 4000, 32767]) parts.push(Int16Array.from({ length: sec(0.4) }, () => Math.round(((r() / 2 ** 32) * 2 - 1) * amp)));
  // Sine sweep 50 Hz .. 0.45 rate, exponential.
  {
    const n = sec(0.8);
    let phase = 0;
    parts.push(Int16Array.from({ length: n }, (_, i) => {
      const f = 50 * Math.pow((0.45 * rate) / 50, i / n);
      phase += (2 * Math.PI * f) / rate;
      return Math.round(12000 * Math.sin(phase));
    }));
  }
  parts.push(new Int16Array(sec(0.5))); // silence
  // Full-scale square wave at 440 Hz: clipping, including -32768.
  parts.push(Int16Array.from({ length: sec(0.3) }, (_, i) => (Math.floor((i * 880) / rate) % 2 ? -32768 : 32767)));
  // A 1 kHz tone burst after a short silence.
  parts.push(new Int16Array(sec(0.1)));
  parts.push(Int16Array.from({ length: sec(0.2) }, (_, i) => Math.round(20000 * Math.sin((2 * Math.PI * 1000 * i) / rate))));
  // A 1 s "recording": voiced harmonics with a syllable envelope and breath noise, through a 24-bit stereo WAV.
  {
    const n = sec(1);
    const left = Float64Array.from({ length: n }, (_, i) => {
      const t = i / rate;
      const env = Math.max(0, Math.sin(Math.PI * t * 3)) ** 2;
      const f0 = 140 + 40 * Math.sin(2 * Math.PI * 2 * t);
      let v = 0;
      for (let h = 1; h <= 12; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
      return 0.5 * env * v * 0.4 + 0.01 * ((r() / 2 ** 32) * 2 - 1);
    });
    const wav = readWav(wav24Stereo(left, rate, seed ^ 0x5bd1e995), 'generated.wav');
    expect(wav.sampleRate).toBe(rate);
    expect(wav.channels).toBe(2);
    parts.push(wav.samples);
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  const all = new Int16Array(total);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all;
}

function tsTensors(plan: StreamPlan, samples: Int16Array): Uint8Array {
  const steps = runStream(plan, samples);
  const out = new Uint8Array(steps.length * plan.tensorBytes);
  steps.forEach((s, i) => out.set(s.tensor, i * plan.tensorBytes));
  return out;
}

function runBinary(exe: string, stdin: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn(exe, ['stream']);
    const chunks: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => chunks.push(d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${exe} exited with ${code}`))));
    p.stdin.end(Buffer.from(stdin.buffer, stdin.byteOffset, stdin.byteLength));
  });
}

/** Writes the generated params (as generator/sensor.ts frames them), the template, its kernels and the pipeline sources. */
function writeSources(name: string, plan: StreamPlan): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'kernels'), { recursive: true });
  writeFileSync(join(dir, 'tf_frontend_params.h'), `#pragma once\n#include <stdint.h>\n\n${plan.c.header}\n`);
  writeFileSync(join(dir, 'tf_frontend_params.cpp'), `#include "tf_frontend_params.h"\n\n${plan.c.source}\n`);
  for (const f of [plan.c.implementation, 'tf_frontend.h', 'tf_pipeline.h', 'tf_pipeline.cpp']) copyFileSync(join(FRONTEND, f), join(dir, f));
  for (const k of plan.c.kernels) copyFileSync(join(TEMPLATES, 'kernels', `${k}.h`), join(dir, 'kernels', `${k}.h`));
  return dir;
}

async function buildHost(name: string, plan: StreamPlan): Promise<string> {
  const dir = writeSources(name, plan);
  const exe = join(dir, 'frontend_main');
  await run('g++', [...CXXFLAGS, `-I${dir}`, DRIVER, join(dir, 'tf_frontend_params.cpp'), join(dir, plan.c.implementation), join(dir, 'tf_pipeline.cpp'), '-o', exe]);
  return exe;
}

interface Case {
  name: string;
  input: () => Promise<InputTensorInfo>;
  cfg: AudioConfig;
  /** Expected kernels (logmel) or none (pcm). */
  logmel: boolean;
}

const microSpeech = () => modelInput('tflm-micro_speech');
const preprocessor = () => modelInput('tflm-audio_preprocessor_int8');
const CASES: Case[] = [
  { name: 'micro_speech-1960-defaults', input: microSpeech, cfg: { melBins: 40 }, logmel: true },
  { name: 'micro_speech-1960-tflm', input: microSpeech, cfg: { melBins: 40, quantize: 'tflm' }, logmel: true },
  {
    name: 'micro_speech-49x40x1-every3',
    input: async () => ({ ...(await microSpeech()), shape: [1, 49, 40, 1] }),
    cfg: { hopsPerInference: 3 },
    logmel: true,
  },
  {
    name: 'u8-8k-plain-logmel',
    input: async () => ({ shape: [1, 10, 32], dtype: 'uint8', scale: 0.05, zeroPoint: 10, bytes: 320 }),
    cfg: { sampleRateHz: 8000, windowMs: 32, strideMs: 16, lowerHz: 100, upperHz: 3800, noiseReduction: false, pcan: false, logScaleShift: 4 },
    logmel: true,
  },
  {
    name: 'i16-22k-nr-only',
    input: async () => ({ shape: [1, 20, 16], dtype: 'int16', scale: 0.01, zeroPoint: 3, bytes: 640 }),
    cfg: { frontEnd: 'logmel', sampleRateHz: 22050, windowMs: 25, strideMs: 10, lowerHz: 60, upperHz: 10000, pcan: false, noiseReduction: { evenSmoothing: 0.1, oddSmoothing: 0.2, minSignalRemaining: 0.1 } },
    logmel: true,
  },
  {
    name: 'i8-coarse-fft-empty-channels',
    input: async () => ({ shape: [1, 1, 40], dtype: 'int8', scale: 0.2, zeroPoint: -100, bytes: 40 }),
    cfg: { windowMs: 8, strideMs: 8, pcan: { strength: 0.8, offset: 40, gainBits: 20 } },
    logmel: true,
  },
  {
    name: 'i8-48k-fft2048-64bins',
    input: async () => ({ shape: [1, 8, 64], dtype: 'int8', scale: 0.08, zeroPoint: -128, bytes: 512 }),
    cfg: { sampleRateHz: 48000, windowMs: 40, strideMs: 20, lowerHz: 50, upperHz: 16000 },
    logmel: true,
  },
  { name: 'pcm-audio_preprocessor-480', input: preprocessor, cfg: { strideMs: 20 }, logmel: false },
  {
    name: 'pcm-16000-every2',
    input: async () => ({ shape: [1, 16000], dtype: 'int16', scale: 0, zeroPoint: 0, bytes: 32000 }),
    cfg: { strideMs: 250, hopsPerInference: 2 },
    logmel: false,
  },
];

const hasGxx = requireToolchain(['g++']);

describe.skipIf(!hasGxx)('microphone front end: C++ == TypeScript, byte for byte', () => {
  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const plan = planAudio(c.cfg, await c.input());
    expect(plan.c.kernels).toEqual(c.logmel ? ['signal_math', 'signal_ops', 'signal_rfft'] : []);
    // Deterministic C text.
    const again = planAudio(c.cfg, await c.input());
    expect(again.c.header).toBe(plan.c.header);
    expect(again.c.source).toBe(plan.c.source);
    const exe = await buildHost(c.name, plan);
    const rate = c.cfg.sampleRateHz ?? 16000;
    const samples = stream(rate, 0x9e3779b9 + i * 7919);
    const expected = tsTensors(plan, samples);
    expect(expected.length).toBeGreaterThan(0);
    const got = await runBinary(exe, new Uint8Array(samples.buffer));
    expect(got.length).toBe(expected.length);
    const first = expected.findIndex((v, k) => v !== got[k]);
    expect(first, `first differing byte at ${first} (tensor ${Math.floor(first / plan.tensorBytes)})`).toBe(-1);
  }, 120_000);
});

const hasArm = requireToolchain(['arm-none-eabi-g++', 'arm-none-eabi-nm']);

describe.skipIf(!hasArm)('microphone front end: cross-compiles for Cortex-M without heap or float', () => {
  const targets = [
    { id: 'cortex-m4', flags: ['-mcpu=cortex-m4', '-mthumb'] },
    { id: 'cortex-m0plus', flags: ['-mcpu=cortex-m0plus', '-mthumb', '-mfloat-abi=soft'] },
  ];
  const picked = CASES.filter((c) => ['micro_speech-1960-defaults', 'u8-8k-plain-logmel', 'i16-22k-nr-only', 'pcm-audio_preprocessor-480'].includes(c.name));
  it.each(targets.flatMap((t) => picked.map((c) => [t.id, c.name, t, c] as const)))('%s %s', async (_t, _n, t, c) => {
    const plan = planAudio(c.cfg, await c.input());
    const dir = writeSources(`arm-${t.id}-${c.name}`, plan);
    const objs: string[] = [];
    for (const src of [plan.c.implementation, 'tf_frontend_params.cpp', 'tf_pipeline.cpp']) {
      const obj = join(dir, `${src}.o`);
      await run('arm-none-eabi-g++', [...CXXFLAGS, ...t.flags, '-Os', `-I${dir}`, '-c', join(dir, src), '-o', obj]);
      objs.push(obj);
    }
    const { stdout } = await run('arm-none-eabi-nm', ['-u', ...objs]);
    const undefinedSymbols = stdout.split('\n').map((l) => l.trim().split(/\s+/).pop()!).filter((s) => s && !s.endsWith(':'));
    expect(undefinedSymbols.filter((s) => /malloc|free|_Znw|_Zdl|_Zna|_Zda|__aeabi_[fd]|__aeabi_.2[fd]|^(sqrt|floor|log|log1p|cos|pow)f?$/.test(s))).toEqual([]);
    // The tables are flash data: the params object defines no writable data.
    const { stdout: defs } = await run('arm-none-eabi-nm', [join(dir, 'tf_frontend_params.cpp.o')]);
    expect(defs.split('\n').filter((l) => / [DdBb] /.test(l))).toEqual([]);
  }, 60_000);
});
