#!/usr/bin/env node
// Entry point of the `tinyforge` command: runs the compiled CLI (npm install builds dist/ via the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('tinyforge is not built: run `npm install` (or `npm run build`) in the tinyforge folder first\n');
  process.exit(1);
}
await import(main.href);
