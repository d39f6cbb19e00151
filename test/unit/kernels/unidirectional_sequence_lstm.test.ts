import { describe, it, expect } from 'vitest';
import { unidirectionalSequenceLstmKernel } from '../../../sim/kernels/unidirectional_sequence_lstm.js';
import { runOp, type TensorSpec } from './_op_harness.js';

/*
 * One-unit, one-feature LSTMs with power-of-two scales so every step can be
 * followed by hand:
 * - input FC: S_in * S_w / 2^-12 = 2^-4 * 2^-4 * 2^12 = 16 -> output = 16 * acc exactly;
 * - recurrent FC: S_h * S_wh / 2^-12 = 2^-7 * 2^-5 * 2^12 = 1 -> output = acc exactly;
 * - gate weights (f, i, c, o): input 4, 8, -2, 16; recurrent 32, -32, 64, 0; forget bias 64.
 * - hidden state zp 3; cell scale 2^-11 unless stated (tanh(c): multiplier 6, no shift).
 */
const P2 = (e: number) => 2 ** e;

function lstm(opts: { inputShape: number[]; batch: number; timeMajor: boolean; cellScale?: number; cellClip?: number }) {
  const w = (v: number, scale: number): TensorSpec => ({ dtype: 'int8', shape: [1, 1], scale, data: [v] });
  const b = (v: number): TensorSpec => ({ dtype: 'int32', shape: [1], scale: P2(-8), data: [v] });
  const inputs: (TensorSpec | null)[] = [
    { dtype: 'int8', shape: opts.inputShape, scale: P2(-4), zeroPoint: 0 },
    w(8, P2(-4)), w(4, P2(-4)), w(-2, P2(-4)), w(16, P2(-4)),
    w(-32, P2(-5)), w(32, P2(-5)), w(64, P2(-5)), w(0, P2(-5)),
    null, null, null,
    b(0), b(64), b(0), b(0),
    null, null,
    { dtype: 'int8', shape: [opts.batch, 1], scale: P2(-7), zeroPoint: 3, variable: true },
    { dtype: 'int16', shape: [opts.batch, 1], scale: opts.cellScale ?? P2(-11), zeroPoint: 0, variable: true },
    null, null, null, null,
  ];
  const outShape = [...opts.inputShape.slice(0, 2), 1];
  return runOp(
    unidirectionalSequenceLstmKernel,
    'UNIDIRECTIONAL_SEQUENCE_LSTM',
    { activation: 'TANH', cellClip: opts.cellClip ?? 0, projClip: 0, timeMajor: opts.timeMajor, asymmetricQuantizeInputs: false, diagonalRecurrentTensors: false },
    inputs,
    [{ dtype: 'int8', shape: outShape, scale: P2(-7), zeroPoint: 3 }],
  );
}

describe('UNIDIRECTIONAL_SEQUENCE_LSTM int8', () => {
  it('two batch-major steps (the second one uses the recurrent path with zp_h)', () => {
    // Step 1, x = 16, h = zp, c = 0: pre-activations f 2048, i 2048, c -512, o 4096 ->
    //   f = i = 20397, g = -4075, o = 23956; c = MBQM(20397 * -4075, 2^-19) = -159;
    //   tanh(c): x = -954 -> -2539; h = 3 + MBQM(-2539 * 23956, 2^-23) = 3 - 7 = -4.
    // Step 2, x = -16, h - zp = -7: f 0-224, i -2048+224, c 512-448, o -4096 ->
    //   f = 15936, i = 12795, g = 512, o = 8812; c = MBQM(15936 * -159, 2^-15) + MBQM(12795 * 512, 2^-19) = -77 + 12 = -65;
    //   tanh: x = -390 -> -1040; h = 3 + MBQM(-1040 * 8812, 2^-23) = 3 - 1 = 2.
    const op = lstm({ inputShape: [1, 2, 1], batch: 1, timeMajor: false });
    expect([...op.run([16, -16])[0]!]).toEqual([-4, 2]);
    expect([...op.inputs[18]!]).toEqual([2]);
    expect([...op.inputs[19]!]).toEqual([-65]);
  });

  it('keeps the state across invocations until reset', () => {
    const op = lstm({ inputShape: [1, 1, 1], batch: 1, timeMajor: false });
    expect([...op.run([16])[0]!]).toEqual([-4]);
    expect([...op.run([-16])[0]!]).toEqual([2]);
    op.reset();
    expect([...op.run([16])[0]!]).toEqual([-4]);
  });

  it('time-major [T, 1, I] equals batch-major [1, T, I]', () => {
    const op = lstm({ inputShape: [2, 1, 1], batch: 1, timeMajor: true });
    expect([...op.run([16, -16])[0]!]).toEqual([-4, 2]);
  });

  it('time-major with two batch rows keeps separate states', () => {
    // Row 1, x = -16 on a fresh state: f = 16384, i = 12371, g = 4075, o = 8812;
    //   c = MBQM(12371 * 4075, 2^-19) = 96; tanh: x = 576 -> 1535; h = 3 + 2 = 5.
    const op = lstm({ inputShape: [1, 2, 1], batch: 2, timeMajor: true });
    expect([...op.run([16, -16])[0]!]).toEqual([-4, 5]);
    expect([...op.inputs[18]!]).toEqual([-4, 5]);
    expect([...op.inputs[19]!]).toEqual([-159, 96]);
  });

  it('batch-major with two rows walks each row through its own steps', () => {
    // Input [B=2, T=1]: the same two independent rows as the time-major case.
    const op = lstm({ inputShape: [2, 1, 1], batch: 2, timeMajor: false });
    expect([...op.run([16, -16])[0]!]).toEqual([-4, 5]);
  });

  it('clips the cell to trunc(clip / S_c)', () => {
    // 0.05 / 2^-11 = 102.4 -> 102: c = -159 -> -102; tanh: x = -612 -> -1631; h = 3 + MBQM(-1631 * 23956, 2^-23) = 3 - 5.
    const op = lstm({ inputShape: [1, 1, 1], batch: 1, timeMajor: false, cellClip: 0.05 });
    expect([...op.run([16])[0]!]).toEqual([-2]);
    expect([...op.inputs[19]!]).toEqual([-102]);
  });

  it('a clip below one cell step clamps the cell to 0 (clip > 0 still applies)', () => {
    const op = lstm({ inputShape: [1, 1, 1], batch: 1, timeMajor: false, cellClip: 0.0001 });
    expect([...op.run([16])[0]!]).toEqual([3]);
    expect([...op.inputs[19]!]).toEqual([0]);
  });

  it('a fine cell scale gives tanh a rounding right shift (multiplier 3, shift 3)', () => {
    // S_c = 2^-15: i * g multiplier 2^-15 -> c = -2537; tanh input (-2537*3 + 4) >> 3 = -951 -> -2531; h = 3 - 7.
    const op = lstm({ inputShape: [1, 1, 1], batch: 1, timeMajor: false, cellScale: P2(-15) });
    expect(op.data.cellTanhMult).toBe(3);
    expect(op.data.cellTanhShift).toBe(3);
    expect([...op.run([16])[0]!]).toEqual([-4]);
    expect([...op.inputs[19]!]).toEqual([-2537]);
  });
});

describe('UNIDIRECTIONAL_SEQUENCE_LSTM rejects what TFLM cannot run', () => {
  const base = () => {
    const w = (v: number): TensorSpec => ({ dtype: 'int8', shape: [1, 1], scale: P2(-4), data: [v] });
    const b: TensorSpec = { dtype: 'int32', shape: [1], scale: P2(-8), data: [0] };
    return [
      { dtype: 'int8', shape: [1, 1, 1], scale: P2(-4), zeroPoint: 0 },
      w(1), w(1), w(1), w(1), w(1), w(1), w(1), w(1),
      null, null, null, b, b, b, b, null, null,
      { dtype: 'int8', shape: [1, 1], scale: P2(-7), zeroPoint: 0, variable: true },
      { dtype: 'int16', shape: [1, 1], scale: P2(-11), zeroPoint: 0, variable: true },
      null, null, null, null,
    ] as (TensorSpec | null)[];
  };
  const out: TensorSpec[] = [{ dtype: 'int8', shape: [1, 1, 1], scale: P2(-7), zeroPoint: 0 }];
  const opts = { activation: 'TANH', cellClip: 0, timeMajor: false };
  const prep = (inputs: (TensorSpec | null)[], o: Record<string, unknown> = opts) =>
    () => runOp(unidirectionalSequenceLstmKernel, 'UNIDIRECTIONAL_SEQUENCE_LSTM', o, inputs, out);

  it('accepts the base configuration', () => {
    expect(prep(base())).not.toThrow();
  });
  it('rejects CIFG (no input gate)', () => {
    const i = base();
    i[1] = null;
    expect(prep(i)).toThrow(/input gate/);
  });
  it('rejects per-channel weights', () => {
    const i = base();
    i[2] = { dtype: 'int8', shape: [1, 1], scale: [P2(-4), P2(-5)], data: [1] };
    expect(prep(i)).toThrow(/per-channel/);
  });
  it('rejects a cell gate activation other than TANH', () => {
    expect(prep(base(), { ...opts, activation: 'NONE' })).toThrow(/TANH/);
  });
  it('rejects int16 activations', () => {
    const i = base();
    i[0] = { dtype: 'int16', shape: [1, 1, 1], scale: P2(-4), zeroPoint: 0 };
    expect(prep(i)).toThrow(/int16 activations/);
  });
  it('rejects a non-variable state', () => {
    const i = base();
    i[19] = { dtype: 'int16', shape: [1, 1], scale: P2(-11), zeroPoint: 0 };
    expect(prep(i)).toThrow(/variable/);
  });
});
