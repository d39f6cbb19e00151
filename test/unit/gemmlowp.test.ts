import { describe, expect, it } from 'vitest';
import {
  saturatingRoundingMultiplyByPOT as pot,
  rescale,
  roundingHalfSum,
  saturatingRoundingDoublingHighMulInt16 as srdhm16,
  expOnNegativeValues,
  oneOverOnePlusXForXIn01,
  oneMinusXOverOnePlusXForXIn01,
  logistic,
  tanh,
  getReciprocal,
} from '../../sim/math/gemmlowp.js';

const MIN = -2147483648;
const MAX = 2147483647;
const Q31 = 2 ** 31;

/*
 * Pinned values marked "native" were produced by gemmlowp 719139ce's
 * fixedpoint.h compiled with g++ on x86-64 (the TFLM golden build's library);
 * the port was also compared with it on ~1.2M random and edge inputs.
 */

describe('SaturatingRoundingMultiplyByPOT / Rescale', () => {
  it('negative exponents round half away from zero', () => {
    expect(pot(5, -1)).toBe(3);
    expect(pot(-5, -1)).toBe(-3);
    expect(pot(6, -2)).toBe(2); // 1.5 -> 2
    expect(pot(-6, -2)).toBe(-2);
    expect(pot(5, -2)).toBe(1); // 1.25 -> 1
  });
  it('positive exponents saturate at ±(2^(31-e) - 1)', () => {
    expect(pot((1 << 29) - 1, 2)).toBe(2147483644);
    expect(pot(1 << 29, 2)).toBe(MAX);
    expect(pot(-((1 << 29) - 1), 2)).toBe(-2147483644);
    // -2^29 · 4 = -2^31 would fit, but gemmlowp's threshold is symmetric: it saturates (to the same value).
    expect(pot(-(1 << 29), 2)).toBe(MIN);
    expect(pot(MIN, 1)).toBe(MIN);
    expect(pot(123, 0)).toBe(123);
  });
  it('Rescale uses src - dst integer bits as the exponent', () => {
    expect(rescale(1 << 20, 0, 12)).toBe(1 << 8); // Q0.31 -> Q12.19
    expect(rescale(-3, 4, 2)).toBe(-12);
  });
});

describe('RoundingHalfSum / int16 SRDHM', () => {
  it('RoundingHalfSum rounds half away from zero without overflow', () => {
    expect(roundingHalfSum(0, MAX)).toBe(1073741824);
    expect(roundingHalfSum(MAX, MAX)).toBe(MAX);
    expect(roundingHalfSum(MIN, MIN)).toBe(MIN);
    expect(roundingHalfSum(-1, 0)).toBe(-1);
    expect(roundingHalfSum(1, 0)).toBe(1);
    expect(roundingHalfSum(-3, 0)).toBe(-2);
  });
  it('int16 SRDHM: rounding nudge, truncation, saturation', () => {
    expect(srdhm16(-32768, -32768)).toBe(32767);
    expect(srdhm16(16384, 16384)).toBe(8192);
    expect(srdhm16(1, 16384)).toBe(1); // 0.5 -> up
    expect(srdhm16(-1, 16384)).toBe(0); // -0.5 -> toward +inf
    expect(srdhm16(-3, 16384)).toBe(-1); // -1.5 -> -1
    expect(srdhm16(32767, -32768)).toBe(-32767);
  });
});

describe('exp_on_negative_values', () => {
  it('exp(0) is One() = INT32_MAX for every format', () => {
    for (const n of [0, 4, 5, 6]) expect(expOnNegativeValues(0, n)).toBe(MAX);
  });
  it('pinned native values', () => {
    expect(expOnNegativeValues(-(1 << 26), 5)).toBe(790015308); // exp(-1); exact 790015084.9
    expect(expOnNegativeValues(-(1 << 24), 5)).toBe(1672462419); // exp(-1/4)
    expect(expOnNegativeValues(-1, 4)).toBe(2147483140);
    expect(expOnNegativeValues(MIN, 5)).toBe(0); // exp(-32)
  });
  it('clamps below -32 to zero only with more than 5 integer bits', () => {
    const minus32Q6 = -(1 << 30); // -32 in Q6.25
    expect(expOnNegativeValues(minus32Q6 - 1, 6)).toBe(0);
    expect(expOnNegativeValues(MIN, 6)).toBe(0);
  });
  it('tracks exp() to within 2^-21 and never increases', () => {
    let prev = MAX;
    for (let k = 0; k <= 4000; k++) {
      const raw = -Math.round((k / 4000) * 31.99 * 2 ** 26); // 0 .. -31.99 in Q5.26
      const v = expOnNegativeValues(raw, 5);
      expect(v).toBeLessThanOrEqual(prev);
      prev = v;
      expect(Math.abs(v / Q31 - Math.exp(raw / 2 ** 26))).toBeLessThan(2 ** -21);
    }
  });
});

describe('one_over_one_plus_x / one_minus_x_over_one_plus_x', () => {
  it('pinned native values at the ends of [0, 1]', () => {
    expect(oneOverOnePlusXForXIn01(0)).toBe(MAX); // 1/(1+0) saturates to One()
    expect(oneOverOnePlusXForXIn01(MAX)).toBe(1073741820); // ~1/2
    expect(oneOverOnePlusXForXIn01(1 << 30)).toBe(1431655762); // 1/1.5 = 1431655765.3
    expect(oneMinusXOverOnePlusXForXIn01(0)).toBe(MAX);
    expect(oneMinusXOverOnePlusXForXIn01(MAX)).toBe(-8); // ~0, slightly negative
  });
  it('is within 2^-28 of 1/(1+x) over the interval', () => {
    for (let k = 0; k <= 1000; k++) {
      const a = Math.min(MAX, Math.round((k / 1000) * Q31));
      expect(Math.abs(oneOverOnePlusXForXIn01(a) / Q31 - 1 / (1 + a / Q31))).toBeLessThan(2 ** -28);
    }
  });
});

describe('logistic / tanh', () => {
  it('logistic(0) = 1/2 and tanh(0) = 0 exactly', () => {
    expect(logistic(0, 4)).toBe(1 << 30);
    expect(tanh(0, 4)).toBe(0);
  });
  it('logistic(x) + logistic(-x) = One() and tanh is odd (by construction)', () => {
    for (const a of [1, 12345, 1 << 27, 987654321, MAX]) {
      expect((logistic(a, 4) + logistic(-a, 4)) | 0).toBe(MAX);
      expect(tanh(-a, 4)).toBe(-tanh(a, 4));
    }
  });
  it('pinned native values, including the INT32_MIN wrap-around', () => {
    expect(logistic(1 << 27, 4)).toBe(1569936226); // sigmoid(1) = 0.7310586 -> 1569936256
    expect(logistic(-(1 << 27), 4)).toBe(577547421);
    expect(logistic(MAX, 4)).toBe(2147483406);
    expect(logistic(MIN, 4)).toBe(241); // -INT32_MIN wraps; result is still ~sigmoid(-16)
    expect(tanh(1 << 27, 4)).toBe(1635510876); // tanh(1) = 0.7615942 -> 1635509928
    expect(tanh(MAX, 4)).toBe(MAX);
    expect(tanh(MIN, 4)).toBe(-2147483647);
  });
  it('tracks the real functions', () => {
    for (let k = -1000; k <= 1000; k++) {
      const a = k * 2 ** 27 * 0.01; // -10 .. 10 in Q4.27
      const raw = Math.round(a);
      expect(Math.abs(logistic(raw, 4) / Q31 - 1 / (1 + Math.exp(-raw / 2 ** 27)))).toBeLessThan(2 ** -23);
      expect(Math.abs(tanh(raw, 4) / Q31 - Math.tanh(raw / 2 ** 27))).toBeLessThan(2 ** -22);
    }
  });
});

describe('GetReciprocal', () => {
  const bits = new Int32Array(1);
  it('1.0 in Q12.19 -> 1/1 with no extra bits', () => {
    expect(getReciprocal(1 << 19, 12, bits)).toBe(MAX);
    expect(bits[0]).toBe(0);
  });
  it('3.0 in Q12.19 -> 1/1.5 with one extra bit (1/3 = (1/1.5) / 2)', () => {
    expect(getReciprocal(3 << 19, 12, bits)).toBe(1431655762);
    expect(bits[0]).toBe(1);
  });
  it('x = 0 and negative x follow the C uint32 arithmetic (x86 shift masking)', () => {
    expect(getReciprocal(0, 12, bits)).toBe(-1515870788);
    expect(bits[0]).toBe(-20);
    expect(getReciprocal(-1, 12, bits)).toBe(1073741820);
    expect(bits[0]).toBe(12);
  });
});
