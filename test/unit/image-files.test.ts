/**
 * Image file readers (lib/image-files.ts) on tiny files built here byte by
 * byte (PNGs are compressed with zlib.deflateSync after our own forward
 * filtering, one filter type per row), malformed variants of them, and
 * toFrame's conversion to camera frames.
 */
import { describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import { PipelineError } from '../../lib/errors.js';
import { readImage, toFrame, type DecodedImage } from '../../lib/image-files.js';
import { planImage, resample, resampleTables } from '../../sim/frontend/image.js';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
function cat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
const u32be = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const u32le = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
const u16le = (v: number) => [v & 255, (v >>> 8) & 255];

function expectError(f: () => unknown, code?: string): PipelineError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a PipelineError').toBeInstanceOf(PipelineError);
  if (code) expect((err as PipelineError).code).toBe(code);
  return err as PipelineError;
}

// ------------------------------------------------------------- PNG builder

function chunk(type: string, data: Uint8Array | number[]): Uint8Array {
  return cat(u32be(data.length), ascii(type), data, [0, 0, 0, 0]); // CRC is not checked
}

/** Forward PNG filter of one row (the decoder must invert it). */
function filterRow(ft: number, row: Uint8Array, prev: Uint8Array | null, bpp: number): number[] {
  const out = [ft];
  for (let i = 0; i < row.length; i++) {
    const a = i >= bpp ? row[i - bpp]! : 0;
    const b = prev ? prev[i]! : 0;
    const c = prev && i >= bpp ? prev[i - bpp]! : 0;
    let pred = 0;
    if (ft === 1) pred = a;
    else if (ft === 2) pred = b;
    else if (ft === 3) pred = (a + b) >> 1;
    else if (ft === 4) {
      const p = a + b - c;
      const pa = Math.abs(p - a);
      const pb = Math.abs(p - b);
      const pc = Math.abs(p - c);
      pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    out.push((row[i]! - pred) & 255);
  }
  return out;
}

/** Packs samples (already at `depth` bits) into PNG rows, filtered with filters[y % filters.length]. */
function pngRows(w: number, h: number, samples: number[], perPixel: number, depth: number, filters: number[]): Uint8Array {
  const stride = Math.ceil((w * perPixel * depth) / 8);
  const bpp = Math.max(1, (perPixel * depth) >> 3);
  const out: number[] = [];
  let prev: Uint8Array | null = null;
  for (let y = 0; y < h; y++) {
    const row = new Uint8Array(stride);
    for (let i = 0; i < w * perPixel; i++) {
      const v = samples[y * w * perPixel + i]!;
      if (depth === 16) {
        row[2 * i] = v >> 8;
        row[2 * i + 1] = v & 255;
      } else if (depth === 8) row[i] = v;
      else {
        const bit = i * depth;
        row[bit >> 3] |= v << (8 - depth - (bit & 7));
      }
    }
    out.push(...filterRow(filters[y % filters.length]!, row, prev, bpp));
    prev = row;
  }
  return Uint8Array.from(out);
}

const SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const SAMPLES = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>;

function png(w: number, h: number, color: number, depth: number, samples: number[], opts: { filters?: number[]; plte?: number[]; interlace?: boolean; extra?: Uint8Array[] } = {}): Uint8Array {
  const per = SAMPLES[color]!;
  const filters = opts.filters ?? [0, 1, 2, 3, 4];
  let raw: Uint8Array;
  if (!opts.interlace) raw = pngRows(w, h, samples, per, depth, filters);
  else {
    const passes = [
      [0, 0, 8, 8],
      [4, 0, 8, 8],
      [0, 4, 4, 8],
      [2, 0, 4, 4],
      [0, 2, 2, 4],
      [1, 0, 2, 2],
      [0, 1, 1, 2],
    ];
    const parts: Uint8Array[] = [];
    for (const [x0, y0, dx, dy] of passes) {
      const pw = w > x0! ? Math.ceil((w - x0!) / dx!) : 0;
      const ph = h > y0! ? Math.ceil((h - y0!) / dy!) : 0;
      if (!pw || !ph) continue;
      const sub: number[] = [];
      for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++) for (let c = 0; c < per; c++) sub.push(samples[((y0! + y * dy!) * w + x0! + x * dx!) * per + c]!);
      parts.push(pngRows(pw, ph, sub, per, depth, filters));
    }
    raw = cat(...parts);
  }
  return cat(
    SIG,
    chunk('IHDR', [...u32be(w), ...u32be(h), depth, color, 0, 0, opts.interlace ? 1 : 0]),
    ...(opts.plte ? [chunk('PLTE', opts.plte)] : []),
    ...(opts.extra ?? []),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', []),
  );
}

const seq = <T = number>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

describe('PNG', () => {
  // 5x5 gray with values that make every filter's predictor matter.
  const W = 5;
  const H = 5;
  const gray = seq(W * H, (i) => (i * 53 + (i % 3) * 101) & 255);

  it.each([0, 1, 2, 3, 4])('filter type %i', (ft) => {
    const img = readImage(png(W, H, 0, 8, gray, { filters: [ft] }), 'g.png');
    expect(img).toEqual({ width: W, height: H, channels: 1, pixels: Uint8Array.from(gray) });
    // A larger pseudo-random RGB image: many predictor ties and wrap-arounds.
    let s = 7;
    const rgb = seq(33 * 17 * 3, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), (s >>> 16) & 255));
    expect(readImage(png(33, 17, 2, 8, rgb, { filters: [ft] })).pixels).toEqual(Uint8Array.from(rgb));
  });

  it('Paeth breaks ties in the order a, b, c', () => {
    // Pixel (1,1): a = 0, b = 30, c = 10 -> pa = 20, pb = 10, pc = 10: b wins over c.
    // Pixel (1,2): a = 10, b = 10, c = 10 -> all 0: a wins (same value as the others).
    const px = [10, 30, 0, 77, 10, 200];
    expect(Array.from(readImage(png(2, 3, 0, 8, px, { filters: [4] })).pixels)).toEqual(px);
  });

  it('RGB, RGBA (alpha ignored), gray+alpha; all filters mixed, multi-byte pixels', () => {
    const rgb = seq(W * H * 3, (i) => (i * 37 + 11) & 255);
    expect(readImage(png(W, H, 2, 8, rgb))).toEqual({ width: W, height: H, channels: 3, pixels: Uint8Array.from(rgb) });
    const rgba = seq(W * H * 4, (i) => (i * 29 + 5) & 255);
    const rgbOf = rgba.filter((_, i) => i % 4 !== 3);
    expect(readImage(png(W, H, 6, 8, rgba)).pixels).toEqual(Uint8Array.from(rgbOf));
    const ga = seq(W * H * 2, (i) => (i * 71) & 255);
    const g = readImage(png(W, H, 4, 8, ga));
    expect(g.channels).toBe(1);
    expect(g.pixels).toEqual(Uint8Array.from(ga.filter((_, i) => i % 2 === 0)));
  });

  it('16-bit samples are scaled to 8 bits, rounding to nearest', () => {
    const v16 = [0, 65535, 257 * 100, 128, 129, 32896, 300, 65000];
    const img = readImage(png(8, 1, 0, 16, v16));
    // v * 255 / 65535: 0, 255, 100, 0.498 -> 0, 0.502 -> 1, 128, 1.17 -> 1, 252.9 -> 253
    expect(Array.from(img.pixels)).toEqual([0, 255, 100, 0, 1, 128, 1, 253]);
    const rgb16 = readImage(png(1, 1, 2, 16, [65535, 0, 257 * 7]));
    expect(Array.from(rgb16.pixels)).toEqual([255, 0, 7]);
    const rgba16 = readImage(png(1, 2, 6, 16, [257, 514, 771, 0, 65535, 65535, 65535, 65535]));
    expect(Array.from(rgba16.pixels)).toEqual([1, 2, 3, 255, 255, 255]);
  });

  it('low bit depth gray and palettes', () => {
    const g1 = readImage(png(10, 2, 0, 1, seq(20, (i) => (i * 7) % 2)));
    expect(Array.from(g1.pixels)).toEqual(seq(20, (i) => ((i * 7) % 2) * 255));
    const g2 = readImage(png(5, 1, 0, 2, [0, 1, 2, 3, 1]));
    expect(Array.from(g2.pixels)).toEqual([0, 85, 170, 255, 85]);
    const g4 = readImage(png(3, 1, 0, 4, [0, 15, 7]));
    expect(Array.from(g4.pixels)).toEqual([0, 255, 119]);
    const plte = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];
    const p8 = readImage(png(4, 1, 3, 8, [3, 2, 1, 0], { plte }));
    expect(p8.channels).toBe(3);
    expect(Array.from(p8.pixels)).toEqual([10, 20, 30, 0, 0, 255, 0, 255, 0, 255, 0, 0]);
    const p2 = readImage(png(5, 1, 3, 2, [0, 1, 2, 3, 0], { plte }));
    expect(Array.from(p2.pixels)).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 255, 0, 0]);
    const p4 = readImage(png(3, 1, 3, 4, [1, 3, 1], { plte }));
    expect(Array.from(p4.pixels)).toEqual([0, 255, 0, 10, 20, 30, 0, 255, 0]);
    const p1 = readImage(png(9, 1, 3, 1, [1, 0, 1, 1, 0, 0, 0, 1, 1], { plte }));
    expect(Array.from(p1.pixels).slice(0, 6)).toEqual([0, 255, 0, 255, 0, 0]);
    // An all-gray palette decodes as a grayscale image.
    const pg = readImage(png(3, 1, 3, 8, [2, 0, 1], { plte: [0, 0, 0, 128, 128, 128, 255, 255, 255] }));
    expect(pg).toEqual({ width: 3, height: 1, channels: 1, pixels: Uint8Array.from([255, 0, 128]) });
  });

  it('Adam7 interlaced images decode like non-interlaced ones', () => {
    for (const [w, h] of [[13, 11], [1, 1], [3, 9], [8, 8]] as const) {
      const rgb = seq(w * h * 3, (i) => (i * 97 + 3) & 255);
      expect(readImage(png(w, h, 2, 8, rgb, { interlace: true }))).toEqual(readImage(png(w, h, 2, 8, rgb)));
      const g1 = seq(w * h, (i) => (i * 5) % 3 === 0 ? 1 : 0);
      expect(readImage(png(w, h, 0, 1, g1, { interlace: true })).pixels).toEqual(Uint8Array.from(g1, (v) => v * 255));
    }
  });

  it('ancillary chunks are skipped, IDAT may be split', () => {
    const good = png(W, H, 0, 8, gray, { extra: [chunk('tEXt', ascii('Comment\0hi')), chunk('gAMA', u32be(45455))] });
    expect(readImage(good).pixels).toEqual(Uint8Array.from(gray));
    const z = deflateSync(pngRows(W, H, gray, 1, 8, [4]));
    const split = cat(SIG, chunk('IHDR', [...u32be(W), ...u32be(H), 8, 0, 0, 0, 0]), chunk('IDAT', z.subarray(0, 5)), chunk('IDAT', z.subarray(5)), chunk('IEND', []));
    expect(readImage(split).pixels).toEqual(Uint8Array.from(gray));
  });

  it('malformed PNGs are PipelineErrors', () => {
    const good = png(W, H, 0, 8, gray);
    expectError(() => readImage(good.subarray(0, 30), 'x.png'), 'image-truncated');
    const badSig = good.slice();
    badSig[4] = 0x0a;
    expectError(() => readImage(badSig), 'image-format');
    // Huge dimensions: refused before any allocation.
    expectError(() => readImage(cat(SIG, chunk('IHDR', [...u32be(100000), ...u32be(100000), 8, 2, 0, 0, 0]), chunk('IDAT', deflateSync(new Uint8Array(10))), chunk('IEND', []))), 'image-size');
    expectError(() => readImage(cat(SIG, chunk('IHDR', [...u32be(0), ...u32be(5), 8, 0, 0, 0, 0]), chunk('IEND', []))), 'image-size');
    // Not enough image data for the declared size.
    expectError(() => readImage(cat(SIG, chunk('IHDR', [...u32be(50), ...u32be(50), 8, 0, 0, 0, 0]), chunk('IDAT', deflateSync(new Uint8Array(100))), chunk('IEND', []))), 'image-truncated');
    // Far more data than the header says (a decompression bomb stops early).
    expectError(() => readImage(cat(SIG, chunk('IHDR', [...u32be(2), ...u32be(2), 8, 0, 0, 0, 0]), chunk('IDAT', deflateSync(new Uint8Array(1 << 20))), chunk('IEND', []))), 'image-data');
    expectError(() => readImage(cat(SIG, chunk('IHDR', [...u32be(2), ...u32be(2), 8, 0, 0, 0, 0]), chunk('IDAT', [1, 2, 3, 4, 5]), chunk('IEND', []))), 'image-data');
    // Filter type 5.
    expectError(() => readImage(cat(SIG, chunk('IHDR', [...u32be(1), ...u32be(1), 8, 0, 0, 0, 0]), chunk('IDAT', deflateSync(Uint8Array.from([5, 0]))), chunk('IEND', []))), 'image-data');
    expectError(() => readImage(png(2, 1, 3, 8, [0, 3], { plte: [1, 2, 3, 4, 5, 6] })), 'image-data');
    expectError(() => readImage(png(2, 1, 3, 8, [0, 1])), 'image-format'); // no PLTE
    expectError(() => readImage(png(2, 1, 2, 4, [0, 1, 2, 3, 4, 5])), 'image-format'); // RGB at 4 bits
    expectError(() => readImage(png(2, 1, 0, 8, [0, 1], { extra: [chunk('ABCD', [1])] })), 'image-format');
    const noIhdr = cat(SIG, chunk('IDAT', deflateSync(Uint8Array.from([0, 0]))), chunk('IEND', []));
    expectError(() => readImage(noIhdr), 'image-format');
    // A chunk length pointing past the end.
    const longChunk = good.slice();
    longChunk.set(u32be(0x7fffffff), 8);
    expectError(() => readImage(longChunk), 'image-truncated');
  });
});

// ------------------------------------------------------------- BMP builder

function bmp(opts: { w: number; h: number; bpp: number; rows: number[][]; palette?: number[][]; topDown?: boolean; compression?: number; masks?: number[]; core?: boolean }): Uint8Array {
  const { w, h, bpp, rows } = opts;
  const stride = Math.floor((bpp * w + 31) / 32) * 4;
  const pixelData: number[] = [];
  for (let i = 0; i < h; i++) {
    const y = opts.topDown ? i : h - 1 - i;
    const row = rows[y]!.slice();
    while (row.length < stride) row.push(0);
    pixelData.push(...row);
  }
  const pal = (opts.palette ?? []).flatMap(([r, g, b]) => (opts.core ? [b!, g!, r!] : [b!, g!, r!, 0]));
  const masks = opts.masks ? opts.masks.flatMap(u32le) : [];
  const dib = opts.core
    ? [...u32le(12), ...u16le(w), ...u16le(h), ...u16le(1), ...u16le(bpp)]
    : [...u32le(40), ...u32le(w), ...u32le(opts.topDown ? -h : h), ...u16le(1), ...u16le(bpp), ...u32le(opts.compression ?? 0), ...u32le(pixelData.length), ...u32le(2835), ...u32le(2835), ...u32le(opts.palette?.length ?? 0), ...u32le(0)];
  const offset = 14 + dib.length + masks.length + pal.length;
  return Uint8Array.from([...ascii('BM'), ...u32le(offset + pixelData.length), 0, 0, 0, 0, ...u32le(offset), ...dib, ...masks, ...pal, ...pixelData]);
}

describe('BMP', () => {
  // 3x2 image: row 0 = red, green, blue; row 1 = white, black, gray.
  const rgbRows = [
    [255, 0, 0, 0, 255, 0, 0, 0, 255],
    [255, 255, 255, 0, 0, 0, 128, 128, 128],
  ];
  const expected = Uint8Array.from(rgbRows.flat());
  const bgr = (row: number[], pad = 0) => {
    const out: number[] = [];
    for (let i = 0; i < row.length; i += 3) out.push(row[i + 2]!, row[i + 1]!, row[i]!, ...(pad ? [pad] : []));
    return out;
  };

  it('24-bit bottom-up and top-down (rows padded to 4 bytes)', () => {
    for (const topDown of [false, true]) {
      const img = readImage(bmp({ w: 3, h: 2, bpp: 24, rows: rgbRows.map((r) => bgr(r)), topDown }), 'a.bmp');
      expect(img).toEqual({ width: 3, height: 2, channels: 3, pixels: expected });
    }
  });

  it('32-bit plain and with bit fields', () => {
    expect(readImage(bmp({ w: 3, h: 2, bpp: 32, rows: rgbRows.map((r) => bgr(r, 0x77)) })).pixels).toEqual(expected);
    // RGBA byte order in memory: R in the low byte.
    const rgbaRows = rgbRows.map((r) => {
      const out: number[] = [];
      for (let i = 0; i < r.length; i += 3) out.push(r[i]!, r[i + 1]!, r[i + 2]!, 255);
      return out;
    });
    expect(readImage(bmp({ w: 3, h: 2, bpp: 32, rows: rgbaRows, compression: 3, masks: [0xff, 0xff00, 0xff0000], topDown: true })).pixels).toEqual(expected);
  });

  it('16-bit 555 and 565', () => {
    // 0x7c00 = red (5 bits full), 0x03e0 = green, 0x001f = blue, 0x4210 = 16/31 each -> 132
    const img = readImage(bmp({ w: 4, h: 1, bpp: 16, rows: [[0x00, 0x7c, 0xe0, 0x03, 0x1f, 0x00, 0x10, 0x42]] }));
    expect(Array.from(img.pixels)).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255, 132, 132, 132]);
    const img565 = readImage(bmp({ w: 1, h: 1, bpp: 16, rows: [[0xe0, 0x07]], compression: 3, masks: [0xf800, 0x07e0, 0x001f] }));
    expect(Array.from(img565.pixels)).toEqual([0, 255, 0]);
  });

  it('8-, 4- and 1-bit palettes; gray palettes give a grayscale image', () => {
    const palette = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [0, 0, 0], [128, 128, 128]];
    expect(readImage(bmp({ w: 3, h: 2, bpp: 8, rows: [[0, 1, 2], [3, 4, 5]], palette })).pixels).toEqual(expected);
    expect(readImage(bmp({ w: 3, h: 2, bpp: 4, rows: [[0x01, 0x20], [0x34, 0x50]], palette })).pixels).toEqual(expected);
    const g = readImage(bmp({ w: 10, h: 1, bpp: 1, rows: [[0b10110000, 0b01000000]], palette: [[0, 0, 0], [255, 255, 255]] }));
    expect(g.channels).toBe(1);
    expect(Array.from(g.pixels)).toEqual([255, 0, 255, 255, 0, 0, 0, 0, 0, 255]);
    const grays = Array.from({ length: 256 }, (_, i) => [i, i, i]);
    const g8 = readImage(bmp({ w: 2, h: 2, bpp: 8, rows: [[9, 200], [0, 255]], palette: grays }));
    expect(g8).toEqual({ width: 2, height: 2, channels: 1, pixels: Uint8Array.from([9, 200, 0, 255]) });
    // OS/2 core header with 3-byte palette entries.
    expect(readImage(bmp({ w: 3, h: 2, bpp: 8, rows: [[0, 1, 2], [3, 4, 5]], palette: [...palette, ...Array.from({ length: 250 }, () => [0, 0, 0])], core: true })).pixels).toEqual(expected);
  });

  it('malformed or unsupported BMPs are PipelineErrors', () => {
    const good = bmp({ w: 3, h: 2, bpp: 24, rows: rgbRows.map((r) => bgr(r)) });
    expectError(() => readImage(good.subarray(0, good.length - 8), 'a.bmp'), 'image-truncated');
    expectError(() => readImage(good.subarray(0, 20)), 'image-truncated');
    expectError(() => readImage(bmp({ w: 3, h: 2, bpp: 8, rows: [[0, 1, 2], [3, 4, 5]], palette: [[0, 0, 0]], compression: 1 })), 'image-format');
    expectError(() => readImage(bmp({ w: 3, h: 2, bpp: 2, rows: [[0], [0]] })), 'image-format');
    expectError(() => readImage(bmp({ w: 1, h: 1, bpp: 32, rows: [[0, 0, 0, 0]], compression: 3, masks: [0xf0f0, 0xff00, 0xff] })), 'image-format');
    const huge = good.slice();
    huge.set(u32le(60000), 18);
    huge.set(u32le(60000), 22);
    expectError(() => readImage(huge), 'image-size');
    const zero = good.slice();
    zero.set(u32le(0), 18);
    expectError(() => readImage(zero), 'image-size');
    const tall = good.slice();
    tall.set(u32le(1000), 22);
    expectError(() => readImage(tall), 'image-truncated');
  });
});

describe('PGM / PPM / PBM', () => {
  it('binary and plain, with comments', () => {
    expect(readImage(cat(ascii('P5\n# made by hand\n3 2\n255\n'), [0, 1, 2, 253, 254, 255]))).toEqual({ width: 3, height: 2, channels: 1, pixels: Uint8Array.from([0, 1, 2, 253, 254, 255]) });
    expect(readImage(ascii('P2 3 1 255 0 128 # comment 7\n 255')).pixels).toEqual(Uint8Array.from([0, 128, 255]));
    expect(readImage(cat(ascii('P6 2 1 255\n'), [1, 2, 3, 4, 5, 6]))).toEqual({ width: 2, height: 1, channels: 3, pixels: Uint8Array.from([1, 2, 3, 4, 5, 6]) });
    expect(readImage(ascii('P3\n1 1\n255\n10 20 30\n')).pixels).toEqual(Uint8Array.from([10, 20, 30]));
  });

  it('maxvals other than 255 are scaled, 16-bit samples are big-endian', () => {
    expect(Array.from(readImage(ascii('P2 4 1 15 0 15 7 8')).pixels)).toEqual([0, 255, 119, 136]);
    expect(Array.from(readImage(cat(ascii('P5 3 1 65535\n'), [0, 0, 255, 255, 0x80, 0x80])).pixels)).toEqual([0, 255, 128]);
    expect(Array.from(readImage(cat(ascii('P5 2 1 1000\n'), [0x01, 0xf4, 0x03, 0xe8])).pixels)).toEqual([128, 255]); // 500/1000 -> 127.5 -> 128
  });

  it('PBM: 1 is black', () => {
    expect(Array.from(readImage(ascii('P1\n3 2\n1 0 1\n010')).pixels)).toEqual([0, 255, 0, 255, 0, 255]);
    expect(Array.from(readImage(cat(ascii('P4 10 1\n'), [0b10000000, 0b01000000])).pixels)).toEqual([0, 255, 255, 255, 255, 255, 255, 255, 255, 0]);
  });

  it('malformed files are PipelineErrors', () => {
    expectError(() => readImage(cat(ascii('P5 3 2 255\n'), [0, 1, 2])), 'image-truncated');
    expectError(() => readImage(ascii('P2 3 1 255 0 1')), 'image-truncated');
    expectError(() => readImage(ascii('P2 2 1 100 5 101')), 'image-data');
    expectError(() => readImage(ascii('P5 3 x 255\n')), 'image-header');
    expectError(() => readImage(ascii('P5 99999999999 1 255\n')), 'image-header');
    expectError(() => readImage(ascii('P5 10000 10000 255\n')), 'image-size');
    expectError(() => readImage(ascii('P5 0 1 255\n')), 'image-size');
    expectError(() => readImage(ascii('P5 1 1 0\n\0')), 'image-header');
    expectError(() => readImage(ascii('P1 2 1 0 2')), 'image-data');
    expectError(() => readImage(ascii('P5 1 1 255')), 'image-header');
    const e = expectError(() => readImage(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]), 'photo.jpg'), 'image-format');
    expect(e.message).toMatch(/JPEG/);
    expect(e.context.file).toBe('photo.jpg');
  });
});

describe('robustness', () => {
  it('random corruptions never crash, hang or escape as another error', () => {
    const files = [
      png(6, 5, 2, 8, seq(90, (i) => i * 3)),
      png(7, 3, 3, 4, seq(21, (i) => i % 4), { plte: seq(12, (i) => i * 20), interlace: true }),
      png(4, 4, 6, 16, seq(64, (i) => i * 1000)),
      bmp({ w: 3, h: 2, bpp: 8, rows: [[0, 1, 2], [2, 1, 0]], palette: [[1, 2, 3], [4, 5, 6], [7, 8, 9]] }),
      bmp({ w: 5, h: 3, bpp: 24, rows: seq(3, () => seq(15, (i) => i)) }),
      cat(ascii('P6 4 3 255\n'), seq(36, (i) => i)),
      ascii('P2 3 2 65535 1 2 3 4 5 60000'),
    ];
    let s = 12345;
    const rnd = (n: number) => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s % n;
    };
    let decoded = 0;
    for (const f of files) {
      for (let k = 0; k < 400; k++) {
        const m = f.slice(0, k % 5 === 0 ? rnd(f.length + 1) : f.length);
        for (let j = 0, n = 1 + rnd(4); j < n && m.length; j++) m[rnd(m.length)] = rnd(256);
        try {
          const img = readImage(m, 'fuzz');
          expect(img.pixels.length).toBe(img.width * img.height * img.channels);
          decoded++;
        } catch (e) {
          if (!(e instanceof PipelineError)) throw e;
        }
      }
    }
    expect(decoded).toBeGreaterThan(0);
  });
});

describe('toFrame', () => {
  const rgbImg: DecodedImage = { width: 2, height: 1, channels: 3, pixels: Uint8Array.from([255, 0, 0, 0x84, 0x82, 0x84]) };

  it('encodes frames at the same size', () => {
    expect(Array.from(toFrame(rgbImg, { width: 2, height: 1, format: 'rgb565' }))).toEqual([0x00, 0xf8, 0x10, 0x84]);
    expect(Array.from(toFrame(rgbImg, { width: 2, height: 1, format: 'rgb565' }, { rgb565ByteOrder: 'big' }))).toEqual([0xf8, 0x00, 0x84, 0x10]);
    expect(Array.from(toFrame(rgbImg, { width: 2, height: 1, format: 'grayscale' }))).toEqual([77, 131]);
    expect(Array.from(toFrame(rgbImg, { width: 2, height: 1, format: 'rgb888' }))).toEqual(Array.from(rgbImg.pixels));
    const g: DecodedImage = { width: 2, height: 1, channels: 1, pixels: Uint8Array.from([9, 250]) };
    expect(Array.from(toFrame(g, { width: 2, height: 1, format: 'rgb888' }))).toEqual([9, 9, 9, 250, 250, 250]);
    expect(Array.from(toFrame(g, { width: 2, height: 1, format: 'rgb565' }))).toEqual([0x41, 0x08, 0xdf, 0xff]);
    // The result is a copy, never the decoded image itself.
    expect(toFrame(g, { width: 2, height: 1, format: 'grayscale' })).not.toBe(g.pixels);
  });

  it('resizes with the front end integer tables (center crop, bilinear by default)', () => {
    const w = 17;
    const h = 11;
    const img: DecodedImage = { width: w, height: h, channels: 3, pixels: Uint8Array.from(seq(w * h * 3, (i) => (i * 31) & 255)) };
    const frame = toFrame(img, { width: 8, height: 8, format: 'rgb888' });
    const expectedPx = new Uint8Array(8 * 8 * 3);
    resample(img.pixels, w, 3, resampleTables(w, h, 8, 8, 'center', 'bilinear'), expectedPx);
    expect(frame).toEqual(expectedPx);
    // A gray photo into a gray frame at the tensor size, through a uint8 front end with the default range,
    // is the same resize: the tensor equals the frame pixels.
    const gray: DecodedImage = { width: w, height: h, channels: 1, pixels: Uint8Array.from(seq(w * h, (i) => (i * 13) & 255)) };
    const plan = planImage({ frame: { width: w, height: h, format: 'grayscale' } }, { shape: [1, 6, 6, 1], dtype: 'uint8', scale: 1, zeroPoint: 0, bytes: 36 });
    const t = new Uint8Array(36);
    plan.create().frame(gray.pixels, t);
    expect(toFrame(gray, { width: 6, height: 6, format: 'grayscale' })).toEqual(t);
  });

  it('refuses bad frames', () => {
    expectError(() => toFrame(rgbImg, { width: 0, height: 1, format: 'rgb565' }), 'camera-frame-size');
    expectError(() => toFrame(rgbImg, { width: 1, height: 1, format: 'bgr' as 'rgb565' }), 'camera-format');
    expectError(() => toFrame({ ...rgbImg, pixels: new Uint8Array(5) }, { width: 1, height: 1, format: 'rgb565' }), 'image-size');
  });
});
