// Builds dist/ after `npm install` / `npm ci` in a checkout of tinyforge, so that
// `npx tinyforge` works right away. Does nothing where the TypeScript sources or
// the compiler are absent (an installed copy of the package: dist/ ships built).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!existsSync(join(root, 'tsconfig.build.json')) || !existsSync(join(root, 'lib', 'index.ts')) || !existsSync(tsc)) process.exit(0);
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
process.exit(r.status ?? 1);
