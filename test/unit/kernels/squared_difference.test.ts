import { describe, it, expect } from 'vitest';
import { squaredDifferenceKernel } from '../../../sim/kernels/squared_difference.js';
import { runOp, HarnessError, type TensorSpec } from './_op_harness.js';

const t = (dtype: TensorSpec['dtype'], shape: number[], scale?: number, zeroPoint?: number): TensorSpec => ({ dtype, shape, scale, zeroPoint });

describe('SQUARED_DIFFERENCE', () => {
  it('int8 unit scales give (x1 - x2)^2, saturating', () => {
    // T = 2: a_i = SRDHM(x_i * 128, 2^30) = 64 x_i; output ratio 4 / (2^14 * 1) = 2^-12 -> (2^30, -11):
    // RDBPOT(SRDHM(4096 d^2, 2^30), 11) = d^2.
    const op = runOp(squaredDifferenceKernel, 'SQUARED_DIFFERENCE', {}, [t('int8', [4], 1, 0), t('int8', [4], 1, 0)], [t('int8', [4], 1, 0)]);
    expect([...op.run([3, -2, 10, 0], [-2, 3, -10, 11])[0]!]).toEqual([25, 25, 127, 121]);
  });

  it('int8 zero points and output scale: ((x1 - 1) - (x2 + 2))^2 / 4 - 100', () => {
    // Output ratio 4 / (2^14 * 4) = 2^-14 -> (2^30, -13): RDBPOT(2048 d^2, 13) = round(d^2 / 4).
    const op = runOp(squaredDifferenceKernel, 'SQUARED_DIFFERENCE', {}, [t('int8', [3], 1, 1), t('int8', [3], 1, -2)], [t('int8', [3], 4, -100)]);
    // d = 3 -> 9/4 = 2.25 -> 2; d = 5 - 1 = 4 -> 4; d = -1 - (-2) = 1 -> 0.25 -> 0.
    expect([...op.run([4, 6, 0], [-2, -1, -4])[0]!]).toEqual([-98, -96, -100]);
  });

  it('broadcasts', () => {
    const op = runOp(squaredDifferenceKernel, 'SQUARED_DIFFERENCE', {}, [t('int8', [2, 2], 1, 0), t('int8', [2], 1, 0)], [t('int8', [2, 2], 1, 0)]);
    expect([...op.run([1, 2, 3, 4], [1, 0])[0]!]).toEqual([0, 4, 4, 16]);
  });

  it('int16 needs zero points of 0', () => {
    expect(() => runOp(squaredDifferenceKernel, 'SQUARED_DIFFERENCE', {}, [t('int16', [1], 1, 1), t('int16', [1], 1, 0)], [t('int16', [1], 1, 0)])).toThrow(HarnessError);
    // Unit scales, left shift 0: a_i = round-half-up(x / 2), output ratio 4 -> (2^30, 3): y = 4 * (a1 - a2)^2.
    const op = runOp(squaredDifferenceKernel, 'SQUARED_DIFFERENCE', {}, [t('int16', [3], 1, 0), t('int16', [3], 1, 0)], [t('int16', [3], 1, 0)]);
    expect([...op.run([10, 3, 1000], [4, 0, -1000])[0]!]).toEqual([36, 16, 32767]);
  });

  it('int32 wraps', () => {
    const op = runOp(squaredDifferenceKernel, 'SQUARED_DIFFERENCE', {}, [t('int32', [3]), t('int32', [3])], [t('int32', [3])]);
    // 46341^2 = 2147488281 = 2^31 + 4633 -> -2147479015; 65536^2 = 2^32 -> 0.
    expect([...op.run([46341, 65536, -3], [0, 0, 4])[0]!]).toEqual([-2147479015, 0, 49]);
  });
});
