/**
 * The instruction-count QEMU plugin (templates/toolchain/tf_insn_count.c) is
 * shipped as source and compiled on first use with the host's gcc into a
 * cache folder keyed by the source's hash, so an edited source is rebuilt
 * and no binary is ever shipped or committed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ToolchainError } from '../../lib/errors.js';
import { TEMPLATES_DIR } from '../project.js';
import { requireTools, runTool, tail } from './exec.js';

export const PLUGIN_SOURCE = join(TEMPLATES_DIR, 'toolchain', 'tf_insn_count.c');

/** tinyforge's cache folder: $TINYFORGE_CACHE_DIR, else $XDG_CACHE_HOME/tinyforge, else ~/.cache/tinyforge. */
export function cacheDir(): string {
  if (process.env.TINYFORGE_CACHE_DIR) return process.env.TINYFORGE_CACHE_DIR;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tinyforge');
}

const built = new Map<string, Promise<string>>();

/** Path of the compiled plugin (.so), building it if this source version has not been built yet. */
export function insnCountPlugin(): Promise<string> {
  const source = readFileSync(PLUGIN_SOURCE);
  const key = createHash('sha256').update(source).digest('hex').slice(0, 16);
  let p = built.get(key);
  if (!p) {
    p = buildPlugin(key);
    built.set(key, p);
    p.catch(() => built.delete(key));
  }
  return p;
}

async function buildPlugin(key: string): Promise<string> {
  const dir = join(cacheDir(), 'qemu-plugin', key);
  const so = join(dir, 'libtf_insn_count.so');
  if (existsSync(so)) return so;
  requireTools(['gcc']);
  await mkdir(dir, { recursive: true });
  // Compile to a private name, then rename: concurrent runs never see half a file.
  const tmp = join(dir, `.libtf_insn_count.${process.pid}.${Date.now()}.so`);
  const r = await runTool('gcc', ['-O2', '-shared', '-fPIC', '-o', tmp, PLUGIN_SOURCE], {
    what: 'compiling the QEMU instruction-count plugin',
    timeoutMs: 120_000,
  });
  if (r.exitCode !== 0) {
    await rm(tmp, { force: true });
    throw new ToolchainError('plugin-build', `the host gcc could not compile ${PLUGIN_SOURCE}:\n${tail(r.stderr || r.stdout)}`, 'check the host C compiler (sudo apt-get install gcc)');
  }
  await rename(tmp, so);
  return so;
}
