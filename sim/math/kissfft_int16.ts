/**
 * Fixed-point (int16, FIXED_POINT=16) real FFT with the exact arithmetic of
 * kissfft v130's kiss_fftr / kiss_fft, as TFLM's signal library builds it
 * (signal/src/rfft_int16.cc through kiss_fft_wrappers/kiss_fft_int16.cc,
 * with TFLM's kissfft.patch; forward transform only).
 *
 * The arithmetic that decides the bits:
 * - Values are int16 (kiss_fft_scalar); every store into a complex value or
 *   a scratch variable truncates to int16 (wraps), sums are computed in int.
 * - Products are int16 x int16 in int32, rounded back by
 *   sround(x) = int16((x + 2^14) >> 15) (arithmetic shift).
 * - Every butterfly first divides its inputs by the radix p:
 *   x = sround(x * floor(32767 / p)) ("C_FIXDIV"), so the FFT output is the
 *   DFT divided by N, with rounding at every stage.
 * - Twiddles: floor(0.5 + 32767 * cos(phase)) / sin, phase = -2*pi*i/N in
 *   double; kiss_fftr's extra twiddles use phase = -pi * ((i+1)/N + 0.5).
 * - The complex FFT of N = fft_length/2 points is mixed radix: N is factored
 *   into 4s first, then 2s, then odd primes (kf_factor); each stage applies
 *   radix-p butterflies in decimation-in-time order, after the input has been
 *   permuted as kf_work's recursion reads it. Radices other than 2, 3, 4, 5
 *   go through kf_bfly_generic, which in TFLM's patched build allocates its
 *   scratch with a malloc patched to return NULL: such lengths crash TFLM, so
 *   they are rejected here (`kissFftr16Plan` returns a reason instead).
 */

/** Everything kiss_fftr_alloc precomputes, for one fft_length. */
export interface KissFftr16Plan {
  /** The real FFT length (even). */
  readonly fftLength: number;
  /** ncfft = fftLength / 2, the complex FFT length. */
  readonly n: number;
  /** Stages in execution order (last factor first), each: radix p, sub-length m, stride. */
  readonly stages: readonly { p: number; m: number; fstride: number }[];
  /** Where each complex input lands before the first stage: work[k] = z[perm[k]]. */
  readonly perm: Int32Array;
  /** Twiddles of the complex FFT (n entries). */
  readonly twr: Int16Array;
  readonly twi: Int16Array;
  /** kiss_fftr's super twiddles (n/2 entries). */
  readonly stwr: Int16Array;
  readonly stwi: Int16Array;
  /** Work buffer of the complex FFT (st->tmpbuf). */
  readonly wr: Int16Array;
  readonly wi: Int16Array;
}

const SAMP_MAX = 32767;

/** kiss_fft_alloc's twiddle rule: floor(.5 + 32767 * cos/sin(phase)), stored as int16. */
function twiddle(phase: number, re: Int16Array, im: Int16Array, i: number): void {
  re[i] = Math.floor(0.5 + SAMP_MAX * Math.cos(phase));
  im[i] = Math.floor(0.5 + SAMP_MAX * Math.sin(phase));
}

/** kf_factor: powers of 4, then 2, then odd numbers up to floor(sqrt(n)); the rest is one factor. */
function factor(n: number): { p: number; m: number }[] {
  const out: { p: number; m: number }[] = [];
  const floorSqrt = Math.floor(Math.sqrt(n));
  let p = 4;
  do {
    while (n % p !== 0) {
      p = p === 4 ? 2 : p === 2 ? 3 : p + 2;
      if (p > floorSqrt) p = n;
    }
    n /= p;
    out.push({ p, m: n });
  } while (n > 1);
  return out;
}

/**
 * Precomputes the plan of a forward kiss_fftr of `fftLength` points, or
 * returns a string saying why TFLM cannot run that length.
 */
export function kissFftr16Plan(fftLength: number): KissFftr16Plan | string {
  if (!Number.isInteger(fftLength) || fftLength < 4 || fftLength % 2 !== 0) {
    return `fft_length ${fftLength} is not supported: kiss_fftr needs an even length of at least 4 (odd lengths make TFLM's init fail, 2 reaches a radix-1 butterfly that crashes)`;
  }
  const n = fftLength / 2;
  const factors = factor(n);
  const bad = factors.find((f) => f.p > 5);
  if (bad) {
    return `fft_length ${fftLength} is not supported: its half (${n}) has the factor ${bad.p}; kissfft handles radix > 5 with a scratch buffer that TFLM's patched build never allocates (it crashes)`;
  }
  // Stage s has stride = product of the radices before it; kf_work runs the deepest stage first.
  const stages: { p: number; m: number; fstride: number }[] = [];
  let fstride = 1;
  for (const f of factors) {
    stages.push({ p: f.p, m: f.m, fstride });
    fstride *= f.p;
  }
  stages.reverse();

  // kf_work's recursion: output block at `out` of stage s reads input from `inp` with stride `fs`.
  const perm = new Int32Array(n);
  const place = (s: number, out: number, inp: number, fs: number): void => {
    const { p, m } = factors[s]!;
    if (m === 1) {
      for (let j = 0; j < p; j++) perm[out + j] = inp + j * fs;
    } else {
      for (let j = 0; j < p; j++) place(s + 1, out + j * m, inp + j * fs, fs * p);
    }
  };
  place(0, 0, 0, 1);

  const twr = new Int16Array(n);
  const twi = new Int16Array(n);
  for (let i = 0; i < n; i++) twiddle((-2 * Math.PI * i) / n, twr, twi, i);
  const half = n >> 1;
  const stwr = new Int16Array(half);
  const stwi = new Int16Array(half);
  for (let i = 0; i < half; i++) twiddle(-Math.PI * ((i + 1) / n + 0.5), stwr, stwi, i);

  return { fftLength, n, stages, perm, twr, twi, stwr, stwi, wr: new Int16Array(n), wi: new Int16Array(n) };
}

// ---------------------------------------------------------------- the butterflies
// Locals hold int16 values: `w16` is the truncation C applies when storing into kiss_fft_scalar.

const w16 = (x: number) => (x << 16) >> 16;
/** sround: round a Q30 product back to Q15 and truncate to int16. */
const sround = (x: number) => (((x + 16384) >> 15) << 16) >> 16;

function bfly2(wr: Int16Array, wi: Int16Array, base: number, fstride: number, m: number, twr: Int16Array, twi: Int16Array): void {
  for (let k = 0; k < m; k++) {
    const i0 = base + k;
    const i1 = i0 + m;
    // C_FIXDIV(*, 2): 32767 / 2 = 16383
    const ar = sround(wr[i0]! * 16383);
    const ai = sround(wi[i0]! * 16383);
    const br = sround(wr[i1]! * 16383);
    const bi = sround(wi[i1]! * 16383);
    const t = k * fstride;
    const cr = twr[t]!;
    const ci = twi[t]!;
    const tr = sround(br * cr - bi * ci);
    const ti = sround(br * ci + bi * cr);
    wr[i1] = ar - tr;
    wi[i1] = ai - ti;
    wr[i0] = ar + tr;
    wi[i0] = ai + ti;
  }
}

function bfly3(wr: Int16Array, wi: Int16Array, base: number, fstride: number, m: number, twr: Int16Array, twi: Int16Array): void {
  const epi3i = twi[fstride * m]!;
  for (let k = 0; k < m; k++) {
    const i0 = base + k;
    const i1 = i0 + m;
    const i2 = i1 + m;
    // C_FIXDIV(*, 3): 32767 / 3 = 10922
    const a0r = sround(wr[i0]! * 10922);
    const a0i = sround(wi[i0]! * 10922);
    const a1r = sround(wr[i1]! * 10922);
    const a1i = sround(wi[i1]! * 10922);
    const a2r = sround(wr[i2]! * 10922);
    const a2i = sround(wi[i2]! * 10922);
    const t1 = k * fstride;
    const t2 = 2 * t1;
    const s1r = sround(a1r * twr[t1]! - a1i * twi[t1]!);
    const s1i = sround(a1r * twi[t1]! + a1i * twr[t1]!);
    const s2r = sround(a2r * twr[t2]! - a2i * twi[t2]!);
    const s2i = sround(a2r * twi[t2]! + a2i * twr[t2]!);
    const s3r = w16(s1r + s2r);
    const s3i = w16(s1i + s2i);
    let s0r = w16(s1r - s2r);
    let s0i = w16(s1i - s2i);
    const f1r = w16(a0r - (s3r >> 1));
    const f1i = w16(a0i - (s3i >> 1));
    s0r = sround(s0r * epi3i);
    s0i = sround(s0i * epi3i);
    wr[i0] = a0r + s3r;
    wi[i0] = a0i + s3i;
    wr[i2] = f1r + s0i;
    wi[i2] = f1i - s0r;
    wr[i1] = f1r - s0i;
    wi[i1] = f1i + s0r;
  }
}

function bfly4(wr: Int16Array, wi: Int16Array, base: number, fstride: number, m: number, twr: Int16Array, twi: Int16Array): void {
  for (let k = 0; k < m; k++) {
    const i0 = base + k;
    const i1 = i0 + m;
    const i2 = i1 + m;
    const i3 = i2 + m;
    // C_FIXDIV(*, 4): 32767 / 4 = 8191
    const a0r = sround(wr[i0]! * 8191);
    const a0i = sround(wi[i0]! * 8191);
    const a1r = sround(wr[i1]! * 8191);
    const a1i = sround(wi[i1]! * 8191);
    const a2r = sround(wr[i2]! * 8191);
    const a2i = sround(wi[i2]! * 8191);
    const a3r = sround(wr[i3]! * 8191);
    const a3i = sround(wi[i3]! * 8191);
    const t1 = k * fstride;
    const t2 = 2 * t1;
    const t3 = 3 * t1;
    const s0r = sround(a1r * twr[t1]! - a1i * twi[t1]!);
    const s0i = sround(a1r * twi[t1]! + a1i * twr[t1]!);
    const s1r = sround(a2r * twr[t2]! - a2i * twi[t2]!);
    const s1i = sround(a2r * twi[t2]! + a2i * twr[t2]!);
    const s2r = sround(a3r * twr[t3]! - a3i * twi[t3]!);
    const s2i = sround(a3r * twi[t3]! + a3i * twr[t3]!);
    const s5r = w16(a0r - s1r);
    const s5i = w16(a0i - s1i);
    const f0r = w16(a0r + s1r);
    const f0i = w16(a0i + s1i);
    const s3r = w16(s0r + s2r);
    const s3i = w16(s0i + s2i);
    const s4r = w16(s0r - s2r);
    const s4i = w16(s0i - s2i);
    wr[i2] = f0r - s3r;
    wi[i2] = f0i - s3i;
    wr[i0] = f0r + s3r;
    wi[i0] = f0i + s3i;
    // forward transform (st->inverse == 0)
    wr[i1] = s5r + s4i;
    wi[i1] = s5i - s4r;
    wr[i3] = s5r - s4i;
    wi[i3] = s5i + s4r;
  }
}

function bfly5(wr: Int16Array, wi: Int16Array, base: number, fstride: number, m: number, twr: Int16Array, twi: Int16Array): void {
  const yar = twr[fstride * m]!;
  const yai = twi[fstride * m]!;
  const ybr = twr[2 * fstride * m]!;
  const ybi = twi[2 * fstride * m]!;
  for (let u = 0; u < m; u++) {
    const i0 = base + u;
    const i1 = i0 + m;
    const i2 = i1 + m;
    const i3 = i2 + m;
    const i4 = i3 + m;
    // C_FIXDIV(*, 5): 32767 / 5 = 6553
    const a0r = sround(wr[i0]! * 6553);
    const a0i = sround(wi[i0]! * 6553);
    const a1r = sround(wr[i1]! * 6553);
    const a1i = sround(wi[i1]! * 6553);
    const a2r = sround(wr[i2]! * 6553);
    const a2i = sround(wi[i2]! * 6553);
    const a3r = sround(wr[i3]! * 6553);
    const a3i = sround(wi[i3]! * 6553);
    const a4r = sround(wr[i4]! * 6553);
    const a4i = sround(wi[i4]! * 6553);
    const t1 = u * fstride;
    const t2 = 2 * t1;
    const t3 = 3 * t1;
    const t4 = 4 * t1;
    const s1r = sround(a1r * twr[t1]! - a1i * twi[t1]!);
    const s1i = sround(a1r * twi[t1]! + a1i * twr[t1]!);
    const s2r = sround(a2r * twr[t2]! - a2i * twi[t2]!);
    const s2i = sround(a2r * twi[t2]! + a2i * twr[t2]!);
    const s3r = sround(a3r * twr[t3]! - a3i * twi[t3]!);
    const s3i = sround(a3r * twi[t3]! + a3i * twr[t3]!);
    const s4r = sround(a4r * twr[t4]! - a4i * twi[t4]!);
    const s4i = sround(a4r * twi[t4]! + a4i * twr[t4]!);
    const s7r = w16(s1r + s4r);
    const s7i = w16(s1i + s4i);
    const s10r = w16(s1r - s4r);
    const s10i = w16(s1i - s4i);
    const s8r = w16(s2r + s3r);
    const s8i = w16(s2i + s3i);
    const s9r = w16(s2r - s3r);
    const s9i = w16(s2i - s3i);
    wr[i0] = a0r + (s7r + s8r);
    wi[i0] = a0i + (s7i + s8i);
    const s5r = w16(a0r + sround(s7r * yar) + sround(s8r * ybr));
    const s5i = w16(a0i + sround(s7i * yar) + sround(s8i * ybr));
    const s6r = w16(sround(s10i * yai) + sround(s9i * ybi));
    const s6i = w16(-sround(s10r * yai) - sround(s9r * ybi));
    wr[i1] = s5r - s6r;
    wi[i1] = s5i - s6i;
    wr[i4] = s5r + s6r;
    wi[i4] = s5i + s6i;
    const s11r = w16(a0r + sround(s7r * ybr) + sround(s8r * yar));
    const s11i = w16(a0i + sround(s7i * ybr) + sround(s8i * yar));
    const s12r = w16(-sround(s10i * ybi) + sround(s9i * yai));
    const s12i = w16(sround(s10r * ybi) - sround(s9r * yai));
    wr[i2] = s11r + s12r;
    wi[i2] = s11i + s12i;
    wr[i3] = s11r - s12r;
    wi[i3] = s11i - s12i;
  }
}

/**
 * kiss_fftr (forward): `input` holds fftLength int16 samples starting at
 * `inOff`; writes n + 1 complex bins as interleaved (re, im) int16 into
 * `out` starting at `outOff`. Allocates nothing.
 */
export function kissFftr16(plan: KissFftr16Plan, input: Int16Array, inOff: number, out: Int16Array, outOff: number): void {
  const { n, perm, wr, wi, twr, twi, stwr, stwi, stages } = plan;
  // The real input read as n complex values (even samples real, odd imaginary), permuted.
  for (let k = 0; k < n; k++) {
    const src = inOff + 2 * perm[k]!;
    wr[k] = input[src]!;
    wi[k] = input[src + 1]!;
  }
  for (let s = 0; s < stages.length; s++) {
    const { p, m, fstride } = stages[s]!;
    const span = p * m;
    for (let base = 0; base < n; base += span) {
      switch (p) {
        case 4: bfly4(wr, wi, base, fstride, m, twr, twi); break;
        case 2: bfly2(wr, wi, base, fstride, m, twr, twi); break;
        case 3: bfly3(wr, wi, base, fstride, m, twr, twi); break;
        default: bfly5(wr, wi, base, fstride, m, twr, twi); break;
      }
    }
  }

  // Split the packed transform into the spectrum of the real signal.
  const dcr = sround(wr[0]! * 16383);
  const dci = sround(wi[0]! * 16383);
  out[outOff] = dcr + dci;
  out[outOff + 2 * n] = dcr - dci;
  out[outOff + 1] = 0;
  out[outOff + 2 * n + 1] = 0;
  const half = n >> 1;
  for (let k = 1; k <= half; k++) {
    const kr = n - k;
    const pr = sround(wr[k]! * 16383);
    const pi = sround(wi[k]! * 16383);
    const qr = sround(wr[kr]! * 16383);
    const qi = sround(w16(-wi[kr]!) * 16383); // conj of bin n-k, negated as int16
    const f1r = w16(pr + qr);
    const f1i = w16(pi + qi);
    const f2r = w16(pr - qr);
    const f2i = w16(pi - qi);
    const cr = stwr[k - 1]!;
    const ci = stwi[k - 1]!;
    const tr = sround(f2r * cr - f2i * ci);
    const ti = sround(f2r * ci + f2i * cr);
    const o = outOff + 2 * k;
    out[o] = (f1r + tr) >> 1;
    out[o + 1] = (f1i + ti) >> 1;
    const o2 = outOff + 2 * kr;
    out[o2] = (f1r - tr) >> 1;
    out[o2 + 1] = (ti - f1i) >> 1;
  }
}
