/**
 * The camera front end's C++ (templates/native/frontend/tf_fe_image.cpp with
 * the generated tf_frontend_params.*) must produce the same tensor bytes as
 * the simulator's (sim/frontend/image.ts). For each configuration the plan's C
 * text, the template, tf_frontend.h, tf_pipeline.h/.cpp and the host driver
 * (fixtures/frontend_main.cpp) are compiled with g++ -Werror, frames are piped
 * through `frontend_main image`, and stdout is compared byte for byte with the
 * TS runner over seeded random frames, gradients, checkerboards and all-0 /
 * all-255 frames. The template is also cross-compiled for Cortex-M4 and
 * Cortex-M0+ (-c), where the object must not reference the heap or any
 * soft-float helper (there is no float in the per-frame path).
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
import { planImage, type ImageConfig } from '../../sim/frontend/image.js';
import type { ImagePlan, InputTensorInfo } from '../../sim/frontend/types.js';
import { listGoldenCases, requireGolden } from '../golden/cases.js';
import { requireToolchain } from './toolchain.js';

const run = promisify(execFile);
const FRONTEND = fileURLToPath(new URL('../../templates/native/frontend/', import.meta.url));
const DRIVER = fileURLToPath(new URL('./fixtures/frontend_main.cpp', import.meta.url));
const CXXFLAGS = ['-std=c++11', '-O2', '-Wall', '-Wextra', '-Werror', '-fno-exceptions', '-fno-rtti'];

const work = mkdtempSync(join(tmpdir(), 'tinyforge-fe-image-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The input tensor of a golden model, read through the project's loader. */
async function goldenInput(name: string): Promise<InputTensorInfo> {
  const c = listGoldenCases().find((g) => g.name === name);
  if (!c) throw new Error(`golden case ${name} not found`);
  const model = await loadModel(c.modelPath);
  const sg = model.subgraphs[0]!;
  const t = sg.tensors[sg.inputs[0]!]!;
  return { shape: [...t.shape], dtype: t.dtype as InputTensorInfo['dtype'], scale: t.quantization!.scale[0]!, zeroPoint: t.quantization!.zeroPoint[0]!, bytes: t.bytes };
}

/** Without ../shared (developer machines only; CI requires it): the same quantization as the golden models. */
const FALLBACK: Record<string, InputTensorInfo> = {
  'tflm-person_detect': { shape: [1, 96, 96, 1], dtype: 'int8', scale: 0.007843137718737125, zeroPoint: -1, bytes: 9216 },
  'tiny-ic-resnet8': { shape: [1, 32, 32, 3], dtype: 'int8', scale: 1, zeroPoint: -128, bytes: 3072 },
};
const haveGolden = requireGolden();
async function modelInput(name: string): Promise<InputTensorInfo> {
  return haveGolden ? goldenInput(name) : FALLBACK[name]!;
}

/** Deterministic test frames: seeded random, gradients, checkerboards, all 0, all 255. */
function frames(plan: ImagePlan, seed: number): Uint8Array {
  const { width: w, height: h } = plan.frame;
  const n = plan.frameBytes;
  const bpp = n / (w * h);
  const out: Uint8Array[] = [];
  let s = seed >>> 0 || 1;
  const rnd = () => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  for (let k = 0; k < 3; k++) out.push(Uint8Array.from({ length: n }, () => rnd() & 0xff));
  const perPixel = (f: (x: number, y: number, b: number) => number) => {
    const a = new Uint8Array(n);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let b = 0; b < bpp; b++) a[(y * w + x) * bpp + b] = f(x, y, b) & 0xff;
    return a;
  };
  out.push(perPixel((x) => Math.floor((x * 255) / Math.max(1, w - 1))));
  out.push(perPixel((_x, y, b) => Math.floor((y * 255) / Math.max(1, h - 1)) ^ (b * 0x5a)));
  out.push(perPixel((x, y, b) => ((x + 2 * y) * 7 + b * 31) & 0xff));
  out.push(perPixel((x, y) => (((x >> 0) ^ (y >> 0)) & 1 ? 255 : 0)));
  out.push(perPixel((x, y) => (((x >> 3) ^ (y >> 3)) & 1 ? 255 : 0)));
  out.push(new Uint8Array(n));
  out.push(new Uint8Array(n).fill(255));
  const all = new Uint8Array(out.length * n);
  out.forEach((f, i) => all.set(f, i * n));
  return all;
}

function tsTensors(plan: ImagePlan, input: Uint8Array): Uint8Array {
  const count = input.length / plan.frameBytes;
  const out = new Uint8Array(count * plan.tensorBytes);
  const runner = plan.create();
  for (let i = 0; i < count; i++) {
    runner.frame(input.subarray(i * plan.frameBytes, (i + 1) * plan.frameBytes), out.subarray(i * plan.tensorBytes, (i + 1) * plan.tensorBytes));
  }
  return out;
}

function runBinary(exe: string, stdin: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn(exe, ['image']);
    const chunks: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => chunks.push(d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${exe} exited with ${code}`))));
    p.stdin.end(Buffer.from(stdin));
  });
}

/** Writes the generated params, the template and the pipeline sources into a fresh directory. */
function writeSources(name: string, plan: ImagePlan): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tf_frontend_params.h'), `#pragma once\n${plan.c.header}`);
  writeFileSync(join(dir, 'tf_frontend_params.cpp'), plan.c.source);
  for (const f of [plan.c.implementation, 'tf_frontend.h', 'tf_pipeline.h', 'tf_pipeline.cpp']) copyFileSync(join(FRONTEND, f), join(dir, f));
  expect(plan.c.kernels).toEqual([]);
  return dir;
}

async function buildHost(name: string, plan: ImagePlan): Promise<string> {
  const dir = writeSources(name, plan);
  const exe = join(dir, 'frontend_main');
  await run('g++', [...CXXFLAGS, `-I${dir}`, DRIVER, join(dir, 'tf_frontend_params.cpp'), join(dir, plan.c.implementation), join(dir, 'tf_pipeline.cpp'), '-o', exe]);
  return exe;
}

interface Case {
  name: string;
  input: () => Promise<InputTensorInfo>;
  cfg: ImageConfig;
}

const personDetect = () => modelInput('tflm-person_detect');
const resnet8 = () => modelInput('tiny-ic-resnet8');
const CASES: Case[] = [
  { name: 'pd-gray176-bilinear', input: personDetect, cfg: { frame: { width: 176, height: 144, format: 'grayscale' } } },
  { name: 'pd-gray176-nearest', input: personDetect, cfg: { frame: { width: 176, height: 144, format: 'grayscale' }, resize: 'nearest' } },
  { name: 'pd-rgb565-160-bilinear', input: personDetect, cfg: { frame: { width: 160, height: 120, format: 'rgb565' } } },
  { name: 'pd-rgb565be-160-nearest', input: personDetect, cfg: { frame: { width: 160, height: 120, format: 'rgb565' }, resize: 'nearest', rgb565ByteOrder: 'big' } },
  { name: 'pd-default-frame', input: personDetect, cfg: {} },
  { name: 'pd-range', input: personDetect, cfg: { frame: { width: 176, height: 144, format: 'grayscale' }, range: [-1, 1] } },
  { name: 'rn8-rgb565-160-bilinear', input: resnet8, cfg: { frame: { width: 160, height: 120, format: 'rgb565' } } },
  { name: 'rn8-rgb888-176-nocrop-nearest', input: resnet8, cfg: { frame: { width: 176, height: 144, format: 'rgb888' }, crop: 'none', resize: 'nearest' } },
  { name: 'rn8-gray-replicated', input: resnet8, cfg: { frame: { width: 176, height: 144, format: 'grayscale' } } },
  { name: 'rn8-rgb888-upscale', input: resnet8, cfg: { frame: { width: 13, height: 9, format: 'rgb888' } } },
  {
    name: 'u8-rgb-tall-range',
    input: async () => ({ shape: [1, 40, 24, 3], dtype: 'uint8', scale: 0.0123, zeroPoint: 37, bytes: 40 * 24 * 3 }),
    cfg: { frame: { width: 33, height: 61, format: 'rgb565' }, range: [-0.5, 2.5] },
  },
  {
    name: 'u8-gray-upscale-nocrop',
    input: async () => ({ shape: [1, 20, 30, 1], dtype: 'uint8', scale: 1 / 255, zeroPoint: 0, bytes: 600 }),
    cfg: { frame: { width: 7, height: 5, format: 'rgb888' }, crop: 'none' },
  },
];

const hasGxx = requireToolchain(['g++']);

describe.skipIf(!hasGxx)('camera front end: C++ == TypeScript, byte for byte', () => {
  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const plan = planImage(c.cfg, await c.input());
    const exe = await buildHost(c.name, plan);
    const input = frames(plan, 0x9e3779b9 + i * 7919);
    const expected = tsTensors(plan, input);
    const got = await runBinary(exe, input);
    expect(got.length).toBe(expected.length);
    const first = expected.findIndex((v, k) => v !== got[k]);
    expect(first, `first differing byte at ${first} (frame ${Math.floor(first / plan.tensorBytes)})`).toBe(-1);
  }, 60_000);

  it('the person_detect default maps pixel v to v - 128 (the usual camera input)', async () => {
    const plan = planImage({ frame: { width: 96, height: 96, format: 'grayscale' } }, await personDetect());
    const px = Uint8Array.from({ length: 96 * 96 }, (_, k) => k & 0xff);
    const t = new Uint8Array(plan.tensorBytes);
    plan.create().frame(px, t);
    expect(Array.from(new Int8Array(t.buffer)).slice(0, 300)).toEqual(Array.from(px.slice(0, 300), (v) => v - 128));
  });
});

const hasArm = requireToolchain(['arm-none-eabi-g++', 'arm-none-eabi-nm']);

describe.skipIf(!hasArm)('camera front end: cross-compiles for Cortex-M without heap or float', () => {
  const targets = [
    { id: 'cortex-m4', flags: ['-mcpu=cortex-m4', '-mthumb'] },
    { id: 'cortex-m0plus', flags: ['-mcpu=cortex-m0plus', '-mthumb', '-mfloat-abi=soft'] },
  ];
  it.each(targets.flatMap((t) => CASES.filter((_c, i) => i % 3 === 0 || i === CASES.length - 1).map((c) => [t.id, c.name, t, c] as const)))('%s %s', async (_t, _n, t, c) => {
    const plan = planImage(c.cfg, await c.input());
    const dir = writeSources(`arm-${t.id}-${c.name}`, plan);
    const objs: string[] = [];
    for (const src of [plan.c.implementation, 'tf_frontend_params.cpp', 'tf_pipeline.cpp']) {
      const obj = join(dir, `${src}.o`);
      await run('arm-none-eabi-g++', [...CXXFLAGS, ...t.flags, '-Os', '-c', join(dir, src), '-o', obj]);
      objs.push(obj);
    }
    const { stdout } = await run('arm-none-eabi-nm', ['-u', ...objs]);
    const undefinedSymbols = stdout.split('\n').map((l) => l.trim().split(/\s+/).pop()!).filter((s) => s && !s.endsWith(':'));
    expect(undefinedSymbols.filter((s) => /malloc|free|_Znw|_Zdl|_Zna|_Zda|__aeabi_[fd]|__aeabi_.2[fd]|sqrt|floor/.test(s))).toEqual([]);
    // The tables are flash data: the params object defines no writable data.
    const { stdout: defs } = await run('arm-none-eabi-nm', [join(dir, 'tf_frontend_params.cpp.o')]);
    expect(defs.split('\n').filter((l) => / [DdBb] /.test(l))).toEqual([]);
  }, 60_000);
});
