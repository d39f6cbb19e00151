/**
 * Library entry for `generate`: model + board -> a firmware project on disk.
 */
import type { Model } from '../sim/ir/types.js';
import { resolveBoard, type ResolvedBoard } from './boards.js';
import { checkModel } from '../sim/ir/check.js';
import { ModelProblemsError } from './errors.js';
import { renderProject, type GeneratedProject } from '../generator/project.js';
import { writeProject } from '../generator/output.js';

export interface GenerateRequest {
  board: string | ResolvedBoard;
  outDir: string;
  engine?: 'native';
  sensor?: string;
  force?: boolean;
  command?: string;
  name?: string;
  periodMs?: number;
}

export interface GenerateResult {
  name: string;
  outDir: string;
  files: string[];
  arenaBytes: number;
  constantBytes: number;
  project: GeneratedProject;
}

/** Renders the project in memory (nothing written): for tests and previews. */
export async function renderFirmware(model: Model, req: Omit<GenerateRequest, 'outDir' | 'force'>): Promise<GeneratedProject> {
  const problems = await checkModel(model);
  if (problems.length > 0) throw new ModelProblemsError(problems);
  const board = typeof req.board === 'string' ? resolveBoard(req.board) : req.board;
  return renderProject(model, { board: board as never, engine: req.engine, sensor: req.sensor, command: req.command, name: req.name, periodMs: req.periodMs });
}

export async function generateFirmware(model: Model, req: GenerateRequest): Promise<GenerateResult> {
  const project = await renderFirmware(model, req);
  const files = await writeProject(req.outDir, project.files, req.force);
  return { name: project.name, outDir: req.outDir, files, arenaBytes: project.program.arenaBytes, constantBytes: project.program.constantBytes, project };
}
