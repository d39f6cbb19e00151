import { describe, it, expect } from 'vitest';
import { quantizeKernel } from '../../../sim/kernels/quantize.js';
import { dequantizeKernel } from '../../../sim/kernels/dequantize.js';
import { HarnessError, runOp, type TensorSpec } from './_op_harness.js';
import { multiplyByQuantizedMultiplier } from '../../../sim/math/fixedpoint.js';

const quant = (input: TensorSpec, output: TensorSpec) => runOp(quantizeKernel, 'QUANTIZE', {}, [input], [output]);

describe('QUANTIZE float32 -> int (AffineQuantize)', () => {
  it('divides in float32 and rounds half away from zero', () => {
    // 2.3246679306030273 / 0.04793129861354828 = 48.4999989 in double but 48.5 in float32 -> 49
    // (double division or a multiply by the reciprocal give 48).
    // -1.25 / 0.5 = -2.5 -> -3 (half away from zero, not to even); 1.25 / 0.5 -> 3.
    const r = quant({ dtype: 'float32', shape: [1] }, { dtype: 'int8', shape: [1], scale: 0.04793129861354828, zeroPoint: 0 });
    expect([...r.run([2.3246679306030273])[0]!]).toEqual([49]);
    const h = quant({ dtype: 'float32', shape: [4] }, { dtype: 'int8', shape: [4], scale: 0.5, zeroPoint: -1 });
    expect([...h.run([-1.25, 1.25, 0.25, -0.25])[0]!]).toEqual([-4, 2, 0, -2]);
  });

  it('clamps to the output type; int16 output', () => {
    const r = quant({ dtype: 'float32', shape: [4] }, { dtype: 'int16', shape: [4], scale: 0.001, zeroPoint: 0 });
    // 40 / 0.001 ~ 40000 -> 32767; -1.0001 / 0.001 -> -1000.1 -> -1000.
    expect([...r.run([40, -40, 1.5, -1.0001])[0]!]).toEqual([32767, -32768, 1500, -1000]);
  });

  it('beyond int32 and NaN: x86 cvttss2si gives INT32_MIN before the zero point is added', () => {
    // 1e10 / 1 -> INT32_MIN -> -128 with zp 0; with zp -5, INT32_MIN - 5 wraps to 2^31 - 6 -> 127.
    const a = quant({ dtype: 'float32', shape: [3] }, { dtype: 'int8', shape: [3], scale: 1, zeroPoint: 0 });
    expect([...a.run([1e10, -1e10, NaN])[0]!]).toEqual([-128, -128, -128]);
    const b = quant({ dtype: 'float32', shape: [2] }, { dtype: 'int8', shape: [2], scale: 1, zeroPoint: -5 });
    expect([...b.run([1e10, 200])[0]!]).toEqual([127, 127]);
  });
});

describe('QUANTIZE int -> int (Requantize)', () => {
  it('int16 -> int8: QM(S_in/S_out) in double, zero points on both sides', () => {
    // S_in/S_out = 0.25 -> (2^30, -1): SRDHM rounds x/2 ties up, RDBPOT ties away.
    // x = 10 -> 2.5 -> SRDHM 5 -> 2.5 -> 3; x = -10 -> SRDHM -5 -> -2.5 -> -3; x = -6 -> -1.5 -> -2.
    // +zp_out 4; x = 1000 -> 250 + 4 -> 127.
    const r = quant({ dtype: 'int16', shape: [4], scale: 0.5, zeroPoint: 0 }, { dtype: 'int8', shape: [4], scale: 2, zeroPoint: 4 });
    expect([...r.run([10, -10, -6, 1000])[0]!]).toEqual([7, 1, 2, 127]);
  });

  it('int8 -> int32 and int16 -> int32 keep the full range', () => {
    // QM(256) = (2^30, 9): x -> (x - zp) * 256.
    const r = quant({ dtype: 'int8', shape: [3], scale: 256, zeroPoint: -128 }, { dtype: 'int32', shape: [3], scale: 1, zeroPoint: 0 });
    expect([...r.run([-128, 0, 127])[0]!]).toEqual([0, 32768, 65280]);
    const s = quant({ dtype: 'int16', shape: [2], scale: 1 / 65536, zeroPoint: -32768 }, { dtype: 'int32', shape: [2], scale: 1 / 32768, zeroPoint: 0 });
    // (x + 32768) / 2 with SRDHM ties up then no shift: 1 -> 32769 / 2 = 16384.5 -> 16385.
    expect([...s.run([1, -32768])[0]!]).toEqual([16385, 0]);
  });

  it('int8 <-> uint8 with a 128 zero-point shift is the xor fast path', () => {
    const r = quant({ dtype: 'int8', shape: [3], scale: 0.5, zeroPoint: 0 }, { dtype: 'uint8', shape: [3], scale: 0.5, zeroPoint: 128 });
    expect([...r.run([-128, 0, 127])[0]!]).toEqual([0, 128, 255]);
  });

  it('every 8-bit input value (the table path) and wide inputs (the one-step path) equal the per-element formula', () => {
    // y = clamp(MBQM(x - zp_in, QM(S_in / S_out)) + zp_out) with the kernel's own (multiplier, shift).
    const pairs: [TensorSpec, TensorSpec][] = [
      [{ dtype: 'int8', shape: [256], scale: 0.0371, zeroPoint: -7 }, { dtype: 'int8', shape: [256], scale: 0.0213, zeroPoint: 11 }],
      [{ dtype: 'int8', shape: [256], scale: 0.5, zeroPoint: 3 }, { dtype: 'int16', shape: [256], scale: 0.00077, zeroPoint: 0 }],
      [{ dtype: 'uint8', shape: [256], scale: 0.11, zeroPoint: 130 }, { dtype: 'int8', shape: [256], scale: 0.0379, zeroPoint: -3 }],
      [{ dtype: 'int16', shape: [1000], scale: 0.0013, zeroPoint: 0 }, { dtype: 'int8', shape: [1000], scale: 0.173, zeroPoint: -128 }],
      [{ dtype: 'int16', shape: [1000], scale: 3.1e-5, zeroPoint: 5 }, { dtype: 'int32', shape: [1000], scale: 1.7e-9, zeroPoint: 0 }],
      [{ dtype: 'int32', shape: [1000], scale: 1e-6, zeroPoint: 0 }, { dtype: 'int16', shape: [1000], scale: 0.0007, zeroPoint: 0 }],
    ];
    let seed = 99;
    for (const [input, output] of pairs) {
      const r = quant(input, output);
      const d = r.data as unknown as { multiplier: number; shift: number; qmin: number; qmax: number };
      const n = input.shape[0]!;
      const zpIn = input.zeroPoint as number;
      const zpOut = output.zeroPoint as number;
      const lo = input.dtype === 'int8' ? -128 : input.dtype === 'uint8' ? 0 : input.dtype === 'int16' ? -32768 : -2147483648;
      const span = input.dtype === 'int16' ? 65536 : input.dtype === 'int32' ? 4294967296 : 256;
      const x = Array.from({ length: n }, (_, i) => {
        if (span === 256) return lo + i;
        seed = (Math.imul(seed, 1103515245) + 12345) | 0;
        return i < 2 ? lo + i * (span - 1) : lo + Math.floor(((seed >>> 0) / 4294967296) * span);
      });
      const want = x.map((v) => Math.min(d.qmax, Math.max(d.qmin, multiplyByQuantizedMultiplier((v - zpIn) | 0, d.multiplier, d.shift) + zpOut)));
      expect([...r.run(x)[0]!]).toEqual(want);
    }
  });

  it('refuses pairs TFLM does not run', () => {
    expect(() => quant({ dtype: 'int32', shape: [1], scale: 1 }, { dtype: 'int32', shape: [1], scale: 1 })).toThrow(HarnessError);
    expect(() => quant({ dtype: 'float32', shape: [1] }, { dtype: 'uint8', shape: [1], scale: 1 })).toThrow(HarnessError);
    expect(() => quant({ dtype: 'float32', shape: [2] }, { dtype: 'int8', shape: [2], scale: [1, 2], zeroPoint: [0, 0] })).toThrow(/one scale/);
  });
});

describe('DEQUANTIZE', () => {
  it('float(double(S) * (x - zp)) for int8, int16, uint8', () => {
    const a = runOp(dequantizeKernel, 'DEQUANTIZE', {}, [{ dtype: 'int8', shape: [3], scale: 0.1, zeroPoint: -3 }], [{ dtype: 'float32', shape: [3] }]);
    // f32(0.1) = 0.100000001490116...; * 3 = 0.30000000447 -> float 0.30000001192092896.
    expect([...a.run([0, -3, -128])[0]!]).toEqual([Math.fround(0.30000000447034836), 0, Math.fround(-12.5000001862645)]);
    const b = runOp(dequantizeKernel, 'DEQUANTIZE', {}, [{ dtype: 'int16', shape: [2], scale: 0.5, zeroPoint: 0 }], [{ dtype: 'float32', shape: [2] }]);
    expect([...b.run([-32768, 3])[0]!]).toEqual([-16384, 1.5]);
    const c = runOp(dequantizeKernel, 'DEQUANTIZE', {}, [{ dtype: 'uint8', shape: [2], scale: 2, zeroPoint: 128 }], [{ dtype: 'float32', shape: [2] }]);
    expect([...c.run([255, 0])[0]!]).toEqual([254, -256]);
  });
});
