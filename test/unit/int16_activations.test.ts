import { describe, it, expect } from 'vitest';
import { logisticInt16, tanhInt16 } from '../../sim/math/int16_activations.js';

function logistic(mul: number, shift: number, xs: number[]): number[] {
  const out = new Int16Array(xs.length);
  logisticInt16(mul, shift, xs.length, Int16Array.from(xs), out);
  return [...out];
}

function tanh(mul: number, shift: number, xs: number[]): number[] {
  const out = new Int16Array(xs.length);
  tanhInt16(mul, shift, xs.length, Int16Array.from(xs), out);
  return [...out];
}

describe('logisticInt16', () => {
  it('zero multiplier means 3 << shift (Q3.12 input with the LSTM parameters 0, 0)', () => {
    // x = 3 * in; 0 -> table[0] = 32768 -> (32768*512 + 512) >> 10 = 16384.
    // 1024 (0.25) -> x = 3072 = 6 steps exactly -> (36843*512 + 512) >> 10 = 18422.
    // -1024 -> (2^25 - 36843*512 + 511) >> 10 = 14346 (= 32768 - 18422).
    expect(logistic(0, 0, [0, 1024, -1024])).toEqual([16384, 18422, 14346]);
  });

  it('interpolates between table entries on the low 9 bits', () => {
    // 100 -> x = 300: (32768*512 + 300*(33451-32768) + 512) >> 10 = 16982628 >> 10 = 16584.
    expect(logistic(0, 0, [100])).toEqual([16584]);
  });

  it('uses a non-zero multiplier with a rounding right shift', () => {
    // mul 5, shift 1: 3 -> (15+1)>>1 = 8; -3 -> (-15+1)>>1 = -7.
    // 8: (16777216 + 8*683 + 512) >> 10 = 16389; -7: (2^25 - (16777216 + 7*683) + 511) >> 10 = 16379.
    expect(logistic(5, 1, [3, -3])).toEqual([16389, 16379]);
  });

  it('saturates at 255 table steps', () => {
    // mul 0, shift 2 -> x = 12 * in; 32767 and -32768 are far beyond 255*512.
    expect(logistic(0, 2, [32767, -32768])).toEqual([32767, 1]);
  });

  it('honours input and output offsets', () => {
    const input = Int16Array.from([7, 7, 1024, -1024]);
    const out = new Int16Array(5);
    logisticInt16(0, 0, 2, input, out, 2, 3);
    expect([...out]).toEqual([0, 0, 0, 18422, 14346]);
  });

  it('stays within one LSB-ish of the float sigmoid over the Q3.12 range', () => {
    const xs: number[] = [];
    for (let v = -32768; v <= 32767; v += 97) xs.push(v);
    const ys = logistic(0, 0, xs);
    for (let i = 0; i < xs.length; i++) {
      const ref = 32768 / (1 + Math.exp(-xs[i]! / 4096));
      expect(Math.abs(ys[i]! - ref)).toBeLessThan(4);
    }
  });
});

describe('tanhInt16', () => {
  it('zero multiplier means 3 << shift', () => {
    // 0 -> (32768*256 - 2^23 + 128) >> 8 = 0.
    // 1024 -> x = 3072, 12 steps: (40794*256 - 2^23 + 128) >> 8 = 8026; -1024 -> (2^23 + 127 - 40794*256) >> 8 = -8026.
    expect(tanh(0, 0, [0, 1024, -1024])).toEqual([0, 8026, -8026]);
  });

  it('interpolates on the low 8 bits', () => {
    // 100 -> x = 300 = step 1 + 44/256: (33451*256 + 44*682 - 2^23 + 128) >> 8 = 800.
    expect(tanh(0, 0, [100])).toEqual([800]);
  });

  it('rounds the scaled input with a right shift (the LSTM negative-shift case)', () => {
    // mul 3, shift 3: 5 -> (15+4)>>3 = 2; -5 -> (-15+4)>>3 = -2.
    // 2: (32768*256 + 2*683 - 2^23 + 128) >> 8 = 5; -2: (2^23 + 127 - 32768*256 - 1366) >> 8 = -5.
    expect(tanh(3, 3, [5, -5])).toEqual([5, -5]);
  });

  it('saturates to +-32767', () => {
    expect(tanh(0, 3, [32767, -32768])).toEqual([32767, -32767]);
  });

  it('stays close to the float tanh over the Q3.12 range', () => {
    const xs: number[] = [];
    for (let v = -32768; v <= 32767; v += 101) xs.push(v);
    const ys = tanh(0, 0, xs);
    for (let i = 0; i < xs.length; i++) {
      const ref = 32768 * Math.tanh(xs[i]! / 4096);
      expect(Math.abs(ys[i]! - ref)).toBeLessThan(6);
    }
  });
});
