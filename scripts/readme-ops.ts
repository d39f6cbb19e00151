/**
 * Rewrites the operator table in README.md from the kernel and emitter
 * registries (test/unit/readme-ops.test.ts fails when they drift apart).
 *   npx tsx scripts/readme-ops.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { supportedOps } from '../sim/kernels/index.js';
import { nativeOps } from '../generator/native/ops/index.js';

const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const native = new Set(nativeOps());
const rows = supportedOps().map((o) => `| \`${o}\` | ✓ | ${native.has(o) ? '✓' : '–'} |`).join('\n');
const head = '| operator | simulator | native firmware |\n|---|---|---|\n';
const start = readme.indexOf(head);
if (start < 0) throw new Error('README.md has no operator table header');
const bodyStart = start + head.length;
const end = readme.indexOf('\n\n', bodyStart);
writeFileSync(path, readme.slice(0, bodyStart) + rows + readme.slice(end));
console.log(`${supportedOps().length} operators, ${native.size} with native kernels`);
