/**
 * A generated firmware project as a list of files (path -> content), built
 * from the model, the resolved board and the options. Pure and deterministic:
 * the same inputs give byte-identical files. Writing them is output.ts's job.
 *
 * Layout (an Arduino sketch folder that arduino-cli compiles as is):
 *   <name>/<name>.ino                      setup()/loop() -> the app
 *   <name>/src/tinyforge/*.h|.cpp          model, weights, app, protocol, capture
 *   <name>/src/tinyforge/kernels/*.h       only the kernels this model uses
 *   (--engine tflm: tinyforge_model.* run the model on TFLite Micro and
 *   tinyforge_model_data.* hold the .tflite bytes; no weights or kernels)
 *   <name>/emulation/...                   boards with an emulator (mps2-an386): Makefile, startup, linker script
 * Templates (templates/) hold no logic: this module sorts, formats and
 * escapes everything they print.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { Model } from '../sim/ir/types.js';
import { GenerateError } from '../lib/errors.js';
import { cBanner, hashBanner, type BannerInfo } from './banner.js';
import { cText, isSketchName, sketchName } from './names.js';
import { buildNativeProgram, type NativeProgram } from './native/emit.js';
import { buildTflmProgram, type TflmBoard, type TflmProgram } from './tflm/emit.js';
import { renderSensorFiles, type SensorBoardEntry } from './sensor.js';
import type { ResolvedPipeline } from '../lib/pipeline.js';

export interface BoardForGenerate {
  id: string;
  /** Template families this board uses beyond the Arduino sketch (e.g. 'mps2' for the QEMU board). */
  emulation?: { family: string; [k: string]: unknown } | null;
  [k: string]: unknown;
}

export interface GenerateOptions {
  board: BoardForGenerate;
  engine?: 'native' | 'tflm';
  sensor?: string;
  /** The command line, recorded in the banner. */
  command?: string;
  /** Sketch name; default from the model file name. */
  name?: string;
  /** Inference period of the always-on loop, ms. */
  periodMs?: number;
  /** Sensor capture and pre-processing (lib/pipeline.ts); without it the loop feeds a test pattern. */
  pipeline?: ResolvedPipeline | null;
  /** Estimated ms per inference on the board: sizes the capture ring. */
  latencyMs?: number;
}

export interface GeneratedProject {
  name: string;
  files: Map<string, string>;
  program: NativeProgram;
  pipeline: ResolvedPipeline | null;
}

/** `--engine tflm`: the same sketch around a TFLite Micro interpreter. */
export interface GeneratedTflmProject {
  name: string;
  files: Map<string, string>;
  engine: 'tflm';
  tflm: TflmProgram;
  pipeline: ResolvedPipeline | null;
}

const here = dirname(fileURLToPath(import.meta.url));
/** templates/ beside the package root (works from sources and from dist/). */
export const TEMPLATES_DIR = [join(here, '..', 'templates'), join(here, '..', '..', 'templates')].find((p) => existsSync(join(p, 'native')))!;

const hbs = Handlebars.create();
const compiled = new Map<string, HandlebarsTemplateDelegate>();
function render(rel: string, view: unknown): string {
  let t = compiled.get(rel);
  if (!t) {
    // noEscape: HTML escaping means nothing in C; every string in the view is escaped for C in TypeScript.
    t = hbs.compile(readFileSync(join(TEMPLATES_DIR, rel), 'utf8'), { noEscape: true, strict: true });
    compiled.set(rel, t);
  }
  return t(view);
}
function raw(rel: string): string {
  return readFileSync(join(TEMPLATES_DIR, rel), 'utf8');
}

/**
 * A compiler flag from a board file as it may reach a Makefile (and the shell
 * commands make runs): a leading dash, then only characters that neither make
 * nor sh treat specially (no $, quotes, backquotes, ;, |, &, #, spaces,
 * parentheses, backslashes or newlines). boards/board.schema.json holds the
 * same pattern for toolchain.cflags; this check also covers boards built in
 * code rather than read from a file.
 */
export const SAFE_FLAG = /^--?[A-Za-z0-9][A-Za-z0-9_=+.,:/-]*$/;
/** A plain word (QEMU machine / binary, template family) as it may reach a Makefile or a path. */
const SAFE_WORD = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The board as the emulation templates see it: only checked fields, nothing raw. */
function boardView(board: BoardForGenerate): { id: string; toolchain: { cflags: string[] }; emulation: { family: string; machine: string; qemu: string } } {
  const emu = board.emulation as { family?: unknown; machine?: unknown; qemu?: unknown };
  const word = (field: string, v: unknown): string => {
    if (typeof v !== 'string' || !SAFE_WORD.test(v)) {
      throw new GenerateError('board-unsafe', `board ${cText(board.id)}: emulation.${field} ${JSON.stringify(v)} is not a plain name`, 'use letters, digits, dots, dashes and underscores only (boards/board.schema.json)');
    }
    return v;
  };
  const flags = ((board.toolchain as { cflags?: unknown } | undefined)?.cflags ?? []) as unknown[];
  if (!Array.isArray(flags)) throw new GenerateError('board-unsafe', `board ${cText(board.id)}: toolchain.cflags is not a list`, 'fix the board file (boards/board.schema.json)');
  const cflags = flags.map((f, i) => {
    if (typeof f !== 'string' || !SAFE_FLAG.test(f)) {
      throw new GenerateError(
        'board-unsafe',
        `board ${cText(board.id)}: toolchain.cflags[${i}] ${JSON.stringify(f)} would reach the generated Makefile, which runs shell commands; it must be one compiler flag`,
        'use one flag per entry, e.g. "-mcpu=cortex-m4", with letters, digits and _ = + . , : / - only',
      );
    }
    return f;
  });
  return { id: cText(board.id), toolchain: { cflags }, emulation: { family: word('family', emu.family), machine: word('machine', emu.machine), qemu: word('qemu', emu.qemu) } };
}

const DTYPE_ENUM: Record<string, string> = { int8: 'TF_INT8', uint8: 'TF_UINT8', int16: 'TF_INT16', int32: 'TF_INT32', float32: 'TF_FLOAT32' };

/** The board fields the TFLM engine reads, checked (boards built in code may lack them). */
function tflmBoard(board: BoardForGenerate): TflmBoard {
  const tflm = board.tflm as TflmBoard['tflm'] | undefined;
  const features = board.features as TflmBoard['features'] | undefined;
  if (typeof board.core !== 'string' || !tflm || typeof tflm !== 'object' || typeof tflm.library !== 'string' || !features || typeof features !== 'object') {
    throw new GenerateError('board-incomplete', `board ${cText(board.id)} has no core / features / tflm section, which --engine tflm needs`, 'pass a board id or a board file (boards/board.schema.json)', { board: board.id });
  }
  return { id: board.id, core: board.core as TflmBoard['core'], tflm, features };
}

export function renderProject(model: Model, opts: GenerateOptions & { engine?: 'native' }): GeneratedProject;
export function renderProject(model: Model, opts: GenerateOptions & { engine: 'tflm' }): GeneratedTflmProject;
export function renderProject(model: Model, opts: GenerateOptions): GeneratedProject | GeneratedTflmProject;
export function renderProject(model: Model, opts: GenerateOptions): GeneratedProject | GeneratedTflmProject {
  const engine = opts.engine ?? 'native';
  if (engine !== 'native' && engine !== 'tflm') throw new GenerateError('engine', `engine ${String(engine)} does not exist`, 'use --engine native or --engine tflm');
  if (opts.name !== undefined && !isSketchName(opts.name)) {
    throw new GenerateError('bad-name', `sketch name ${JSON.stringify(opts.name)} cannot name a sketch folder`, 'use 1-63 letters, digits and underscores starting with a letter (not a Windows device name such as con or nul)');
  }
  const periodMs = opts.periodMs ?? 1000;
  if (!Number.isInteger(periodMs) || periodMs < 1 || periodMs > 86_400_000) {
    throw new GenerateError('bad-period', `inference period ${String(opts.periodMs)} ms is not a whole number of milliseconds between 1 and 86400000`, 'e.g. --period 1000');
  }
  const name = opts.name ?? sketchName(model.source);
  const banner: BannerInfo = {
    modelSha256: model.sha256,
    modelName: model.source ? model.source.split(/[\\/]/).pop()! : '<bytes>',
    boardId: opts.board.id,
    engine,
    command: opts.command ?? 'tinyforge generate',
  };
  const cb = cBanner(banner);
  const files = new Map<string, string>();
  const put = (path: string, content: string, comment: 'c' | 'block' | 'hash' | 'md' = 'c') => {
    const plain = cb.replace(/^\/\/ /gm, '');
    const head = comment === 'c' ? cb : comment === 'hash' ? hashBanner(banner) : comment === 'block' ? `/*\n${plain}\n*/` : `<!--\n${plain}\n-->`;
    files.set(`${name}/${path}`, `${head}\n${content.endsWith('\n') ? content : `${content}\n`}`);
  };

  const sha256Bytes = (model.sha256.match(/../g) ?? []).map((h) => `0x${h}`).join(', ');
  const pipeline = opts.pipeline ?? null;
  // User text, printed in a comment: escaped like model strings.
  const sensor = cText(pipeline?.sensor ?? opts.sensor ?? 'test-pattern', 40);
  // Sensor capture: the board's HAL for it plus the portable front end and loop.
  let sensorUnits: string[] = [];
  let sensorPart = '';
  const sensorKernels: string[] = [];
  const putSensor = () => {
    if (!pipeline) return;
    const sensors = (opts.board.sensors ?? []) as SensorBoardEntry[];
    const entry = sensors.find((s) => s.kind === pipeline.sensor);
    if (!entry) {
      throw new GenerateError('no-sensor', `board ${cText(opts.board.id)} has no ${pipeline.sensor}`, `choose a board that has one (tinyforge boards lists them), or another --sensor`, { board: opts.board.id });
    }
    sensorPart = cText(entry.part, 60);
    const sf = renderSensorFiles(TEMPLATES_DIR, model, pipeline, { id: opts.board.id, sensor: { kind: entry.kind, part: entry.part, hal: entry.hal ?? null, header: entry.header ?? null, facts: entry.facts ?? {} } }, { latencyMs: opts.latencyMs });
    for (const [f, content] of sf.files) {
      if (f === 'tf_fixedpoint.h' && engine === 'native') continue; // the native runtime already has it
      put(`src/tinyforge/${f}`, content);
    }
    sensorKernels.push(...sf.kernels);
    sensorUnits = sf.units;
  };
  // The Arduino sketch and the app around the model: the same for both engines.
  // With a sensor the app runs the always-on loop of tf_loop.cpp; without one, a test pattern.
  const putApp = (view: object) => {
    const appDir = join(TEMPLATES_DIR, 'arduino');
    if (!existsSync(appDir)) return;
    const appView = { ...view, sensorPart };
    for (const f of readdirSync(appDir).sort()) {
      if (f === 'sketch.ino.hbs') put(`${name}.ino`, render('arduino/sketch.ino.hbs', appView));
      else if (f === 'tinyforge_app.cpp.hbs' || f === 'tinyforge_app_sensor.cpp.hbs') {
        if ((f === 'tinyforge_app_sensor.cpp.hbs') === (pipeline !== null)) put('src/tinyforge/tinyforge_app.cpp', render(`arduino/${f}`, appView));
      } else if (f.endsWith('.hbs')) put(`src/tinyforge/${f.slice(0, -4)}`, render(`arduino/${f}`, appView));
      else put(`src/tinyforge/${f}`, raw(`arduino/${f}`));
    }
  };
  const putKernels = (have: readonly string[]) => {
    for (const k of sensorKernels) {
      if (have.includes(k)) continue;
      const rel = `native/kernels/${k}.h`;
      if (!existsSync(join(TEMPLATES_DIR, rel))) throw new GenerateError('missing-kernel', `kernel template ${rel} is missing`, 'this is a bug in tinyforge; please report it');
      put(`src/tinyforge/kernels/${k}.h`, raw(rel));
    }
  };

  if (engine === 'tflm') {
    const tflm = buildTflmProgram(model, tflmBoard(opts.board));
    const view = {
      ...tflm,
      name,
      sha256Bytes,
      periodMs,
      sensor,
      ioConst: '',
      ioComment: ["The model's figures from generation time; data points at the interpreter's", 'tensors once tf_setup() has returned 0 (null before).'],
      setupDoc: 'TFLM: registers the ops, builds the interpreter, AllocateTensors()',
    };
    // One interface header for both engines: the app and the validation code see the same struct.
    put('src/tinyforge/tinyforge_model.h', render('native/tinyforge_model.h.hbs', view));
    put('src/tinyforge/tinyforge_model.cpp', render('tflm/tinyforge_model.cpp.hbs', view));
    put('src/tinyforge/tinyforge_model_data.h', render('tflm/tinyforge_model_data.h.hbs', view));
    put('src/tinyforge/tinyforge_model_data.cpp', render('tflm/tinyforge_model_data.cpp.hbs', view));
    putSensor();
    putKernels([]);
    putApp(view);
    return { name, files, engine: 'tflm', tflm, pipeline };
  }

  const program = buildNativeProgram(model);
  const io = (t: NativeProgram['inputs'][number]) => ({ ...t, dtypeEnum: DTYPE_ENUM[t.dtype] ?? 'TF_INT8' });
  const view = {
    name,
    arenaBytes: program.arenaBytes,
    constants: program.constants,
    state: program.state,
    ops: program.ops,
    inputs: program.inputs.map(io),
    outputs: program.outputs.map(io),
    kernelIncludes: program.kernels,
    sha256Bytes,
    periodMs,
    sensor,
    ioConst: 'const ',
    ioComment: [] as string[],
    setupDoc: 'native: nothing to build, it calls tf_reset()',
  };

  put('src/tinyforge/tinyforge_model.h', render('native/tinyforge_model.h.hbs', view));
  put('src/tinyforge/tinyforge_model.cpp', render('native/tinyforge_model.cpp.hbs', view));
  put('src/tinyforge/tinyforge_weights.h', render('native/tinyforge_weights.h.hbs', view));
  put('src/tinyforge/tinyforge_weights.cpp', render('native/tinyforge_weights.cpp.hbs', view));
  for (const f of readdirSync(join(TEMPLATES_DIR, 'native', 'runtime')).sort()) put(`src/tinyforge/${f}`, raw(`native/runtime/${f}`));
  for (const k of program.kernels) {
    const rel = `native/kernels/${k}.h`;
    if (!existsSync(join(TEMPLATES_DIR, rel))) throw new GenerateError('missing-kernel', `kernel template ${rel} is missing`, 'this is a bug in tinyforge; please report it');
    put(`src/tinyforge/kernels/${k}.h`, raw(rel));
  }
  putSensor();
  putKernels(program.kernels);
  putApp(view);
  // Emulated boards: a Makefile project around the same sources.
  if (opts.board.emulation) {
    const board = boardView(opts.board);
    const family = board.emulation.family;
    const dir = join(TEMPLATES_DIR, family);
    if (!existsSync(dir)) throw new GenerateError('missing-template', `template family ${family} for board ${board.id} is missing`, 'this is a bug in tinyforge; please report it');
    // The emulated board replays recordings unpaced (tf_loop.cpp, tf_emu.h's sensor job).
    const emuView = { ...view, board, sensorUnits, sensorDefines: sensorUnits.length ? ['TF_EMU_SENSOR', 'TF_LOOP_NO_PACING'] : [] };
    for (const f of readdirSync(dir).sort()) {
      const out = f.endsWith('.hbs') ? f.slice(0, -4) : f;
      const content = f.endsWith('.hbs') ? render(`${family}/${f}`, emuView) : raw(`${family}/${f}`);
      const kind = out === 'Makefile' || out.endsWith('.mk') ? 'hash' : out.endsWith('.md') ? 'md' : out.endsWith('.ld') ? 'block' : 'c';
      put(`emulation/${out}`, content, kind);
    }
  }
  return { name, files, program, pipeline };
}
