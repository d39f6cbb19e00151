/**
 * TFLM signal-library CUSTOM ops (the audio preprocessor): single-op models
 * with hand-computed expectations, the custom-options checks, and the
 * stateful path of spectral subtraction across runs.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builder, encode } from 'flatbuffers/mjs/flexbuffers.js';
import { readModel } from '../../../sim/parse/reader.js';
import { specFromModel, writeModel, type ModelSpec } from '../../../sim/parse/writer.js';
import { Simulator } from '../../../sim/interpreter.js';
import { ModelProblemsError } from '../../../lib/errors.js';
import type { DType } from '../../../sim/ir/types.js';
import type { TypedArray } from '../../../sim/kernels/types.js';
import { LOG_LUT, log32, msb32, sqrt32, sqrt64 } from '../../../sim/math/signal_math.js';
import { Uint64Acc, storeUint64FromSplit } from '../../../sim/math/uint64_pair.js';
import { GOLDEN_DIR, requireGolden } from '../../golden/cases.js';

interface T {
  dtype: DType;
  shape: number[];
  /** Constant data. */
  data?: ArrayBufferView;
}

/** A one-operator model: non-constant inputs become model inputs (in order), every output a model output. */
function singleOp(op: string, options: Uint8Array | null, inputs: T[], outputs: T[]): Simulator {
  const tensors = [...inputs, ...outputs].map((t, i) => ({ name: `t${i}`, shape: t.shape, dtype: t.dtype, data: t.data ?? null }));
  const spec: ModelSpec = {
    tensors,
    operators: [{ op, inputs: inputs.map((_, i) => i), outputs: outputs.map((_, i) => inputs.length + i), customOptions: options }],
    inputs: inputs.flatMap((t, i) => (t.data ? [] : [i])),
    outputs: outputs.map((_, i) => inputs.length + i),
  };
  return new Simulator(readModel(writeModel(spec)));
}

/** The message of the problem a model is refused with. */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ModelProblemsError) return e.problems.map((p) => p.message).join('\n');
    throw e;
  }
  throw new Error('the model was accepted');
}

const num = (a: TypedArray) => Array.from(a as ArrayLike<number>);

describe('SignalWindow', () => {
  const win = (weights: number[], inShape: number[], shift = 12) =>
    singleOp('CUSTOM:SignalWindow', encode({ shift }), [{ dtype: 'int16', shape: inShape }, { dtype: 'int16', shape: [weights.length], data: Int16Array.from(weights) }], [{ dtype: 'int16', shape: inShape }]);

  it('multiplies, shifts arithmetically and saturates', () => {
    const sim = win([4096, 8192, -4096, 32767], [4]);
    // 1000*4096>>12 = 1000; -1000*8192>>12 = -2000; 3*-4096>>12 = -3; 32767*32767>>12 = 262128 -> 32767
    expect(num(sim.run([[1000, -1000, 3, 32767]])[0]!)).toEqual([1000, -2000, -3, 32767]);
    // -1 * 4096 >> 12 = -1 (floor); 1 * 1 >> 12 = 0; -32768 * 32767 >> 12 = -262136 -> -32768
    const sim2 = win([4096, 1, 1, 32767], [4]);
    expect(num(sim2.run([[-1, 1, -1, -32768]])[0]!)).toEqual([-1, 0, -1, -32768]);
  });

  it('applies the window to each chunk of a batch', () => {
    const sim = win([4096, 2048], [2, 2]);
    expect(num(sim.run([[10, 10, 20, 20]])[0]!)).toEqual([10, 5, 20, 10]);
  });

  it('refuses an input that is not a multiple of the window', () => {
    expect(refusal(() => win([1, 2, 3], [4]))).toMatch(/not a multiple of the window length 3/);
  });
});

describe('SignalFftAutoScale', () => {
  const scale = (x: number[]) => {
    const sim = singleOp('CUSTOM:SignalFftAutoScale', null, [{ dtype: 'int16', shape: [x.length] }], [{ dtype: 'int16', shape: [x.length] }, { dtype: 'int32', shape: [] }]);
    const [out, bits] = sim.run([x]);
    return { out: num(out!), bits: bits![0] };
  };

  it('shifts up to put the largest magnitude just below 2^15', () => {
    // max |x| = 3: msb 2, shift 15 - 2 = 13
    expect(scale([1, -3, 2])).toEqual({ out: [8192, -24576, 16384], bits: 13 });
    expect(scale([16384, -5])).toEqual({ out: [16384, -5], bits: 0 });
  });

  it('silence: MostSignificantBit32(0) is 32, so the shift is 0', () => {
    expect(scale([0, 0, 0])).toEqual({ out: [0, 0, 0], bits: 0 });
  });

  it('keeps MaxAbs16\'s int16 quirk around -32768', () => {
    // -32768 as the running max reads as negative; the next larger sample (5) replaces it:
    // shift 15 - 3 = 12, and -32768 * 4096 wraps to 0 in int16.
    expect(scale([-32768, 5])).toEqual({ out: [0, 20480], bits: 12 });
    // Last: the max stays -32768, a huge uint32 for the MSB: shift 0.
    expect(scale([5, -32768])).toEqual({ out: [5, -32768], bits: 0 });
  });
});

describe('SignalEnergy', () => {
  it('writes re^2 + im^2 for bins start..end-1 only', () => {
    const sim = singleOp('CUSTOM:SignalEnergy', encode({ end_index: 3, start_index: 1 }), [{ dtype: 'int16', shape: [8] }], [{ dtype: 'uint32', shape: [4] }]);
    const out = sim.run([[7, 7, 3, 4, -32768, -32768, 9, 9]])[0]!;
    expect(num(out)).toEqual([0, 25, 2 ** 31, 0]);
  });

  it('refuses indexes past the spectrum', () => {
    expect(refusal(() => singleOp('CUSTOM:SignalEnergy', encode({ end_index: 5, start_index: 0 }), [{ dtype: 'int16', shape: [8] }], [{ dtype: 'uint32', shape: [4] }]))).toMatch(/end_index = 5 is outside \[0, 4\]/);
  });
});

describe('SignalFilterBank', () => {
  const bank = (weights: number[], unweights: number[], starts: number[], wstarts: number[], widths: number[], channels: number, bins: number) =>
    singleOp('CUSTOM:SignalFilterBank', encode({ num_channels: channels }), [
      { dtype: 'uint32', shape: [bins] },
      { dtype: 'int16', shape: [weights.length], data: Int16Array.from(weights) },
      { dtype: 'int16', shape: [unweights.length], data: Int16Array.from(unweights) },
      { dtype: 'int16', shape: [starts.length], data: Int16Array.from(starts) },
      { dtype: 'int16', shape: [wstarts.length], data: Int16Array.from(wstarts) },
      { dtype: 'int16', shape: [widths.length], data: Int16Array.from(widths) },
    ], [{ dtype: 'uint64', shape: [channels] }]);

  it('accumulates weights and carries unweights into the next channel; channel 0 is scratch', () => {
    const sim = bank([100, 200, 300, 400], [1, 2, 3, 4], [0, 1, 2], [0, 1, 2], [1, 1, 2], 2, 4);
    // ch1 = u0*10 + w1*20 = 4010; ch2 = u1*20 + w2*30 + w3*40 = 40 + 9000 + 16000
    expect(Array.from(sim.run([[10, 20, 30, 40]])[0] as BigUint64Array)).toEqual([4010n, 25040n]);
  });

  it('is exact past 2^53 and wraps negative weights modulo 2^64', () => {
    const sim = bank([0, 32767, -1], [0, 32767, 0], [0, 0, 1], [0, 1, 2], [1, 1, 1], 2, 2);
    const x = 4294967295;
    // ch1 = 32767 * x; ch2 = 32767 * x (carried unweight) + (-1) * x  (mod 2^64)
    const big = 32767n * BigInt(x);
    expect(Array.from(sim.run([[x, x]])[0] as BigUint64Array)).toEqual([big, big - BigInt(x)]);
    const sim2 = bank([0, -1, 0], [0, 0, 0], [0, 0, 0], [0, 1, 1], [0, 1, 0], 2, 1);
    expect(Array.from(sim2.run([[1]])[0] as BigUint64Array)).toEqual([2n ** 64n - 1n, 0n]);
  });

  it('refuses channel bands outside the spectrum', () => {
    expect(refusal(() => bank([1, 1], [1, 1], [0, 3], [0, 0], [1, 2], 1, 4))).toMatch(/channel 1 reads spectrum bins \[3, 5\) outside the 4-bin input/);
  });
});

describe('Sqrt32 / Sqrt64 / Log32', () => {
  it('Sqrt32: floor root, rounded up when the remainder exceeds the root, never past 0xFFFF', () => {
    expect([0, 1, 2, 3, 4, 6, 7, 8, 0xffffffff].map(sqrt32)).toEqual([0, 1, 1, 2, 2, 2, 3, 3, 0xffff]);
    expect(sqrt32(65535 * 65535 + 65535)).toBe(65535); // remainder == root: no rounding
    expect(sqrt32(65535 * 65535 + 65536)).toBe(65535); // would round, but the root is 0xFFFF
  });

  it('Sqrt64 above 2^32', () => {
    const s = (v: bigint) => sqrt64(Number(v >> 32n), Number(v & 0xffffffffn));
    expect(s(2n ** 32n)).toBe(65536);
    const r = 3037000499n; // floor(sqrt(2^63))
    expect(s(r * r)).toBe(3037000499);
    expect(s(r * r + r)).toBe(3037000499);
    expect(s(r * r + r + 1n)).toBe(3037000500);
    expect(s(r * r - 1n)).toBe(3037000499); // floor 3037000498, remainder 2r > root: rounded up
    expect(s(2n ** 64n - 1n)).toBe(0xffffffff);
  });

  it('MostSignificantBit32(0) is 32 (GCC build)', () => {
    expect([0, 1, 2, 3, 0x80000000].map(msb32)).toEqual([32, 1, 2, 2, 32]);
  });

  it('Log32 and its table', () => {
    expect([LOG_LUT[0], LOG_LUT[1], LOG_LUT[57], LOG_LUT[64], LOG_LUT[127], LOG_LUT[128], LOG_LUT[129]]).toEqual([0, 224, 5641, 5568, 142, 0, 0]);
    expect(Array.from(LOG_LUT).reduce((a, b) => a + b, 0)).toBe(480678);
    // ln 2 = 0.6931: in Q16 45426; times 64 -> 44.36 -> 44
    expect(log32(2, 65536)).toBe(45426);
    expect(log32(2, 64)).toBe(44);
    // log2(2^31) = 31 exactly: loge = 31 * 45426 = 1408206; * 64 -> 1375.2 -> 1375
    expect(log32(2 ** 31, 64)).toBe(1375);
    // The uint32 product out_scale * loge wraps: (2^32 - 1408206 + 32768) >> 16 = 65515
    expect(log32(2 ** 31, 0xffffffff)).toBe(65515);
  });
});

describe('uint64 pairs (no BigInt in eval)', () => {
  const M64 = (1n << 64n) - 1n;
  let seed = 12345;
  const u32 = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const hi = seed >>> 16;
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return ((hi << 16) | (seed >>> 16)) >>> 0;
  };

  it('a*b + c*d modulo 2^64, shifted and truncated to uint32, matches BigInt', () => {
    const acc = new Uint64Acc();
    const cases: number[][] = [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [1, 1, 0, 0], [0x80000000, 2, 0x80000000, 2]];
    for (let i = 0; i < 500; i++) cases.push([u32(), u32(), u32(), u32() >>> (i % 32)]);
    for (const [a, b, c, d] of cases) {
      const v = (BigInt(a!) * BigInt(b!) + BigInt(c!) * BigInt(d!)) & M64;
      acc.setMul(a!, b!).addMul(c!, d!);
      expect(BigInt(acc.hi) * 2n ** 32n + BigInt(acc.lo)).toBe(v);
      for (const sh of [0, 1, 14, 31, 32, 33, 63]) expect(acc.shrToUint32(sh)).toBe(Number((v >> BigInt(sh)) & 0xffffffffn));
    }
  });

  it('stores hi * 2^16 + lo modulo 2^64, negative values wrapping', () => {
    const out = new Uint32Array(2);
    const big = new BigUint64Array(out.buffer);
    for (const [hi, lo] of [[0, 0], [0, -1], [-1, 0], [2 ** 46, 2 ** 46 - 1], [-(2 ** 46), 12345], [65535, 65536]]) {
      storeUint64FromSplit(out, 0, hi!, lo!);
      expect(big[0]).toBe((BigInt(hi!) * 65536n + BigInt(lo!)) & M64);
    }
  });
});

describe('SignalFilterBankSquareRoot, SignalFilterBankLog, SignalPCAN', () => {
  it('square root shifted by the runtime scale bits', () => {
    const sim = singleOp('CUSTOM:SignalFilterBankSquareRoot', null, [{ dtype: 'uint64', shape: [3] }, { dtype: 'int32', shape: [] }], [{ dtype: 'uint32', shape: [3] }]);
    expect(num(sim.run([new BigUint64Array([100n, 2n ** 40n, 8n]), [0]])[0]!)).toEqual([10, 2 ** 20, 3]);
    expect(num(sim.run([new BigUint64Array([100n, 2n ** 40n, 8n]), [2]])[0]!)).toEqual([2, 2 ** 18, 0]);
  });

  it('log: ln(x << correction) * scale; 0 and 1 give 0; capped at 32767', () => {
    const sim = singleOp('CUSTOM:SignalFilterBankLog', encode({ input_correction_bits: 3, output_scale: 64 }), [{ dtype: 'uint32', shape: [4] }], [{ dtype: 'int16', shape: [4] }]);
    // 1 << 3 = 8: log2 exactly 3, loge = 3 * 45426, * 64 -> 133.6 -> 133; 2^28 << 3 = 2^31 -> 1375;
    // (2^29 + 1) << 3 wraps to 8 in uint32 -> 133
    expect(num(sim.run([[0, 1, 2 ** 28, 2 ** 29 + 1]])[0]!)).toEqual([0, 133, 1375, 133]);
    const plain = singleOp('CUSTOM:SignalFilterBankLog', encode({ input_correction_bits: 0, output_scale: 1600 }), [{ dtype: 'uint32', shape: [3] }], [{ dtype: 'int16', shape: [3] }]);
    // ln(4e9) * 1600 = 35376 > 32767
    expect(num(plain.run([[0, 1, 4000000000]])[0]!)).toEqual([0, 0, 32767]);
  });

  it('PCAN: small noise reads the table directly; the shrink is x^2/4 below 2 and x - 1 above', () => {
    const lut = new Int16Array(125);
    lut[0] = 4096; // gain for noise 0: 1.0 in Q12
    lut[1] = 2048;
    const sim = singleOp('CUSTOM:SignalPCAN', encode({ snr_shift: 6 }), [
      { dtype: 'uint32', shape: [3] }, { dtype: 'uint32', shape: [3] }, { dtype: 'int16', shape: [125], data: lut },
    ], [{ dtype: 'uint32', shape: [3] }]);
    // snr = (in * gain) >> 6. in 64, gain 4096: snr 4096 < 8192: 4096^2 >> 20 = 16.
    // in 1000, gain 4096: snr 64000 >= 8192: (64000 >> 6) - 64 = 936. in 1000, gain 2048: snr 32000: 500 - 64 = 436.
    expect(num(sim.run([[64, 1000, 1000], [0, 0, 1]])[0]!)).toEqual([16, 936, 436]);
  });
});

describe('SignalFilterBankSpectralSubtraction: state', () => {
  const opts = { alternate_one_minus_smoothing: 15401, alternate_smoothing: 983, clamping: false, min_signal_remaining: 819, num_channels: 2, one_minus_smoothing: 15975, smoothing: 409, smoothing_bits: 10, spectral_subtraction_bits: 14 };
  const make = (o = opts) => singleOp('CUSTOM:SignalFilterBankSpectralSubtraction', encode(o), [{ dtype: 'uint32', shape: [2] }], [{ dtype: 'uint32', shape: [2] }, { dtype: 'uint32', shape: [2] }]);

  it('updates the noise estimate across runs (odd channels use the alternate coefficients) until reset', () => {
    const sim = make();
    // s = 1000 << 10 = 1024000. ch0: noise = 1024000*409 >> 14 = 25562; out = (1024000-25562) >> 10 = 975.
    // ch1: noise = 1024000*983 >> 14 = 61437; out = (1024000-61437) >> 10 = 940. floor = 1000*819 >> 14 = 49.
    let [out, noise] = sim.run([[1000, 1000]]);
    expect(num(out!)).toEqual([975, 940]);
    expect(num(noise!)).toEqual([25562, 61437]);
    // Second run, same input: ch0 noise = (1024000*409 + 25562*15975) >> 14 = 50486; out = (1024000-50486) >> 10 = 950.
    // ch1 noise = (1024000*983 + 61437*15401) >> 14 = 119188; out = (1024000-119188) >> 10 = 883.
    [out, noise] = sim.run([[1000, 1000]]);
    expect(num(noise!)).toEqual([50486, 119188]);
    expect(num(out!)).toEqual([950, 883]);
    sim.reset();
    [out, noise] = sim.run([[1000, 1000]]);
    expect(num(out!)).toEqual([975, 940]);
    expect(num(noise!)).toEqual([25562, 61437]);
  });

  it('never lets the estimate exceed the signal; clamping also pulls the state down', () => {
    for (const clamping of [false, true]) {
      const sim = make({ ...opts, clamping });
      sim.run([[1000, 1000]]);
      // Silence: the estimate (25562 * 15975 >> 14 = 24923 on ch0, 61437 * 15401 >> 14 = 57750 on ch1)
      // exceeds s = 0: the output is the floor, 0.
      const [out, noise] = sim.run([[0, 0]]);
      expect(num(out!)).toEqual([0, 0]);
      expect(num(noise!)).toEqual(clamping ? [0, 0] : [24923, 57750]);
    }
  });
});

describe('custom options are checked', () => {
  const window = (options: Uint8Array | null) => refusal(() => singleOp('CUSTOM:SignalWindow', options, [{ dtype: 'int16', shape: [2] }, { dtype: 'int16', shape: [2], data: new Int16Array(2) }], [{ dtype: 'int16', shape: [2] }]));

  it('missing or malformed bytes', () => {
    expect(window(null)).toMatch(/custom options: missing/);
    expect(window(new Uint8Array([1, 2]))).toMatch(/custom options: a FlexBuffers buffer has at least 3 bytes/);
    expect(window(new Uint8Array([0x00, 0x7f, 0x24, 0x01]))).toMatch(/custom options: .*points before the start/);
    expect(window(encode([12]))).toMatch(/root is vector_int, expected a map/);
    const truncated = encode({ shift: 12 }).slice(3);
    expect(window(truncated)).toMatch(/custom options/);
  });

  it('keys are checked against the index TFLM reads', () => {
    expect(window(encode({ shfit: 12 }))).toMatch(/TFLM reads element 0 as "shift", but that element is "shfit"/);
    expect(window(encode({}))).toMatch(/map has 0 entries/);
    // 'a' sorts before 'shift': TFLM would read 'a' as the shift.
    expect(window(encode({ a: 1, shift: 12 }))).toMatch(/that element is "a"/);
  });

  it('values must be integers stored in place', () => {
    expect(window(encode({ shift: 'x' }))).toMatch(/"shift" is a string/);
    expect(window(encode({ shift: 1.5 }))).toMatch(/"shift" is a float/);
    const b = builder();
    b.startMap();
    b.addKey('shift');
    b.addInt(12, true);
    b.end();
    expect(window(b.finish())).toMatch(/"shift" is a indirect_int/);
    expect(window(encode({ shift: 2 ** 40 }))).toMatch(/does not fit in int32/);
    expect(window(encode({ shift: 40 }))).toMatch(/shift = 40 is outside \[0, 31\]/);
  });

  it('SignalRfft: only int16, and lengths kissfft can run in TFLM', () => {
    const rfft = (o: Record<string, number>, inLen = 6, outLen = 10) => refusal(() => singleOp('CUSTOM:SignalRfft', encode(o), [{ dtype: 'int16', shape: [inLen] }], [{ dtype: 'int16', shape: [outLen] }]));
    expect(rfft({ T: 1, fft_length: 8 })).toMatch(/only the int16 variant.*T = 1/);
    expect(rfft({ fft_length: 8 })).toMatch(/T = 0 \(FLOAT32\)/);
    expect(rfft({ T: 7, fft_length: 4 })).toMatch(/input rows of 6 samples do not fit fft_length 4/);
    expect(rfft({ T: 7, fft_length: 8 }, 6, 12)).toMatch(/fft_length\/2 \+ 1 complex values \(10 int16\), got 12/);
    expect(rfft({ T: 7, fft_length: 14 }, 6, 16)).toMatch(/factor 7/);
  });
});

// ---------------------------------------------------------------- the golden audio preprocessor, run as a stream

const haveGolden = requireGolden();
const caseDir = join(GOLDEN_DIR, 'tflm-audio_preprocessor_int8');

describe.skipIf(!haveGolden)('audio preprocessor: state across runs', () => {
  const load = () => new Simulator(readModel(new Uint8Array(readFileSync(join(caseDir, 'model.tflite')))));
  const frame = (id: string) => new Int16Array(new Uint8Array(readFileSync(join(caseDir, 'inputs', `${id}.bin`))).buffer);
  const golden = (id: string) => Array.from(new Int8Array(new Uint8Array(readFileSync(join(caseDir, 'outputs', `${id}.bin`))).buffer));
  // Tensors of the spectral subtraction op (operator 11): its input and its noise-estimate output.
  const SS_IN = 30;
  const SS_NOISE = 32;

  it('a fresh run matches the oracle; a second run of the same frame sees the noise estimate; reset restores', () => {
    const sim = load();
    const x = frame('004');
    const first = Array.from(sim.run([x])[0] as Int8Array);
    expect(first).toEqual(golden('004'));
    const signal = Array.from(sim.tensor(SS_IN) as Uint32Array);
    const noise1 = Array.from(sim.tensor(SS_NOISE) as Uint32Array);
    const second = Array.from(sim.run([x])[0] as Int8Array);
    const noise2 = Array.from(sim.tensor(SS_NOISE) as Uint32Array);
    // The subtracted noise grew, so features can only go down.
    expect(second).not.toEqual(first);
    for (let i = 0; i < 40; i++) expect(second[i]!).toBeLessThanOrEqual(first[i]!);
    // The estimate follows the model's smoothing (409 / 15975 on even channels, 983 / 15401 on odd; 10 and 14 bits).
    for (let i = 0; i < 40; i++) {
      const [sm, om] = i % 2 === 0 ? [409n, 15975n] : [983n, 15401n];
      const s = (BigInt(signal[i]!) << 10n) & 0xffffffffn;
      expect(BigInt(noise1[i]!), `channel ${i} after run 1`).toBe((s * sm) >> 14n);
      expect(BigInt(noise2[i]!), `channel ${i} after run 2`).toBe((s * sm + BigInt(noise1[i]!) * om) >> 14n);
    }
    sim.reset();
    expect(Array.from(sim.run([x])[0] as Int8Array)).toEqual(golden('004'));
  });

  it('a stream of different frames depends on the order; each vector after reset matches the oracle', () => {
    const sim = load();
    const a = frame('004');
    const b = frame('005');
    sim.run([a]);
    const bAfterA = Array.from(sim.run([b])[0] as Int8Array);
    expect(bAfterA).not.toEqual(golden('005'));
    sim.reset();
    expect(Array.from(sim.run([b])[0] as Int8Array)).toEqual(golden('005'));
  });
});
