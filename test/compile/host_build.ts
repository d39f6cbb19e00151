/**
 * Host build of a generated native-engine project: renders the project for
 * board `host`, writes it to a directory, compiles the model sources with the
 * host test driver (fixtures/host_main.cpp) using g++ -Werror, and runs golden
 * vectors through the binary. Shared by test/compile/host-native.test.ts and
 * developer scripts.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Model } from '../../sim/ir/types.js';
import { renderProject } from '../../generator/project.js';
import { emitterFor } from '../../generator/native/ops/index.js';
import type { GoldenCase } from '../golden/cases.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
export const HOST_MAIN = join(here, 'fixtures', 'host_main.cpp');
export const HOST_CXXFLAGS = ['-std=c++11', '-O2', '-Wall', '-Wextra', '-Werror', '-fno-exceptions', '-fno-rtti'];

/** Operators of subgraph 0 that have no native emitter (empty: the model can be generated). */
export function missingNativeOps(model: Model): string[] {
  const missing = new Set<string>();
  for (const op of model.subgraphs[0]!.operators) if (!emitterFor(op.op)) missing.add(op.op);
  return [...missing].sort();
}

export interface HostBuild {
  exe: string;
  /** Seconds spent in g++ (wall clock). */
  compileSeconds: number;
}

/**
 * The host main only depends on the model's interface header (input / output
 * counts): its object is compiled once per distinct header (banner comments
 * aside) and kept in the temp folder, keyed by a hash of everything it is
 * built from.
 */
const mainObjects = new Map<string, Promise<string>>();
function hostMainObject(modelHeader: string, src: string): Promise<string> {
  const header = modelHeader.split('\n').filter((l) => !l.startsWith('//')).join('\n');
  const key = createHash('sha256').update(readFileSync(HOST_MAIN)).update(header).update(HOST_CXXFLAGS.join(' ')).digest('hex').slice(0, 16);
  let p = mainObjects.get(key);
  if (!p) {
    p = (async () => {
      const obj = join(tmpdir(), `tinyforge-host-main-${key}.o`);
      if (existsSync(obj)) return obj;
      const partial = `${obj}.${process.pid}.tmp`;
      await gxx([...HOST_CXXFLAGS, `-I${src}`, '-c', HOST_MAIN, '-o', partial]);
      renameSync(partial, obj);
      return obj;
    })();
    mainObjects.set(key, p);
  }
  return p;
}

/** Generates the project into `dir` and builds `dir/host_model`. Object files compile in parallel. */
export async function buildHost(model: Model, dir: string): Promise<HostBuild> {
  const project = renderProject(model, { board: { id: 'host' }, name: 'model' });
  for (const [path, content] of project.files) {
    const p = join(dir, path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  const src = join(dir, project.name, 'src', 'tinyforge');
  const units = [join(src, 'tinyforge_model.cpp'), join(src, 'tinyforge_weights.cpp')];
  const t0 = Date.now();
  const objects = await Promise.all([
    ...units.map(async (u, i) => {
      const obj = join(dir, `unit${i}.o`);
      await gxx([...HOST_CXXFLAGS, `-I${src}`, '-c', u, '-o', obj]);
      return obj;
    }),
    hostMainObject(project.files.get(`${project.name}/src/tinyforge/tinyforge_model.h`)!, src),
  ]);
  const exe = join(dir, 'host_model');
  await gxx([...objects, '-o', exe]);
  return { exe, compileSeconds: (Date.now() - t0) / 1000 };
}

async function gxx(args: string[]): Promise<void> {
  try {
    await run('g++', args, { maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`g++ failed: ${err.stderr?.slice(0, 4000) ?? err.message}`);
  }
}

export interface VectorMismatch {
  vector: string;
  output: number;
  message: string;
}

/** Runs every vector of a golden case through the binary (one process) and byte-compares the outputs. */
export async function runGoldenVectors(exe: string, c: GoldenCase, outDir: string): Promise<VectorMismatch[]> {
  mkdirSync(outDir, { recursive: true });
  const args: string[] = [];
  const produced: { vector: string; k: number; path: string; want: string }[] = [];
  for (const v of c.vectors) {
    for (const f of v.inputs) args.push(join(c.dir, f));
    v.outputs.forEach((f, k) => {
      const path = join(outDir, `${v.id}_out${k}.bin`);
      args.push(path);
      produced.push({ vector: v.id, k, path, want: join(c.dir, f) });
    });
  }
  await run(exe, args, { maxBuffer: 16 << 20 });
  const problems: VectorMismatch[] = [];
  for (const p of produced) {
    const want = readFileSync(p.want);
    const got = existsSync(p.path) ? readFileSync(p.path) : Buffer.alloc(0);
    let diff = 0;
    let first = -1;
    for (let i = 0; i < want.length; i++) if (want[i] !== got[i]) { diff++; if (first < 0) first = i; }
    if (diff > 0 || want.length !== got.length) {
      problems.push({ vector: p.vector, output: p.k, message: `${diff}/${want.length} bytes differ (got ${got.length} bytes; first at ${first}: want ${want[first]} got ${got[first]})` });
    }
  }
  return problems;
}

/** Runs one input set (raw bytes per model input) and returns the raw output bytes. */
export async function runOnce(exe: string, inputs: readonly Uint8Array[], outputs: number, workDir: string): Promise<Buffer[]> {
  mkdirSync(workDir, { recursive: true });
  const args: string[] = [];
  inputs.forEach((b, i) => {
    const p = join(workDir, `in${i}.bin`);
    writeFileSync(p, b);
    args.push(p);
  });
  const outs = Array.from({ length: outputs }, (_, k) => join(workDir, `out${k}.bin`));
  await run(exe, [...args, ...outs]);
  return outs.map((p) => readFileSync(p));
}
