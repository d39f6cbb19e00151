import { describe, it, expect } from 'vitest';
import { absKernel } from '../../../sim/kernels/abs.js';
import { runOp, HarnessError, type TensorSpec } from './_op_harness.js';

const t = (dtype: TensorSpec['dtype'], n: number, scale?: number, zeroPoint?: number): TensorSpec => ({ dtype, shape: [n], scale, zeroPoint });

describe('ABS', () => {
  it('int8 with equal scales skips the rescale: |x - zp_in| + zp_out, clamped', () => {
    const op = runOp(absKernel, 'ABS', {}, [t('int8', 5, 0.5, 10)], [t('int8', 5, 0.5, -128)]);
    expect([...op.run([5, 10, -128, 127, 15])[0]!]).toEqual([-123, -128, 10, -11, -123]);
  });

  it('int8 with different scales rescales with a rounding multiplier', () => {
    // S_in/S_out = 0.5 -> (2^30, 0): SRDHM(v, 2^30) = round-half-up(v / 2).
    const op = runOp(absKernel, 'ABS', {}, [t('int8', 4, 1, 0)], [t('int8', 4, 2, 0)]);
    expect([...op.run([5, -5, -128, 1])[0]!]).toEqual([3, 3, 64, 1]);
  });

  it('int16 without quantization is a raw abs that wraps at -32768', () => {
    const op = runOp(absKernel, 'ABS', {}, [t('int16', 3)], [t('int16', 3)]);
    expect([...op.run([-5, -32768, 32767])[0]!]).toEqual([5, -32768, 32767]);
  });

  it('quantized int16 needs zero points of 0 and saturates', () => {
    expect(() => runOp(absKernel, 'ABS', {}, [t('int16', 1, 1, 3)], [t('int16', 1, 1, 0)])).toThrow(HarnessError);
    const op = runOp(absKernel, 'ABS', {}, [t('int16', 2, 1, 0)], [t('int16', 2, 1, 0)]);
    expect([...op.run([-32768, -7])[0]!]).toEqual([32767, 7]);
  });

  it('float32', () => {
    const op = runOp(absKernel, 'ABS', {}, [t('float32', 3)], [t('float32', 3)]);
    const r = [...op.run([-1.5, -0, 2])[0]!];
    expect(r).toEqual([1.5, 0, 2]);
    expect(Object.is(r[1], 0)).toBe(true);
  });
});
