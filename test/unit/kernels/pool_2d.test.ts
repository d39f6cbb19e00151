import { describe, it, expect } from 'vitest';
import { averagePool2dKernel } from '../../../sim/kernels/average_pool_2d.js';
import { maxPool2dKernel } from '../../../sim/kernels/max_pool_2d.js';
import type { DType } from '../../../sim/ir/types.js';
import { runOp } from './_op_harness.js';

interface PoolCase { inShape: number[]; outShape: number[]; filter: number; stride: number; padding: 'SAME' | 'VALID'; activation?: string; dtype?: DType; scale?: number; zp?: number; outScale?: number }

function pool(kernel: typeof averagePool2dKernel, op: string, c: PoolCase) {
  const dtype = c.dtype ?? 'int8';
  return runOp(kernel, op,
    { padding: c.padding, strideW: c.stride, strideH: c.stride, filterWidth: c.filter, filterHeight: c.filter, activation: c.activation ?? 'NONE' },
    [{ dtype, shape: c.inShape, scale: c.scale ?? 0.5, zeroPoint: c.zp ?? 0 }],
    [{ dtype, shape: c.outShape, scale: c.outScale ?? c.scale ?? 0.5, zeroPoint: c.zp ?? 0 }]);
}

describe('AVERAGE_POOL_2D', () => {
  it('rounds ties away from zero, both signs', () => {
    const r = pool(averagePool2dKernel, 'AVERAGE_POOL_2D', { inShape: [1, 2, 4, 1], outShape: [1, 1, 2, 1], filter: 2, stride: 2, padding: 'VALID' });
    // rows [1, 2, -1, -2] / [3, 4, -3, -4]: window sums 10 -> (10+2)/4 = 3 and -10 -> (-10-2)/4 = -3.
    expect([...r.run([1, 2, -1, -2, 3, 4, -3, -4])[0]!]).toEqual([3, -3]);
  });

  it('SAME padding divides by the in-image taps only', () => {
    const r = pool(averagePool2dKernel, 'AVERAGE_POOL_2D', { inShape: [1, 3, 3, 1], outShape: [1, 3, 3, 1], filter: 3, stride: 1, padding: 'SAME' });
    // corners 4 taps, edges 6, centre 9: 12/4 -> 3, 21/6 -> 4, 16/4 -> 4 (4.5 -> (16+2)/4 = 4), 27/6 -> 5, 45/9 -> 5, ...
    expect([...r.run([1, 2, 3, 4, 5, 6, 7, 8, 9])[0]!]).toEqual([3, 4, 4, 5, 5, 6, 6, 7, 7]);
  });

  it('int16 with two channels and a RELU clamp at the zero point', () => {
    const r = pool(averagePool2dKernel, 'AVERAGE_POOL_2D', { inShape: [1, 2, 2, 2], outShape: [1, 1, 1, 2], filter: 2, stride: 2, padding: 'VALID', dtype: 'int16', activation: 'RELU' });
    // ch0: 1000+1001+1001+1001 = 4003 -> (4003+2)/4 = 1001; ch1: -400 -> -100 -> RELU -> 0.
    expect([...r.run([1000, -100, 1001, -100, 1001, -100, 1001, -100])[0]!]).toEqual([1001, 0]);
  });

  it('refuses differing input / output scales', () => {
    expect(() => pool(averagePool2dKernel, 'AVERAGE_POOL_2D', { inShape: [1, 2, 2, 1], outShape: [1, 1, 1, 1], filter: 2, stride: 2, padding: 'VALID', scale: 0.5, outScale: 0.25 })).toThrow(/scale/);
  });

  it('refuses a declared output shape that is not the pooled one', () => {
    expect(() => pool(averagePool2dKernel, 'AVERAGE_POOL_2D', { inShape: [1, 4, 4, 1], outShape: [1, 1, 1, 1], filter: 2, stride: 2, padding: 'VALID' })).toThrow(/shape/);
  });
});

describe('MAX_POOL_2D', () => {
  it('padding never wins (all-negative input, SAME)', () => {
    const r = pool(maxPool2dKernel, 'MAX_POOL_2D', { inShape: [1, 2, 2, 1], outShape: [1, 2, 2, 1], filter: 3, stride: 1, padding: 'SAME' });
    expect([...r.run([-100, -50, -120, -128])[0]!]).toEqual([-50, -50, -50, -50]);
  });

  it('applies RELU6 in the output quantization', () => {
    // scale 0.5, zp 0: RELU6 range [0, 12].
    const r = pool(maxPool2dKernel, 'MAX_POOL_2D', { inShape: [1, 2, 2, 1], outShape: [1, 2, 2, 1], filter: 1, stride: 1, padding: 'VALID', activation: 'RELU6' });
    expect([...r.run([-5, 20, 3, 13])[0]!]).toEqual([0, 12, 3, 12]);
  });

  it('int16', () => {
    const r = pool(maxPool2dKernel, 'MAX_POOL_2D', { inShape: [1, 2, 2, 1], outShape: [1, 1, 1, 1], filter: 2, stride: 2, padding: 'VALID', dtype: 'int16' });
    expect([...r.run([-30000, -20000, 5, -1])[0]!]).toEqual([5]);
  });
});
