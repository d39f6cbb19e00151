/**
 * The camera front end's arithmetic (sim/frontend/image.ts) on cases small
 * enough to compute by hand; the C++ side is compared with it byte for byte
 * in test/compile/frontend-image.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../lib/errors.js';
import { cropRect, luma, planImage, quantLut, resampleTables, rgb565To888, type ImageConfig } from '../../sim/frontend/image.js';
import type { InputTensorInfo } from '../../sim/frontend/types.js';

function tensorInfo(shape: number[], dtype: 'int8' | 'uint8' = 'uint8', scale = 1, zeroPoint = 0): InputTensorInfo {
  return { shape, dtype, scale, zeroPoint, bytes: shape.reduce((a, b) => a * b, 1) };
}

function run(cfg: ImageConfig, input: InputTensorInfo, pixels: number[]): number[] {
  const plan = planImage(cfg, input);
  const t = new Uint8Array(plan.tensorBytes);
  plan.create().frame(Uint8Array.from(pixels), t);
  return input.dtype === 'int8' ? Array.from(new Int8Array(t.buffer)) : Array.from(t);
}

describe('camera front end arithmetic', () => {
  it('center crop keeps the tensor aspect ratio', () => {
    expect(cropRect(176, 144, 96, 96, 'center')).toEqual({ x: 16, y: 0, width: 144, height: 144 });
    expect(cropRect(160, 120, 96, 96, 'center')).toEqual({ x: 20, y: 0, width: 120, height: 120 });
    expect(cropRect(100, 300, 50, 50, 'center')).toEqual({ x: 0, y: 100, width: 100, height: 100 });
    // 160x120 into a 32-wide, 16-high tensor: a 2:1 crop, 160x80 centered vertically.
    expect(cropRect(160, 120, 32, 16, 'center')).toEqual({ x: 0, y: 20, width: 160, height: 80 });
    expect(cropRect(176, 144, 96, 96, 'none')).toEqual({ x: 0, y: 0, width: 176, height: 144 });
  });

  it('bilinear tables: half-pixel centers in Q11, clamped at the edges', () => {
    // 144 -> 96 (scale 1.5): dst 0 samples 0.25, dst 1 samples 1.75, dst 95 samples 142.75.
    const t = resampleTables(176, 144, 96, 96, 'center', 'bilinear');
    expect([t.x0[0], t.x1[0], t.xf[0]]).toEqual([16, 17, 512]);
    expect([t.x0[1], t.x1[1], t.xf[1]]).toEqual([17, 18, 1536]);
    expect([t.x0[95], t.x1[95], t.xf[95]]).toEqual([16 + 142, 16 + 143, 1536]);
    expect([t.y0[0], t.y1[0], t.yf[0]]).toEqual([0, 1, 512]);
    // Upscaling 2 -> 4: -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to the last pixel).
    const u = resampleTables(2, 1, 4, 1, 'none', 'bilinear');
    expect(Array.from(u.x0)).toEqual([0, 0, 0, 1]);
    expect(Array.from(u.x1)).toEqual([1, 1, 1, 1]);
    expect(Array.from(u.xf)).toEqual([0, 512, 1536, 0]);
  });

  it('nearest tables pick the pixel under each output center', () => {
    const t = resampleTables(10, 1, 4, 1, 'none', 'nearest');
    // centers 1.25, 3.75, 6.25, 8.75
    expect(Array.from(t.x0)).toEqual([1, 3, 6, 8]);
    expect(Array.from(t.xf)).toEqual([0, 0, 0, 0]);
  });

  it('bilinear values are rounded from Q22', () => {
    // [0, 255] upscaled to 4: 0, 63.75 -> 64, 191.25 -> 191, 255.
    expect(run({ frame: { width: 2, height: 1, format: 'grayscale' }, crop: 'none' }, tensorInfo([1, 1, 4, 1]), [0, 255])).toEqual([0, 64, 191, 255]);
    // 2x2 -> 1x1 samples the middle: (10 + 20 + 30 + 41) / 4 = 25.25 -> 25.
    expect(run({ frame: { width: 2, height: 2, format: 'grayscale' } }, tensorInfo([1, 1, 1, 1]), [10, 20, 30, 41])).toEqual([25]);
    // (10 + 20 + 30 + 42) / 4 = 25.5 -> 26 (half up).
    expect(run({ frame: { width: 2, height: 2, format: 'grayscale' } }, tensorInfo([1, 1, 1, 1]), [10, 20, 30, 42])).toEqual([26]);
    expect(run({ frame: { width: 2, height: 2, format: 'grayscale' }, resize: 'nearest' }, tensorInfo([1, 1, 1, 1]), [10, 20, 30, 42])).toEqual([42]);
  });

  it('rgb565 expands by bit replication, gray by the 77/150/29 luma', () => {
    expect(rgb565To888(0xffff)).toEqual([255, 255, 255]);
    expect(rgb565To888(0xf800)).toEqual([255, 0, 0]);
    expect(rgb565To888(0x8410)).toEqual([132, 130, 132]);
    expect(luma(255, 255, 255)).toBe(255);
    expect([luma(255, 0, 0), luma(0, 255, 0), luma(0, 0, 255)]).toEqual([77, 149, 29]);
    // One pixel, same size: 0xF800 (red; little-endian by default) -> luma 77 -> int8 default q = 77 - 128.
    const red = { frame: { width: 1, height: 1, format: 'rgb565' as const } };
    expect(run(red, tensorInfo([1, 1, 1, 1], 'int8', 1, -128), [0x00, 0xf8])).toEqual([77 - 128]);
    expect(run({ ...red, rgb565ByteOrder: 'big' }, tensorInfo([1, 1, 1, 1], 'int8', 1, -128), [0xf8, 0x00])).toEqual([77 - 128]);
    expect(run(red, tensorInfo([1, 1, 1, 3], 'uint8'), [0x00, 0xf8])).toEqual([255, 0, 0]);
    expect(run(red, tensorInfo([1, 1, 1, 3], 'uint8'), [0x10, 0x84])).toEqual([132, 130, 132]);
    expect(run(red, tensorInfo([1, 1, 1, 3], 'uint8'), [0xf8, 0x00])).toEqual([0, 28, 198]); // 0x00F8: g6 = 7, b5 = 24
  });

  it('a grayscale frame fills all three channels of an RGB tensor', () => {
    expect(run({ frame: { width: 2, height: 1, format: 'grayscale' } }, tensorInfo([1, 1, 2, 3]), [7, 200])).toEqual([7, 7, 7, 200, 200, 200]);
    expect(run({ frame: { width: 2, height: 1, format: 'rgb888' } }, tensorInfo([1, 1, 2, 1]), [255, 0, 0, 0, 0, 255])).toEqual([77, 29]);
  });

  it('quantization table: default covers the tensor range exactly, explicit ranges round half away from zero', () => {
    const pd = tensorInfo([1, 96, 96, 1], 'int8', 0.007843137718737125, -1);
    const lut = quantLut(pd, undefined);
    expect(Array.from(new Int8Array(lut.buffer))).toEqual(Array.from({ length: 256 }, (_, v) => v - 128));
    expect(Array.from(quantLut(tensorInfo([1, 1, 1, 1], 'uint8', 0.25, 3), undefined))).toEqual(Array.from({ length: 256 }, (_, v) => v));
    // uint8, scale 0.5, zero point 10, range [0, 100]: v -> v * 100/255 / 0.5 + 10.
    const l2 = quantLut(tensorInfo([1, 1, 1, 1], 'uint8', 0.5, 10), [0, 100]);
    expect([l2[0], l2[51], l2[255], l2[1]]).toEqual([10, 50, 210, 11]); // 1 -> 0.784 -> 1
    // Clamped to the dtype: range [0, 255] at scale 0.5 overflows uint8 past pixel 127.
    const l3 = quantLut(tensorInfo([1, 1, 1, 1], 'uint8', 0.5, 0), [0, 255]);
    expect([l3[127], l3[128], l3[255]]).toEqual([254, 255, 255]);
    // MLPerf resnet8 input (scale 1, zero point -128) with range [0, 255] is the default: q = v - 128.
    const rn = tensorInfo([1, 32, 32, 3], 'int8', 1, -128);
    expect(Array.from(quantLut(rn, [0, 255]))).toEqual(Array.from(quantLut(rn, undefined)));
    // An inverted range (hi < lo) is allowed: a negative image.
    const inv = quantLut(tensorInfo([1, 1, 1, 1], 'uint8', 1, 0), [255, 0]);
    expect([inv[0], inv[255], inv[100]]).toEqual([255, 0, 155]);
  });

  it('defaults: frame at the tensor size, grayscale for 1 channel, rgb565 for 3; center crop, bilinear', () => {
    const g = planImage({}, tensorInfo([1, 96, 96, 1], 'int8', 1, -128));
    expect(g.frame).toEqual({ width: 96, height: 96, format: 'grayscale' });
    expect(g.frameBytes).toBe(9216);
    const c = planImage({}, tensorInfo([1, 32, 48, 3], 'int8', 1, -128));
    expect(c.frame).toEqual({ width: 48, height: 32, format: 'rgb565' });
    expect(c.frameBytes).toBe(48 * 32 * 2);
    expect(c.tensorBytes).toBe(48 * 32 * 3);
    expect(c.describe.join('\n')).toMatch(/bilinear/);
    expect(c.c.header).toMatch(/#define TF_FE_FRAME_BYTES 3072\n/);
    expect(c.c.header).toMatch(/#define TF_FE_TENSOR_BYTES 4608\n/);
    expect(c.c.header).not.toMatch(/TF_FE_WINDOW_SAMPLES/);
    // A frame without a format (hand-written JSON) gets the default format.
    expect(planImage({ frame: { width: 10, height: 8 } as never }, tensorInfo([1, 4, 4, 3])).frame).toEqual({ width: 10, height: 8, format: 'rgb565' });
  });

  it('generated C text is deterministic', () => {
    const cfg: ImageConfig = { frame: { width: 160, height: 120, format: 'rgb565' }, range: [-1, 1] };
    const a = planImage(cfg, tensorInfo([1, 96, 96, 3], 'int8', 0.0078125, 0));
    const b = planImage(cfg, tensorInfo([1, 96, 96, 3], 'int8', 0.0078125, 0));
    expect(a.c).toEqual(b.c);
    expect(a.c.implementation).toBe('tf_fe_image.cpp');
  });

  it('rejects configurations it cannot feed, naming the problem and the fix', () => {
    const bad = (cfg: ImageConfig, input: InputTensorInfo, code: string) => {
      let err: unknown;
      try {
        planImage(cfg, input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PipelineError);
      expect((err as PipelineError).code).toBe(code);
      expect((err as PipelineError).hint).toBeTruthy();
    };
    const ok = tensorInfo([1, 8, 8, 1]);
    bad({}, { ...tensorInfo([1, 8, 8, 1]), dtype: 'int16', bytes: 128 }, 'camera-dtype');
    bad({}, tensorInfo([1, 8, 8, 2]), 'camera-channels');
    bad({}, tensorInfo([2, 8, 8, 1]), 'camera-shape');
    bad({}, tensorInfo([8, 8, 1]), 'camera-shape');
    bad({}, tensorInfo([1, 0, 8, 1]), 'camera-shape');
    bad({}, { ...ok, scale: 0 }, 'camera-quantization');
    bad({ frame: { width: 0, height: 8, format: 'grayscale' } }, ok, 'camera-frame-size');
    bad({ frame: { width: 8.5, height: 8, format: 'grayscale' } }, ok, 'camera-frame-size');
    bad({ frame: { width: 8, height: 8, format: 'yuv422' as 'grayscale' } }, ok, 'camera-format');
    bad({ crop: 'left' as 'center' }, ok, 'camera-crop');
    bad({ resize: 'cubic' as 'nearest' }, ok, 'camera-resize');
    bad({ range: [1, 1] }, ok, 'camera-range');
    bad({ range: [0, Number.NaN] }, ok, 'camera-range');
    bad({ rgb565ByteOrder: 'middle' as 'big' }, ok, 'camera-byte-order');
    // Frames smaller than the tensor are fine: they are upscaled.
    expect(planImage({ frame: { width: 3, height: 2, format: 'rgb888' } }, ok).frameBytes).toBe(18);
  });

  it('the runner refuses a frame of the wrong size', () => {
    const plan = planImage({ frame: { width: 4, height: 4, format: 'rgb565' } }, tensorInfo([1, 2, 2, 1]));
    expect(() => plan.create().frame(new Uint8Array(31), new Uint8Array(4))).toThrow(PipelineError);
    expect(() => plan.create().frame(new Uint8Array(32), new Uint8Array(3))).toThrow(PipelineError);
  });
});
