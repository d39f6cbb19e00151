/**
 * Library entry for `flash`: a model (generated into a sketch first) or an
 * already generated sketch folder -> compiled with arduino-cli and uploaded
 * to the board. Installs the board's core and libraries when they are
 * missing (unless install is false), finds the board's port when none is
 * given, and reports the compiled flash/RAM beside the estimate and the
 * board's limits.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { resolveBoard, type ResolvedBoard } from './boards.js';
import { UsageError } from './errors.js';
import { generateFirmware } from './generate.js';
import { loadModel } from './load.js';
import { estimate } from '../sim/estimate/index.js';
import {
  compileSketch,
  ensureCore,
  ensureLibraries,
  findArduinoCli,
  listPorts,
  pickPort,
  requireFqbn,
  uploadSketch,
  type CompileReport,
  type ProgressSink,
  type UploadReport,
} from '../generator/toolchain/arduino-cli.js';

export type { ProgressSink } from '../generator/toolchain/arduino-cli.js';

export interface FlashRequest {
  /** A .tflite model, or a generated sketch folder (DIR/NAME/NAME.ino, or DIR/NAME.ino). */
  target: string;
  board: string | ResolvedBoard;
  /** Serial port; default: the one port whose board arduino-cli recognises as this board. */
  port?: string;
  /** arduino-cli executable; default $TINYFORGE_ARDUINO_CLI, then PATH. */
  arduinoCli?: string;
  /** Where to generate the sketch (models only); default a temporary folder, removed afterwards. */
  outDir?: string;
  force?: boolean;
  /** Sensor kind for the generated sketch; its library (board data) is installed. */
  sensor?: string;
  /** Install a missing core or library (default true); false makes them errors. */
  install?: boolean;
  /** Upload after compiling (default true); false compiles only. */
  upload?: boolean;
  /** Extra key=value for `arduino-cli compile --build-property`. */
  buildProperties?: readonly string[];
  /** The command line, recorded in the generated banner. */
  command?: string;
  env?: NodeJS.ProcessEnv;
  progress?: ProgressSink;
}

export interface SizeRow {
  readonly memory: 'flash' | 'ram';
  /** From arduino-cli's executable_sections_size; null when it reported none. */
  readonly compiledBytes: number | null;
  /** tinyforge's estimate (models only). */
  readonly estimateBytes: number | null;
  readonly limitBytes: number | null;
  /** compiled / limit. */
  readonly usedFraction: number | null;
}

export interface FlashReport {
  readonly board: { readonly id: string; readonly fqbn: string };
  readonly arduinoCli: { readonly path: string; readonly version: string };
  readonly sketchDir: string;
  /** True when the sketch was generated from a model by this run. */
  readonly generated: boolean;
  readonly core: { readonly id: string; readonly version: string; readonly installed: boolean };
  readonly libraries: { readonly installed: readonly string[]; readonly present: readonly string[] };
  readonly compile: CompileReport;
  readonly estimate: { readonly engine: 'native'; readonly flashBytes: number; readonly ramBytes: number; readonly arenaBytes: number } | null;
  readonly sizes: readonly SizeRow[];
  readonly port: { readonly address: string; readonly detected: boolean } | null;
  readonly upload: UploadReport | null;
  readonly notes: readonly string[];
}

/** The libraries a sketch for this board needs: the board's own, plus the chosen sensor's. */
export function requiredLibraries(board: ResolvedBoard, sensor?: string): string[] {
  const libs = [...(board.arduino?.libraries ?? [])];
  if (sensor) for (const s of board.sensors) if (s.kind === sensor && s.library && !libs.includes(s.library)) libs.push(s.library);
  return libs;
}

/** The sketch folder inside DIR: DIR itself when it holds DIR.ino, else its one NAME/NAME.ino subfolder. */
export function findSketchDir(dir: string): string {
  const abs = resolve(dir);
  if (existsSync(join(abs, `${basename(abs)}.ino`))) return abs;
  const subs = readdirSync(abs, { withFileTypes: true }).filter((e) => e.isDirectory() && existsSync(join(abs, e.name, `${e.name}.ino`)));
  if (subs.length === 1) return join(abs, subs[0]!.name);
  throw new UsageError(
    'no-sketch',
    subs.length === 0 ? `${dir} is not a sketch folder: expected ${basename(abs)}.ino in it, or one NAME/NAME.ino folder` : `${dir} holds ${subs.length} sketches (${subs.map((s) => s.name).join(', ')}); expected one`,
    subs.length === 0 ? 'pass a .tflite model, or the --out folder of `tinyforge generate`' : `pass one of them: ${join(dir, subs[0]!.name)}`,
    { file: dir },
  );
}

export async function flashFirmware(req: FlashRequest): Promise<FlashReport> {
  const board = typeof req.board === 'string' ? resolveBoard(req.board) : req.board;
  const install = req.install ?? true;
  const doUpload = req.upload ?? true;
  const notes: string[] = [];
  requireFqbn(board);
  if (!existsSync(req.target)) throw new UsageError('not-found', `${req.target} does not exist`, 'pass a .tflite model or a generated sketch folder', { file: req.target });
  const isDir = statSync(req.target).isDirectory();
  if (isDir && req.outDir) throw new UsageError('bad-flag', '--out only applies when flashing a model, not a sketch folder', 'drop --out, or pass the .tflite model');
  // Find and check arduino-cli before generating: no point generating when it is missing.
  const cli = await findArduinoCli({ path: req.arduinoCli, env: req.env, progress: req.progress });

  let temp: string | null = null;
  try {
    let sketchDir: string;
    let est: FlashReport['estimate'] = null;
    if (isDir) {
      sketchDir = findSketchDir(req.target);
    } else {
      const model = await loadModel(req.target);
      const outDir = req.outDir ?? (temp = await mkdtemp(join(tmpdir(), 'tinyforge-flash-')));
      req.progress?.start(`generating the sketch for ${board.id}`);
      const gen = await generateFirmware(model, { board, outDir, engine: 'native', sensor: req.sensor, force: req.force, command: req.command ?? `tinyforge flash ${basename(req.target)} --board ${board.id}` }).catch((e: unknown) => {
        req.progress?.fail(`generating the sketch for ${board.id}: failed`);
        throw e;
      });
      req.progress?.done(`generated ${gen.name} (${gen.files.length} files${temp ? '' : ` in ${outDir}`})`);
      sketchDir = join(outDir, gen.name);
      const e = estimate(model, board, { engine: 'native', nativeProgram: gen.project.program });
      est = { engine: 'native', flashBytes: e.flashBytes, ramBytes: e.ramBytes, arenaBytes: e.arenaBytes };
    }

    const core = await ensureCore(cli, board, { install });
    const libraries = await ensureLibraries(cli, requiredLibraries(board, req.sensor), { install, board });
    // A build folder per sketch and board outside the sketch, so arduino-cli can reuse it across runs.
    const key = createHash('sha256').update(`${resolve(sketchDir)}\n${board.fqbn}`).digest('hex').slice(0, 16);
    const buildPath = temp ? join(temp, 'build') : join(tmpdir(), 'tinyforge-build', key);
    const compile = await compileSketch(cli, board, sketchDir, { buildPath, buildProperties: req.buildProperties });
    notes.push(...compile.warnings);
    if (est && compile.ramBytes !== null && board.memory.staticDataLimitBytes !== null) {
      notes.push('RAM: the data section counts static allocations only; a heap-allocated arena (above the static limit) is in the estimate but not in the compiled figure');
    }

    let port: FlashReport['port'] = null;
    let upload: UploadReport | null = null;
    if (doUpload) {
      port = req.port ? { address: req.port, detected: false } : { address: pickPort(await listPorts(cli), board).address, detected: true };
      upload = await uploadSketch(cli, board, sketchDir, port.address, { inputDir: compile.buildPath || buildPath });
    }

    return {
      board: { id: board.id, fqbn: compile.fqbn },
      arduinoCli: { path: cli.path, version: cli.version },
      sketchDir: temp ? sketchDir : resolve(sketchDir),
      generated: !isDir,
      core: { id: core.core, version: core.version, installed: core.installed },
      libraries,
      compile,
      estimate: est,
      sizes: [
        sizeRow('flash', compile.sections.some((s) => s.name === 'text') ? compile.flashBytes : null, est?.flashBytes ?? null, compile.flashMaxBytes),
        sizeRow('ram', compile.ramBytes, est?.ramBytes ?? null, compile.ramMaxBytes),
      ],
      port,
      upload,
      notes,
    };
  } finally {
    if (temp) await rm(temp, { recursive: true, force: true });
  }
}

function sizeRow(memory: SizeRow['memory'], compiled: number | null, est: number | null, limit: number | null): SizeRow {
  return { memory, compiledBytes: compiled, estimateBytes: est, limitBytes: limit, usedFraction: compiled !== null && limit ? compiled / limit : null };
}
