import { describe, it, expect } from 'vitest';
import { negKernel } from '../../../sim/kernels/neg.js';
import { runOp, HarnessError } from './_op_harness.js';

describe('NEG', () => {
  it('float32 negates (TFLM has no other type)', () => {
    const op = runOp(negKernel, 'NEG', {}, [{ dtype: 'float32', shape: [3] }], [{ dtype: 'float32', shape: [3] }]);
    const r = [...op.run([1.5, 0, -2])[0]!];
    expect(r).toEqual([-1.5, -0, 2]);
    expect(Object.is(r[1], -0)).toBe(true);
  });

  it('refuses int8 / int16 / int32 (TFLM NEG fails at Eval for them)', () => {
    for (const dtype of ['int8', 'int16', 'int32'] as const) {
      expect(() => runOp(negKernel, 'NEG', {}, [{ dtype, shape: [1], scale: 1, zeroPoint: 0 }], [{ dtype, shape: [1], scale: 1, zeroPoint: 0 }])).toThrow(HarnessError);
    }
  });
});
