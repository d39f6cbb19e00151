import { describe, it, expect } from 'vitest';
import { computeOutSize, computePaddingHeightWidth } from '../../../sim/kernels/_conv_common.js';
import { conv2dKernel } from '../../../sim/kernels/conv_2d.js';
import { depthwiseConv2dKernel } from '../../../sim/kernels/depthwise_conv_2d.js';
import { transposeConvKernel } from '../../../sim/kernels/transpose_conv.js';
import { multiplyByQuantizedMultiplierInt64 } from '../../../sim/math/fixedpoint.js';
import { multiplyByQuantizedMultiplierInt64Number } from '../../../sim/math/multiply_by_quantized_multiplier_int64.js';
import { runOp, type TensorSpec } from './_op_harness.js';

const convOptions = (o: Partial<Record<string, unknown>> = {}) => ({
  padding: 'SAME', strideW: 1, strideH: 1, activation: 'NONE', dilationW: 1, dilationH: 1, quantizedBiasType: 'float32', ...o,
});
const dwOptions = (o: Partial<Record<string, unknown>> = {}) => ({
  padding: 'SAME', strideW: 1, strideH: 1, depthMultiplier: 1, activation: 'NONE', dilationW: 1, dilationH: 1, ...o,
});

describe('conv padding (padding.h)', () => {
  const pad = (padding: 'SAME' | 'VALID', inSize: number, filter: number, stride: number, dilation = 1) => {
    const p = computePaddingHeightWidth(stride, stride, dilation, dilation, inSize, inSize, filter, filter, padding);
    return [p.outHeight, p.height, p.heightOffset];
  };

  it('SAME: out = ceil(in / stride), odd remainder after the image', () => {
    expect(pad('SAME', 9, 5, 2)).toEqual([5, 2, 0]); // total (5-1)*2+5-9 = 4
    expect(pad('SAME', 11, 3, 2)).toEqual([6, 1, 0]); // total 5*2+3-11 = 2
    expect(pad('SAME', 7, 2, 1)).toEqual([7, 0, 1]); // even kernel: total 1, all of it after
    expect(pad('SAME', 8, 3, 2)).toEqual([4, 0, 1]); // total 3*2+3-8 = 1
  });

  it('VALID and dilation', () => {
    expect(pad('VALID', 9, 3, 2)).toEqual([4, 0, 0]);
    expect(pad('VALID', 8, 3, 1)).toEqual([6, 0, 0]);
    expect(pad('SAME', 10, 3, 1, 2)).toEqual([10, 2, 0]); // effective filter 5, total 4
    expect(pad('VALID', 10, 3, 1, 2)).toEqual([6, 0, 0]);
  });

  it('an invalid output size leaves every padding at 0', () => {
    expect(computeOutSize('VALID', 3, 5, 1, 1)).toBeNull(); // (3+1-5)/1 = -1
    expect(computeOutSize('VALID', 3, 6, 2, 1)).toBe(0); // (3+2-6)/2 truncates to 0 in C
    const p = computePaddingHeightWidth(1, 1, 1, 1, 8, 3, 3, 5, 'VALID');
    expect([p.height, p.width, p.outHeight, p.outWidth]).toEqual([0, 0, 0, 0]);
  });

  it('height and width are independent', () => {
    const p = computePaddingHeightWidth(2, 1, 1, 1, 9, 11, 5, 3, 'SAME');
    expect([p.outHeight, p.height, p.outWidth, p.width]).toEqual([5, 2, 11, 1]);
  });
});

describe('int64 MultiplyByQuantizedMultiplier on doubles', () => {
  it('rounds ties toward +infinity', () => {
    // M = 2^30 (0.5): m16 = 2^14, t = 15: (x*2^14 + 2^14) >> 15.
    expect(multiplyByQuantizedMultiplierInt64Number(3, 1 << 30, 0)).toBe(2);
    expect(multiplyByQuantizedMultiplierInt64Number(-3, 1 << 30, 0)).toBe(-1);
    expect(multiplyByQuantizedMultiplierInt64Number(-5, 1 << 30, 0)).toBe(-2);
  });

  it('agrees with the BigInt version, including beyond the fast path', () => {
    let s = 12345;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
    for (let i = 0; i < 2000; i++) {
      const mag = 2 ** Math.floor(rnd() * 47);
      const x = Math.floor((rnd() * 2 - 1) * mag);
      const m = 1073741824 + Math.floor(rnd() * 1073741823);
      const shift = -Math.floor(rnd() * 32) + (i % 7 === 0 ? 7 : 0);
      expect(multiplyByQuantizedMultiplierInt64Number(x, m, shift)).toBe(multiplyByQuantizedMultiplierInt64(BigInt(x), m, shift));
    }
    // Saturated reduced multiplier (M >= 0x7FFF0000 gives 0x7FFF).
    expect(multiplyByQuantizedMultiplierInt64Number(1 << 20, 0x7fffffff, -5)).toBe(multiplyByQuantizedMultiplierInt64(1n << 20n, 0x7fffffff, -5));
  });
});

describe('CONV_2D', () => {
  const i8 = (shape: number[], scale: number, zeroPoint: number, data?: number[]): TensorSpec => ({ dtype: 'int8', shape, scale, zeroPoint, data });

  it('hand-computed 2x2 SAME conv: skipped border taps, bias, ties toward +inf, output zp', () => {
    // SAME with a 2x2 filter on 3x3: total padding 1, all of it bottom/right, so pad = 0.
    const r = runOp(conv2dKernel, 'CONV_2D', convOptions(),
      [i8([1, 3, 3, 1], 1, 1), i8([1, 2, 2, 1], 1, 0, [1, 2, 3, 4]), { dtype: 'int32', shape: [1], scale: 1, data: [10] }],
      [i8([1, 3, 3, 1], 2, -3)]);
    // x - zp = [0..8]; sums 27 37 17 / 57 67 29 / 20 23 8, + 10, / 2 (ties up), - 3.
    expect([...r.run([1, 2, 3, 4, 5, 6, 7, 8, 9])[0]!]).toEqual([16, 21, 11, 31, 36, 17, 12, 14, 6]);
  });

  it('stride 2 SAME pads before the image; RELU clamps at the output zero point', () => {
    // 3x3 input, 3x3 filter of ones, stride 2: out 2x2, total = 2+3-3 = 2 -> pad 1.
    const r = runOp(conv2dKernel, 'CONV_2D', convOptions({ strideW: 2, strideH: 2, activation: 'RELU' }),
      [i8([1, 3, 3, 1], 1, 0), i8([1, 3, 3, 1], 1, 0, [1, 1, 1, 1, 1, 1, 1, 1, 1])],
      [i8([1, 2, 2, 1], 1, 5)]);
    // windows centred on (0,0), (0,2), (2,0), (2,2): 1+2+4+5 = 12, 2+3+5+6 = 16, 4+5+7+8 = 24,
    // 5+6+8-100 = -81; + zp 5, and RELU keeps the last one at the zero point.
    expect([...r.run([1, 2, 3, 4, 5, 6, 7, 8, -100])[0]!]).toEqual([17, 21, 29, 5]);
  });

  it('groups = in_C / filter_in_C', () => {
    const r = runOp(conv2dKernel, 'CONV_2D', convOptions({ padding: 'VALID' }),
      [i8([1, 1, 1, 4], 1, 0), i8([2, 1, 1, 2], 1, 0, [1, 1, 10, -1])],
      [i8([1, 1, 1, 2], 1, 0)]);
    // out0 = 1 + 2 (input channels 0,1), out1 = 10*3 - 4 (channels 2,3).
    expect([...r.run([1, 2, 3, 4])[0]!]).toEqual([3, 26]);
  });

  it('per-channel scales and an int4 filter (low nibble first)', () => {
    // weights [-8, 7, -1] for channel 0 and [1, 1, 1] for channel 1, packed two per byte.
    const packed = [0x78, 0x1f, 0x11];
    const r = runOp(conv2dKernel, 'CONV_2D', convOptions({ padding: 'VALID' }),
      [i8([1, 1, 1, 3], 1, 0), { dtype: 'int4', shape: [2, 1, 1, 3], scale: [1, 0.25], zeroPoint: [0, 0], data: packed }],
      [i8([1, 1, 1, 2], 1, 0)]);
    // ch0: -8 + 14 - 3 = 3; ch1: (1+2+3) * 0.25 = 1.5 -> 2.
    expect([...r.run([1, 2, 3])[0]!]).toEqual([3, 2]);
  });

  it('int16: an int32 bias means an int32 (wrapping) accumulator, an int64 bias does not wrap', () => {
    const n = 600;
    const spec = (bias: TensorSpec | null, options = convOptions({ padding: 'VALID' })) => runOp(conv2dKernel, 'CONV_2D', options,
      [{ dtype: 'int16', shape: [1, 1, 1, n], scale: 1 }, i8([1, 1, 1, n], 1, 0, new Array(n).fill(127)), bias],
      [{ dtype: 'int16', shape: [1, 1, 1, 1], scale: 65536 }]);
    const x = new Array(n).fill(32767);
    // sum = 600*32767*127 = 2496845400; int32 wraps to -1798121896, / 2^16 -> -27437.16 -> -27437.
    expect([...spec({ dtype: 'int32', shape: [1], data: [0] }).run(x)[0]!]).toEqual([-27437]);
    expect([...spec(null, convOptions({ padding: 'VALID', quantizedBiasType: 'int32' })).run(x)[0]!]).toEqual([-27437]);
    // int64: 2496845400 / 2^16 = 38098.8 -> 38099, clamped to 32767.
    expect([...spec({ dtype: 'int64', shape: [1], data: [0] }).run(x)[0]!]).toEqual([32767]);
    expect([...spec(null).run(x)[0]!]).toEqual([32767]);
  });

  it('refuses what it cannot simulate faithfully', () => {
    const input = i8([1, 2, 2, 1], 1, 0);
    const out = i8([1, 2, 2, 1], 1, 0);
    expect(() => runOp(conv2dKernel, 'CONV_2D', convOptions(), [input, { dtype: 'int8', shape: [1, 1, 1, 1], scale: 1 }], [out])).toThrow(/not a constant/);
    expect(() => runOp(conv2dKernel, 'CONV_2D', convOptions(), [input, i8([1, 1, 1, 1], 1, 0, [1]), { dtype: 'int64', shape: [1], data: [0] }], [out])).toThrow(/int64 bias/);
    expect(() => runOp(conv2dKernel, 'CONV_2D', convOptions(), [input, i8([2, 1, 1, 1], 1, 0, [1, 1])], [out])).toThrow(/output channels/);
  });
});

describe('DEPTHWISE_CONV_2D', () => {
  it('depth multiplier 2, per-channel scales, skipped border taps', () => {
    // 2x2 input, 2x2 filter, SAME: pad 0, window reaches past the bottom/right edge.
    // oc0 = top-left tap only, oc1 = sum of the window.
    const r = runOp(depthwiseConv2dKernel, 'DEPTHWISE_CONV_2D', dwOptions({ depthMultiplier: 2 }),
      [{ dtype: 'int8', shape: [1, 2, 2, 1], scale: 1, zeroPoint: 2 },
        { dtype: 'int8', shape: [1, 2, 2, 2], scale: [1, 0.5], zeroPoint: [0, 0], axis: 3, data: [1, 1, 0, 1, 0, 1, 0, 1] },
        { dtype: 'int32', shape: [2], data: [0, 0] }],
      [{ dtype: 'int8', shape: [1, 2, 2, 2], scale: 1, zeroPoint: 0 }]);
    // x - zp = [-1, 0, 1, 2]; oc1 sums 2, 2, 3, 2, halved with ties up: 1, 1, 2, 1.
    expect([...r.run([1, 2, 3, 4])[0]!]).toEqual([-1, 1, 0, 1, 1, 2, 2, 1]);
  });

  it('6 channels (a partial block of 4), dilation 2, RELU6', () => {
    // 3x3 input, 2x2 filter with dilation 2 (effective 3), VALID: one output pixel from the 4 corners.
    const w = [1, 1, 1, 1, 1, -1, 1, 1, 1, 1, 1, -1, 1, 1, 1, 1, 1, -1, 1, 1, 1, 1, 1, -1];
    const r = runOp(depthwiseConv2dKernel, 'DEPTHWISE_CONV_2D', dwOptions({ padding: 'VALID', dilationW: 2, dilationH: 2, activation: 'RELU6' }),
      [{ dtype: 'int8', shape: [1, 3, 3, 6], scale: 0.5, zeroPoint: 0 }, { dtype: 'int8', shape: [1, 2, 2, 6], scale: 1, data: w }],
      [{ dtype: 'int8', shape: [1, 1, 1, 6], scale: 0.5, zeroPoint: 0 }]);
    const x = new Array(54).fill(0);
    // corners are pixels 0, 2, 6, 8; put channel c's value c+1 there (centre pixels get 100 and must be ignored).
    for (const p of [0, 2, 6, 8]) for (let c = 0; c < 6; c++) x[p * 6 + c] = c + 1;
    for (const p of [1, 3, 4, 5, 7]) for (let c = 0; c < 6; c++) x[p * 6 + c] = 100;
    // sums 4*(c+1) = 4, 8, 12, 16, 20 and -24; RELU6 in scale 0.5 clamps to [0, 12].
    expect([...r.run(x)[0]!]).toEqual([4, 8, 12, 12, 12, 0]);
  });

  it('int16 takes an int64 bias and no zero points', () => {
    const r = runOp(depthwiseConv2dKernel, 'DEPTHWISE_CONV_2D', dwOptions({ padding: 'VALID' }),
      [{ dtype: 'int16', shape: [1, 1, 1, 2], scale: 1 }, { dtype: 'int8', shape: [1, 1, 1, 2], scale: [1, 0.5], axis: 3, data: [3, 4] },
        { dtype: 'int64', shape: [2], data: [5, -6] }],
      [{ dtype: 'int16', shape: [1, 1, 1, 2], scale: 1 }]);
    // 1000*3 + 5 = 3005; (-2000*4 - 6) * 0.5 = -4003.
    expect([...r.run([1000, -2000])[0]!]).toEqual([3005, -4003]);
    expect(() => runOp(depthwiseConv2dKernel, 'DEPTHWISE_CONV_2D', dwOptions({ padding: 'VALID' }),
      [{ dtype: 'int16', shape: [1, 1, 1, 1], scale: 1 }, { dtype: 'int8', shape: [1, 1, 1, 1], scale: 1, axis: 3, data: [3] },
        { dtype: 'int32', shape: [1], data: [5] }],
      [{ dtype: 'int16', shape: [1, 1, 1, 1], scale: 1 }])).toThrow(/int32 bias/);
  });

  it('refuses a depth multiplier that does not match the channels', () => {
    expect(() => runOp(depthwiseConv2dKernel, 'DEPTHWISE_CONV_2D', dwOptions({ depthMultiplier: 1 }),
      [{ dtype: 'int8', shape: [1, 2, 2, 1], scale: 1 }, { dtype: 'int8', shape: [1, 1, 1, 2], scale: 1, data: [1, 1] }],
      [{ dtype: 'int8', shape: [1, 2, 2, 2], scale: 1 }])).toThrow(/depth_multiplier/);
  });
});

describe('TRANSPOSE_CONV', () => {
  it('padding comes from the OUTPUT size (stride 2, SAME)', () => {
    // 1x3 input -> 1x6 output, filter width 3: with the output width 6 the padding is 0
    // (with the input width 3 it would be 1, shifting every tap left).
    const r = runOp(transposeConvKernel, 'TRANSPOSE_CONV', { padding: 'SAME', strideW: 2, strideH: 1, activation: 'NONE', quantizedBiasType: 'float32' },
      [{ dtype: 'int32', shape: [4], data: [1, 1, 6, 1] },
        { dtype: 'int8', shape: [1, 1, 3, 1], scale: 1, data: [1, 2, 3] },
        { dtype: 'int8', shape: [1, 1, 3, 1], scale: 1, zeroPoint: 1 },
        { dtype: 'int32', shape: [1], data: [4] }],
      [{ dtype: 'int8', shape: [1, 1, 6, 1], scale: 2, zeroPoint: -5 }]);
    // x - zp = [1, 10, 100] scattered at 0,1,2 / 2,3,4 / 4,5,(6): [1, 2, 13, 20, 130, 200],
    // + 4 = [5, 6, 17, 24, 134, 204], / 2 ties up = [3, 3, 9, 12, 67, 102], - 5.
    expect([...r.run([2, 11, 101])[0]!]).toEqual([-2, -2, 4, 7, 62, 97]);
  });

  it('int16 with an int16 bias widened to int64', () => {
    const r = runOp(transposeConvKernel, 'TRANSPOSE_CONV', { padding: 'VALID', strideW: 1, strideH: 1, activation: 'NONE', quantizedBiasType: 'float32' },
      [{ dtype: 'int32', shape: [4], data: [1, 1, 2, 2] },
        { dtype: 'int8', shape: [2, 1, 2, 1], scale: 1, data: [1, 2, -1, 1] },
        { dtype: 'int16', shape: [1, 1, 1, 1], scale: 1 },
        { dtype: 'int16', shape: [2], data: [-1000, 7] }],
      [{ dtype: 'int16', shape: [1, 1, 2, 2], scale: 1 }]);
    // x = 20000: oc0 taps [1, 2] -> 20000 - 1000, 40000 - 1000 (clamped); oc1 taps [-1, 1] -> -19993, 20007.
    expect([...r.run([20000])[0]!]).toEqual([19000, -19993, 32767, 20007]);
  });
});
