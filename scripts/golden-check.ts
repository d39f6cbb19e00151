/**
 * Developer tool: runs the simulator on golden cases and reports mismatches.
 *   npx tsx scripts/golden-check.ts [substring ...]   (no argument: every case)
 * For each case: every vector's outputs byte-compared; for vector 000 with
 * intermediates, the first operator whose output differs (and how).
 */
import { listGoldenCases, readBytes } from '../test/golden/cases.js';
import { loadModel } from '../lib/load.js';
import { Simulator } from '../sim/interpreter.js';
import { formatError } from '../lib/errors.js';
import type { TypedArray } from '../sim/kernels/types.js';

const filters = process.argv.slice(2);
const cases = listGoldenCases().filter((c) => c.group !== 'rejected' && c.meta.kind !== 'must_reject' && (filters.length === 0 || filters.some((f) => c.name.includes(f))));
const bytesOf = (a: TypedArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
let pass = 0;
let fail = 0;
for (const c of cases) {
  let sim: Simulator;
  try {
    sim = new Simulator(await loadModel(c.modelPath));
  } catch (e) {
    fail++;
    console.log(`FAIL ${c.name}: cannot prepare\n${formatError(e)}`);
    continue;
  }
  const problems: string[] = [];
  for (const v of c.vectors) {
    sim.reset();
    const inputs = v.inputs.map((f, i) => {
      const b = readBytes(c.dir, f);
      const dt = sim.inputs[i]!.dtype;
      const buf = b.slice().buffer;
      return dt === 'int8' ? new Int8Array(buf) : dt === 'int16' ? new Int16Array(buf) : dt === 'int32' ? new Int32Array(buf) : dt === 'float32' ? new Float32Array(buf) : new Uint8Array(buf);
    });
    let outs: TypedArray[];
    try {
      outs = sim.run(inputs);
    } catch (e) {
      problems.push(`vector ${v.id}: ${formatError(e)}`);
      continue;
    }
    v.outputs.forEach((f, k) => {
      const want = readBytes(c.dir, f);
      const got = bytesOf(outs[k]!);
      let diff = 0;
      let first = -1;
      for (let i = 0; i < want.length; i++) if (want[i] !== got[i]) { diff++; if (first < 0) first = i; }
      if (diff > 0 || want.length !== got.length) problems.push(`vector ${v.id} output ${k}: ${diff}/${want.length} bytes differ (first at byte ${first}: want ${want[first]} got ${got[first]})`);
    });
    if (v.id === '000' && c.intermediates) {
      for (const it of c.intermediates) {
        const want = readBytes(c.dir, `intermediates/${it.file}`);
        const a = sim.tensor(it.tensor.index);
        if (!a) { problems.push(`intermediate op ${it.op_index} ${it.op}: tensor ${it.tensor.index} not computed`); break; }
        const got = bytesOf(a);
        let diff = 0;
        let first = -1;
        for (let i = 0; i < want.length; i++) if (want[i] !== got[i]) { diff++; if (first < 0) first = i; }
        if (diff > 0 || want.length !== got.length) {
          problems.push(`first differing intermediate: op ${it.op_index} ${it.op} -> tensor ${it.tensor.index} ${JSON.stringify(it.tensor.name)} ${it.tensor.dtype}: ${diff}/${want.length} bytes differ (first at ${first}: want ${want[first]} got ${got[first]})`);
          break;
        }
      }
    }
  }
  if (problems.length === 0) { pass++; console.log(`ok   ${c.name}`); }
  else { fail++; console.log(`FAIL ${c.name}\n  ${problems.slice(0, 6).join('\n  ')}`); }
}
console.log(`${pass} passed, ${fail} failed`);
