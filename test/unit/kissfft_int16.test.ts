import { describe, it, expect } from 'vitest';
import { kissFftr16, kissFftr16Plan, type KissFftr16Plan } from '../../sim/math/kissfft_int16.js';

function plan(n: number): KissFftr16Plan {
  const p = kissFftr16Plan(n);
  if (typeof p === 'string') throw new Error(p);
  return p;
}

function rfft(x: ArrayLike<number>): Int16Array {
  const p = plan(x.length);
  const out = new Int16Array(x.length + 2);
  kissFftr16(p, Int16Array.from(x), 0, out, 0);
  return out;
}

/** Float DFT of a real signal divided by N (what kiss_fftr's fixed-point output approximates). */
function dftOverN(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const out = new Float64Array(n + 2);
  for (let k = 0; k <= n / 2; k++) {
    let re = 0;
    let im = 0;
    for (let t = 0; t < n; t++) {
      re += x[t]! * Math.cos((2 * Math.PI * k * t) / n);
      im -= x[t]! * Math.sin((2 * Math.PI * k * t) / n);
    }
    out[2 * k] = re / n;
    out[2 * k + 1] = im / n;
  }
  return out;
}

describe('kiss_fftr int16: hand-checked inputs', () => {
  it('impulse of 16384, length 8: every bin is 16384/8 = 2048', () => {
    // One radix-4 stage: 16384 * 8191 rounds to 4096 in each output; the real
    // split halves again (4096 * 16383 -> 2048), and (4096 + 0) >> 1 = 2048.
    expect(Array.from(rfft([16384, 0, 0, 0, 0, 0, 0, 0]))).toEqual([2048, 0, 2048, 0, 2048, 0, 2048, 0, 2048, 0]);
  });

  it('DC of 8000, length 8: bin 0 is 8000, the rest 0', () => {
    // Butterfly inputs 8000 * 8191 -> 2000; twiddle 32767 keeps 2000; sums 4 * 2000 = 8000 at bin 0.
    expect(Array.from(rfft(new Array(8).fill(8000)))).toEqual([8000, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('alternating +-8000, length 8: only the Nyquist bin, 8000', () => {
    expect(Array.from(rfft([8000, -8000, 8000, -8000, 8000, -8000, 8000, -8000]))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 8000, 0]);
  });

  it('impulse of 16384, length 512 (the audio preprocessor): four radix-4 stages, every bin 32', () => {
    // 16384 -> 4096 -> 1024 -> 256 -> 64 through the stages, 64 * 16383 -> 32 in the split.
    const x = new Int16Array(512);
    x[0] = 16384;
    const out = rfft(x);
    for (let k = 0; k <= 256; k++) {
      expect(out[2 * k], `bin ${k} re`).toBe(32);
      expect(out[2 * k + 1], `bin ${k} im`).toBe(0);
    }
  });

  it('zero in, zero out; the padding bins of the output are written', () => {
    const p = plan(16);
    const out = new Int16Array(18).fill(123);
    kissFftr16(p, new Int16Array(16), 0, out, 0);
    expect(Array.from(out)).toEqual(new Array(18).fill(0));
  });

  it('reads and writes at the given offsets only', () => {
    const p = plan(8);
    const input = new Int16Array(12);
    input.set([16384, 0, 0, 0, 0, 0, 0, 0], 4);
    const out = new Int16Array(14).fill(-1);
    kissFftr16(p, input, 4, out, 2);
    expect(Array.from(out)).toEqual([-1, -1, 2048, 0, 2048, 0, 2048, 0, 2048, 0, 2048, 0, -1, -1]);
  });
});

describe('kiss_fftr int16: all radices against a float DFT / N', () => {
  // The complex half-length n = length/2 is factored 4s first, then 2, 3, 5: e.g. 8 -> 4, 12 -> 2*3,
  // 16 -> 4*2, 18 -> 3*3, 20 -> 2*5, 60 -> 2*3*5, 512 -> 4^4. (Bit-exactness of every radix was also
  // checked against kissfft v130 compiled with gcc; here the float DFT bounds the error.)
  const lengths = [4, 6, 8, 10, 12, 16, 18, 20, 24, 30, 40, 48, 60, 100, 512];
  for (const n of lengths) {
    it(`length ${n}`, () => {
      let s = n * 7919;
      const x = new Int16Array(n);
      for (let i = 0; i < n; i++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        x[i] = ((s >>> 16) % 16001) - 8000;
      }
      const got = rfft(x);
      const want = dftOverN(x);
      let worst = 0;
      for (let i = 0; i < n + 2; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      // Each stage rounds (about half an LSB of its own scale); a handful of LSBs in all.
      expect(worst).toBeLessThan(4);
    });
  }
});

describe('kiss_fftr int16: plans', () => {
  it('factors like kf_factor: 4s first, then 2, then odd primes', () => {
    expect(plan(512).stages.map((s) => s.p)).toEqual([4, 4, 4, 4]);
    // n = 8: 4 then 2; stages run deepest first.
    expect(plan(16).stages.map((s) => [s.p, s.m, s.fstride])).toEqual([[2, 1, 4], [4, 2, 1]]);
    expect(plan(60).stages.map((s) => s.p)).toEqual([5, 3, 2]); // 30 = 2 * 3 * 5
  });

  it('twiddles follow floor(0.5 + 32767 * cos/sin)', () => {
    const p = plan(8); // n = 4: 1, -i, -1, i
    expect(Array.from(p.twr)).toEqual([32767, 0, -32767, 0]);
    expect(Array.from(p.twi)).toEqual([0, -32767, 0, 32767]);
    // super twiddles: phase -pi * ((i + 1) / 4 + 0.5), i = 0, 1
    expect(Array.from(p.stwr)).toEqual([Math.floor(0.5 + 32767 * Math.cos(-Math.PI * 0.75)), Math.floor(0.5 + 32767 * Math.cos(-Math.PI))]);
    expect(Array.from(p.stwr)).toEqual([-23170, -32767]);
  });

  it('refuses the lengths TFLM cannot run', () => {
    expect(kissFftr16Plan(7)).toMatch(/even length/);
    expect(kissFftr16Plan(2)).toMatch(/even length/);
    expect(kissFftr16Plan(0)).toMatch(/even length/);
    expect(kissFftr16Plan(14)).toMatch(/factor 7/);
    expect(kissFftr16Plan(2 * 11 * 4)).toMatch(/factor 11/);
    expect(typeof kissFftr16Plan(6)).toBe('object');
  });
});
