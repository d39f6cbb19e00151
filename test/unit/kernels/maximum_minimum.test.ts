import { describe, it, expect } from 'vitest';
import { maximumMinimumKernel } from '../../../sim/kernels/maximum_minimum.js';
import { runOp, HarnessError, type TensorSpec } from './_op_harness.js';

const t = (dtype: TensorSpec['dtype'], shape: number[], scale?: number, zeroPoint?: number, data?: number[]): TensorSpec => ({ dtype, shape, scale, zeroPoint, data });

describe('MAXIMUM / MINIMUM', () => {
  it('compares raw int8 values, ignoring different quantization on every tensor', () => {
    // Real values would be 0.1*(x-5) vs 2*(y+3); TFLM compares the stored bytes.
    const a = t('int8', [4], 0.1, 5);
    const b = t('int8', [4], 2, -3);
    const o = t('int8', [4], 7, 100);
    const max = runOp(maximumMinimumKernel, 'MAXIMUM', {}, [a, b], [o]);
    expect([...max.run([1, -128, 127, 0], [2, -127, -128, 0])[0]!]).toEqual([2, -127, 127, 0]);
    const min = runOp(maximumMinimumKernel, 'MINIMUM', {}, [a, b], [o]);
    expect([...min.run([1, -128, 127, 0], [2, -127, -128, 0])[0]!]).toEqual([1, -128, -128, 0]);
  });

  it('broadcasts a constant int32 scalar (audio preprocessor clamp)', () => {
    const min = runOp(maximumMinimumKernel, 'MINIMUM', {}, [t('int32', [4]), t('int32', [], undefined, undefined, [127])], [t('int32', [4])]);
    expect([...min.run([-1000, 126, 127, 100000])[0]!]).toEqual([-1000, 126, 127, 127]);
    const max = runOp(maximumMinimumKernel, 'MAXIMUM', {}, [t('int32', [4]), t('int32', [], undefined, undefined, [-128])], [t('int32', [4])]);
    expect([...max.run([-1000, -128, 0, 100000])[0]!]).toEqual([-128, -128, 0, 100000]);
  });

  it('broadcasts int16 rows against columns', () => {
    const max = runOp(maximumMinimumKernel, 'MAXIMUM', {}, [t('int16', [2, 1]), t('int16', [1, 3])], [t('int16', [2, 3])]);
    expect([...max.run([0, 500], [-1, 1, 1000])[0]!]).toEqual([0, 1, 1000, 500, 500, 1000]);
  });

  it('float32 keeps C ternary semantics: NaN in the first operand loses, in the second wins; -0 vs 0 keeps the second', () => {
    const max = runOp(maximumMinimumKernel, 'MAXIMUM', {}, [t('float32', [3]), t('float32', [3])], [t('float32', [3])]);
    const r = [...max.run([NaN, 1, -0], [1, NaN, 0])[0]!];
    expect(r[0]).toBe(1);
    expect(r[1]).toBeNaN();
    expect(Object.is(r[2], 0)).toBe(true);
    const min = runOp(maximumMinimumKernel, 'MINIMUM', {}, [t('float32', [1]), t('float32', [1])], [t('float32', [1])]);
    expect(Object.is(min.run([0], [-0])[0]![0], -0)).toBe(true);
  });

  it('int64', () => {
    const max = runOp(maximumMinimumKernel, 'MAXIMUM', {}, [t('int64', [2], undefined, undefined, [-5, 9]), t('int64', [2], undefined, undefined, [3, -9])], [t('int64', [2])]);
    max.run();
    expect([...(max.outputs[0] as BigInt64Array)]).toEqual([3n, 9n]);
  });

  it('refuses mixed types', () => {
    expect(() => runOp(maximumMinimumKernel, 'MAXIMUM', {}, [t('int8', [1], 1, 0), t('int16', [1], 1, 0)], [t('int8', [1], 1, 0)])).toThrow(HarnessError);
  });
});
