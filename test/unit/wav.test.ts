/**
 * lib/wav.ts: every supported sample format converts to int16 as documented
 * (rounding and saturation at the edges), channel 0 of multi-channel files,
 * and every malformed or unsupported file is a PipelineError with a hint —
 * never a crash or a hang (including random corruption of a valid file).
 */
import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../lib/errors.js';
import { readWav } from '../../lib/wav.js';

interface Fmt {
  format?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  blockAlign?: number;
  /** WAVE_FORMAT_EXTENSIBLE with this sub-format. */
  extensible?: number;
}

function chunk(id: string, body: Uint8Array, declared = body.length): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length & 1));
  for (let i = 0; i < 4; i++) out[i] = id.charCodeAt(i);
  new DataView(out.buffer).setUint32(4, declared, true);
  out.set(body, 8);
  return out;
}

function fmtChunk(f: Fmt): Uint8Array {
  const channels = f.channels ?? 1;
  const bits = f.bits ?? 16;
  const ext = f.extensible !== undefined;
  const b = new Uint8Array(ext ? 40 : 16);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, ext ? 0xfffe : f.format ?? 1, true);
  dv.setUint16(2, channels, true);
  dv.setUint32(4, f.rate ?? 16000, true);
  dv.setUint32(8, (f.rate ?? 16000) * channels * (bits / 8), true);
  dv.setUint16(12, f.blockAlign ?? channels * (bits / 8), true);
  dv.setUint16(14, bits, true);
  if (ext) {
    dv.setUint16(16, 22, true);
    dv.setUint16(18, bits, true);
    dv.setUint16(24, f.extensible!, true);
  }
  return chunk('fmt ', b);
}

function riff(...chunks: Uint8Array[]): Uint8Array {
  const size = chunks.reduce((a, c) => a + c.length, 4);
  const out = new Uint8Array(8 + size);
  out.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
  new DataView(out.buffer).setUint32(4, size, true);
  out.set([0x57, 0x41, 0x56, 0x45], 8); // WAVE
  let o = 12;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

function wav(f: Fmt, data: Uint8Array): Uint8Array {
  return riff(fmtChunk(f), chunk('data', data));
}

function le(bytesPer: number, values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * bytesPer);
  values.forEach((v, i) => {
    for (let k = 0; k < bytesPer; k++) out[i * bytesPer + k] = (v >> (8 * k)) & 0xff;
  });
  return out;
}

function floats(bits: 32 | 64, values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * (bits / 8));
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => (bits === 32 ? dv.setFloat32(i * 4, v, true) : dv.setFloat64(i * 8, v, true)));
  return out;
}

function expectWavError(bytes: Uint8Array, code: string, message: RegExp): void {
  let caught: unknown;
  try {
    readWav(bytes, 'x.wav');
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(PipelineError);
  const e = caught as PipelineError;
  expect(e.code).toBe(code);
  expect(e.message).toMatch(message);
  expect(e.message).toMatch(/^x\.wav: /);
  expect(e.hint).toBeTruthy();
  expect(e.context.file).toBe('x.wav');
}

describe('readWav: formats', () => {
  it('reads 16-bit mono as is and reports the rate', () => {
    const w = readWav(wav({ rate: 44100 }, le(2, [0, 1, -1, 32767, -32768, 1234])));
    expect(w.sampleRate).toBe(44100);
    expect([w.channels, w.bitsPerSample, w.format]).toEqual([1, 16, 'pcm']);
    expect(Array.from(w.samples)).toEqual([0, 1, -1, 32767, -32768, 1234]);
  });

  it('takes channel 0 of a stereo file', () => {
    const w = readWav(wav({ channels: 2 }, le(2, [100, -5, 200, -6, -300, -7])));
    expect(Array.from(w.samples)).toEqual([100, 200, -300]);
    expect(w.conversion).toMatch(/channel 0 of 2/);
  });

  it('converts 8-bit unsigned: (u - 128) * 256', () => {
    expect(Array.from(readWav(wav({ bits: 8 }, Uint8Array.from([0, 127, 128, 129, 255]))).samples)).toEqual([-32768, -256, 0, 256, 32512]);
  });

  it('converts 24-bit: round(v / 256), ties toward +inf, saturated', () => {
    const v = [0, 127, 128, 383, 384, -128, -129, -384, -385, 0x7fffff, 0x7fff7f, -0x800000];
    expect(Array.from(readWav(wav({ bits: 24 }, le(3, v))).samples)).toEqual([0, 0, 1, 1, 2, 0, -1, -1, -2, 32767, 32767, -32768]);
  });

  it('converts 32-bit int: round(v / 65536), saturated', () => {
    const v = [0, 32767, 32768, -32768, -32769, 0x7fffffff, -0x80000000, 65536 * 1000 + 40000];
    expect(Array.from(readWav(wav({ bits: 32 }, le(4, v))).samples)).toEqual([0, 0, 1, 0, -1, 32767, -32768, 1001]);
  });

  it('converts float32 and float64: round(x * 32768), ties away from zero, saturated, NaN -> 0', () => {
    const x = [0, 0.5, -0.5, 1, -1, 1.5, -1.5, 0.5 / 32768, -0.5 / 32768, 0.49 / 32768, NaN, Infinity, -Infinity, 32766.5 / 32768];
    const want = [0, 16384, -16384, 32767, -32768, 32767, -32768, 1, -1, 0, 0, 32767, -32768, 32767];
    for (const bits of [32, 64] as const) {
      const w = readWav(wav({ format: 3, bits }, floats(bits, x)));
      expect(w.format).toBe('float');
      expect(Array.from(w.samples), `float${bits}`).toEqual(want);
    }
  });

  it('reads WAVE_FORMAT_EXTENSIBLE with PCM and float sub-formats', () => {
    expect(Array.from(readWav(wav({ extensible: 1, bits: 16, channels: 2 }, le(2, [7, 8, -9, 10]))).samples)).toEqual([7, -9]);
    expect(Array.from(readWav(wav({ extensible: 3, bits: 32 }, floats(32, [0.25]))).samples)).toEqual([8192]);
  });

  it('skips other chunks (odd sizes padded) and trailing bytes after the RIFF', () => {
    const list = chunk('LIST', Uint8Array.from([1, 2, 3])); // odd: one pad byte
    const bytes = riff(list, fmtChunk({}), chunk('fact', new Uint8Array(4)), chunk('data', le(2, [5, -5])));
    const withTail = new Uint8Array(bytes.length + 7);
    withTail.set(bytes);
    withTail.fill(0xee, bytes.length);
    expect(Array.from(readWav(withTail).samples)).toEqual([5, -5]);
  });

  it('reads a data chunk of "unknown length" (0xFFFFFFFF) to the end of the file', () => {
    const bytes = riff(fmtChunk({}), chunk('data', le(2, [1, 2, 3]), 0xffffffff));
    expect(Array.from(readWav(bytes).samples)).toEqual([1, 2, 3]);
  });

  it('accepts an empty data chunk', () => {
    expect(readWav(wav({}, new Uint8Array(0))).samples.length).toBe(0);
  });
});

describe('readWav: refused files', () => {
  const good = wav({}, le(2, [1, 2, 3, 4]));
  it.each([
    ['too short', Uint8Array.from([0x52, 0x49]), 'wav-format', /too short/],
    ['not RIFF', new TextEncoder().encode('ID3\x03 this is an mp3 file'), 'wav-format', /not a RIFF\/WAVE file/],
    ['big-endian RIFX', (() => { const b = good.slice(); b.set([0x52, 0x49, 0x46, 0x58]); return b; })(), 'wav-format', /RIFX/],
    ['RF64', (() => { const b = good.slice(); b.set([0x52, 0x46, 0x36, 0x34]); return b; })(), 'wav-format', /RF64/],
    ['a truncated data chunk', good.subarray(0, good.length - 3), 'wav-truncated', /says 8 bytes, but only 5 remain/],
    ['a chunk size past the file', riff(fmtChunk({}), chunk('LIST', new Uint8Array(4), 0xfffffff0), chunk('data', le(2, [1]))), 'wav-truncated', /"LIST" chunk/],
    ['no fmt chunk', riff(chunk('LIST', new Uint8Array(4))), 'wav-format', /no fmt chunk/],
    ['data before fmt', riff(chunk('data', le(2, [1])), fmtChunk({})), 'wav-format', /data chunk before the fmt chunk/],
    ['no data chunk', riff(fmtChunk({})), 'wav-format', /no data chunk/],
    ['ADPCM', wav({ format: 2, bits: 4, blockAlign: 1 }, new Uint8Array(4)), 'wav-unsupported', /Microsoft ADPCM/],
    ['mu-law', wav({ format: 7, bits: 8 }, new Uint8Array(4)), 'wav-unsupported', /mu-law/],
    ['12-bit PCM', wav({ bits: 12, blockAlign: 2 }, new Uint8Array(4)), 'wav-unsupported', /12-bit PCM/],
    ['16-bit float', wav({ format: 3, bits: 16 }, new Uint8Array(4)), 'wav-unsupported', /16-bit float/],
    ['a wrong block size', wav({ blockAlign: 3 }, new Uint8Array(6)), 'wav-format', /3 bytes per sample frame/],
    ['zero channels', wav({ channels: 0, blockAlign: 0 }, new Uint8Array(4)), 'wav-format', /0 channels/],
    ['zero sample rate', wav({ rate: 0 }, new Uint8Array(4)), 'wav-format', /0 Hz/],
    ['a partial last frame', wav({ channels: 2 }, new Uint8Array(6)), 'wav-truncated', /not a whole number of 4-byte sample frames/],
    ['a short fmt chunk', riff(chunk('fmt ', new Uint8Array(10)), chunk('data', new Uint8Array(2))), 'wav-format', /fmt chunk is 10 bytes/],
    ['a short extensible fmt', riff(chunk('fmt ', (() => { const b = new Uint8Array(18); new DataView(b.buffer).setUint16(0, 0xfffe, true); return b; })()), chunk('data', new Uint8Array(2))), 'wav-format', /EXTENSIBLE/],
  ] as const)('%s', (_name, bytes, code, message) => {
    expectWavError(bytes as Uint8Array, code, message);
  });

  it('never throws anything but a PipelineError on corrupted files (and always returns)', () => {
    const base = riff(chunk('LIST', new Uint8Array(6)), fmtChunk({ channels: 2 }), chunk('data', le(2, Array.from({ length: 64 }, (_, i) => i * 999))));
    let s = 0x2545f491;
    const rnd = () => {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      return s;
    };
    let ok = 0;
    let refused = 0;
    for (let k = 0; k < 3000; k++) {
      const b = base.slice(0, k % 5 === 0 ? rnd() % (base.length + 1) : base.length);
      for (let j = 0; j < 1 + (rnd() % 4); j++) if (b.length) b[rnd() % b.length] = rnd() & 0xff;
      try {
        const w = readWav(b);
        expect(w.samples).toBeInstanceOf(Int16Array);
        ok++;
      } catch (e) {
        if (!(e instanceof PipelineError)) throw e;
        refused++;
      }
    }
    expect(ok).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
