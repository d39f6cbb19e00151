import { describe, it, expect } from 'vitest';
import { svdfKernel } from '../../../sim/kernels/svdf.js';
import { runOp, type TensorSpec } from './_op_harness.js';

const opts = { rank: 2, activation: 'RELU', asymmetricQuantizeInputs: false };

describe('SVDF int8 state', () => {
  // All scales 1: e1 = e2 = QM(1) (identity). 1 batch, input size 1, 2 filters,
  // rank 2 -> 1 unit, memory 3. Feature weights [1], [2]; time weights
  // [1, 2, 3] and [1, 1, 1]; state zero point 100 (the state starts at 100).
  const specs = (): [TensorSpec[], TensorSpec[]] => [
    [
      { dtype: 'int8', shape: [1, 1], scale: 1, zeroPoint: 0 },
      { dtype: 'int8', shape: [2, 1], scale: 1, data: [1, 2] },
      { dtype: 'int8', shape: [2, 3], scale: 1, data: [1, 2, 3, 1, 1, 1] },
      { dtype: 'int32', shape: [1], scale: 1, data: [0] },
      { dtype: 'int8', shape: [1, 6], scale: 1, zeroPoint: 100, variable: true },
    ],
    [{ dtype: 'int8', shape: [1, 1], scale: 1, zeroPoint: 0 }],
  ];

  it('keeps state across runs, shifts the flat buffer, wraps the int8 state store; RELU is ignored', () => {
    const [ins, outs] = specs();
    const r = runOp(svdfKernel, 'SVDF', opts, ins, outs);
    const state = r.inputs[4] as Int8Array;
    // Run 1, x = 10: new slots 100+10 = 110 and 100+20 = 120.
    // time: f0 = 3*10 = 30, f1 = 1*20 = 20 -> 50.
    expect([...r.run([10])[0]!]).toEqual([50]);
    expect([...state]).toEqual([100, 100, 110, 100, 100, 120]);
    // Run 2, x = 20: shift -> [100, 110, 100, 100, 120, 120]; new slots 120 and 100+40 = 140,
    // stored as int8 -> -116. time: f0 = 2*10 + 3*20 = 80; f1 = 0 + 20 + (-116 - 100) = -196.
    // 80 - 196 = -116 (without the wrap f1 would be 60 and the output would clamp to 127).
    expect([...r.run([20])[0]!]).toEqual([-116]);
    expect([...state]).toEqual([100, 110, 120, 100, 120, -116]);
    // A negative sum: RELU in the options does not apply.
    r.reset();
    expect([...r.run([-10])[0]!]).toEqual([-50]);
  });

  it('refuses a missing bias (TFLM reads its scale in Prepare)', () => {
    const [ins, outs] = specs();
    ins[3] = null as unknown as TensorSpec;
    expect(() => runOp(svdfKernel, 'SVDF', opts, ins, outs)).toThrow(/bias/);
  });
});

describe('SVDF int16 state', () => {
  it('e1 is computed in float32: QM(f32(f32(S_in*S_wf)/S_state))', () => {
    // float32 chain -> e1 = (1086423808, 0); double -> (1086423889, 0).
    // dot = 127 * (-2) = -254: SRDHM(-254, 1086423808) = round(-128.4999993) = -128
    // (the double multiplier gives -128.50000886 -> -129). Time weights [0, 1] pick the newest
    // slot; e2 = QM(f32(S_state*1)/S_state) = identity; output zp 10 -> -118.
    const sIn = 0.3134916126728058;
    const sWf = 0.008069433271884918;
    const sSt = 0.005000339820981026;
    const r = runOp(svdfKernel, 'SVDF', { rank: 1, activation: 'NONE' }, [
      { dtype: 'int8', shape: [1, 1], scale: sIn, zeroPoint: 0 },
      { dtype: 'int8', shape: [1, 1], scale: sWf, data: [127] },
      { dtype: 'int16', shape: [1, 2], scale: 1, data: [0, 1] },
      { dtype: 'int32', shape: [1], scale: sSt, data: [0] },
      { dtype: 'int16', shape: [1, 2], scale: sSt, zeroPoint: 0, variable: true },
    ], [{ dtype: 'int8', shape: [1, 1], scale: sSt, zeroPoint: 10 }]);
    expect([...r.run([-2])[0]!]).toEqual([-118]);
    expect([...(r.inputs[4] as Int16Array)]).toEqual([0, -128]);
    // Second run: the old value moves to slot 0 (time weight 0).
    r.run([0]);
    expect([...(r.inputs[4] as Int16Array)]).toEqual([-128, 0]);
  });

  it('clamps the new state value to int16 before storing it', () => {
    // e1 ~ 1/0.001 = 1000: dot 127 * 100 -> ~12.7e6 -> 32767; -100 -> -32768. The output
    // (e2 = identity, zp 0) then saturates to int8.
    const r = runOp(svdfKernel, 'SVDF', { rank: 1, activation: 'NONE' }, [
      { dtype: 'int8', shape: [1, 1], scale: 1, zeroPoint: 0 },
      { dtype: 'int8', shape: [1, 1], scale: 1, data: [127] },
      { dtype: 'int16', shape: [1, 2], scale: 1, data: [0, 1] },
      { dtype: 'int32', shape: [1], scale: 0.001, data: [0] },
      { dtype: 'int16', shape: [1, 2], scale: 0.001, zeroPoint: 0, variable: true },
    ], [{ dtype: 'int8', shape: [1, 1], scale: 0.001, zeroPoint: 0 }]);
    expect([...r.run([100])[0]!]).toEqual([127]);
    expect([...(r.inputs[4] as Int16Array)]).toEqual([0, 32767]);
    expect([...r.run([-100])[0]!]).toEqual([-128]);
    expect([...(r.inputs[4] as Int16Array)]).toEqual([32767, -32768]);
  });
});
