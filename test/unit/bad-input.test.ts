/**
 * Bad input: every malformed, truncated, corrupted or hostile model must end
 * in success or a typed error (TinyforgeError), never another exception, and
 * each within 2 s. A model that parses is also prepared by the simulator and
 * run through the model checker, since a mutated file that parses is exactly
 * what reaches the kernels' prepare code.
 *
 * Deterministic: mutation positions come from SplitMix64 seeded with
 * FNV-1a-64("bad-input/<case>/<n>"), so a failure names a case and a mutation
 * number that reproduce it.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readModel } from '../../sim/parse/reader.js';
import { writeModel, type ModelSpec, type TensorSpec } from '../../sim/parse/writer.js';
import { Simulator } from '../../sim/interpreter.js';
import { checkModel } from '../../sim/ir/check.js';
import { ModelFormatError, TinyforgeError, formatError } from '../../lib/errors.js';
import { GOLDEN_DIR, listGoldenCases, requireGolden } from '../golden/cases.js';

const TIME_LIMIT_MS = 2000;
/** Mutated files per golden model (233 models: ~1400 mutations in all). */
const MUTATIONS_PER_MODEL = 6;

type Outcome = { ok: true } | { ok: false; code: string; error: TinyforgeError };

/**
 * Parses, prepares and checks one file. Returns how it ended; a non-typed
 * exception or a run over the time limit is returned as a failure message.
 */
async function attempt(bytes: Uint8Array): Promise<{ outcome?: Outcome; failure?: string; ms: number }> {
  const t0 = performance.now();
  let stage = 'readModel';
  let outcome: Outcome;
  try {
    const model = readModel(bytes);
    stage = 'new Simulator';
    try {
      new Simulator(model);
    } catch (e) {
      if (!(e instanceof TinyforgeError)) throw e;
    }
    stage = 'checkModel';
    await checkModel(model);
    outcome = { ok: true };
  } catch (e) {
    const ms = performance.now() - t0;
    if (!(e instanceof TinyforgeError)) {
      return { ms, failure: `${stage} threw a non-typed ${(e as Error)?.constructor?.name ?? typeof e}: ${(e as Error)?.stack?.split('\n').slice(0, 4).join(' | ') ?? String(e)}` };
    }
    outcome = { ok: false, code: e.code, error: e };
  }
  const ms = performance.now() - t0;
  if (ms > TIME_LIMIT_MS) return { outcome, ms, failure: `took ${ms.toFixed(0)} ms (limit ${TIME_LIMIT_MS})` };
  return { outcome, ms };
}

/** Runs `attempt` and fails the test on a non-typed error or a timeout. */
async function expectTyped(bytes: Uint8Array, label: string): Promise<Outcome> {
  const r = await attempt(bytes);
  if (r.failure) expect.fail(`${label}: ${r.failure}`);
  return r.outcome!;
}

async function expectFormatError(bytes: Uint8Array, code: string | RegExp, message?: RegExp): Promise<ModelFormatError> {
  const o = await expectTyped(bytes, `expecting ${code}`);
  if (o.ok) expect.fail(`expected a ModelFormatError ${code}, but the model was accepted`);
  expect(o.error).toBeInstanceOf(ModelFormatError);
  if (typeof code === 'string') expect(o.error.code).toBe(code);
  else expect(o.error.code).toMatch(code);
  if (message) expect(o.error.message).toMatch(message);
  // The one formatter must handle it (names and context end up in the CLI output).
  expect(formatError(o.error)).toMatch(/^error: /);
  return o.error as ModelFormatError;
}

// ---------------------------------------------------------------- seeded PRNG

function fnv1a64(s: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(s)) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

class SplitMix64 {
  private s: bigint;
  constructor(seed: string) {
    this.s = fnv1a64(seed);
  }
  next(): bigint {
    this.s = (this.s + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
    let z = this.s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
    return z ^ (z >> 31n);
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Number((this.next() >> 11n) % BigInt(n));
  }
}

// ---------------------------------------------------------------- non-model files

describe('files that are not models', () => {
  it('a zero-length file is a typed error', async () => {
    await expectFormatError(new Uint8Array(0), 'empty-file', /empty/);
  });

  it('a PNG is a typed error that says it is a PNG', async () => {
    // Signature, IHDR (1x1 RGBA), IDAT, IEND: a real, tiny PNG.
    const png = Uint8Array.from(Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201' +
      'e5270de40000000049454e44ae426082', 'hex'));
    await expectFormatError(png, 'not-tflite', /PNG/);
  });

  it('short and random files are typed errors', async () => {
    for (let n = 1; n < 64; n++) {
      const rng = new SplitMix64(`bad-input/random/${n}`);
      const b = new Uint8Array(n * 7).map(() => rng.int(256));
      await expectTyped(b, `random file ${n}`);
      // With the identifier in place the structural verifier has to reject it.
      if (b.length >= 8) {
        b.set([0x54, 0x46, 0x4c, 0x33], 4);
        await expectTyped(b, `random file ${n} with TFL3`);
      }
    }
  });
});

// ---------------------------------------------------------------- hostile models built with the writer

const q = { scale: [0.1], zeroPoint: [0] };
const act = (name: string, shape: number[] = [1, 4]): TensorSpec => ({ name, shape, dtype: 'int8', quantization: q });

/** A valid two-op model (RESHAPE then SOFTMAX-free identity chain) to derive hostile variants from. */
function baseSpec(): ModelSpec {
  return {
    tensors: [act('in'), { name: 'shape', shape: [2], dtype: 'int32', data: new Int32Array([1, 4]) }, act('mid'), act('out')],
    operators: [
      { op: 'RESHAPE', inputs: [0, 1], outputs: [2] },
      { op: 'RESHAPE', inputs: [2, 1], outputs: [3] },
    ],
    inputs: [0],
    outputs: [3],
  };
}

describe('hostile models built with the writer', () => {
  it('the base model is valid and runs', async () => {
    const o = await expectTyped(writeModel(baseSpec()), 'base');
    expect(o.ok).toBe(true);
    const sim = new Simulator(readModel(writeModel(baseSpec())));
    expect([...sim.run([new Int8Array([1, -2, 3, -4])])[0]!]).toEqual([1, -2, 3, -4]);
  });

  it('a shape whose element count overflows 2^31 is refused', async () => {
    for (const shape of [[65536, 65536], [1 << 16, 1 << 15], [2, 1 << 30], [46341, 46341], [0x7fffffff, 2], [1024, 1024, 1024, 1024, 1024]]) {
      const spec = baseSpec();
      const tensors = [...spec.tensors];
      tensors[2] = act('mid', shape);
      await expectFormatError(writeModel({ ...spec, tensors }), 'shape-overflow', /2\^31/);
    }
    // Also as int32 (more bytes per element), and for a constant, where the data check must not come first.
    await expectFormatError(writeModel({ ...baseSpec(), tensors: [act('in'), { name: 'shape', shape: [1 << 20, 1 << 12], dtype: 'int32', data: new Int32Array([1, 4]) }, act('mid'), act('out')] }), 'shape-overflow');
  });

  it('an activation far larger than any microcontroller is refused before anything is allocated', async () => {
    const spec = baseSpec();
    const tensors = [...spec.tensors];
    tensors[2] = act('mid', [1, 16711681, 60]);
    await expectFormatError(writeModel({ ...spec, tensors }), 'tensor-too-large');
  });

  it('out-of-range tensor indexes in an operator are refused', async () => {
    const variants: [string, Partial<ModelSpec['operators'][number]>][] = [
      ['input past the end', { inputs: [0, 4] }],
      ['input far past the end', { inputs: [0, 0x7fffffff] }],
      ['negative input other than -1', { inputs: [-2, 1] }],
      ['output past the end', { outputs: [99] }],
      ['output -1', { outputs: [-1] }],
      ['intermediate past the end', { intermediates: [1000] }],
    ];
    for (const [what, patch] of variants) {
      const spec = baseSpec();
      const ops = [...spec.operators];
      ops[0] = { ...ops[0]!, ...patch };
      const e = await expectFormatError(writeModel({ ...spec, operators: ops }), 'bad-tensor-index');
      expect(e.context.opIndex, what).toBe(0);
    }
    await expectFormatError(writeModel({ ...baseSpec(), inputs: [17] }), 'bad-tensor-index');
    await expectFormatError(writeModel({ ...baseSpec(), outputs: [-1] }), 'bad-tensor-index');
  });

  it('an out-of-range buffer index is refused', async () => {
    for (const buffer of [5, 1000, 0xffffffff]) {
      const spec = baseSpec();
      const tensors = [...spec.tensors];
      tensors[2] = { ...act('mid'), buffer };
      const e = await expectFormatError(writeModel({ ...spec, tensors }), 'bad-buffer-index');
      expect(e.context.tensor).toBe(2);
    }
  });

  it('an opcode index out of range is refused', async () => {
    for (const opcodeIndex of [1, 2, 1000, 0xffffffff]) {
      const spec = baseSpec();
      const ops = [...spec.operators];
      ops[1] = { ...ops[1]!, opcodeIndex };
      const e = await expectFormatError(writeModel({ ...spec, operators: ops }), 'bad-opcode-index');
      expect(e.context.opIndex).toBe(1);
    }
  });

  it('an operator that reads a tensor only a later operator produces is refused, naming operator and tensor', async () => {
    // Order violation: op 0 reads "mid", which op 1 produces.
    const swapped = baseSpec();
    const e1 = await expectFormatError(writeModel({ ...swapped, operators: [swapped.operators[1]!, swapped.operators[0]!] }), 'bad-op-order', /operator 0 \(RESHAPE\) reads tensor 2 "mid".*operator 1/);
    expect(e1.context).toMatchObject({ opIndex: 0, tensor: 2, tensorName: 'mid' });
    // A two-operator cycle: a -> b -> a.
    const cycle: ModelSpec = {
      tensors: [act('in'), act('a'), act('b'), { name: 'shape', shape: [2], dtype: 'int32', data: new Int32Array([1, 4]) }],
      operators: [
        { op: 'ADD', inputs: [0, 2], outputs: [1] },
        { op: 'RESHAPE', inputs: [1, 3], outputs: [2] },
      ],
      inputs: [0],
      outputs: [2],
    };
    await expectFormatError(writeModel(cycle), 'bad-op-order', /tensor 2 "b"/);
    // An operator that reads its own output.
    const self: ModelSpec = { tensors: [act('in'), act('x')], operators: [{ op: 'ADD', inputs: [0, 1], outputs: [1] }], inputs: [0], outputs: [1] };
    await expectFormatError(writeModel(self), 'bad-op-order', /produces itself/);
    // Not an error: reading a subgraph input, a constant or a variable that a later op also writes.
    const ok: ModelSpec = {
      tensors: [act('in'), { ...act('state'), isVariable: true }, act('y'), act('z')],
      operators: [
        { op: 'ADD', inputs: [0, 1], outputs: [2] },
        { op: 'ADD', inputs: [2, 0], outputs: [3] },
      ],
      inputs: [0],
      outputs: [3],
    };
    expect(readModel(writeModel(ok)).subgraphs[0]!.operators).toHaveLength(2);
  });

  it('hostile tensor names are kept verbatim and never break anything', async () => {
    const names = [
      'quote"s and \'single\' and `back`',
      'comment */ end /* start',
      'new\nline\r\nand\ttab',
      '#include <stdio.h>\n#define main evil',
      '\\" ); system("rm -rf /"); //',
      '${process.exit(1)}',
      '\u0000nul\u0000inside',
      '\u202eright-to-left override',
      '??/ trigraph',
      'x'.repeat(100_000),
      '',
    ];
    const spec = baseSpec();
    const tensors = spec.tensors.map((t, i) => ({ ...t, name: names[i % names.length]! }));
    const bytes = writeModel({ ...spec, tensors });
    const o = await expectTyped(bytes, 'hostile names');
    expect(o.ok).toBe(true);
    const m = readModel(bytes);
    m.subgraphs[0]!.tensors.forEach((t, i) => expect(t.name).toBe(names[i % names.length]));
    // Every name (including a 100k one, capped by the reader) and an error naming it.
    for (let k = 0; k < names.length; k += 4) {
      const many = baseSpec().tensors.map((t, i) => ({ ...t, name: names[(k + i) % names.length]! }));
      const m2 = readModel(writeModel({ ...baseSpec(), tensors: many }));
      for (const t of m2.subgraphs[0]!.tensors) expect(t.name.length).toBeLessThanOrEqual(4096);
      const bad = many.map((t, i) => (i === 2 ? { ...t, buffer: 77 } : t));
      const e = await expectFormatError(writeModel({ ...baseSpec(), tensors: bad }), 'bad-buffer-index');
      const text = formatError(e);
      // The name is quoted as JSON: a newline inside it cannot start a new line of the report.
      expect(text.split('\n').every((l) => /^(error|  at|  hint): /.test(l))).toBe(true);
    }
  });
});

// ---------------------------------------------------------------- golden models: truncation and mutation

const haveGolden = requireGolden(); // throws in CI when ../shared/golden is missing
if (!haveGolden) console.warn(`bad-input.test: golden data not found at ${GOLDEN_DIR}; truncation and mutation tests skipped`);
const cases = haveGolden ? listGoldenCases() : [];

/** Byte ranges of constant data (mutations there only change weights; half the mutations avoid them). */
function dataRanges(bytes: Uint8Array): [number, number][] {
  try {
    const m = readModel(bytes);
    const out: [number, number][] = [];
    for (const sg of m.subgraphs) {
      for (const t of sg.tensors) if (t.data) out.push([t.data.byteOffset - m.bytes.byteOffset, t.data.byteOffset - m.bytes.byteOffset + t.data.byteLength]);
    }
    return out;
  } catch {
    return [];
  }
}

function mutate(original: Uint8Array, rng: SplitMix64, ranges: [number, number][], structural: boolean): { bytes: Uint8Array; what: string } {
  const b = original.slice();
  let pos = rng.int(b.length);
  if (structural) {
    for (let tries = 0; tries < 64 && ranges.some(([s, e]) => pos >= s && pos < e); tries++) pos = rng.int(b.length);
  }
  const kind = rng.int(4);
  if (kind === 0) {
    const bit = rng.int(8);
    b[pos] ^= 1 << bit;
    return { bytes: b, what: `flip bit ${bit} of byte ${pos}` };
  }
  if (kind === 1) {
    const v = rng.int(256);
    b[pos] = v;
    return { bytes: b, what: `byte ${pos} = ${v}` };
  }
  if (kind === 2) {
    const v = [0x00, 0xff, 0x7f, 0x80, 0x01][rng.int(5)]!;
    b[pos] = v;
    return { bytes: b, what: `byte ${pos} = ${v}` };
  }
  // A whole little-endian word: offsets, lengths, indexes and dims are 32-bit.
  const p = Math.min(pos & ~3, b.length - 4);
  const v = [0, 0xffffffff, 0x7fffffff, 0x80000000, 1, 4, b.length, b.length - 4][rng.int(8)]!;
  new DataView(b.buffer).setUint32(p, v >>> 0, true);
  return { bytes: b, what: `word at ${p} = 0x${(v >>> 0).toString(16)}` };
}

describe.skipIf(!haveGolden)('golden models: truncated at every 1/16', () => {
  it('finds the golden models', () => {
    expect(cases.length).toBeGreaterThan(100);
  });
  for (const c of cases) {
    it(c.name, { timeout: 60_000 }, async () => {
      const bytes = new Uint8Array(readFileSync(c.modelPath));
      for (let k = 1; k < 16; k++) {
        const n = Math.floor((bytes.length * k) / 16);
        const o = await expectTyped(bytes.subarray(0, n), `${c.name} truncated to ${k}/16 (${n} bytes)`);
        // A prefix of a model cannot be a whole model: every cut must be refused.
        expect(o.ok, `${c.name} truncated to ${k}/16 was accepted`).toBe(false);
        if (!o.ok) expect(o.error).toBeInstanceOf(ModelFormatError);
      }
    });
  }
});

describe.skipIf(!haveGolden)('golden models: seeded bit flips and byte overwrites', () => {
  const tally = { files: 0, parsed: 0, rejected: 0 };
  for (const c of cases) {
    it(c.name, { timeout: 60_000 }, async () => {
      const bytes = new Uint8Array(readFileSync(c.modelPath));
      const ranges = dataRanges(bytes);
      for (let i = 0; i < MUTATIONS_PER_MODEL; i++) {
        const rng = new SplitMix64(`bad-input/${c.name}/${i}`);
        const { bytes: mutated, what } = mutate(bytes, rng, ranges, i % 2 === 0);
        const o = await expectTyped(mutated, `${c.name} mutation ${i} (${what})`);
        tally.files++;
        if (o.ok) tally.parsed++;
        else tally.rejected++;
      }
    });
  }
  it('mutated at least 1000 files', () => {
    expect(tally.files).toBeGreaterThanOrEqual(1000);
  });
});
