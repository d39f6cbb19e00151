import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { concatenationKernel } from '../../../sim/kernels/concatenation.js';
import { loadModel } from '../../../lib/load.js';
import { Simulator } from '../../../sim/interpreter.js';
import { GOLDEN_DIR, requireGolden } from '../../golden/cases.js';
import { runOp } from './_op_harness.js';

describe('CONCATENATION', () => {
  it('int16 copies raw even when the scales differ (only zp 0 is required)', () => {
    const r = runOp(concatenationKernel, 'CONCATENATION', { axis: 0, activation: 'NONE' },
      [{ dtype: 'int16', shape: [2], scale: 1 }, { dtype: 'int16', shape: [1], scale: 2 }],
      [{ dtype: 'int16', shape: [3], scale: 5 }]);
    expect([...r.run([1, -2], [3])[0]!]).toEqual([1, -2, 3]);
  });

  it('int64 along a negative axis', () => {
    const r = runOp(concatenationKernel, 'CONCATENATION', { axis: -1, activation: 'NONE' },
      [{ dtype: 'int64', shape: [2, 1] }, { dtype: 'int64', shape: [2, 2] }],
      [{ dtype: 'int64', shape: [2, 3] }]);
    r.inputs[0]!.set([-1n, 2n ** 40n] as any);
    r.inputs[1]!.set([3n, 4n, 5n, -(2n ** 50n)] as any);
    concatenationKernel.eval(r.data);
    expect([...(r.outputs[0] as BigInt64Array)]).toEqual([-1n, 3n, 4n, 2n ** 40n, 5n, -(2n ** 50n)]);
  });

  it('int8 with a constant input in the middle', () => {
    const r = runOp(concatenationKernel, 'CONCATENATION', { axis: 1, activation: 'NONE' },
      [{ dtype: 'int8', shape: [2, 1], scale: 0.5, zeroPoint: 1 }, { dtype: 'int8', shape: [2, 2], scale: 0.5, zeroPoint: 1, data: [9, 8, 7, 6] }, { dtype: 'int8', shape: [2, 1], scale: 0.5, zeroPoint: 1 }],
      [{ dtype: 'int8', shape: [2, 4], scale: 0.5, zeroPoint: 1 }]);
    expect([...r.run([1, 2], [3, 4])[0]!]).toEqual([1, 9, 8, 3, 2, 7, 6, 4]);
  });

  it('int8 refuses a zero point mismatch, naming it', () => {
    expect(() => runOp(concatenationKernel, 'CONCATENATION', { axis: 0, activation: 'NONE' },
      [{ dtype: 'int8', shape: [1], scale: 0.5, zeroPoint: 1 }, { dtype: 'int8', shape: [1], scale: 0.5, zeroPoint: 2 }],
      [{ dtype: 'int8', shape: [2], scale: 0.5, zeroPoint: 1 }])).toThrow(/input 1 zero point 2 differs from the output zero point 1/);
  });

  it('refuses a fused activation', () => {
    expect(() => runOp(concatenationKernel, 'CONCATENATION', { axis: 0, activation: 'RELU' },
      [{ dtype: 'int32', shape: [1] }], [{ dtype: 'int32', shape: [1] }])).toThrow(/activation/);
  });

  const golden = requireGolden() && existsSync(join(GOLDEN_DIR, 'ops', 'concatenation-diffquant'));
  it.skipIf(!golden)('golden ops/concatenation-diffquant (must_reject) is refused with the scale mismatch named', async () => {
    const model = await loadModel(join(GOLDEN_DIR, 'ops', 'concatenation-diffquant', 'model.tflite'));
    expect(() => new Simulator(model)).toThrow(/CONCATENATION \(operator 0\): input 0 scale .* differs from the output scale/);
  });
});
