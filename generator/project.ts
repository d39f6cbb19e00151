/**
 * A generated firmware project as a list of files (path -> content), built
 * from the model, the resolved board and the options. Pure and deterministic:
 * the same inputs give byte-identical files. Writing them is output.ts's job.
 *
 * Layout (an Arduino sketch folder that arduino-cli compiles as is):
 *   <name>/<name>.ino                      setup()/loop() -> the app
 *   <name>/src/tinyforge/*.h|.cpp          model, weights, app, protocol, capture
 *   <name>/src/tinyforge/kernels/*.h       only the kernels this model uses
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
import { sketchName } from './names.js';
import { buildNativeProgram, type NativeProgram } from './native/emit.js';

export interface BoardForGenerate {
  id: string;
  /** Template families this board uses beyond the Arduino sketch (e.g. 'mps2' for the QEMU board). */
  emulation?: { family: string; [k: string]: unknown } | null;
  [k: string]: unknown;
}

export interface GenerateOptions {
  board: BoardForGenerate;
  engine?: 'native';
  sensor?: string;
  /** The command line, recorded in the banner. */
  command?: string;
  /** Sketch name; default from the model file name. */
  name?: string;
  /** Inference period of the always-on loop, ms. */
  periodMs?: number;
}

export interface GeneratedProject {
  name: string;
  files: Map<string, string>;
  program: NativeProgram;
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

const DTYPE_ENUM: Record<string, string> = { int8: 'TF_INT8', uint8: 'TF_UINT8', int16: 'TF_INT16', int32: 'TF_INT32', float32: 'TF_FLOAT32' };

export function renderProject(model: Model, opts: GenerateOptions): GeneratedProject {
  const engine = opts.engine ?? 'native';
  if (engine !== 'native') throw new GenerateError('engine', `engine ${engine} is not available yet`, 'use --engine native');
  const name = opts.name ?? sketchName(model.source);
  const program = buildNativeProgram(model);
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
    sha256Bytes: (model.sha256.match(/../g) ?? []).map((h) => `0x${h}`).join(', '),
    periodMs: opts.periodMs ?? 1000,
    sensor: opts.sensor ?? 'test-pattern',
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
  // The Arduino sketch and the app around the model.
  const appDir = join(TEMPLATES_DIR, 'arduino');
  if (existsSync(appDir)) {
    for (const f of readdirSync(appDir).sort()) {
      if (f === 'sketch.ino.hbs') put(`${name}.ino`, render('arduino/sketch.ino.hbs', view));
      else if (f.endsWith('.hbs')) put(`src/tinyforge/${f.slice(0, -4)}`, render(`arduino/${f}`, view));
      else put(`src/tinyforge/${f}`, raw(`arduino/${f}`));
    }
  }
  // Emulated boards: a Makefile project around the same sources.
  const family = opts.board.emulation?.family;
  if (family) {
    const dir = join(TEMPLATES_DIR, family);
    if (!existsSync(dir)) throw new GenerateError('missing-template', `template family ${family} for board ${opts.board.id} is missing`, 'this is a bug in tinyforge; please report it');
    const emuView = { ...view, board: opts.board };
    for (const f of readdirSync(dir).sort()) {
      const out = f.endsWith('.hbs') ? f.slice(0, -4) : f;
      const content = f.endsWith('.hbs') ? render(`${family}/${f}`, emuView) : raw(`${family}/${f}`);
      const kind = out === 'Makefile' || out.endsWith('.mk') ? 'hash' : out.endsWith('.md') ? 'md' : out.endsWith('.ld') ? 'block' : 'c';
      put(`emulation/${out}`, content, kind);
    }
  }
  return { name, files, program };
}
