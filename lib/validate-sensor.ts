/**
 * Host verification of the sensor path: the generated capture, front end and
 * always-on loop are built for the emulated board, a recording is replayed
 * through its HAL (tf_sensor.h), and every input tensor, every output and
 * every loop decision is compared byte for byte with the simulator's run of
 * the same recording (lib/recording.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model } from '../sim/ir/types.js';
import type { TypedArray } from '../sim/kernels/types.js';
import { listBoards, resolveBoard, type ResolvedBoard } from './boards.js';
import { BoardError } from './errors.js';
import { boardPipeline, renderFirmware } from './generate.js';
import type { PipelineFile, ResolvedPipeline } from './pipeline.js';
import { simulateRecording, type Recording, type RecordingStep } from './recording.js';
import { writeProject } from '../generator/output.js';
import { joinBytes } from './validate-protocol.js';
import { buildEmulation, runEmulationSensor } from '../generator/toolchain/emulate.js';

export interface SensorCheckRequest {
  /** An emulated board (default: the first board file with an emulator, mps2-an386). */
  board?: string | ResolvedBoard;
  sensor?: string;
  pipelineFile?: string;
  pipeline?: PipelineFile;
  recording: Recording;
  engine?: 'native' | 'tflm';
  timeoutMs?: number;
  /** Keep the generated project (its path is returned). */
  keep?: boolean;
}

export interface SensorCheckResult {
  pipeline: ResolvedPipeline;
  simulated: RecordingStep[];
  /** Inferences the firmware ran. */
  inferences: number;
  inputsEqual: boolean;
  outputsEqual: boolean;
  reportEqual: boolean;
  /** The first difference, in words, or null when everything matched. */
  firstDifference: string | null;
  /** The firmware's concatenated input tensors / outputs / report lines. */
  firmware: { inputs: Uint8Array; outputs: Uint8Array; report: string[] };
  projectDir: string | null;
  ms: { build: number; run: number };
}

const bytesOf = (a: TypedArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.byteLength, b.byteLength);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.byteLength === b.byteLength ? -1 : n;
}

/** The recording as the emulated HAL reads it (tf_sensor.bin). */
export function recordingBytes(r: Recording): Uint8Array {
  if (r.kind === 'frames') return joinBytes(r.frames);
  const out = new Uint8Array(r.samples.length * 2);
  const dv = new DataView(out.buffer);
  r.samples.forEach((v, i) => dv.setInt16(2 * i, v, true));
  return out;
}

export async function checkSensorOnEmulator(model: Model, req: SensorCheckRequest): Promise<SensorCheckResult> {
  // Default: the first board the data gives an emulator.
  const board = typeof req.board === 'object' ? req.board : req.board ? resolveBoard(req.board) : listBoards().map((id) => resolveBoard(id)).find((b) => b.emulation);
  if (!board) throw new BoardError('no-emulator', 'no board file has an emulator', 'pass an emulated board');
  if (!board.emulation) throw new BoardError('no-emulator', `board ${board.id} has no emulator`, 'use an emulated board, e.g. --board mps2-an386');
  const pipeline = boardPipeline(model, board, req);
  if (!pipeline) throw new BoardError('no-sensor', 'no sensor pipeline: give a sensor or a pipeline file', 'add --sensor KIND or a tinyforge.json beside the model');
  const simulated = simulateRecording(model, pipeline, req.recording);
  const project = await renderFirmware(model, { board, engine: req.engine ?? 'native', sensor: req.sensor, pipelineFile: req.pipelineFile, pipeline: req.pipeline, command: 'tinyforge validate --emulate (sensor)' });
  const root = await mkdtemp(join(tmpdir(), 'tinyforge-sensor-'));
  let keep = req.keep ?? false;
  try {
    await writeProject(join(root, 'project'), project.files);
    const projectDir = join(root, 'project', project.name);
    const build = await buildEmulation(projectDir).catch((e) => {
      keep = true;
      throw e;
    });
    const emu = board.emulation;
    const run = await runEmulationSensor({ elf: build.elf, qemu: emu.qemu, machine: emu.machine, stream: recordingBytes(req.recording), timeoutMs: req.timeoutMs ?? 120_000 });
    const wantInputs = joinBytes(simulated.map((s) => s.input));
    const wantOutputs = joinBytes(simulated.map((s) => bytesOf(s.outputs[0]!)));
    const wantReport = simulated.map((s) => `${s.result.index} ${s.result.label} ${s.result.sum} ${s.result.count} ${s.result.detected ? 1 : 0}`);
    const tensorBytes = simulated[0]?.input.byteLength ?? pipeline.plan.tensorBytes;
    let firstDifference: string | null = null;
    const di = firstDiff(wantInputs, run.inputs);
    if (di >= 0) firstDifference = `input tensors differ at byte ${di} (inference ${Math.floor(di / tensorBytes)}): simulator made ${simulated.length} tensors (${wantInputs.byteLength} B), firmware ${run.inputs.byteLength} B`;
    const dout = firstDiff(wantOutputs, run.outputs);
    if (!firstDifference && dout >= 0) firstDifference = `outputs differ at byte ${dout}`;
    const dr = wantReport.findIndex((l, i) => run.report[i] !== l);
    const reportEqual = dr < 0 && run.report.length === wantReport.length;
    if (!firstDifference && !reportEqual) firstDifference = `loop result ${dr < 0 ? wantReport.length : dr} differs: simulator "${wantReport[dr] ?? '(none)'}", firmware "${run.report[dr < 0 ? wantReport.length : dr] ?? '(none)'}"`;
    return {
      pipeline,
      simulated,
      inferences: run.report.length,
      inputsEqual: di < 0,
      outputsEqual: dout < 0,
      reportEqual,
      firstDifference,
      firmware: { inputs: run.inputs, outputs: run.outputs, report: run.report },
      projectDir: keep ? projectDir : null,
      ms: { build: build.ms, run: run.ms },
    };
  } finally {
    if (!keep) await rm(root, { recursive: true, force: true });
  }
}
