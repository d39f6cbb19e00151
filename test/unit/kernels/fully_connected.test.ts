import { describe, it, expect } from 'vitest';
import { fullyConnectedKernel } from '../../../sim/kernels/fully_connected.js';
import { HarnessError, runOp, type TensorSpec } from './_op_harness.js';
import { multiplyByQuantizedMultiplier } from '../../../sim/math/fixedpoint.js';

const opts = (o: Record<string, unknown> = {}) => ({ activation: 'NONE', weightsFormat: 'DEFAULT', keepNumDims: false, quantizedBiasType: 'float32', ...o });

function fc(input: TensorSpec, weights: TensorSpec, bias: TensorSpec | null, output: TensorSpec, o: Record<string, unknown> = {}) {
  return runOp(fullyConnectedKernel, 'FULLY_CONNECTED', opts(o), [input, weights, bias], [output]);
}

// float32 values (exactly representable) chosen so that QM(f32(S_in*S_w)/S_out) and
// QM(S_in*S_w/S_out) differ: (2090226388, -5) vs (2090226409, -5).
const S_IN = 0.3347379267215729;
const S_W = 0.0056024412624537945;
const S_OUT = 0.061655063182115555;
const S_BIAS = 0.0018753495533019304; // f32(S_IN * S_W)

describe('FULLY_CONNECTED int8', () => {
  it('per-tensor multiplier takes S_in*S_w in float32 (TFLM GetQuantizedConvolutionMultipler)', () => {
    // acc = 127 * (-9 - 3) + (-70) = -1594.
    // float32 product: SRDHM(-1594, 2090226388) = round(-1551.49999) = -1551; RDBPOT(-1551, 5) = -48.
    // (an all-double multiplier 2090226409 gives SRDHM -1552 -> RDBPOT -48.5 -> -49)
    const r = fc(
      { dtype: 'int8', shape: [1, 1], scale: S_IN, zeroPoint: 3 },
      { dtype: 'int8', shape: [1, 1], scale: S_W, data: [127] },
      { dtype: 'int32', shape: [1], scale: S_BIAS, data: [-70] },
      { dtype: 'int8', shape: [1, 1], scale: S_OUT, zeroPoint: 0 },
    );
    expect([...r.run([-9])[0]!]).toEqual([-48]);
  });

  it('per-channel multipliers use the all-double product', () => {
    // Same accumulator -1594 on both channels, multiplier 2090226409 -> -49.
    const r = fc(
      { dtype: 'int8', shape: [1, 1], scale: S_IN, zeroPoint: 3 },
      { dtype: 'int8', shape: [2, 1], scale: [S_W, S_W], zeroPoint: [0, 0], data: [127, 127] },
      { dtype: 'int32', shape: [2], scale: [S_BIAS, S_BIAS], data: [-70, -70] },
      { dtype: 'int8', shape: [1, 2], scale: S_OUT, zeroPoint: 0 },
    );
    expect([...r.run([-9])[0]!]).toEqual([-49, -49]);
  });

  it('batches = all output dims but the last (keep_num_dims), input zero point folded out', () => {
    // Scales 1/1/1 -> QM(1) = (2^30, 1): MBQM is the identity. depth 4, 6 batches.
    // out[b][oc] = sum_k w[oc][k] * (x[b][k] - 2) + bias[oc] + 5.
    const w = [1, -1, 2, 0, 3, 1, -2, 1];
    const r = fc(
      { dtype: 'int8', shape: [2, 3, 4], scale: 1, zeroPoint: 2 },
      { dtype: 'int8', shape: [2, 4], scale: 1, data: w },
      { dtype: 'int32', shape: [2], scale: 1, data: [10, -10] },
      { dtype: 'int8', shape: [2, 3, 2], scale: 1, zeroPoint: 5 },
      { keepNumDims: true },
    );
    const x = [2, 2, 2, 2, 3, 2, 2, 2, 2, 3, 2, 2, 2, 2, 3, 2, 2, 2, 2, 3, 10, 0, 4, -50, -128, 127, 0, 0];
    // batch 0: zeros -> [15, -5]; b1: +1 at k0 -> [16, -2]; b2: k1 -> [14, -4];
    // b3: k2 -> [17, -7]; b4: k3 -> [15, -4];
    // b5: d = [8, -2, 2, -52]: oc0 = 8+2+4 = 14 -> 29; oc1 = 24-2-4-52 = -34 -> -39.
    expect([...r.run(x.slice(0, 24))[0]!]).toEqual([15, -5, 16, -2, 14, -4, 17, -7, 15, -4, 29, -39]);
  });

  it('fused RELU6 clamps in the output domain', () => {
    // S_in*S_w/S_out = 1*0.5/0.5 = 1. Range: [-10 + round(0/0.5), -10 + round(6/0.5)] = [-10, 2].
    const r = fc(
      { dtype: 'int8', shape: [1, 3], scale: 1, zeroPoint: 0 },
      { dtype: 'int8', shape: [3, 1], scale: 0.5, data: [1, 1, 1] },
      null,
      { dtype: 'int8', shape: [1, 3], scale: 0.5, zeroPoint: -10 },
      { activation: 'RELU6' },
    );
    // Depth is the weights' last dim (1): only x[0] = 7 feeds every channel -> 7 - 10 = -3.
    expect([...r.run([7, 100, 100])[0]!]).toEqual([-3, -3, -3]);
    expect([...r.run([20, 0, 0])[0]!]).toEqual([2, 2, 2]);
    expect([...r.run([-20, 0, 0])[0]!]).toEqual([-10, -10, -10]);
  });

  it('the int32 accumulator wraps like C', () => {
    // 140000 x (-128 * -128) = 2293760000 -> wraps to -2001207296; multiplier 0.5 = (2^30, 0)
    // -> -1000603648 -> clamps to -128 (an unwrapped sum would clamp to +127).
    const n = 140000;
    const r = fc(
      { dtype: 'int8', shape: [1, n], scale: 1, zeroPoint: 0 },
      { dtype: 'int8', shape: [1, n], scale: 0.5, data: new Array(n).fill(-128) },
      null,
      { dtype: 'int8', shape: [1, 1], scale: 1, zeroPoint: 0 },
    );
    expect([...r.run(new Array(n).fill(-128))[0]!]).toEqual([-128]);
  });

  it('packed row pairs stay exact at the largest packed depth (2047), odd row count', () => {
    // Multiplier 1. Dots: rows of -128 / 127 / -128 against x = -128:
    // 2047 * 16384 = 33538048, 2047 * -16256 = -33276032, 33538048. Biases cancel them
    // up to 5, -7, -3, so an off-by-one in the unpacking would show.
    const n = 2047;
    const w = [...new Array(n).fill(-128), ...new Array(n).fill(127), ...new Array(n).fill(-128)];
    const r = fc(
      { dtype: 'int8', shape: [1, n], scale: 1, zeroPoint: 0 },
      { dtype: 'int8', shape: [3, n], scale: 1, data: w },
      { dtype: 'int32', shape: [3], scale: 1, data: [-33538048 + 5, 33276032 - 7, -33538048 - 3] },
      { dtype: 'int8', shape: [1, 3], scale: 1, zeroPoint: 0 },
    );
    expect([...r.run(new Array(n).fill(-128))[0]!]).toEqual([5, -7, -3]);
  });

  it('packed (constant weights) and plain (non-constant weights) paths agree', () => {
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) | 0) >>> 24) - 128;
    const depth = 300;
    const rows = 9;
    const w = Array.from({ length: rows * depth }, rnd);
    const bias = Array.from({ length: rows }, () => rnd() * 1000);
    const x = Array.from({ length: 2 * depth }, rnd);
    const spec = (constant: boolean) => fc(
      { dtype: 'int8', shape: [2, depth], scale: 0.05, zeroPoint: -7 },
      { dtype: 'int8', shape: [rows, depth], scale: 0.01, ...(constant ? { data: w } : {}) },
      { dtype: 'int32', shape: [rows], scale: 0.0005, data: bias },
      { dtype: 'int8', shape: [2, rows], scale: 3, zeroPoint: 1 },
    );
    const a = [...spec(true).run(x)[0]!];
    const b = [...spec(false).run(x, w)[0]!];
    expect(a).toEqual(b);
    expect(new Set(a).size).toBeGreaterThan(5);
  });

  it('int4 weights unpack low nibble first, sign-extended', () => {
    // bytes 0xF1, 0x87 -> [1, -1, 7, -8]; x = [1, 2]: [1 - 2, 7 - 16] = [-1, -9].
    const r = fc(
      { dtype: 'int8', shape: [1, 2], scale: 1, zeroPoint: 0 },
      { dtype: 'int4', shape: [2, 2], scale: 1, data: [0xf1, 0x87] },
      null,
      { dtype: 'int8', shape: [1, 2], scale: 1, zeroPoint: 0 },
    );
    expect([...r.run([1, 2])[0]!]).toEqual([-1, -9]);
  });

  it('non-constant weights: row sums are rebuilt every run', () => {
    // out = sum w (x - 1); multiplier 1.
    const r = fc(
      { dtype: 'int8', shape: [1, 2], scale: 1, zeroPoint: 1 },
      { dtype: 'int8', shape: [1, 2], scale: 1 },
      null,
      { dtype: 'int8', shape: [1, 1], scale: 1, zeroPoint: 0 },
    );
    expect([...r.run([3, 5], [1, 1])[0]!]).toEqual([6]);
    expect([...r.run([3, 5], [2, -1])[0]!]).toEqual([0]);
  });

  it('refuses what TFLM refuses', () => {
    const inp: TensorSpec = { dtype: 'int8', shape: [1, 2], scale: 1, zeroPoint: 0 };
    const out: TensorSpec = { dtype: 'int8', shape: [1, 1], scale: 1, zeroPoint: 0 };
    const w: TensorSpec = { dtype: 'int8', shape: [1, 2], scale: 1, data: [1, 1] };
    expect(() => fc(inp, { ...w, zeroPoint: 3 }, null, out)).toThrow(/zero point/);
    expect(() => fc(inp, w, { dtype: 'int32', shape: [1], scale: 1.5, data: [0] }, out)).toThrow(/bias scale/);
    expect(() => fc(inp, w, null, { ...out, dtype: 'int32' })).toThrow(HarnessError);
  });
});

describe('FULLY_CONNECTED int16 x int8', () => {
  // S_in*S_w/S_out = 0.5*0.25/0.5 = 0.25 -> QM = (2^30, -1).
  // int64 path: m16 = 2^14, total shift 16: (x*2^14 + 2^15) >> 16 (single rounding, ties up).
  // int32 path: SRDHM (ties up) then RDBPOT by 1 (ties away from zero).
  // x = -6: int64 (-98304 + 32768) >> 16 = -1; int32 SRDHM -3 -> RDBPOT -1.5 -> -2.
  // x = -2: int64 (-32768 + 32768) >> 16 = 0;   int32 SRDHM -1 -> RDBPOT -0.5 -> -1.
  // x = 6:  both 2.
  const input: TensorSpec = { dtype: 'int16', shape: [1, 3], scale: 0.5, zeroPoint: 0 };
  const weights: TensorSpec = { dtype: 'int8', shape: [3, 3], scale: 0.25, data: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
  const output: TensorSpec = { dtype: 'int16', shape: [1, 3], scale: 0.5, zeroPoint: 0 };
  const x = [-6, -2, 6];

  it('int64 bias: int64 accumulator and MultiplyByQuantizedMultiplier(int64)', () => {
    const r = fc(input, weights, { dtype: 'int64', shape: [3], scale: 0.125, data: [0n, 0n, 0n] }, output);
    expect([...r.run(x)[0]!]).toEqual([-1, 0, 2]);
  });

  it('int32 bias: int32 accumulator and the double-rounding MBQM', () => {
    const r = fc(input, weights, { dtype: 'int32', shape: [3], scale: 0.125, data: [0, 0, 0] }, output);
    expect([...r.run(x)[0]!]).toEqual([-2, -1, 2]);
  });

  it('no bias: quantized_bias_type picks the accumulator (int64 unless int32)', () => {
    expect([...fc(input, weights, null, output).run(x)[0]!]).toEqual([-1, 0, 2]);
    expect([...fc(input, weights, null, output, { quantizedBiasType: 'int32' }).run(x)[0]!]).toEqual([-2, -1, 2]);
  });

  it('int64 bias is added exactly, output saturates to int16', () => {
    // bias 200000 (scale 0.125 -> +200000 acc): (200000 - 6) * 0.25 = 49998.5 -> clamps to 32767;
    // bias -40 on channel 1: (-2 - 40) * 0.25 = -10.5 -> int64 rounding ties up -> -10.
    const r = fc(input, weights, { dtype: 'int64', shape: [3], scale: 0.125, data: [200000n, -40n, 0n] }, output);
    expect([...r.run(x)[0]!]).toEqual([32767, -10, 2]);
  });
});

describe('FULLY_CONNECTED int8: every eval path against a plain reference loop', () => {
  // Packed rows (depth >= 2, >= 2 channels), the plain double loop (depth 1 or one channel), the
  // unchecked one-step rescale (small accumulators) and the checked one (bias near int32 range),
  // per-tensor and per-channel; the reference wraps an int32 accumulator and calls
  // MultiplyByQuantizedMultiplier per element with the kernel's own (multiplier, shift).
  it('matches on random shapes, weights, biases, zero points and activations', () => {
    let seed = 12345;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) | 0;
      return ((seed >>> 8) & 0xffff) / 65536;
    };
    const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
    const paths = new Set<string>();
    for (let trial = 0; trial < 120; trial++) {
      const depth = [1, 2, 3, 16, 17, 64][trial % 6]!;
      const outDepth = [1, 2, 5, 16][int(0, 3)]!;
      const batches = int(1, 3);
      const perChannel = trial % 5 === 4;
      const bigBias = trial % 3 === 2;
      const sIn = 0.01 + rnd() * 0.2;
      const sW = Array.from({ length: perChannel ? outDepth : 1 }, () => 0.001 + rnd() * 0.05);
      const sOut = 0.02 + rnd() * 2;
      const zpIn = int(-128, 127);
      const zpOut = int(-128, 127);
      const w = Array.from({ length: outDepth * depth }, () => int(-128, 127));
      const bias = Array.from({ length: outDepth }, () => (bigBias ? int(-2_000_000_000, 2_000_000_000) : int(-5000, 5000)));
      const activation = ['NONE', 'RELU', 'RELU6'][int(0, 2)]!;
      const r = fc(
        { dtype: 'int8', shape: [batches, depth], scale: sIn, zeroPoint: zpIn },
        { dtype: 'int8', shape: [outDepth, depth], scale: perChannel ? sW : sW[0]!, zeroPoint: perChannel ? sW.map(() => 0) : 0, axis: 0, data: w },
        { dtype: 'int32', shape: [outDepth], scale: perChannel ? sW.map((s) => s * sIn) : Math.fround(sIn * sW[0]!), data: bias },
        { dtype: 'int8', shape: [batches, outDepth], scale: sOut, zeroPoint: zpOut },
        { activation },
      );
      const d = r.data as unknown as { multiplier: Int32Array; shift: Int32Array; actMin: number; actMax: number; packed: unknown; plainW: unknown; unchecked: boolean };
      paths.add(`${d.packed ? 'packed' : d.plainW ? 'plain' : 'other'}/${d.unchecked ? 'unchecked' : perChannel ? 'channel' : 'tensor'}`);
      for (let run = 0; run < 3; run++) {
        const x = Array.from({ length: batches * depth }, () => int(-128, 127));
        const want: number[] = [];
        for (let b = 0; b < batches; b++) {
          for (let oc = 0; oc < outDepth; oc++) {
            let acc = bias[oc]!;
            for (let k = 0; k < depth; k++) acc = (acc + Math.imul(w[oc * depth + k]!, x[b * depth + k]! - zpIn)) | 0;
            const v = multiplyByQuantizedMultiplier(acc, d.multiplier[oc]!, d.shift[oc]!) + zpOut;
            want.push(Math.min(d.actMax, Math.max(d.actMin, v)));
          }
        }
        expect([...r.run(x)[0]!]).toEqual(want);
      }
    }
    expect([...paths].sort()).toEqual(['packed/channel', 'packed/tensor', 'packed/unchecked', 'plain/channel', 'plain/tensor', 'plain/unchecked']);
  });
});
