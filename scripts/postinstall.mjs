// Builds dist/ after `npm install` / `npm ci` in a checkout of tinyforge, so that
// `npx tinyforge` works right away. Skips the build when dist/ is newer than
// every source file (npx re-runs this script when it links the checkout), and
// does nothing where the sources or the compiler are absent (an installed copy).
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!existsSync(join(root, 'tsconfig.build.json')) || !existsSync(join(root, 'lib', 'index.ts')) || !existsSync(tsc)) process.exit(0);

const stamp = join(root, 'dist', '.build-stamp');
function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}
const sources = ['lib', 'cli', 'sim', 'generator'].filter((d) => existsSync(join(root, d)));
const newest = Math.max(statSync(join(root, 'package.json')).mtimeMs, ...sources.map((d) => newestSource(join(root, d))));
if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest) process.exit(0);

const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status === 0) writeFileSync(stamp, `${new Date().toISOString()}\n`);
process.exit(r.status ?? 1);
