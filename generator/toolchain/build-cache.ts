/**
 * A cache of emulation builds and runs, so the test files, the firmware
 * benchmark and the estimate calibration that all need the same ELFs build
 * each model once.
 *
 * Builds live in <cacheDir()>/emu-build/<key>/ (cacheDir: $TINYFORGE_CACHE_DIR,
 * else $XDG_CACHE_HOME/tinyforge, else ~/.cache/tinyforge). The key hashes
 * everything the ELF depends on: every generated file's content (so a changed
 * emitter, kernel header or template is a new key; the banner's `command:`
 * line is left out, so callers that name different commands still share),
 * the build options and the cross compiler's version. A build is made in a
 * private folder and renamed into place when complete; concurrent processes
 * (vitest runs test files in parallel) wait on a lock folder instead of
 * building the same model twice. Runs are cached by the ELF's hash plus the
 * input bytes: QEMU with the counting plugin is deterministic.
 *
 * The cache keeps the newest MAX_BUILDS builds (by last use) and drops the
 * large weights source of each (the ELF, the map and the model object stay).
 * A failed build is kept as <key>.failed for its log.
 *
 * TINYFORGE_NO_BUILD_CACHE=1 builds in a temporary folder every time.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GeneratedProject } from '../project.js';
import { writeProject } from '../output.js';
import { buildEmulation, runEmulation, type BuildOptions, type ElfSize, type EmulationRequest, type EmulationResult } from './emulate.js';
import { ToolchainError } from '../../lib/errors.js';
import { runTool } from './exec.js';
import { cacheDir } from './plugin.js';

export interface CachedBuild {
  /** The generated project folder (its emulation/build/ holds firmware.elf and firmware.map). */
  projectDir: string;
  elf: string;
  /** Linker map (-Wl,-Map) of the ELF. */
  map: string;
  size: ElfSize;
  /** Wall time of the build that made it (0 if it came from the cache). */
  buildMs: number;
  cached: boolean;
  key: string;
}

interface BuildRecord {
  key: string;
  name: string;
  size: ElfSize;
  buildMs: number;
}

/** Builds kept in the cache (the golden real models and the example are 19). */
export const MAX_BUILDS = 64;

const BANNER_COMMAND = /^(\/\/ |# )?command: .*$/m;

let compilerId: Promise<string> | null = null;
/** First line of `arm-none-eabi-g++ --version` (part of every key). */
function compilerVersion(): Promise<string> {
  compilerId ??= runTool('arm-none-eabi-g++', ['--version'], { what: 'asking the cross compiler its version', timeoutMs: 30_000 })
    .then((r) => r.stdout.split('\n')[0] ?? '')
    .catch(() => 'unknown');
  return compilerId;
}

/** The cache key of a project's emulation build. */
export async function buildKey(project: GeneratedProject, opts: BuildOptions = {}): Promise<string> {
  const h = createHash('sha256');
  h.update(`compiler ${await compilerVersion()}\n`);
  h.update(`defines ${(opts.defines ?? []).join(',')}\nopt ${opts.opt ?? ''}\n`);
  for (const [path, content] of [...project.files.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    // The banner's command line is the only part that names the caller.
    const head = content.slice(0, 1024).replace(BANNER_COMMAND, '');
    h.update(`${path}\0${head}${content.slice(1024)}\0`);
  }
  return h.digest('hex').slice(0, 24);
}

function cacheDisabled(): boolean {
  return process.env.TINYFORGE_NO_BUILD_CACHE === '1';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Waits for and takes the lock folder `lock`; returns false if `done` appeared
 * meanwhile (another process finished the work). A lock whose owner process
 * is gone is taken over.
 */
async function acquire(lock: string, done: string): Promise<boolean> {
  for (;;) {
    if (existsSync(done)) return false;
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    } catch {
      // the owner has not written its pid yet
    }
    const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
    if ((Number.isFinite(owner) && !alive(owner)) || (!Number.isFinite(owner) && age > 60_000)) {
      await rm(lock, { recursive: true, force: true });
      continue;
    }
    await sleep(500);
  }
}

/**
 * Builds a generated project's emulation firmware, or returns the cached ELF
 * of an identical project. The project folder under the cache is left in
 * place (the map and the objects are what the calibration reads).
 */
export async function cachedEmulationBuild(project: GeneratedProject, opts: BuildOptions = {}): Promise<CachedBuild> {
  if (cacheDisabled()) {
    const root = await mkdtemp(join(tmpdir(), 'tinyforge-build-'));
    await writeProject(join(root, 'p'), project.files);
    const projectDir = join(root, 'p', project.name);
    const b = await buildEmulation(projectDir, opts);
    return { projectDir, elf: b.elf, map: join(projectDir, 'emulation', 'build', 'firmware.map'), size: b.size, buildMs: b.ms, cached: false, key: '' };
  }
  const key = await buildKey(project, opts);
  const dir = join(cacheDir(), 'emu-build', key);
  const record = join(dir, 'build.json');
  const result = (r: BuildRecord, cached: boolean): CachedBuild => {
    const projectDir = join(dir, 'p', r.name);
    const build = join(projectDir, 'emulation', 'build');
    return { projectDir, elf: join(build, 'firmware.elf'), map: join(build, 'firmware.map'), size: r.size, buildMs: cached ? 0 : r.buildMs, cached, key };
  };
  const hit = async (): Promise<CachedBuild> => {
    const now = new Date();
    await utimes(record, now, now).catch(() => {});
    return result(JSON.parse(await readFile(record, 'utf8')) as BuildRecord, true);
  };
  if (existsSync(record)) return hit();

  const root = join(cacheDir(), 'emu-build');
  await mkdir(root, { recursive: true });
  const lock = `${dir}.lock`;
  if (!(await acquire(lock, record))) return hit();
  const work = `${dir}.tmp-${process.pid}`;
  try {
    await rm(work, { recursive: true, force: true });
    await writeProject(join(work, 'p'), project.files);
    let b: Awaited<ReturnType<typeof buildEmulation>>;
    try {
      b = await buildEmulation(join(work, 'p', project.name), opts);
    } catch (e) {
      if (!(e instanceof ToolchainError) || e.code !== 'build-failed') throw e;
      const failed = `${dir}.failed`;
      await rm(failed, { recursive: true, force: true });
      await rename(work, failed);
      const emu = join(failed, 'p', project.name, 'emulation');
      throw new ToolchainError(e.code, e.message, `the project is in ${join(failed, 'p', project.name)}; run make -C ${emu} to see the whole log`, { file: emu });
    }
    const rec: BuildRecord = { key, name: project.name, size: b.size, buildMs: Math.round(b.ms) };
    await writeFile(join(work, 'build.json'), `${JSON.stringify(rec, null, 2)}\n`);
    // The weights source is most of the folder (15 MB for a 4 MB model); the ELF and the map are what is read later.
    await rm(join(work, 'p', project.name, 'src', 'tinyforge', 'tinyforge_weights.cpp'), { force: true });
    await rm(join(work, 'p', project.name, 'emulation', 'build', 'tinyforge_weights.o'), { force: true });
    await rm(dir, { recursive: true, force: true });
    await rename(work, dir);
    await prune(root, key);
    return result(rec, false);
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(lock, { recursive: true, force: true });
  }
}

/** Drops the least recently used builds beyond MAX_BUILDS (never `keep`, never one being built). */
async function prune(root: string, keep: string): Promise<void> {
  const entries: { key: string; used: number }[] = [];
  for (const name of await readdir(root)) {
    if (name.includes('.')) continue;
    const used = await stat(join(root, name, 'build.json')).then((s) => s.mtimeMs, () => null);
    if (used !== null) entries.push({ key: name, used });
  }
  if (entries.length <= MAX_BUILDS) return;
  entries.sort((a, b) => b.used - a.used);
  for (const e of entries.slice(MAX_BUILDS)) {
    if (e.key === keep || existsSync(join(root, `${e.key}.lock`))) continue;
    await rm(join(root, e.key), { recursive: true, force: true });
  }
}

export interface CachedRun extends Omit<EmulationResult, 'workDir'> {
  cached: boolean;
}

/**
 * runEmulation, cached by the ELF's bytes, the machine and the input bytes.
 * Only runs that count instructions and succeed are stored.
 */
export async function cachedEmulationRun(req: Omit<EmulationRequest, 'keepWorkDir' | 'countInstructions'>): Promise<CachedRun> {
  if (cacheDisabled()) {
    const r = await runEmulation(req);
    return { outputs: r.outputs, instructions: r.instructions, totalInstructions: r.totalInstructions, console: r.console, ms: r.ms, cached: false };
  }
  const h = createHash('sha256');
  h.update(await readFile(req.elf));
  h.update(`\0${req.qemu}\0${req.machine}\0${req.outputBytes.join(',')}\0`);
  for (const v of req.vectors) {
    h.update(`vector ${v.length}\0`);
    for (const b of v) {
      h.update(`${b.byteLength}\0`);
      h.update(b);
    }
  }
  const key = h.digest('hex').slice(0, 24);
  const dir = join(cacheDir(), 'emu-run');
  const file = join(dir, `${key}.json`);
  if (existsSync(file)) {
    const j = JSON.parse(await readFile(file, 'utf8')) as { outputs: string[][]; instructions: number[]; totalInstructions: number | null; console: string; ms: number };
    return { outputs: j.outputs.map((row) => row.map((b) => new Uint8Array(Buffer.from(b, 'base64')))), instructions: j.instructions, totalInstructions: j.totalInstructions, console: j.console, ms: j.ms, cached: true };
  }
  const r = await runEmulation(req);
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const json = { outputs: r.outputs.map((row) => row.map((b) => Buffer.from(b).toString('base64'))), instructions: r.instructions, totalInstructions: r.totalInstructions, console: r.console, ms: Math.round(r.ms) };
  await writeFile(tmp, JSON.stringify(json));
  await rename(tmp, file);
  return { outputs: r.outputs, instructions: r.instructions, totalInstructions: r.totalInstructions, console: r.console, ms: r.ms, cached: false };
}
