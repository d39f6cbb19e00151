/**
 * The simulator against TFLM's reference kernels: every vector of every golden
 * case, every output byte-equal (tolerance zero); for cases with
 * intermediates/, every operator output of vector 000 byte-equal too. Cases
 * TFLM itself refuses (kind must_reject) must be refused by the simulator.
 */
import { describe, expect, it } from 'vitest';
import { listGoldenCases, readBytes, requireGolden } from './cases.js';
import { loadModel } from '../../lib/load.js';
import { Simulator } from '../../sim/interpreter.js';
import { ModelProblemsError } from '../../lib/errors.js';
import type { TypedArray } from '../../sim/kernels/types.js';
import { arrayFor } from '../../sim/interpreter.js';

const have = requireGolden();
const cases = have ? listGoldenCases().filter((c) => c.group !== 'rejected') : [];
const bytesOf = (a: TypedArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function firstDiff(want: Uint8Array, got: Uint8Array): string | null {
  if (want.byteLength !== got.byteLength) return `length ${got.byteLength}, expected ${want.byteLength}`;
  let n = 0;
  let first = -1;
  for (let i = 0; i < want.length; i++) if (want[i] !== got[i]) { n++; if (first < 0) first = i; }
  return n === 0 ? null : `${n}/${want.length} bytes differ, first at byte ${first} (expected ${want[first]}, got ${got[first]})`;
}

describe.runIf(have)('simulator is bit-exact with TFLM reference kernels', () => {
  it('covers the whole golden set', () => {
    expect(cases.length).toBeGreaterThanOrEqual(230);
  });
  for (const c of cases) {
    it(c.name, async () => {
      const model = await loadModel(c.modelPath);
      if (c.meta.kind === 'must_reject') {
        expect(() => new Simulator(model)).toThrow(ModelProblemsError);
        return;
      }
      const sim = new Simulator(model);
      expect(c.vectors.length).toBeGreaterThan(0);
      for (const v of c.vectors) {
        sim.reset();
        const inputs = v.inputs.map((f, i) => {
          const b = readBytes(c.dir, f).slice();
          return arrayFor(sim.inputs[i]!.dtype, b.buffer, 0, b.byteLength);
        });
        const outs = sim.run(inputs);
        expect(outs.length).toBe(v.outputs.length);
        v.outputs.forEach((f, k) => {
          expect(firstDiff(readBytes(c.dir, f), bytesOf(outs[k]!)), `vector ${v.id} output ${k}`).toBeNull();
        });
        if (v.id === '000' && c.intermediates) {
          for (const it of c.intermediates) {
            const got = sim.tensor(it.tensor.index);
            expect(got, `tensor ${it.tensor.index}`).not.toBeNull();
            expect(firstDiff(readBytes(c.dir, `intermediates/${it.file}`), bytesOf(got!)), `op ${it.op_index} ${it.op} tensor ${it.tensor.index}`).toBeNull();
          }
        }
      }
    });
  }
});
