/**
 * Library entry for `generate`: model + board -> a firmware project on disk.
 */
import type { Model } from '../sim/ir/types.js';
import { resolveBoard, type ResolvedBoard } from './boards.js';
import { checkModel } from '../sim/ir/check.js';
import { ModelProblemsError } from './errors.js';
import { renderProject, type GeneratedProject, type GeneratedTflmProject } from '../generator/project.js';
import { writeProject } from '../generator/output.js';

export interface GenerateRequest {
  board: string | ResolvedBoard;
  outDir: string;
  /** 'native' (default): tinyforge's generated C++; 'tflm': a TFLite Micro interpreter (the board's Arduino TFLM library). */
  engine?: 'native' | 'tflm';
  sensor?: string;
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
  return renderProject(model, { board: board as never, engine: req.engine, sensor: req.sensor, command: req.command, name: req.name, periodMs: req.periodMs });
}

export async function generateFirmware(model: Model, req: GenerateRequest & { engine?: 'native' }): Promise<GenerateResult<GeneratedProject>>;
export async function generateFirmware(model: Model, req: GenerateRequest & { engine: 'tflm' }): Promise<GenerateResult<GeneratedTflmProject>>;
export async function generateFirmware(model: Model, req: GenerateRequest): Promise<GenerateResult>;
export async function generateFirmware(model: Model, req: GenerateRequest): Promise<GenerateResult> {
  const project = await renderFirmware(model, req);
  const files = await writeProject(req.outDir, project.files, { force: req.force, keep: model.source ? [model.source] : [] });
  const sizes = 'tflm' in project ? { arenaBytes: project.tflm.arenaBytes, constantBytes: project.tflm.modelBytes } : { arenaBytes: project.program.arenaBytes, constantBytes: project.program.constantBytes };
  return { name: project.name, outDir: req.outDir, files, ...sizes, project };
}
