import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { supportedOps } from '../../sim/kernels/index.js';
import { nativeOps } from '../../generator/native/ops/index.js';

describe('README operator table', () => {
  it('lists exactly the operators the simulator supports, with the native column right', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\| `([^`]+)` \| ✓ \| (✓|–) \|$/gm)].map((m) => [m[1]!, m[2] === '✓'] as const);
    expect(rows.map((r) => r[0])).toEqual(supportedOps());
    const native = new Set(nativeOps());
    for (const [op, hasNative] of rows) expect(hasNative, op).toBe(native.has(op));
    expect(supportedOps().length).toBeGreaterThanOrEqual(45);
  });
});
