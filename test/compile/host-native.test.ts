/**
 * Native engine on the host: every golden case whose operators all have
 * native emitters is generated (board `host`), compiled with
 * g++ -std=c++11 -O2 -Wall -Wextra -Werror together with a host test main
 * (fixtures/host_main.cpp), and run on every golden vector; each output byte
 * must equal TFLM's. Models TFLM refuses (kind must_reject) must be refused
 * by the generator too. Beyond the golden set: the example model and small
 * synthetic models (variants the golden set lacks: int16 depthwise, grouped
 * convolution, channel tails...) are compared with the simulator on random
 * vectors.
 *
 * Needs g++ and ../shared/golden: in CI (CI=true) a missing one is a failure,
 * elsewhere the group is skipped with a message. Builds run in parallel (one
 * per CPU); the host main object is compiled once per model interface.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, parseModel } from '../../lib/load.js';
import { nativeOps } from '../../generator/native/ops/index.js';
import { GenerateError } from '../../lib/errors.js';
import { randomVectors, SplitMix64, fnv1a64 } from '../../lib/random-vectors.js';
import { renderProject } from '../../generator/project.js';
import type { Model } from '../../sim/ir/types.js';
import { Simulator } from '../../sim/interpreter.js';
import type { TypedArray } from '../../sim/kernels/types.js';
import { writeModel, type ModelSpec, type TensorSpec } from '../../sim/parse/writer.js';
import { GOLDEN_DIR, listGoldenCases, readBytes, requireGolden, type GoldenCase } from '../golden/cases.js';
import { buildHost, runGoldenVectors, runOnce } from './host_build.js';
import { requireToolchain } from './toolchain.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HAVE_GXX = requireToolchain(['g++']);
const GOLDEN = HAVE_GXX && requireGolden();
if (HAVE_GXX && !GOLDEN) console.warn(`skipped: golden cases (no golden data at ${GOLDEN_DIR}; set TINYFORGE_GOLDEN or put ../shared beside the checkout)`);
const MINUTES = 60_000;

/** At most one build per CPU at a time (each build runs its g++ jobs in parallel). */
const slots = Math.max(2, availableParallelism());
let running = 0;
const waiting: (() => void)[] = [];
async function withSlot<T>(f: () => Promise<T>): Promise<T> {
  if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await f();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Builds the model in a fresh temp folder, runs `body` with the binary, removes the folder unless body throws. */
async function withBuild<T>(model: Model, body: (exe: string, dir: string) => Promise<T>): Promise<T> {
  return withSlot(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyforge-host-'));
    const build = await buildHost(model, dir);
    const result = await body(build.exe, dir);
    rmSync(dir, { recursive: true, force: true });
    return result;
  });
}

const bytesOf = (a: TypedArray) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Native outputs against the simulator's for each vector (raw bytes per model input). */
async function expectSameAsSimulator(model: Model, vectors: readonly (readonly Uint8Array[])[]): Promise<void> {
  const sim = new Simulator(model);
  await withBuild(model, async (exe, dir) => {
    for (let v = 0; v < vectors.length; v++) {
      sim.reset();
      const inputs = vectors[v]!.map((b, i) => {
        const t = sim.inputs[i]!;
        const buf = b.slice().buffer;
        return t.dtype === 'int8' ? new Int8Array(buf) : t.dtype === 'int16' ? new Int16Array(buf) : t.dtype === 'int32' ? new Int32Array(buf) : t.dtype === 'float32' ? new Float32Array(buf) : new Uint8Array(buf);
      });
      const want = sim.run(inputs);
      const got = await runOnce(exe, vectors[v]!, want.length, join(dir, `v${v}`));
      want.forEach((w, k) => expect(got[k]!.equals(bytesOf(w)), `vector ${v} output ${k} differs from the simulator`).toBe(true));
    }
  });
}

function goldenCases(): GoldenCase[] {
  return GOLDEN ? listGoldenCases().filter((c) => c.group !== 'rejected') : [];
}

/** Operators of a golden case (meta.json) that have no native emitter yet. */
function missingOps(c: GoldenCase): string[] {
  const have = new Set(nativeOps());
  return Object.keys(c.meta.ops ?? {}).filter((op) => !have.has(op)).sort();
}

describe.runIf(HAVE_GXX)('native engine, host build (g++ -Werror) against golden and simulator', () => {
  describe.runIf(GOLDEN).concurrent('golden cases', () => {
    for (const c of goldenCases()) {
      const missing = missingOps(c);
      if (missing.length > 0) {
        // Ops without a native kernel must be refused with a typed error naming them (never mis-generated).
        it(`${c.name} is refused: no native emitter for ${missing.join(', ')}`, async () => {
          const model = await loadModel(c.modelPath);
          expect(() => renderProject(model, { board: { id: 'host' } })).toThrow(GenerateError);
        });
      } else if (c.meta.kind === 'must_reject') {
        it(`${c.name} is refused, as TFLM refuses it`, async () => {
          const model = await loadModel(c.modelPath);
          expect(() => renderProject(model, { board: { id: 'host' } })).toThrow(GenerateError);
        });
      } else {
        it(`${c.name}: every output byte equals TFLM's`, async () => {
          const model = await loadModel(c.modelPath);
          const problems = await withBuild(model, (exe, dir) => runGoldenVectors(exe, c, join(dir, 'out')));
          expect(problems.map((p) => `vector ${p.vector} output ${p.output}: ${p.message}`)).toEqual([]);
        }, 15 * MINUTES);
      }
    }
  });

  it.concurrent('the example model matches the simulator on its sample input and random vectors', async () => {
    const model = await loadModel(join(ROOT, 'examples', 'gesture_int8.tflite'));
    const sample = [readBytes(join(ROOT, 'examples'), 'gesture_input.bin')];
    await expectSameAsSimulator(model, [sample, ...randomVectors(model, 'host-native/gesture', 4)]);
  }, 5 * MINUTES);

  describe.concurrent('synthetic models the golden set lacks, against the simulator', () => {
    for (const [name, spec] of Object.entries(SYNTHETIC)) {
      it(name, async () => {
        const model = parseModel(writeModel(spec()), `${name}.tflite`);
        await expectSameAsSimulator(model, randomVectors(model, `host-native/${name}`, 3));
      }, 5 * MINUTES);
    }
  });
});

// ---- synthetic models -------------------------------------------------------

/** Deterministic pseudo-random integers in [lo, hi]. */
function ints(seed: string, n: number, lo: number, hi: number): number[] {
  const rng = new SplitMix64(fnv1a64(`host-native/${seed}`));
  return Array.from({ length: n }, () => lo + Number((rng.next() >> 11n) % BigInt(hi - lo + 1)));
}
const q = (scale: number | number[], zeroPoint = 0, axis = 0) => {
  const s = Array.isArray(scale) ? scale : [scale];
  return { scale: s, zeroPoint: s.map(() => zeroPoint), axis };
};
const int8Data = (seed: string, n: number) => Int8Array.from(ints(seed, n, -127, 127));
const int32Data = (seed: string, n: number, r = 3000) => Int32Array.from(ints(seed, n, -r, r));
const int64Data = (seed: string, n: number, r = 300000) => BigInt64Array.from(ints(seed, n, -r, r), (v) => BigInt(v));
const perChannel = (seed: string, n: number) => ints(seed, n, 1, 100).map((v) => v / 20000);

function single(op: string, tensors: TensorSpec[], inputs: number[], options: Record<string, unknown> = {}): () => ModelSpec {
  const out = tensors.length - 1;
  const graphInputs = inputs.filter((i) => i >= 0 && !tensors[i]!.data);
  return () => ({ tensors, operators: [{ op, inputs, outputs: [out], options }], inputs: graphInputs, outputs: [out] });
}

const SYNTHETIC: Record<string, () => ModelSpec> = {
  'conv_2d int8, 2 groups of 3 channels, zero point -3': single('CONV_2D', [
    { name: 'x', shape: [1, 5, 6, 4], dtype: 'int8', quantization: q(0.05, -3) },
    { name: 'w', shape: [6, 3, 3, 2], dtype: 'int8', quantization: q(perChannel('g.w', 6), 0, 0), data: int8Data('g.w', 6 * 18) },
    { name: 'b', shape: [6], dtype: 'int32', quantization: q(0.0001), data: int32Data('g.b', 6) },
    { name: 'y', shape: [1, 5, 6, 6], dtype: 'int8', quantization: q(0.08, 5) },
  ], [0, 1, 2], { padding: 'SAME', strideH: 1, strideW: 1, activation: 'RELU' }),
  'depthwise_conv_2d int8, 7 channels (tail), dilation 2, valid': single('DEPTHWISE_CONV_2D', [
    { name: 'x', shape: [1, 9, 8, 7], dtype: 'int8', quantization: q(0.04, 11) },
    { name: 'w', shape: [1, 3, 3, 7], dtype: 'int8', quantization: q(perChannel('d.w', 7), 0, 3), data: int8Data('d.w', 63) },
    { name: 'b', shape: [7], dtype: 'int32', quantization: q(0.0001), data: int32Data('d.b', 7) },
    { name: 'y', shape: [1, 5, 4, 7], dtype: 'int8', quantization: q(0.03, -7) },
  ], [0, 1, 2], { padding: 'VALID', strideH: 1, strideW: 1, dilationH: 2, dilationW: 2, depthMultiplier: 1, activation: 'RELU6' }),
  'depthwise_conv_2d int8, depth multiplier 3 with a tail, stride 2, same': single('DEPTHWISE_CONV_2D', [
    { name: 'x', shape: [1, 7, 7, 3], dtype: 'int8', quantization: q(0.04, -20) },
    { name: 'w', shape: [1, 3, 3, 9], dtype: 'int8', quantization: q(perChannel('m.w', 9), 0, 3), data: int8Data('m.w', 81) },
    { name: 'b', shape: [9], dtype: 'int32', quantization: q(0.0001), data: int32Data('m.b', 9) },
    { name: 'y', shape: [1, 4, 4, 9], dtype: 'int8', quantization: q(0.05, 3) },
  ], [0, 1, 2], { padding: 'SAME', strideH: 2, strideW: 2, depthMultiplier: 3 }),
  'depthwise_conv_2d int8 with one input channel (run as a convolution), depth multiplier 6, dilation 2': single('DEPTHWISE_CONV_2D', [
    { name: 'x', shape: [1, 9, 7, 1], dtype: 'int8', quantization: q(0.04, 9) },
    { name: 'w', shape: [1, 3, 2, 6], dtype: 'int8', quantization: q(perChannel('c.w', 6), 0, 3), data: int8Data('c.w', 36) },
    { name: 'b', shape: [6], dtype: 'int32', quantization: q(0.0001), data: int32Data('c.b', 6) },
    { name: 'y', shape: [1, 5, 4, 6], dtype: 'int8', quantization: q(0.05, -4) },
  ], [0, 1, 2], { padding: 'SAME', strideH: 2, strideW: 2, dilationH: 2, dilationW: 2, depthMultiplier: 6, activation: 'RELU' }),
  'depthwise_conv_2d int16 x int8, int64 bias': single('DEPTHWISE_CONV_2D', [
    { name: 'x', shape: [1, 6, 5, 5], dtype: 'int16', quantization: q(0.001) },
    { name: 'w', shape: [1, 3, 3, 5], dtype: 'int8', quantization: q(perChannel('s.w', 5), 0, 3), data: int8Data('s.w', 45) },
    { name: 'b', shape: [5], dtype: 'int64', quantization: q(0.00001), data: int64Data('s.b', 5) },
    { name: 'y', shape: [1, 6, 5, 5], dtype: 'int16', quantization: q(0.002) },
  ], [0, 1, 2], { padding: 'SAME', strideH: 1, strideW: 1, depthMultiplier: 1 }),
  'fully_connected int16 x int8, int32 bias (int32 accumulator)': single('FULLY_CONNECTED', [
    { name: 'x', shape: [2, 20], dtype: 'int16', quantization: q(0.001) },
    { name: 'w', shape: [7, 20], dtype: 'int8', quantization: q(0.01), data: int8Data('f.w', 140) },
    { name: 'b', shape: [7], dtype: 'int32', quantization: q(0.00001), data: int32Data('f.b', 7) },
    { name: 'y', shape: [2, 7], dtype: 'int16', quantization: q(0.01) },
  ], [0, 1, 2]),
  'average_pool_2d and max_pool_2d int16': () => ({
    tensors: [
      { name: 'x', shape: [1, 7, 6, 3], dtype: 'int16', quantization: q(0.001) },
      { name: 'a', shape: [1, 4, 3, 3], dtype: 'int16', quantization: q(0.001) },
      { name: 'm', shape: [1, 4, 3, 3], dtype: 'int16', quantization: q(0.001) },
    ],
    operators: [
      { op: 'AVERAGE_POOL_2D', inputs: [0], outputs: [1], options: { padding: 'SAME', strideH: 2, strideW: 2, filterHeight: 3, filterWidth: 3 } },
      { op: 'MAX_POOL_2D', inputs: [0], outputs: [2], options: { padding: 'SAME', strideH: 2, strideW: 2, filterHeight: 3, filterWidth: 2, activation: 'RELU' } },
    ],
    inputs: [0],
    outputs: [1, 2],
  }),
  'mean int16 over axis 1, no keep_dims': single('MEAN', [
    { name: 'x', shape: [2, 5, 3], dtype: 'int16', quantization: q(0.001, 0) },
    { name: 'axis', shape: [1], dtype: 'int32', data: Int32Array.from([1]) },
    { name: 'y', shape: [2, 3], dtype: 'int16', quantization: q(0.0007, 0) },
  ], [0, 1], { keepDims: false }),
  'padv2 int16 with a constant value, transpose float32': () => ({
    tensors: [
      { name: 'x', shape: [2, 3, 4], dtype: 'int16', quantization: q(0.01) },
      { name: 'pads', shape: [3, 2], dtype: 'int32', data: Int32Array.from([1, 0, 0, 2, 3, 1]) },
      { name: 'v', shape: [1], dtype: 'int16', quantization: q(0.01), data: Int16Array.from([-1234]) },
      { name: 'y', shape: [3, 5, 8], dtype: 'int16', quantization: q(0.01) },
      { name: 'f', shape: [2, 3, 4], dtype: 'float32' },
      { name: 'perm', shape: [3], dtype: 'int32', data: Int32Array.from([2, 0, 1]) },
      { name: 'g', shape: [4, 2, 3], dtype: 'float32' },
    ],
    operators: [
      { op: 'PADV2', inputs: [0, 1, 2], outputs: [3] },
      { op: 'TRANSPOSE', inputs: [4, 5], outputs: [6] },
    ],
    inputs: [0, 4],
    outputs: [3, 6],
  }),
  'quantize int8 -> int32 and int16 -> int16': () => ({
    tensors: [
      { name: 'x', shape: [1, 40], dtype: 'int8', quantization: q(0.02, -9) },
      { name: 'y', shape: [1, 40], dtype: 'int32', quantization: q(0.0001, 0) },
      { name: 's', shape: [1, 40], dtype: 'int16', quantization: q(0.001, 0) },
      { name: 't', shape: [1, 40], dtype: 'int16', quantization: q(0.0037, 0) },
    ],
    operators: [
      { op: 'QUANTIZE', inputs: [0], outputs: [1] },
      { op: 'QUANTIZE', inputs: [2], outputs: [3] },
    ],
    inputs: [0, 2],
    outputs: [1, 3],
  }),
};
