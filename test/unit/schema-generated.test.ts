/**
 * sim/parse/schema_generated/ is flatc output of our own .fbs, never edited
 * by hand: regenerating it must give the committed bytes.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const flatc = spawnSync('flatc', ['--version'], { encoding: 'utf8' });
const have = flatc.status === 0;
if (!have && process.env.CI) throw new Error('flatc (Debian package flatbuffers-compiler) is missing: .ci/run must install it');

describe.runIf(have)('generated schema code', () => {
  it('equals flatc output of sim/parse/schema/tflite.fbs', () => {
    const out = mkdtempSync(join(tmpdir(), 'tf-flatc-'));
    const r = spawnSync('flatc', ['--ts', '--ts-flat-files', '-o', out, join(ROOT, 'sim/parse/schema/tflite.fbs')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'tflite_generated.ts'), 'utf8')).toBe(readFileSync(join(ROOT, 'sim/parse/schema_generated/tflite_generated.ts'), 'utf8'));
  });
});
