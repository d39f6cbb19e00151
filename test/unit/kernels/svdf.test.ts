import { describe, it, expect } from 'vitest';
import { svdfKernel } from '../../../sim/kernels/svdf.js';
import { runOp, type TensorSpec } from './_op_harness.js';
import { multiplyByQuantizedMultiplier } from '../../../sim/math/fixedpoint.js';

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

/** xorshift32, deterministic. */
function rng(seed: number): () => number {
  let s = seed | 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

describe('SVDF against a plain step-by-step evaluation (state shadow, one-step rescales)', () => {
  // The reference keeps no shadow and rescales with the reference helper: shift the state tensor,
  // write the new column, then sum wt * (state - zp) in wrapping int32 per filter, per unit
  // bias + the rank sums (wrapping), MultiplyByQuantizedMultiplier, zp, int8 clamp.
  it('matches over many steps, across resets, for int8 and int16 state, ranks 1-2, batches 1-2, odd memories', () => {
    const rnd = rng(20261121);
    const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
    let cases = 0;
    for (const stateType of ['int8', 'int16'] as const) {
      for (const [batches, inputSize, filters, rank, memory] of [
        [1, 1, 1, 1, 1], [1, 3, 4, 1, 8], [2, 5, 6, 2, 3], [1, 16, 8, 1, 5], [2, 7, 4, 2, 9], [1, 2, 10, 1, 32],
      ] as const) {
        const units = filters / rank;
        const tMax = stateType === 'int8' ? 127 : 32767;
        const sIn = 0.02 + rnd() * 0.1;
        const sWf = 0.002 + rnd() * 0.02;
        const sSt = stateType === 'int8' ? 0.05 + rnd() * 0.2 : 0.0005 + rnd() * 0.01;
        const sWt = stateType === 'int8' ? 0.005 + rnd() * 0.02 : 0.00005 + rnd() * 0.0005;
        const sOut = 0.5 + rnd() * 4;
        const zpIn = int(-20, 20);
        const zpSt = stateType === 'int8' ? int(-100, 100) : 0;
        const zpOut = int(-128, 0);
        const wf = Array.from({ length: filters * inputSize }, () => int(-128, 127));
        const wt = Array.from({ length: filters * memory }, () => int(-tMax - 1, tMax));
        const bias = Array.from({ length: units }, () => int(-2_000_000_000, 2_000_000_000));
        const r = runOp(svdfKernel, 'SVDF', { rank, activation: 'NONE' }, [
          { dtype: 'int8', shape: [batches, inputSize], scale: sIn, zeroPoint: zpIn },
          { dtype: 'int8', shape: [filters, inputSize], scale: sWf, data: wf },
          { dtype: stateType, shape: [filters, memory], scale: sWt, data: wt },
          { dtype: 'int32', shape: [units], scale: Math.fround(sSt * sWt), data: bias },
          { dtype: stateType, shape: [batches, memory * filters], scale: sSt, zeroPoint: zpSt, variable: true },
        ], [{ dtype: 'int8', shape: [batches, units], scale: sOut, zeroPoint: zpOut }]);
        const { m1, s1, m2, s2 } = r.data as { m1: number; s1: number; m2: number; s2: number };
        const state = r.inputs[4] as Int8Array | Int16Array;
        const refState = state.slice();
        const wrap = stateType === 'int8' ? 24 : 16;
        for (let step = 0; step < 3 * memory + 7; step++) {
          if (step === 2 * memory + 1) {
            r.reset();
            refState.fill(zpSt);
          }
          const x = Array.from({ length: batches * inputSize }, () => int(-128, 127));
          const got = [...r.run(x)[0]!];
          // Reference step.
          refState.copyWithin(0, 1);
          for (let b = 0; b < batches; b++) {
            for (let f = 0; f < filters; f++) {
              let acc = 0;
              for (let c = 0; c < inputSize; c++) acc = (acc + Math.imul(wf[f * inputSize + c]!, x[b * inputSize + c]! - zpIn)) | 0;
              let v = multiplyByQuantizedMultiplier(acc, m1, s1);
              v = Math.min(tMax, Math.max(-tMax - 1, v));
              refState[(b * filters + f) * memory + memory - 1] = ((zpSt + v) << wrap) >> wrap;
            }
          }
          const want: number[] = [];
          for (let b = 0; b < batches; b++) {
            const scratch: number[] = [];
            for (let f = 0; f < filters; f++) {
              let s = 0;
              for (let j = 0; j < memory; j++) s = (s + Math.imul(wt[f * memory + j]!, refState[(b * filters + f) * memory + j]! - zpSt)) | 0;
              scratch.push(s);
            }
            for (let u = 0; u < units; u++) {
              let sum = bias[u]!;
              for (let k = 0; k < rank; k++) sum = (sum + scratch[u * rank + k]!) | 0;
              want.push(Math.min(127, Math.max(-128, multiplyByQuantizedMultiplier(sum, m2, s2) + zpOut)));
            }
          }
          expect(got).toEqual(want);
          expect([...state]).toEqual([...refState]);
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThan(300);
  });
});
