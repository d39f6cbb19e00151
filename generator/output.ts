/**
 * Writing a generated project to disk, all or nothing: files go to a fresh
 * temporary folder beside the destination, which is renamed into place only
 * when every file is written. An existing non-empty destination is never
 * touched without `force`; with it, the old folder is replaced only after the
 * new one is complete (and is put back if the final rename fails). On any
 * failure nothing is left behind: not the temporary folder, not the parent
 * folders this call created.
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve, basename, parse, relative, isAbsolute, sep } from 'node:path';
import { GenerateError } from '../lib/errors.js';

export interface WriteOptions {
  /** Replace a non-empty destination folder. */
  force?: boolean;
  /** Files that must survive (e.g. the model being generated from): a destination that holds one is never replaced. */
  keep?: readonly string[];
}

/** True when `inner` is `outer` or lies inside it (both absolute, symlinks resolved where they exist). */
function within(inner: string, outer: string): boolean {
  const r = relative(real(outer), real(inner));
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r));
}
function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/**
 * Writes `files` (paths relative to outDir) and returns them sorted. `force`
 * may also be given as the third argument (older callers).
 */
export async function writeProject(outDir: string, files: Map<string, string>, opts: boolean | WriteOptions = {}): Promise<string[]> {
  const { force = false, keep = [] } = typeof opts === 'boolean' ? { force: opts } : opts;
  const dest = resolve(outDir);
  if (existsSync(dest)) {
    if (!statSync(dest).isDirectory()) {
      throw new GenerateError('out-not-dir', `${outDir} exists and is not a folder`, 'choose another --out path', { file: outDir });
    }
    if (readdirSync(dest).length > 0) {
      if (!force) {
        throw new GenerateError('out-not-empty', `${outDir} already exists and is not empty; tinyforge never overwrites your files unasked`, 'choose an empty or new --out folder, or pass --force to replace it', { file: outDir });
      }
      // --force deletes the old folder: never one that holds the working folder, the home folder, a file system root or the model.
      const guarded = [process.cwd(), homedir()].filter((p) => within(p, dest));
      const kept = keep.filter((k) => within(resolve(k), dest));
      if (parse(dest).root === dest || guarded.length > 0 || kept.length > 0) {
        const what = kept.length > 0 ? `the model ${kept[0]}` : parse(dest).root === dest ? 'a file system root' : guarded[0] === process.cwd() ? 'the current folder' : 'your home folder';
        throw new GenerateError('out-unsafe', `refusing to replace ${outDir}: it holds ${what}, and --force would delete it`, 'choose a new --out folder for the generated project');
      }
    }
  }
  // mkdir returns the first folder it had to create: removed again if anything fails.
  const createdParent = await mkdir(dirname(dest), { recursive: true });
  let tmp: string | null = null;
  try {
    tmp = await mkdtemp(join(dirname(dest), `.${basename(dest)}.tinyforge-`));
    for (const [rel, content] of [...files.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const p = resolve(tmp, rel);
      const r = relative(tmp, p);
      if (isAbsolute(rel) || r === '' || r === '..' || r.startsWith(`..${sep}`) || isAbsolute(r)) throw new GenerateError('bad-path', `refusing to write outside the project: ${rel}`, 'this is a bug in tinyforge; please report it');
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, content);
    }
    if (existsSync(dest)) {
      const old = `${tmp}.old`;
      await rename(dest, old);
      try {
        await rename(tmp, dest);
      } catch (e) {
        await rename(old, dest).catch(() => undefined);
        throw e;
      }
      tmp = null;
      // The new project is in place: failing to delete the old copy is not a failure of this call.
      await rm(old, { recursive: true, force: true }).catch(() => undefined);
    } else {
      await rename(tmp, dest);
      tmp = null;
    }
  } catch (e) {
    if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    if (createdParent) await rm(createdParent, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
  return [...files.keys()].sort();
}
