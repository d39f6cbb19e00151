/** `tinyforge simulate MODEL --input FILE... [--out DIR] [--json] [--dump DIR] [--expect DIR] [--repeat N]`. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModel } from '../../lib/load.js';
import { Simulator } from '../../sim/interpreter.js';
import { UsageError } from '../../lib/errors.js';
import { decodeInputFile } from '../../lib/tensor-files.js';
import { dequantize } from '../../lib/quant.js';
import type { TypedArray } from '../../sim/kernels/types.js';
import { color, safeText, shape } from '../format.js';
import { resolvePipeline } from '../../lib/pipeline.js';
import { readRecordingFile, simulateRecording } from '../../lib/recording.js';

export interface SimulateOptions {
  input?: string | string[];
  out?: string;
  json?: boolean;
  dump?: string;
  expect?: string;
  repeat?: number | string;
  wav?: string;
  csv?: string;
  image?: string;
  sensor?: string;
  pipeline?: string;
  inputsOut?: string;
}

const bytesOf = (a: TypedArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const toList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(',')).filter(Boolean);

export default async function simulate(path: string, opts: SimulateOptions): Promise<number> {
  const recordings = [['--wav', opts.wav, 'microphone'], ['--csv', opts.csv, 'imu'], ['--image', opts.image, 'camera']].filter((r) => r[1] !== undefined) as [string, string, string][];
  if (recordings.length > 1) throw new UsageError('bad-flag', `give one recording, not ${recordings.map((r) => r[0]).join(' and ')}`, 'run simulate once per recording');
  if (recordings.length === 1) {
    if (opts.input !== undefined) throw new UsageError('bad-flag', `${recordings[0]![0]} and --input both give the model's input`, 'use one of them');
    return simulateRecordingCommand(path, recordings[0]!, opts);
  }
  const model = await loadModel(path);
  const sim = new Simulator(model);
  const files = toList(opts.input);
  if (files.length !== sim.inputs.length) {
    throw new UsageError(
      'input-count',
      `the model has ${sim.inputs.length} input(s) (${sim.inputs.map((t) => `${safeText(t.name)} ${t.dtype}${shape(t.shape)}`).join(', ')}), got ${files.length} --input file(s)`,
      'pass one --input FILE per model input, in model-input order',
    );
  }
  const inputs: TypedArray[] = [];
  for (let i = 0; i < files.length; i++) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(files[i]!));
    } catch {
      throw new UsageError('cannot-read', `cannot read input file ${files[i]}`, 'check the path', { file: files[i] });
    }
    inputs.push(decodeInputFile(files[i]!, bytes, sim.inputs[i]!));
  }
  const repeat = opts.repeat === undefined ? 1 : Number(opts.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new UsageError('bad-flag', `--repeat must be a positive integer, got ${opts.repeat}`, 'e.g. --repeat 20');

  const times: number[] = [];
  let outputs: TypedArray[] = [];
  for (let r = 0; r < repeat; r++) {
    sim.reset();
    const t0 = performance.now();
    outputs = sim.run(inputs);
    times.push(performance.now() - t0);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const timing = { runs: repeat, medianMs: sorted[Math.floor((sorted.length - 1) / 2)]!, minMs: sorted[0]! };

  if (opts.out) {
    await mkdir(opts.out, { recursive: true });
    for (let k = 0; k < outputs.length; k++) await writeFile(join(opts.out, `output-${k}.bin`), bytesOf(outputs[k]!));
  }
  const sg = model.subgraphs[0]!;
  if (opts.dump) {
    await mkdir(opts.dump, { recursive: true });
    const index: unknown[] = [];
    for (const op of sg.operators) {
      for (const ti of op.outputs) {
        const a = sim.tensor(ti);
        if (!a) continue;
        const t = sg.tensors[ti]!;
        const file = `tensor-${ti}.bin`;
        await writeFile(join(opts.dump, file), bytesOf(a));
        index.push({ file, tensor: ti, name: t.name, opIndex: op.index, op: op.op, shape: t.shape, dtype: t.dtype, scale: t.quantization?.scale[0] ?? null, zeroPoint: t.quantization?.zeroPoint[0] ?? null });
      }
    }
    await writeFile(join(opts.dump, 'index.json'), `${JSON.stringify(index, null, 1)}\n`);
  }

  let mismatch: { opIndex: number; op: string; tensor: number; name: string; differing: number; elements: number; firstElement: number; expected: number; got: number } | null = null;
  let compared = 0;
  if (opts.expect) {
    const outIndex = new Map(sg.outputs.map((ti, k) => [ti, k]));
    outer: for (const op of sg.operators) {
      for (const ti of op.outputs) {
        const candidates = [join(opts.expect, `tensor-${ti}.bin`)];
        if (outIndex.has(ti)) candidates.push(join(opts.expect, `output-${outIndex.get(ti)}.bin`));
        const ref = candidates.find((f) => existsSync(f));
        if (!ref) continue;
        const want = new Uint8Array(await readFile(ref));
        const gotArr = sim.tensor(ti)!;
        const got = bytesOf(gotArr);
        compared++;
        if (want.byteLength !== got.byteLength || want.some((b, i) => b !== got[i])) {
          const t = sg.tensors[ti]!;
          const copy = want.slice();
          const wantArr = want.byteLength === got.byteLength ? new (gotArr.constructor as new (b: ArrayBuffer) => TypedArray)(copy.buffer) : null;
          let differing = 0;
          let first = -1;
          if (wantArr) {
            for (let i = 0; i < gotArr.length; i++) if (wantArr[i] !== gotArr[i]) { differing++; if (first < 0) first = i; }
          }
          mismatch = { opIndex: op.index, op: op.op, tensor: ti, name: t.name, differing, elements: gotArr.length, firstElement: first, expected: wantArr ? Number(wantArr[first]) : NaN, got: Number(gotArr[first]) };
          break outer;
        }
      }
    }
    if (compared === 0) throw new UsageError('no-reference', `${opts.expect} holds no tensor-<index>.bin or output-<k>.bin file for this model`, 'dump references with `tinyforge simulate --dump DIR` or TFLM\'s layer-by-layer tools, named tensor-<index>.bin');
  }

  const outReport = outputs.map((a, k) => {
    const t = sim.outputs[k]!;
    const values = Array.from(a as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? Number(v) : v));
    return { index: t.index, name: t.name, shape: t.shape, dtype: t.dtype, scale: t.scale, zeroPoint: t.zeroPoint, values, dequantized: t.scale !== null ? Array.from(dequantize(values, t)) : null };
  });
  if (opts.json) {
    const report: Record<string, unknown> = { model: { path, sha256: model.sha256 }, outputs: outReport };
    if (repeat > 1 || opts.repeat !== undefined) report.timing = timing;
    if (opts.expect) report.expect = { compared, firstMismatch: mismatch };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const o of outReport) {
      process.stdout.write(`${color.bold(`output ${safeText(o.name)}`)} ${o.dtype}${shape(o.shape)}\n  values: ${preview(o.values)}\n`);
      if (o.dequantized) {
        const top = o.dequantized.reduce((b, v, i, arr) => (v > arr[b]! ? i : b), 0);
        process.stdout.write(`  real:   ${preview(o.dequantized.map((v) => Number(v.toPrecision(5))))}\n  argmax: ${top}\n`);
      }
    }
    if (repeat > 1) process.stdout.write(`timing: median ${timing.medianMs.toFixed(3)} ms, min ${timing.minMs.toFixed(3)} ms over ${repeat} runs\n`);
    if (opts.expect) {
      process.stdout.write(
        mismatch
          ? color.red(`first difference: operator ${mismatch.opIndex} (${mismatch.op}) output tensor ${mismatch.tensor} ${JSON.stringify(safeText(mismatch.name))}: ${mismatch.differing}/${mismatch.elements} elements differ, first at element ${mismatch.firstElement} (expected ${mismatch.expected}, got ${mismatch.got})\n`)
          : color.green(`all ${compared} reference tensors match byte for byte\n`),
      );
    }
  }
  return mismatch ? 2 : 0;
}

function preview(v: number[]): string {
  return v.length <= 16 ? `[${v.join(', ')}]` : `[${v.slice(0, 16).join(', ')}, … ${v.length - 16} more]`;
}

/** simulate --wav/--csv/--image: the recording through the sensor pipeline, one line per inference the board would run. */
async function simulateRecordingCommand(path: string, [flag, file, defaultSensor]: [string, string, string], opts: SimulateOptions): Promise<number> {
  const model = await loadModel(path);
  // A CSV can feed an IMU or an ADC pipeline: the pipeline file (or --sensor) says which.
  const pipeline = resolvePipeline(model, { sensor: opts.sensor, pipelineFile: opts.pipeline, discover: true }) ?? resolvePipeline(model, { sensor: defaultSensor, pipelineFile: opts.pipeline, discover: true });
  if (!pipeline) throw new UsageError('no-pipeline', `${flag} needs a sensor pipeline`, 'add --sensor KIND or a tinyforge.json beside the model');
  const wantsFrames = pipeline.plan.kind === 'image';
  if ((flag === '--image') !== wantsFrames || (flag === '--wav') !== (pipeline.sensor === 'microphone')) {
    throw new UsageError('bad-flag', `${flag} does not fit the ${pipeline.sensor} pipeline`, pipeline.sensor === 'microphone' ? 'use --wav' : pipeline.sensor === 'camera' ? 'use --image' : 'use --csv');
  }
  const recording = readRecordingFile(file, pipeline);
  const steps = simulateRecording(model, pipeline, recording);
  if (opts.inputsOut) {
    await mkdir(opts.inputsOut, { recursive: true });
    for (const s of steps) await writeFile(join(opts.inputsOut, `input-${s.index}.bin`), s.input);
  }
  const sim = new Simulator(model);
  if (opts.json) {
    const report = {
      model: { path, sha256: model.sha256 },
      recording: { file, flag, samples: recording.kind === 'stream' ? recording.samples.length / (pipeline.plan.kind === 'image' ? 1 : pipeline.plan.channels) : recording.frames.length },
      pipeline: { sensor: pipeline.sensor, file: pipeline.file, inferenceRateHz: pipeline.inferenceRateHz, describe: pipeline.describe },
      results: steps.map((s) => ({
        index: s.index,
        at: s.at,
        timeS: s.timeS,
        label: s.result.label,
        name: s.label,
        score: s.result.score,
        averaged: s.result.count,
        detected: s.result.detected,
        outputs: s.outputs.map((o, k) => {
          const values = Array.from(o as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? Number(v) : v));
          const t = sim.outputs[k]!;
          return { values, dequantized: t.scale !== null ? Array.from(dequantize(values, t)) : null };
        }),
      })),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  for (const line of pipeline.describe) process.stdout.write(`${color.dim(safeText(line, 200))}\n`);
  if (steps.length === 0) {
    const need = pipeline.plan.kind === 'image' ? 'a frame' : `${pipeline.plan.windowSamples} samples`;
    process.stdout.write(`no inference: the recording is shorter than one window (${need})\n`);
    return 0;
  }
  for (const s of steps) {
    const when = pipeline.plan.kind === 'image' ? `frame ${s.at}` : `t=${s.timeS.toFixed(3)}s`;
    const name = s.label ? ` ${safeText(s.label, 40)}` : '';
    const text = `#${s.index} ${when} label=${s.result.label}${name} score=${s.result.score.toFixed(4)}${s.result.count > 1 ? ` (avg of ${s.result.count})` : ''}`;
    process.stdout.write(`${s.result.detected ? color.green(`${text} detected`) : text}\n`);
  }
  return 0;
}
