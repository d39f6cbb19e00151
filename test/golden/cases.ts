/**
 * Access to ../shared/golden (the TFLM reference oracle) for tests, scripts
 * and benchmarks. The data is read in place, never copied into the repo.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const GOLDEN_DIR = resolve(process.env.TINYFORGE_GOLDEN ?? join(here, '..', '..', '..', 'shared', 'golden'));

export function goldenAvailable(): boolean {
  return existsSync(join(GOLDEN_DIR, 'README.md'));
}

/**
 * Tests that need the golden data call this at load time: in CI a missing
 * ../shared is a failure, not a skip.
 */
export function requireGolden(): boolean {
  if (goldenAvailable()) return true;
  if (process.env.CI) throw new Error(`golden data not found at ${GOLDEN_DIR}: CI must have ../shared beside the checkout`);
  return false;
}

export interface GoldenVector {
  id: string;
  kind: string;
  inputs: string[];
  outputs: string[];
}
export interface GoldenCase {
  name: string;
  dir: string;
  group: 'model' | 'ops' | 'seanet' | 'rejected';
  meta: any;
  modelPath: string;
  vectors: GoldenVector[];
  intermediates: { file: string; op_index: number; op: string; output_slot: number; tensor: { index: number; name: string; dtype: string }; bytes: number }[] | null;
}

export function listGoldenCases(): GoldenCase[] {
  const out: GoldenCase[] = [];
  const add = (dir: string, group: GoldenCase['group']) => {
    const metaPath = join(dir, 'meta.json');
    if (!existsSync(metaPath)) return;
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    const interPath = join(dir, 'intermediates', 'index.json');
    out.push({
      name: group === 'model' ? meta.case : `${group}/${meta.case}`,
      dir,
      group,
      meta,
      modelPath: join(dir, 'model.tflite'),
      vectors: (meta.vectors ?? []).map((v: any) => ({ id: v.id, kind: v.kind, inputs: v.inputs, outputs: v.outputs })),
      intermediates: existsSync(interPath) ? JSON.parse(readFileSync(interPath, 'utf8')) : null,
    });
  };
  for (const e of readdirSync(GOLDEN_DIR).sort()) {
    const p = join(GOLDEN_DIR, e);
    if (!statSync(p).isDirectory()) continue;
    if (e === 'ops' || e === 'seanet' || e === 'rejected') {
      for (const c of readdirSync(p).sort()) add(join(p, c), e);
    } else {
      add(p, 'model');
    }
  }
  return out;
}

export function readBytes(dir: string, rel: string): Uint8Array {
  return new Uint8Array(readFileSync(join(dir, rel)));
}
