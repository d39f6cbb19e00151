/**
 * Writing a generated project to disk, all or nothing: files go to a fresh
 * temporary folder beside the destination, which is renamed into place only
 * when every file is written. An existing non-empty destination is never
 * touched without `force`; with it, the old folder is replaced only after the
 * new one is complete.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, basename } from 'node:path';
import { GenerateError } from '../lib/errors.js';

export async function writeProject(outDir: string, files: Map<string, string>, force = false): Promise<string[]> {
  const dest = resolve(outDir);
  if (existsSync(dest)) {
    if (!statSync(dest).isDirectory()) {
      throw new GenerateError('out-not-dir', `${outDir} exists and is not a folder`, 'choose another --out path', { file: outDir });
    }
    if (readdirSync(dest).length > 0 && !force) {
      throw new GenerateError('out-not-empty', `${outDir} already exists and is not empty; tinyforge never overwrites your files unasked`, 'choose an empty or new --out folder, or pass --force to replace it', { file: outDir });
    }
  }
  await mkdir(dirname(dest), { recursive: true });
  const tmp = await mkdtemp(join(dirname(dest), `.${basename(dest)}.tinyforge-`));
  try {
    for (const [rel, content] of [...files.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const p = join(tmp, rel);
      if (!p.startsWith(tmp)) throw new GenerateError('bad-path', `refusing to write outside the project: ${rel}`, 'this is a bug in tinyforge; please report it');
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, content);
    }
    if (existsSync(dest)) {
      const old = `${tmp}.old`;
      await rename(dest, old);
      await rename(tmp, dest);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, dest);
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return [...files.keys()].sort();
}
