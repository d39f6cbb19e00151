/**
 * Native engine vs simulator on small synthetic models, for operator variants
 * the golden set does not cover (SLICE, SPLIT, SPLIT_V, GATHER, CAST, DIV,
 * MINIMUM/MAXIMUM, int16 RELU/RELU6/LOGISTIC/TANH/MUL, int32 SUB/MUL, int16
 * CONCATENATION, broadcasts whose row offsets need a table, ...). Each model
 * is generated, built with the host g++ (-Werror) and run on random inputs;
 * every output byte must equal the simulator's (which is itself byte-exact
 * with TFLM on the golden set). The binary resets once and then runs the
 * inputs as a stream (fixtures/host_stream_main.cpp), so state carried across
 * invokes (SVDF / LSTM variable tensors, the spectral-subtraction noise
 * estimate) is checked too: also on the stateful golden models, whose golden
 * vectors are each a fresh interpreter.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readModel } from '../../sim/parse/reader.js';
import { loadModel } from '../../lib/load.js';
import { renderProject } from '../../generator/project.js';
import type { Model } from '../../sim/ir/types.js';
import { writeModel, type ModelSpec, type TensorSpec } from '../../sim/parse/writer.js';
import { Simulator } from '../../sim/interpreter.js';
import type { TypedArray } from '../../sim/kernels/types.js';
import { HOST_CXXFLAGS } from './host_build.js';
import { requireToolchain } from './toolchain.js';
import { listGoldenCases, readBytes, requireGolden } from '../golden/cases.js';

const HAVE = requireToolchain(['g++']);
const STREAM_MAIN = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'host_stream_main.cpp');

/** Generates the project and builds it with the streaming driver. */
function buildStream(model: Model, dir: string): string {
  const project = renderProject(model, { board: { id: 'host' }, name: 'model' });
  for (const [path, content] of project.files) {
    const p = join(dir, path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  const src = join(dir, project.name, 'src', 'tinyforge');
  const exe = join(dir, 'stream_model');
  try {
    execFileSync('g++', [...HOST_CXXFLAGS, `-I${src}`, join(src, 'tinyforge_model.cpp'), join(src, 'tinyforge_weights.cpp'), STREAM_MAIN, '-o', exe], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`g++ failed: ${String((e as { stderr?: Buffer }).stderr ?? e).slice(0, 3000)}`);
  }
  return exe;
}

const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/**
 * Runs the input sets in order on one reset binary and on one reset
 * simulator; returns mismatch messages and how many distinct output byte
 * values the simulator produced (a test whose outputs are all equal proves little).
 */
function compareStream(model: Model, dir: string, stream: TypedArray[][]): { problems: string[]; distinct: number } {
  const exe = buildStream(model, dir);
  const sim = new Simulator(model);
  sim.reset();
  const args: string[] = [];
  const want: Buffer[][] = [];
  stream.forEach((inputs, v) => {
    inputs.forEach((a, i) => {
      const p = join(dir, `in_${v}_${i}.bin`);
      writeFileSync(p, bytesOf(a));
      args.push(p);
    });
    const outs = sim.run(inputs).map((o) => Buffer.from(bytesOf(o)));
    outs.forEach((_, k) => args.push(join(dir, `out_${v}_${k}.bin`)));
    want.push(outs);
  });
  execFileSync(exe, args, { stdio: 'pipe' });
  const problems: string[] = [];
  want.forEach((outs, v) => outs.forEach((w, k) => {
    const got = readFileSync(join(dir, `out_${v}_${k}.bin`));
    if (!got.equals(w)) problems.push(`invoke ${v} output ${k} differs`);
  }));
  const values = new Set<number>();
  for (const outs of want) for (const o of outs) for (const byte of o) values.add(byte);
  return { problems, distinct: values.size };
}

/** Deterministic SplitMix64-style generator (32-bit words). */
function rng(seed: number): () => number {
  let s = BigInt(seed) * 0x9e3779b97f4a7c15n;
  return () => {
    s = (s + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
    return Number((z ^ (z >> 31n)) >> 32n) | 0;
  };
}

function randomInput(t: TensorSpec, next: () => number): TypedArray {
  const n = t.shape.reduce((a, b) => a * b, 1);
  switch (t.dtype) {
    case 'int8': return Int8Array.from({ length: n }, () => next() >> 24);
    case 'int16': return Int16Array.from({ length: n }, () => next() >> 16);
    case 'int32': return Int32Array.from({ length: n }, () => (next() & 1 ? next() : next() >> 20));
    case 'uint32': return Uint32Array.from({ length: n }, () => next() >>> 0);
    case 'float32': return Float32Array.from({ length: n }, () => (next() % 7 === 0 ? next() * 8 : next() / 65536));
    default: throw new Error(`no random input for ${t.dtype}`);
  }
}

const q = (scale: number, zeroPoint = 0) => ({ scale: [scale], zeroPoint: [zeroPoint] });
const i32 = (v: number[]) => new Int32Array(v);

/** A one-operator model: `tensors` in order, inputs / outputs by index. */
function oneOp(op: string, tensors: TensorSpec[], inputs: number[], outputs: number[], options: Record<string, unknown> = {}, opInputs?: number[]): ModelSpec {
  return { tensors, operators: [{ op, inputs: opInputs ?? inputs, outputs, options }], inputs: inputs.filter((i) => !tensors[i]!.data), outputs };
}

const CASES: Record<string, ModelSpec> = {
  'SLICE int8 4-D': oneOp('SLICE', [
    { name: 'x', shape: [1, 5, 6, 4], dtype: 'int8', quantization: q(0.1) },
    { name: 'begin', shape: [4], dtype: 'int32', data: i32([0, 1, 2, 0]) },
    { name: 'size', shape: [4], dtype: 'int32', data: i32([1, 3, -1, 2]) },
    { name: 'y', shape: [1, 3, 4, 2], dtype: 'int8', quantization: q(0.1) },
  ], [0, 1, 2], [3]),
  'SPLIT int8 channels': oneOp('SPLIT', [
    { name: 'axis', shape: [], dtype: 'int32', data: i32([3]) },
    { name: 'x', shape: [1, 4, 4, 6], dtype: 'int8', quantization: q(0.1) },
    { name: 'y0', shape: [1, 4, 4, 3], dtype: 'int8', quantization: q(0.1) },
    { name: 'y1', shape: [1, 4, 4, 3], dtype: 'int8', quantization: q(0.1) },
  ], [0, 1], [2, 3], { numSplits: 2 }),
  'SPLIT_V int16 rows': oneOp('SPLIT_V', [
    { name: 'x', shape: [2, 6, 3], dtype: 'int16', quantization: q(0.01) },
    { name: 'sizes', shape: [2], dtype: 'int32', data: i32([2, 4]) },
    { name: 'axis', shape: [], dtype: 'int32', data: i32([1]) },
    { name: 'y0', shape: [2, 2, 3], dtype: 'int16', quantization: q(0.01) },
    { name: 'y1', shape: [2, 4, 3], dtype: 'int16', quantization: q(0.01) },
  ], [0, 1, 2], [3, 4], { numSplits: 2 }),
  'GATHER int8 axis 1': oneOp('GATHER', [
    { name: 'x', shape: [3, 5, 2], dtype: 'int8', quantization: q(0.1) },
    { name: 'pos', shape: [4], dtype: 'int32', data: i32([4, 0, 2, 2]) },
    { name: 'y', shape: [3, 4, 2], dtype: 'int8', quantization: q(0.1) },
  ], [0, 1], [2], { axis: 1, batchDims: 0 }),
  'GATHER float32 axis 0': oneOp('GATHER', [
    { name: 'x', shape: [4, 3], dtype: 'float32' },
    { name: 'pos', shape: [2], dtype: 'int32', data: i32([3, 1]) },
    { name: 'y', shape: [2, 3], dtype: 'float32' },
  ], [0, 1], [2], { axis: 0, batchDims: 0 }),
  'CAST int16 -> int32': oneOp('CAST', [
    { name: 'x', shape: [17], dtype: 'int16' }, { name: 'y', shape: [17], dtype: 'int32' },
  ], [0], [1], { inDataType: 'int16', outDataType: 'int32' }),
  'CAST int32 -> int8': oneOp('CAST', [
    { name: 'x', shape: [17], dtype: 'int32' }, { name: 'y', shape: [17], dtype: 'int8' },
  ], [0], [1], { inDataType: 'int32', outDataType: 'int8' }),
  'CAST uint32 -> int32': oneOp('CAST', [
    { name: 'x', shape: [17], dtype: 'uint32' }, { name: 'y', shape: [17], dtype: 'int32' },
  ], [0], [1], { inDataType: 'uint32', outDataType: 'int32' }),
  'CAST int8 -> float32': oneOp('CAST', [
    { name: 'x', shape: [17], dtype: 'int8' }, { name: 'y', shape: [17], dtype: 'float32' },
  ], [0], [1], { inDataType: 'int8', outDataType: 'float32' }),
  'CAST float32 -> int16': oneOp('CAST', [
    { name: 'x', shape: [33], dtype: 'float32' }, { name: 'y', shape: [33], dtype: 'int16' },
  ], [0], [1], { inDataType: 'float32', outDataType: 'int16' }),
  'CAST float32 -> uint32': oneOp('CAST', [
    { name: 'x', shape: [33], dtype: 'float32' }, { name: 'y', shape: [33], dtype: 'uint32' },
  ], [0], [1], { inDataType: 'float32', outDataType: 'uint32' }),
  'DIV int32 const divisor relu': oneOp('DIV', [
    { name: 'x', shape: [3, 4], dtype: 'int32' },
    { name: 'd', shape: [4], dtype: 'int32', data: i32([3, -7, 1, 1000]) },
    { name: 'y', shape: [3, 4], dtype: 'int32' },
  ], [0, 1], [2], { activation: 'RELU' }),
  'DIV int8 broadcast': oneOp('DIV', [
    { name: 'x', shape: [2, 3, 4], dtype: 'int8', quantization: q(0.05, 3) },
    { name: 'd', shape: [1, 1, 4], dtype: 'int8', quantization: q(0.02, -5), data: new Int8Array([7, -100, 60, -4]) },
    { name: 'y', shape: [2, 3, 4], dtype: 'int8', quantization: q(0.2, -2) },
  ], [0, 1], [2]),
  'MAXIMUM int8 broadcast': oneOp('MAXIMUM', [
    { name: 'a', shape: [2, 3, 4], dtype: 'int8', quantization: q(0.1) },
    { name: 'b', shape: [3, 1], dtype: 'int8', quantization: q(0.1) },
    { name: 'y', shape: [2, 3, 4], dtype: 'int8', quantization: q(0.1) },
  ], [0, 1], [2]),
  'MINIMUM int16': oneOp('MINIMUM', [
    { name: 'a', shape: [5, 3], dtype: 'int16', quantization: q(0.1) },
    { name: 'b', shape: [5, 3], dtype: 'int16', quantization: q(0.1) },
    { name: 'y', shape: [5, 3], dtype: 'int16', quantization: q(0.1) },
  ], [0, 1], [2]),
  'RELU int16': oneOp('RELU', [
    { name: 'x', shape: [40], dtype: 'int16', quantization: q(0.001) },
    { name: 'y', shape: [40], dtype: 'int16', quantization: q(0.0007) },
  ], [0], [1]),
  'RELU6 int16': oneOp('RELU6', [
    { name: 'x', shape: [40], dtype: 'int16', quantization: q(0.0005) },
    { name: 'y', shape: [40], dtype: 'int16', quantization: q(0.0005) },
  ], [0], [1]),
  'LOGISTIC int16': oneOp('LOGISTIC', [
    { name: 'x', shape: [64], dtype: 'int16', quantization: q(0.0007) },
    { name: 'y', shape: [64], dtype: 'int16', quantization: q(1 / 32768) },
  ], [0], [1]),
  'TANH int16 power of two': oneOp('TANH', [
    { name: 'x', shape: [64], dtype: 'int16', quantization: q(1 / 4096) },
    { name: 'y', shape: [64], dtype: 'int16', quantization: q(1 / 32768) },
  ], [0], [1]),
  'MUL int16 broadcast': oneOp('MUL', [
    { name: 'a', shape: [2, 3, 4], dtype: 'int16', quantization: q(0.001) },
    { name: 'b', shape: [4], dtype: 'int16', quantization: q(0.002) },
    { name: 'y', shape: [2, 3, 4], dtype: 'int16', quantization: q(0.003) },
  ], [0, 1], [2]),
  'MUL int32 relu': oneOp('MUL', [
    { name: 'a', shape: [12], dtype: 'int32' }, { name: 'b', shape: [12], dtype: 'int32' }, { name: 'y', shape: [12], dtype: 'int32' },
  ], [0, 1], [2], { activation: 'RELU' }),
  'SUB int32': oneOp('SUB', [
    { name: 'a', shape: [12], dtype: 'int32' }, { name: 'b', shape: [1], dtype: 'int32' }, { name: 'y', shape: [12], dtype: 'int32' },
  ], [0, 1], [2]),
  'SUB int8 middle broadcast (offset table)': oneOp('SUB', [
    { name: 'a', shape: [2, 3, 4], dtype: 'int8', quantization: q(0.1, 4) },
    { name: 'b', shape: [2, 1, 4], dtype: 'int8', quantization: q(0.07, -9) },
    { name: 'y', shape: [2, 3, 4], dtype: 'int8', quantization: q(0.15, 1) },
  ], [0, 1], [2]),
  'ADD int32 scalar': oneOp('ADD', [
    { name: 'a', shape: [2, 5], dtype: 'int32' }, { name: 'b', shape: [], dtype: 'int32' }, { name: 'y', shape: [2, 5], dtype: 'int32' },
  ], [0, 1], [2]),
  'CONCATENATION int16 axis 1': oneOp('CONCATENATION', [
    { name: 'a', shape: [2, 3, 2], dtype: 'int16', quantization: q(0.01) },
    { name: 'b', shape: [2, 1, 2], dtype: 'int16', quantization: q(0.02) },
    { name: 'y', shape: [2, 4, 2], dtype: 'int16', quantization: q(0.01) },
  ], [0, 1], [2], { axis: 1, activation: 'NONE' }),
  'STRIDED_SLICE int32 negative strides': oneOp('STRIDED_SLICE', [
    { name: 'x', shape: [4, 5, 6], dtype: 'int32' },
    { name: 'begin', shape: [3], dtype: 'int32', data: i32([3, -1, 5]) },
    { name: 'end', shape: [3], dtype: 'int32', data: i32([0, 0, 0]) },
    { name: 'strides', shape: [3], dtype: 'int32', data: i32([-1, -2, -3]) },
    { name: 'y', shape: [3, 2, 2], dtype: 'int32' },
  ], [0, 1, 2, 3], [4]),
};

/** Deterministic int8 weights in [-127, 127]. */
function weights8(n: number, seed: number): Int8Array {
  const next = rng(seed);
  return Int8Array.from({ length: n }, () => ((next() >>> 0) % 255) - 127);
}

function svdfSpec(stateType: 'int8' | 'int16', batches: number, rank: number): ModelSpec {
  const inputSize = 5;
  const filters = 6;
  const memory = 4;
  const units = filters / rank;
  // Scales chosen so that state and output values stay mostly inside their ranges.
  const sState = stateType === 'int8' ? 0.5 : 0.0032;
  const sWt = stateType === 'int8' ? 0.01 : 1.4e-5;
  const sOut = stateType === 'int8' ? 0.5 : 0.05;
  const wt = stateType === 'int8' ? weights8(filters * memory, 11) : Int16Array.from(weights8(filters * memory, 11), (v) => v * 97);
  return {
    tensors: [
      { name: 'x', shape: [batches, inputSize], dtype: 'int8', quantization: q(0.04, -3) },
      { name: 'wf', shape: [filters, inputSize], dtype: 'int8', quantization: q(0.02), data: weights8(filters * inputSize, 7) },
      { name: 'wt', shape: [filters, memory], dtype: stateType, quantization: q(sWt), data: wt },
      { name: 'bias', shape: [units], dtype: 'int32', quantization: q(Math.fround(sState * sWt)), data: i32(Array.from({ length: units }, (_, u) => u * 331 - 500)) },
      { name: 'state', shape: [batches, memory * filters], dtype: stateType, quantization: q(sState, stateType === 'int8' ? 17 : 0), isVariable: true },
      { name: 'y', shape: [batches, units], dtype: 'int8', quantization: q(sOut, 5) },
    ],
    operators: [{ op: 'SVDF', inputs: [0, 1, 2, 3, 4], outputs: [5], options: { rank, activation: 'RELU' } }],
    inputs: [0],
    outputs: [5],
  };
}

function lstmSpec(timeMajor: boolean, batch: number, steps: number, cellScale: number): ModelSpec {
  const nIn = 3;
  const units = 4;
  const t: TensorSpec[] = [];
  const add = (x: TensorSpec) => t.push(x) - 1;
  const sIn = 0.03;
  const sH = 0.008;
  const x = add({ name: 'x', shape: timeMajor ? [steps, batch, nIn] : [batch, steps, nIn], dtype: 'int8', quantization: q(sIn, 5) });
  const wx = [0, 1, 2, 3].map((g) => add({ name: `wx${g}`, shape: [units, nIn], dtype: 'int8', quantization: q(0.01 + g * 0.002), data: weights8(units * nIn, 100 + g) }));
  const wh = [0, 1, 2, 3].map((g) => add({ name: `wh${g}`, shape: [units, units], dtype: 'int8', quantization: q(0.012 + g * 0.001), data: weights8(units * units, 200 + g) }));
  const bias = [0, 1, 2, 3].map((g) => add({ name: `b${g}`, shape: [units], dtype: 'int32', quantization: q(sIn * 0.01), data: i32([g * 100, -300, 50, 7 * g]) }));
  const hidden = add({ name: 'h', shape: [batch, units], dtype: 'int8', quantization: q(sH, -2), isVariable: true });
  const cell = add({ name: 'c', shape: [batch, units], dtype: 'int16', quantization: q(cellScale), isVariable: true });
  const y = add({ name: 'y', shape: timeMajor ? [steps, batch, units] : [batch, steps, units], dtype: 'int8', quantization: q(sH, -2) });
  // Inputs: x, input/forget/cell/output input weights, the same recurrent, 3 peepholes, 4 biases, 2 projection, h, c, 4 layer norms.
  const inputs = [x, ...wx, ...wh, -1, -1, -1, ...bias, -1, -1, hidden, cell, -1, -1, -1, -1];
  return {
    tensors: t,
    operators: [{ op: 'UNIDIRECTIONAL_SEQUENCE_LSTM', inputs, outputs: [y], options: { activation: 'TANH', cellClip: 3, projClip: 0, timeMajor } }],
    inputs: [x],
    outputs: [y],
  };
}

Object.assign(CASES, {
  'SVDF int8 state, 2 batches, rank 2': svdfSpec('int8', 2, 2),
  'SVDF int16 state, 2 batches, rank 3': svdfSpec('int16', 2, 3),
  'LSTM batch-major, 2 rows, cell 2^-11': lstmSpec(false, 2, 3, 2 ** -11),
  'LSTM time-major, 2 rows, cell 2^-15': lstmSpec(true, 2, 3, 2 ** -15),
  'LSTM time-major, cell 1/40': lstmSpec(true, 1, 2, 1 / 40),
});

describe.skipIf(!HAVE)('native engine matches the simulator on synthetic single-op models', () => {
  for (const [name, spec] of Object.entries(CASES)) {
    it(name, () => {
      const model = readModel(writeModel(spec));
      const dir = mkdtempSync(join(tmpdir(), 'tf-native-op-'));
      try {
        const next = rng(name.length * 7919);
        const inputSpecs = spec.inputs.map((i) => spec.tensors[i]!);
        const stream = Array.from({ length: 4 }, () => inputSpecs.map((t) => randomInput(t, next)));
        const r = compareStream(model, dir, stream);
        expect(r.problems).toEqual([]);
        expect(r.distinct).toBeGreaterThan(8);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

const STATEFUL_GOLDEN = ['tflm-audio_preprocessor_int8', 'tflm-keyword_scrambled', 'tflm-keyword_scrambled_8bit', 'tflm-mnist_lstm_int8', 'tflm-micro_speech_lstm', 'tflm-dtln_noise_suppression'];

describe.skipIf(!HAVE || !requireGolden())('stateful golden models streamed (state carried across invokes)', () => {
  for (const name of STATEFUL_GOLDEN) {
    it(name, async () => {
      const c = listGoldenCases().find((g) => g.name === name);
      if (!c) throw new Error(`golden case ${name} not found`);
      const model = await loadModel(c.modelPath);
      const sim = new Simulator(model);
      const dir = mkdtempSync(join(tmpdir(), 'tf-native-stream-'));
      try {
        // Every golden input vector, in order, then again: one long stream.
        const stream = [...c.vectors, ...c.vectors].map((v) => v.inputs.map((f, i) => {
          const b = readBytes(c.dir, f);
          const buf = b.slice().buffer;
          const dt = sim.inputs[i]!.dtype;
          return dt === 'int8' ? new Int8Array(buf) : dt === 'int16' ? new Int16Array(buf) : dt === 'int32' ? new Int32Array(buf) : new Float32Array(buf);
        }));
        expect(compareStream(model, dir, stream).problems).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
