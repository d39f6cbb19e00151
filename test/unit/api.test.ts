/**
 * The library API as README shows it: what a user writes in their own vitest
 * suite to check a model before flashing.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSimulator, dequantize, quantize, loadModel, inspectModel, ModelFormatError, TinyforgeError } from '../../lib/index.js';

const MODEL = fileURLToPath(new URL('../../examples/gesture_int8.tflite', import.meta.url));
const INPUT = fileURLToPath(new URL('../../examples/gesture_input.bin', import.meta.url));
const SHAKE = 1; // examples/README.md: classes idle, shake, circle, tap

describe('library API (README example)', () => {
  it('classifies the shipped shake window', async () => {
    const sim = await createSimulator(MODEL);
    const window = new Int8Array(new Uint8Array(readFileSync(INPUT)).buffer);
    const reals = dequantize(window, sim.inputs[0]!);
    const [scores] = sim.run([quantize(reals, sim.inputs[0]!)]);
    const p = dequantize(scores!, sim.outputs[0]!);
    expect(p.indexOf(Math.max(...p))).toBe(SHAKE);
    expect(p[SHAKE]).toBeGreaterThan(0.9);
  });

  it('quantize rounds half away from zero and clamps', () => {
    const t = { dtype: 'int8' as const, scale: 0.5, zeroPoint: -1, name: 'x' };
    expect(Array.from(quantize([0.25, -0.25, 100, -100, 1], t))).toEqual([0, -2, 127, -128, 1]);
    expect(Array.from(dequantize(Int8Array.of(-1, 1), t))).toEqual([0, 1]);
  });

  it('run() returns copies; invoke() reuses the simulator arrays', async () => {
    const sim = await createSimulator(MODEL);
    const x = new Int8Array(192);
    const a = sim.run([x])[0]!;
    const b = sim.invoke([x])[0]!;
    expect(a).not.toBe(b);
    expect(Array.from(a as Int8Array)).toEqual(Array.from(b as Int8Array));
    expect(sim.invoke([x])[0]).toBe(b);
  });

  it('bad bytes are a typed error', async () => {
    await expect(loadModel(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]))).rejects.toBeInstanceOf(ModelFormatError);
    await expect(createSimulator(new Uint8Array(0))).rejects.toBeInstanceOf(TinyforgeError);
  });

  it('inspectModel reports the example as supported', async () => {
    const report = await inspectModel(await loadModel(MODEL));
    expect(report.supported).toBe(true);
    expect(report.operators.map((o) => o.op)).toEqual(['CONV_2D', 'MAX_POOL_2D', 'RESHAPE', 'FULLY_CONNECTED', 'SOFTMAX']);
    expect(report.totals.macs).toBeGreaterThan(0);
  });
});

describe('error formatting', () => {
  it('never prints control characters from model strings', async () => {
    const { formatError, formatProblem, UnsupportedOpError } = await import('../../lib/errors.js');
    const e = new UnsupportedOpError('x', 'custom op "\u001b[31mred\u001b[0m\nline"', 'hint\u0007', { op: 'CUSTOM:\u001b[2J', opIndex: 1 });
    const text = formatError(e);
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(text.split('\n').length).toBe(3);
    expect(formatProblem({ code: 'c', message: 'a\u001bb', opIndex: 0, op: 'CUSTOM:\u001b' })).not.toContain('\u001b');
  });
});
