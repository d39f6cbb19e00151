/**
 * Image files for camera pipelines: `readImage` decodes PGM/PPM/PBM, BMP and
 * PNG into 8-bit gray or RGB pixels (no dependency: PNG uses node:zlib and
 * its own filter decoding), and `toFrame` turns a decoded photo into the
 * frame a camera HAL would deliver, so that `simulate --image photo.png`
 * computes what the board computes from a camera frame.
 *
 * Files are untrusted: every size is checked against the bytes present
 * before anything is allocated (at most MAX_PIXELS pixels and MAX_RAW_BYTES
 * of decoded PNG data), and every problem is a PipelineError naming it.
 * Alpha channels are ignored (a camera sees no transparency); samples of more
 * than 8 bits, and PNM maxvals other than 255, are scaled to 0..255 rounding
 * to nearest.
 */
import { inflateSync } from 'node:zlib';
import { PipelineError } from './errors.js';
import { FRAME_FORMATS, luma, resample, resampleTables, type CropMode, type ResizeMode } from '../sim/frontend/image.js';
import type { FrameFormat } from '../sim/frontend/types.js';

export interface DecodedImage {
  width: number;
  height: number;
  /** 1 = gray, 3 = RGB (interleaved). */
  channels: 1 | 3;
  /** width * height * channels bytes, rows top to bottom. */
  pixels: Uint8Array;
}

/** 64 Mpixel: far beyond any camera frame a microcontroller handles, small enough to allocate. */
export const MAX_PIXELS = 64 * 1024 * 1024;
/** Largest inflated PNG stream accepted (filter bytes included). */
const MAX_RAW_BYTES = 256 * 1024 * 1024;

const SUPPORTED = 'PNG, BMP (uncompressed), PGM/PPM/PBM';

class Reader {
  constructor(readonly bytes: Uint8Array, readonly name: string | undefined) {}
  fail(code: string, message: string, hint = `use an 8-bit ${SUPPORTED} file`): never {
    throw new PipelineError(code, `${this.name ? `${this.name}: ` : ''}${message}`, hint, this.name ? { file: this.name } : {});
  }
  u8(o: number): number {
    if (o < 0 || o >= this.bytes.length) this.fail('image-truncated', 'the file ends early');
    return this.bytes[o]!;
  }
  u16le(o: number): number {
    return this.u8(o) | (this.u8(o + 1) << 8);
  }
  u32le(o: number): number {
    return (this.u16le(o) + this.u16le(o + 2) * 65536) >>> 0;
  }
  i32le(o: number): number {
    return this.u32le(o) | 0;
  }
  u32be(o: number): number {
    return ((this.u8(o) << 24) | (this.u8(o + 1) << 16) | (this.u8(o + 2) << 8) | this.u8(o + 3)) >>> 0;
  }
  /** Checks a pixel count before any pixel buffer is allocated. */
  checkSize(width: number, height: number): void {
    if (!(width >= 1) || !(height >= 1)) this.fail('image-size', `the image is ${width}x${height}: both sides must be at least 1`);
    if (width * height > MAX_PIXELS) this.fail('image-size', `the image is ${width}x${height}, more than ${MAX_PIXELS / 1048576} Mpixel`, 'scale the image down first (a camera frame is far smaller)');
  }
}

/** v in 0..max -> 0..255, rounded to nearest (exact integer arithmetic). */
function scaleTo8(v: number, max: number): number {
  return max === 255 ? v : Math.floor((v * 510 + max) / (2 * max));
}

/** Decodes a PNG, BMP or PGM/PPM/PBM file (recognized by its first bytes). */
export function readImage(bytes: Uint8Array, name?: string): DecodedImage {
  const r = new Reader(bytes, name);
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return readPng(r);
  if (bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d) return readBmp(r);
  if (bytes.length >= 2 && bytes[0] === 0x50 && bytes[1]! >= 0x31 && bytes[1]! <= 0x36) return readPnm(r);
  const ext = /\.([A-Za-z0-9]+)$/.exec(name ?? '')?.[1]?.toLowerCase();
  const what = ext === 'jpg' || ext === 'jpeg' ? 'JPEG is not supported' : ext === 'gif' ? 'GIF is not supported' : ext === 'webp' ? 'WebP is not supported' : 'not a recognized image file';
  return r.fail('image-format', `${what} (readable: ${SUPPORTED})`, 'convert the image to PNG, e.g. `convert photo.jpg photo.png` (ImageMagick)');
}

// ---------------------------------------------------------------- PNM

function readPnm(r: Reader): DecodedImage {
  const b = r.bytes;
  const kind = b[1]! - 0x30; // 1..6
  let pos = 2;
  const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
  const skip = () => {
    for (;;) {
      while (pos < b.length && isSpace(b[pos]!)) pos++;
      if (pos < b.length && b[pos] === 0x23) {
        while (pos < b.length && b[pos] !== 0x0a && b[pos] !== 0x0d) pos++;
      } else return;
    }
  };
  const number = (what: string, max: number): number => {
    skip();
    const start = pos;
    let v = 0;
    while (pos < b.length && b[pos]! >= 0x30 && b[pos]! <= 0x39) {
      v = v * 10 + (b[pos]! - 0x30);
      if (v > max) r.fail('image-header', `the PNM ${what} is larger than ${max}`);
      pos++;
    }
    if (pos === start) r.fail('image-header', pos >= b.length ? `the PNM header ends before the ${what}` : `the PNM ${what} is not a number`);
    return v;
  };
  const width = number('width', MAX_PIXELS);
  const height = number('height', MAX_PIXELS);
  r.checkSize(width, height);
  const bitmap = kind === 1 || kind === 4;
  const maxval = bitmap ? 1 : number('maxval', 65535);
  if (maxval < 1) r.fail('image-header', 'the PNM maxval is 0');
  const channels: 1 | 3 = kind === 3 || kind === 6 ? 3 : 1;
  const n = width * height * channels;
  const binary = kind >= 4;
  if (binary) {
    // Exactly one whitespace byte separates the header from the samples.
    if (pos >= b.length || !isSpace(b[pos]!)) r.fail('image-header', 'the PNM header is not followed by whitespace and the pixel data');
    pos++;
    const rowBytes = bitmap ? Math.ceil(width / 8) : width * channels * (maxval > 255 ? 2 : 1);
    if (b.length - pos < rowBytes * height) r.fail('image-truncated', `the PNM pixel data is ${b.length - pos} bytes, a ${width}x${height} image needs ${rowBytes * height}`);
  } else if (b.length - pos < n) {
    // Plain formats spend at least one byte per sample: a cheap bound before allocating.
    r.fail('image-truncated', `the plain PNM file is too short for ${width}x${height} samples`);
  }
  const pixels = new Uint8Array(n);
  if (kind === 4) {
    const rowBytes = Math.ceil(width / 8);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) pixels[y * width + x] = (b[pos + y * rowBytes + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 0 : 255;
    }
  } else if (kind === 1) {
    // Plain PBM digits may run together ("0110"); 1 is black.
    for (let i = 0; i < n; i++) {
      skip();
      const c = pos < b.length ? b[pos]! : -1;
      if (c !== 0x30 && c !== 0x31) r.fail(c < 0 ? 'image-truncated' : 'image-data', c < 0 ? `the PBM data ends after ${i} of ${n} pixels` : 'the PBM data has a character other than 0 or 1');
      pixels[i] = c === 0x31 ? 0 : 255;
      pos++;
    }
  } else if (binary) {
    for (let i = 0; i < n; i++) {
      const v = maxval > 255 ? (b[pos + 2 * i]! << 8) | b[pos + 2 * i + 1]! : b[pos + i]!;
      if (v > maxval) r.fail('image-data', `a PNM sample (${v}) is larger than the maxval ${maxval}`);
      pixels[i] = scaleTo8(v, maxval);
    }
  } else {
    for (let i = 0; i < n; i++) {
      skip();
      if (pos >= b.length) r.fail('image-truncated', `the plain PNM data ends after ${i} of ${n} samples`);
      const v = number('sample', 65535);
      if (v > maxval) r.fail('image-data', `a PNM sample (${v}) is larger than the maxval ${maxval}`);
      pixels[i] = scaleTo8(v, maxval);
    }
  }
  return { width, height, channels, pixels };
}

// ---------------------------------------------------------------- BMP

/** A channel of a BI_BITFIELDS pixel: contiguous mask of 1..16 bits. */
function maskField(r: Reader, mask: number, what: string): { shift: number; max: number } {
  if (mask === 0) r.fail('image-format', `the BMP ${what} mask is empty`);
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  if ((max & (max + 1)) !== 0 || max > 0xffff) r.fail('image-format', `the BMP ${what} mask 0x${mask.toString(16)} is not a contiguous field of up to 16 bits`);
  return { shift, max };
}

function readBmp(r: Reader): DecodedImage {
  const dataOffset = r.u32le(10);
  const dib = r.u32le(14);
  let width: number;
  let height: number;
  let bpp: number;
  let compression = 0;
  let colorsUsed = 0;
  let topDown = false;
  if (dib === 12) {
    width = r.u16le(18);
    height = r.u16le(20);
    bpp = r.u16le(24);
  } else if (dib >= 40 && dib <= 1024) {
    width = r.i32le(18);
    const h = r.i32le(22);
    topDown = h < 0;
    height = Math.abs(h);
    bpp = r.u16le(28);
    compression = r.u32le(30);
    colorsUsed = r.u32le(46);
  } else {
    return r.fail('image-format', `unknown BMP header size ${dib}`);
  }
  r.checkSize(width, height);
  const BI_RGB = 0;
  const BI_BITFIELDS = 3;
  const BI_ALPHABITFIELDS = 6;
  if (compression !== BI_RGB && !(compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS)) {
    r.fail('image-format', `compressed BMP (compression ${compression}: RLE, JPEG or PNG inside) is not supported`, 'save the BMP uncompressed (8, 24 or 32 bits), or use PNG');
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) r.fail('image-format', `BMP with ${bpp} bits per pixel is not supported`, 'save the BMP as 8-bit, 24-bit or 32-bit');
  if (compression !== BI_RGB && bpp !== 16 && bpp !== 32) r.fail('image-format', `BMP bit fields with ${bpp} bits per pixel are not valid`);

  // Palette (1/4/8 bits): right after the header (and the masks of a 40-byte header with bit fields).
  let palette: Uint8Array | null = null;
  let gray = false;
  if (bpp <= 8) {
    const entry = dib === 12 ? 3 : 4;
    const count = colorsUsed > 0 && colorsUsed < 1 << bpp ? colorsUsed : 1 << bpp;
    const start = 14 + dib;
    if (start + count * entry > r.bytes.length) r.fail('image-truncated', 'the BMP palette goes past the end of the file');
    // Indexes past the palette read as black, as common viewers do.
    palette = new Uint8Array(256 * 3);
    gray = true;
    for (let i = 0; i < count; i++) {
      const bl = r.bytes[start + i * entry]!;
      const g = r.bytes[start + i * entry + 1]!;
      const rd = r.bytes[start + i * entry + 2]!;
      palette.set([rd, g, bl], i * 3);
      if (rd !== g || g !== bl) gray = false;
    }
  }
  let fields: { shift: number; max: number }[] | null = null;
  if (bpp === 16 || bpp === 32) {
    const masks =
      compression === BI_RGB ? (bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0xff00, 0xff])
      : [r.u32le(54), r.u32le(58), r.u32le(62)];
    fields = masks.map((m, i) => maskField(r, m, ['red', 'green', 'blue'][i]!));
  }
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  const used = Math.ceil((bpp * width) / 8);
  // The last row's padding may be missing in some writers' files.
  if (dataOffset > r.bytes.length || r.bytes.length - dataOffset < stride * (height - 1) + used) {
    r.fail('image-truncated', `the BMP pixel data is shorter than ${width}x${height} at ${bpp} bits per pixel`);
  }
  const channels: 1 | 3 = palette && gray ? 1 : 3;
  const pixels = new Uint8Array(width * height * channels);
  const b = r.bytes;
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    let o = y * width * channels;
    for (let x = 0; x < width; x++) {
      if (palette) {
        const idx = bpp === 8 ? b[row + x]! : bpp === 4 ? (b[row + (x >> 1)]! >> (x & 1 ? 0 : 4)) & 15 : (b[row + (x >> 3)]! >> (7 - (x & 7))) & 1;
        if (channels === 1) pixels[o++] = palette[idx * 3]!;
        else {
          pixels[o++] = palette[idx * 3]!;
          pixels[o++] = palette[idx * 3 + 1]!;
          pixels[o++] = palette[idx * 3 + 2]!;
        }
      } else if (bpp === 24) {
        const p = row + x * 3;
        pixels[o++] = b[p + 2]!;
        pixels[o++] = b[p + 1]!;
        pixels[o++] = b[p]!;
      } else {
        const p = row + x * (bpp >> 3);
        const v = bpp === 16 ? b[p]! | (b[p + 1]! << 8) : (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
        for (const f of fields!) pixels[o++] = scaleTo8((v >>> f.shift) & f.max, f.max);
      }
    }
  }
  return { width, height, channels, pixels };
}

// ---------------------------------------------------------------- PNG

const ADAM7: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

function readPng(r: Reader): DecodedImage {
  const b = r.bytes;
  const SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (SIG.some((v, i) => b[i] !== v)) r.fail('image-format', 'the PNG signature is damaged (the file was probably transferred as text)');
  let pos = 8;
  let ihdr: { width: number; height: number; depth: number; color: number; interlace: number } | null = null;
  let plte: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  let idatBytes = 0;
  for (;;) {
    if (pos === b.length) break; // tolerate a missing IEND
    if (b.length - pos < 12) r.fail('image-truncated', `the PNG chunk at byte ${pos} is truncated`);
    const len = r.u32be(pos);
    const type = String.fromCharCode(b[pos + 4]!, b[pos + 5]!, b[pos + 6]!, b[pos + 7]!);
    if (!/^[A-Za-z]{4}$/.test(type)) r.fail('image-format', `the PNG chunk at byte ${pos} has an invalid type`);
    if (len > b.length - pos - 12) r.fail('image-truncated', `the PNG chunk ${type} at byte ${pos} (${len} bytes) goes past the end of the file`);
    const data = b.subarray(pos + 8, pos + 8 + len);
    pos += 12 + len;
    if (!ihdr && type !== 'IHDR') r.fail('image-format', 'the PNG does not start with an IHDR chunk');
    if (type === 'IHDR') {
      if (ihdr) r.fail('image-format', 'the PNG has two IHDR chunks');
      if (len !== 13) r.fail('image-format', `the PNG IHDR chunk is ${len} bytes, not 13`);
      const h = new Reader(data, r.name);
      ihdr = { width: h.u32be(0), height: h.u32be(4), depth: data[8]!, color: data[9]!, interlace: data[12]! };
      if (data[10] !== 0 || data[11] !== 0) r.fail('image-format', 'the PNG uses an unknown compression or filter method');
      if (ihdr.interlace > 1) r.fail('image-format', `the PNG interlace method ${ihdr.interlace} is unknown`);
      const depths: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
      if (!depths[ihdr.color]?.includes(ihdr.depth)) r.fail('image-format', `the PNG color type ${ihdr.color} with bit depth ${ihdr.depth} is not valid`);
      r.checkSize(ihdr.width, ihdr.height);
    } else if (type === 'PLTE') {
      if (len % 3 !== 0 || len === 0 || len > 768) r.fail('image-format', `the PNG palette is ${len} bytes (must be 3 to 768, a multiple of 3)`);
      plte = data;
    } else if (type === 'IDAT') {
      idat.push(data);
      idatBytes += len;
    } else if (type === 'IEND') {
      break;
    } else if (type.charCodeAt(0) < 0x61) {
      // Uppercase first letter: a critical chunk a decoder must understand.
      r.fail('image-format', `the PNG has an unknown critical chunk ${type}`);
    }
  }
  if (!ihdr) return r.fail('image-format', 'the PNG has no IHDR chunk');
  if (idat.length === 0) r.fail('image-truncated', 'the PNG has no image data (IDAT)');
  const { width, height, depth, color, interlace } = ihdr;
  if (color === 3 && !plte) r.fail('image-format', 'the PNG is palette-based but has no PLTE chunk');
  const samples = color === 0 ? 1 : color === 2 ? 3 : color === 3 ? 1 : color === 4 ? 2 : 4;
  const bitsPerPixel = samples * depth;
  const filterBpp = Math.max(1, bitsPerPixel >> 3);
  const passes =
    interlace === 0 ? [{ x0: 0, y0: 0, dx: 1, dy: 1, w: width, h: height }]
    : ADAM7.map(([x0, y0, dx, dy]) => ({ x0, y0, dx, dy, w: width > x0 ? Math.ceil((width - x0) / dx) : 0, h: height > y0 ? Math.ceil((height - y0) / dy) : 0 })).filter((p) => p.w > 0 && p.h > 0);
  let expected = 0;
  for (const p of passes) expected += p.h * (1 + Math.ceil((p.w * bitsPerPixel) / 8));
  if (expected > MAX_RAW_BYTES) r.fail('image-size', `the PNG is ${width}x${height} at ${bitsPerPixel} bits per pixel: too large to decode here`, 'scale the image down first');

  const zdata = new Uint8Array(idatBytes);
  let zo = 0;
  for (const d of idat) {
    zdata.set(d, zo);
    zo += d.length;
  }
  let raw: Uint8Array;
  try {
    raw = inflateSync(zdata, { maxOutputLength: expected + 1024 });
  } catch (e) {
    return r.fail('image-data', `the PNG image data cannot be decompressed (${(e as Error).message})`, 'the file is damaged: export it again');
  }
  if (raw.length < expected) r.fail('image-truncated', `the PNG image data is ${raw.length} bytes, a ${width}x${height} image needs ${expected}`);

  // Unfilter every pass in place: the previous row is already decoded.
  let off = 0;
  const rowStarts: number[][] = [];
  for (const p of passes) {
    const stride = Math.ceil((p.w * bitsPerPixel) / 8);
    const starts: number[] = [];
    for (let y = 0; y < p.h; y++) {
      const ft = raw[off]!;
      const cur = off + 1;
      const prev = y > 0 ? cur - stride - 1 : -1;
      if (ft > 4) r.fail('image-data', `the PNG row filter type ${ft} is not valid`);
      for (let i = 0; i < stride; i++) {
        const a = i >= filterBpp ? raw[cur + i - filterBpp]! : 0;
        const up = prev >= 0 ? raw[prev + i]! : 0;
        const c = prev >= 0 && i >= filterBpp ? raw[prev + i - filterBpp]! : 0;
        let pred = 0;
        if (ft === 1) pred = a;
        else if (ft === 2) pred = up;
        else if (ft === 3) pred = (a + up) >> 1;
        else if (ft === 4) {
          const pa = Math.abs(up - c);
          const pb = Math.abs(a - c);
          const pc = Math.abs(a + up - 2 * c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? up : c;
        }
        raw[cur + i] = (raw[cur + i]! + pred) & 0xff;
      }
      starts.push(cur);
      off = cur + stride;
    }
    rowStarts.push(starts);
  }

  let pal: Uint8Array | null = null;
  let grayPalette = false;
  if (color === 3) {
    pal = new Uint8Array(768); // indexes past the palette are an error below
    pal.set(plte!);
    grayPalette = true;
    for (let i = 0; i < plte!.length; i += 3) if (plte![i] !== plte![i + 1] || plte![i + 1] !== plte![i + 2]) grayPalette = false;
  }
  const entries = plte ? plte.length / 3 : 0;
  const channels: 1 | 3 = color === 0 || color === 4 || (color === 3 && grayPalette) ? 1 : 3;
  const pixels = new Uint8Array(width * height * channels);
  const maxSample = (1 << depth) - 1;
  const sample = (row: number, index: number): number => {
    if (depth === 8) return raw[row + index]!;
    if (depth === 16) return (raw[row + 2 * index]! << 8) | raw[row + 2 * index + 1]!;
    const bit = index * depth;
    return (raw[row + (bit >> 3)]! >> (8 - depth - (bit & 7))) & maxSample;
  };
  passes.forEach((p, k) => {
    const starts = rowStarts[k]!;
    for (let y = 0; y < p.h; y++) {
      const row = starts[y]!;
      const oy = p.y0 + y * p.dy;
      for (let x = 0; x < p.w; x++) {
        let o = (oy * width + p.x0 + x * p.dx) * channels;
        if (color === 3) {
          const idx = sample(row, x);
          if (idx >= entries) r.fail('image-data', `a PNG pixel uses palette entry ${idx}, the palette has ${entries}`);
          if (channels === 1) pixels[o] = pal![idx * 3]!;
          else {
            pixels[o] = pal![idx * 3]!;
            pixels[o + 1] = pal![idx * 3 + 1]!;
            pixels[o + 2] = pal![idx * 3 + 2]!;
          }
        } else {
          // Gray (+alpha) or RGB(A): the first 1 or 3 samples; alpha is ignored.
          for (let c = 0; c < channels; c++) pixels[o++] = scaleTo8(sample(row, x * samples + c), maxSample);
        }
      }
    }
  });
  return { width, height, channels, pixels };
}

// ---------------------------------------------------------------- frames

export interface ToFrameOptions {
  /** How the photo's aspect ratio is fitted to the frame: 'center' crop (default) or 'none' (stretch). */
  crop?: CropMode;
  /** Default 'bilinear': the same integer resize as the camera front end. */
  resize?: ResizeMode;
  /** rgb565 byte order, as the front end's rgb565ByteOrder (default 'little': low byte first, as the camera HALs deliver). */
  rgb565ByteOrder?: 'big' | 'little';
}

/**
 * The frame a camera HAL would deliver for this picture: resized to the frame
 * size (crop + resize with the front end's integer tables, in the image's own
 * channels), then encoded: grayscale by the front end's luma, rgb888 as is
 * (gray replicated), rgb565 by dropping the low bits (5/6/5).
 */
export function toFrame(img: DecodedImage, frame: { width: number; height: number; format: FrameFormat }, opts: ToFrameOptions = {}): Uint8Array {
  const { width, height, format } = frame;
  if (!FRAME_FORMATS.includes(format)) throw new PipelineError('camera-format', `frame format ${JSON.stringify(format)} is not one of ${FRAME_FORMATS.join(', ')}`, 'use grayscale, rgb565 or rgb888');
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 65535 || height > 65535) {
    throw new PipelineError('camera-frame-size', `frame size ${width}x${height} is not valid`, 'width and height must be whole numbers 1..65535');
  }
  const ch = img.channels;
  if ((ch !== 1 && ch !== 3) || img.pixels.length !== img.width * img.height * ch) {
    throw new PipelineError('image-size', `the image holds ${img.pixels.length} bytes, not ${img.width}x${img.height}x${ch}`, 'pass an image from readImage()');
  }
  let px = img.pixels;
  if (img.width !== width || img.height !== height) {
    const t = resampleTables(img.width, img.height, width, height, opts.crop ?? 'center', opts.resize ?? 'bilinear');
    px = new Uint8Array(width * height * ch);
    resample(img.pixels, img.width, ch, t, px);
  }
  const n = width * height;
  if (format === 'grayscale') {
    if (ch === 1) return px === img.pixels ? px.slice() : px;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = luma(px[3 * i]!, px[3 * i + 1]!, px[3 * i + 2]!);
    return out;
  }
  if (format === 'rgb888') {
    if (ch === 3) return px === img.pixels ? px.slice() : px;
    const out = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = px[i]!;
    return out;
  }
  const big = opts.rgb565ByteOrder === 'big';
  const out = new Uint8Array(n * 2);
  for (let i = 0; i < n; i++) {
    const r = ch === 3 ? px[3 * i]! : px[i]!;
    const g = ch === 3 ? px[3 * i + 1]! : px[i]!;
    const bl = ch === 3 ? px[3 * i + 2]! : px[i]!;
    const v = ((r >> 3) << 11) | ((g >> 2) << 5) | (bl >> 3);
    out[2 * i] = big ? v >> 8 : v & 0xff;
    out[2 * i + 1] = big ? v & 0xff : v >> 8;
  }
  return out;
}
