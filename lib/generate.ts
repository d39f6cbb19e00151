/**
 * Library entry for `generate`: model + board -> a firmware project on disk.
 */
import type { Model } from '../sim/ir/types.js';
import { listBoards, resolveBoard, type ResolvedBoard } from './boards.js';
import { IMU_CHANNELS, resolvePipeline, type PipelineFile, type ResolvedPipeline } from './pipeline.js';
import { estimate } from '../sim/estimate/index.js';
import { checkModel } from '../sim/ir/check.js';
import { GenerateError, ModelProblemsError } from './errors.js';
import { renderProject, type GeneratedProject, type GeneratedTflmProject } from '../generator/project.js';
import { writeProject } from '../generator/output.js';

export interface GenerateRequest {
  board: string | ResolvedBoard;
  outDir: string;
  /** 'native' (default): tinyforge's generated C++; 'tflm': a TFLite Micro interpreter (the board's Arduino TFLM library). */
  engine?: 'native' | 'tflm';
  /** Sensor that feeds the model (imu, microphone, adc, camera); default from the pipeline file. */
  sensor?: string;
  /** Pipeline description file (default: <model>.tinyforge.json or tinyforge.json beside the model). */
  pipelineFile?: string;
  /** Pipeline description given in code (merged over the file). */
  pipeline?: PipelineFile;
  force?: boolean;
  command?: string;
  name?: string;
  periodMs?: number;
}

export interface GenerateResult<P extends GeneratedProject | GeneratedTflmProject = GeneratedProject | GeneratedTflmProject> {
  name: string;
  outDir: string;
  files: string[];
  /** Native: the planned arena; tflm: kTensorArenaSize. */
  arenaBytes: number;
  /** Native: constant tensor bytes; tflm: the .tflite byte array. */
  constantBytes: number;
  project: P;
  /** The sensor pipeline built into the firmware, or null (test pattern). */
  pipeline: ResolvedPipeline | null;
}

type RenderRequest = Omit<GenerateRequest, 'outDir' | 'force'>;

/** Renders the project in memory (nothing written): for tests and previews. */
export async function renderFirmware(model: Model, req: RenderRequest & { engine?: 'native' }): Promise<GeneratedProject>;
export async function renderFirmware(model: Model, req: RenderRequest & { engine: 'tflm' }): Promise<GeneratedTflmProject>;
export async function renderFirmware(model: Model, req: RenderRequest): Promise<GeneratedProject | GeneratedTflmProject>;
export async function renderFirmware(model: Model, req: RenderRequest): Promise<GeneratedProject | GeneratedTflmProject> {
  const problems = await checkModel(model);
  if (problems.length > 0) throw new ModelProblemsError(problems);
  const board = typeof req.board === 'string' ? resolveBoard(req.board) : req.board;
  const pipeline = boardPipeline(model, board, req);
  let latencyMs: number | undefined;
  if (pipeline) {
    try {
      latencyMs = estimate(model, board, { engine: req.engine ?? 'native' }).latencyMs;
    } catch {
      latencyMs = undefined; // the ring then gets the default slack
    }
  }
  return renderProject(model, { board: board as never, engine: req.engine, sensor: req.sensor, command: req.command, name: req.name, periodMs: req.periodMs, pipeline, latencyMs });
}

/** The pipeline for this board, checking that the board has the sensor and tinyforge can capture it. */
export function boardPipeline(model: Model, board: ResolvedBoard, req: { sensor?: string; pipelineFile?: string; pipeline?: PipelineFile }): ResolvedPipeline | null {
  const pipeline = resolvePipeline(model, { sensor: req.sensor, pipelineFile: req.pipelineFile, description: req.pipeline, board });
  if (!pipeline) return null;
  const entry = board.sensors.find((s) => s.kind === pipeline.sensor && s.hal);
  if (!entry) {
    const others = listBoards().filter((id) => resolveBoard(id).sensors.some((s) => s.kind === pipeline.sensor && s.hal));
    throw new GenerateError('no-sensor', `board ${board.id} has no ${pipeline.sensor} tinyforge can capture`, others.length ? `boards with one: ${others.join(', ')}` : `no board file lists a ${pipeline.sensor} with a "hal"`, { board: board.id });
  }
  const facts = entry.facts as { channels?: string[]; maxBits?: number };
  if (pipeline.sensor === 'imu' && Array.isArray(facts.channels)) {
    const missing = pipeline.hal.channelMap.map((i) => IMU_CHANNELS[i]!).filter((c) => !facts.channels!.includes(c));
    if (missing.length) throw new GenerateError('imu-channels', `the ${entry.part} IMU of ${board.id} has no ${missing.join(', ')} channel(s)`, `use channels from: ${facts.channels.join(' ')}`, { board: board.id });
  }
  if (pipeline.sensor === 'adc') {
    const max = Math.min(15, typeof facts.maxBits === 'number' ? facts.maxBits : 15);
    if (pipeline.hal.adcBits > max) throw new GenerateError('adc-bits', `adcBits ${pipeline.hal.adcBits}: ${board.id}'s ADC reads at most ${max} bits here`, `set "adcBits" to ${max} or less`, { board: board.id });
  }
  const frames = (entry.facts.frames ?? null) as { width: number; height: number; formats?: string[] }[] | null;
  if (pipeline.plan.kind === 'image' && Array.isArray(frames) && frames.length > 0) {
    const f = pipeline.plan.frame;
    if (!frames.some((x) => x.width === f.width && x.height === f.height && (x.formats ?? [f.format]).includes(f.format))) {
      throw new GenerateError('camera-frame', `the ${entry.part} camera of ${board.id} cannot deliver ${f.width}x${f.height} ${f.format} frames`, `use one of: ${frames.map((x) => `${x.width}x${x.height} (${(x.formats ?? []).join('/')})`).join(', ')} in "image.frame", or leave it out to pick one`, { board: board.id });
    }
  }
  return pipeline;
}

export async function generateFirmware(model: Model, req: GenerateRequest & { engine?: 'native' }): Promise<GenerateResult<GeneratedProject>>;
export async function generateFirmware(model: Model, req: GenerateRequest & { engine: 'tflm' }): Promise<GenerateResult<GeneratedTflmProject>>;
export async function generateFirmware(model: Model, req: GenerateRequest): Promise<GenerateResult>;
export async function generateFirmware(model: Model, req: GenerateRequest): Promise<GenerateResult> {
  const project = await renderFirmware(model, req);
  const files = await writeProject(req.outDir, project.files, { force: req.force, keep: model.source ? [model.source] : [] });
  const sizes = 'tflm' in project ? { arenaBytes: project.tflm.arenaBytes, constantBytes: project.tflm.modelBytes } : { arenaBytes: project.program.arenaBytes, constantBytes: project.program.constantBytes };
  return { name: project.name, outDir: req.outDir, files, ...sizes, project, pipeline: project.pipeline ?? null };
}
