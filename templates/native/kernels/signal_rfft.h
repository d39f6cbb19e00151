// tinyforge native kernel: CUSTOM:SignalRfft int16 (TFLM signal/src/rfft_int16.cc through kissfft v130 kiss_fftr, FIXED_POINT=16, forward only; as sim/math/kissfft_int16.ts).
#pragma once
#include <stdint.h>

// kiss_fft_scalar arithmetic: every store truncates to int16; products are
// int16 x int16 in int32 (sums of two wrap in C's int: done in uint32 here),
// rounded back by sround(x) = int16((x + 2^14) >> 15).
static inline int32_t tf_kf_w16(int32_t x) { return (int16_t)x; }
static inline int32_t tf_kf_sround(uint32_t x) { return (int16_t)((int32_t)(x + 16384u) >> 15); }
static inline int32_t tf_kf_mul(int32_t a, int32_t b) { return tf_kf_sround((uint32_t)(a * b)); }
// Real / imaginary part of (ar + i ai) * (br + i bi), rounded.
static inline int32_t tf_kf_cmul_r(int32_t ar, int32_t ai, int32_t br, int32_t bi) {
  return tf_kf_sround((uint32_t)(ar * br) - (uint32_t)(ai * bi));
}
static inline int32_t tf_kf_cmul_i(int32_t ar, int32_t ai, int32_t br, int32_t bi) {
  return tf_kf_sround((uint32_t)(ar * bi) + (uint32_t)(ai * br));
}

static inline void tf_kf_bfly2(int16_t* wr, int16_t* wi, int base, int fstride, int m, const int16_t* twr, const int16_t* twi) {
  for (int k = 0; k < m; k++) {
    const int i0 = base + k, i1 = i0 + m;
    const int32_t ar = tf_kf_mul(wr[i0], 16383), ai = tf_kf_mul(wi[i0], 16383);
    const int32_t br = tf_kf_mul(wr[i1], 16383), bi = tf_kf_mul(wi[i1], 16383);
    const int t = k * fstride;
    const int32_t tr = tf_kf_cmul_r(br, bi, twr[t], twi[t]);
    const int32_t ti = tf_kf_cmul_i(br, bi, twr[t], twi[t]);
    wr[i1] = (int16_t)(ar - tr);
    wi[i1] = (int16_t)(ai - ti);
    wr[i0] = (int16_t)(ar + tr);
    wi[i0] = (int16_t)(ai + ti);
  }
}

static inline void tf_kf_bfly3(int16_t* wr, int16_t* wi, int base, int fstride, int m, const int16_t* twr, const int16_t* twi) {
  const int32_t epi3i = twi[fstride * m];
  for (int k = 0; k < m; k++) {
    const int i0 = base + k, i1 = i0 + m, i2 = i1 + m;
    const int32_t a0r = tf_kf_mul(wr[i0], 10922), a0i = tf_kf_mul(wi[i0], 10922);
    const int32_t a1r = tf_kf_mul(wr[i1], 10922), a1i = tf_kf_mul(wi[i1], 10922);
    const int32_t a2r = tf_kf_mul(wr[i2], 10922), a2i = tf_kf_mul(wi[i2], 10922);
    const int t1 = k * fstride, t2 = 2 * t1;
    const int32_t s1r = tf_kf_cmul_r(a1r, a1i, twr[t1], twi[t1]), s1i = tf_kf_cmul_i(a1r, a1i, twr[t1], twi[t1]);
    const int32_t s2r = tf_kf_cmul_r(a2r, a2i, twr[t2], twi[t2]), s2i = tf_kf_cmul_i(a2r, a2i, twr[t2], twi[t2]);
    const int32_t s3r = tf_kf_w16(s1r + s2r), s3i = tf_kf_w16(s1i + s2i);
    int32_t s0r = tf_kf_w16(s1r - s2r), s0i = tf_kf_w16(s1i - s2i);
    const int32_t f1r = tf_kf_w16(a0r - (s3r >> 1)), f1i = tf_kf_w16(a0i - (s3i >> 1));
    s0r = tf_kf_mul(s0r, epi3i);
    s0i = tf_kf_mul(s0i, epi3i);
    wr[i0] = (int16_t)(a0r + s3r);
    wi[i0] = (int16_t)(a0i + s3i);
    wr[i2] = (int16_t)(f1r + s0i);
    wi[i2] = (int16_t)(f1i - s0r);
    wr[i1] = (int16_t)(f1r - s0i);
    wi[i1] = (int16_t)(f1i + s0r);
  }
}

static inline void tf_kf_bfly4(int16_t* wr, int16_t* wi, int base, int fstride, int m, const int16_t* twr, const int16_t* twi) {
  for (int k = 0; k < m; k++) {
    const int i0 = base + k, i1 = i0 + m, i2 = i1 + m, i3 = i2 + m;
    const int32_t a0r = tf_kf_mul(wr[i0], 8191), a0i = tf_kf_mul(wi[i0], 8191);
    const int32_t a1r = tf_kf_mul(wr[i1], 8191), a1i = tf_kf_mul(wi[i1], 8191);
    const int32_t a2r = tf_kf_mul(wr[i2], 8191), a2i = tf_kf_mul(wi[i2], 8191);
    const int32_t a3r = tf_kf_mul(wr[i3], 8191), a3i = tf_kf_mul(wi[i3], 8191);
    const int t1 = k * fstride, t2 = 2 * t1, t3 = 3 * t1;
    const int32_t s0r = tf_kf_cmul_r(a1r, a1i, twr[t1], twi[t1]), s0i = tf_kf_cmul_i(a1r, a1i, twr[t1], twi[t1]);
    const int32_t s1r = tf_kf_cmul_r(a2r, a2i, twr[t2], twi[t2]), s1i = tf_kf_cmul_i(a2r, a2i, twr[t2], twi[t2]);
    const int32_t s2r = tf_kf_cmul_r(a3r, a3i, twr[t3], twi[t3]), s2i = tf_kf_cmul_i(a3r, a3i, twr[t3], twi[t3]);
    const int32_t s5r = tf_kf_w16(a0r - s1r), s5i = tf_kf_w16(a0i - s1i);
    const int32_t f0r = tf_kf_w16(a0r + s1r), f0i = tf_kf_w16(a0i + s1i);
    const int32_t s3r = tf_kf_w16(s0r + s2r), s3i = tf_kf_w16(s0i + s2i);
    const int32_t s4r = tf_kf_w16(s0r - s2r), s4i = tf_kf_w16(s0i - s2i);
    wr[i2] = (int16_t)(f0r - s3r);
    wi[i2] = (int16_t)(f0i - s3i);
    wr[i0] = (int16_t)(f0r + s3r);
    wi[i0] = (int16_t)(f0i + s3i);
    wr[i1] = (int16_t)(s5r + s4i);
    wi[i1] = (int16_t)(s5i - s4r);
    wr[i3] = (int16_t)(s5r - s4i);
    wi[i3] = (int16_t)(s5i + s4r);
  }
}

static inline void tf_kf_bfly5(int16_t* wr, int16_t* wi, int base, int fstride, int m, const int16_t* twr, const int16_t* twi) {
  const int32_t yar = twr[fstride * m], yai = twi[fstride * m];
  const int32_t ybr = twr[2 * fstride * m], ybi = twi[2 * fstride * m];
  for (int u = 0; u < m; u++) {
    const int i0 = base + u, i1 = i0 + m, i2 = i1 + m, i3 = i2 + m, i4 = i3 + m;
    const int32_t a0r = tf_kf_mul(wr[i0], 6553), a0i = tf_kf_mul(wi[i0], 6553);
    const int32_t a1r = tf_kf_mul(wr[i1], 6553), a1i = tf_kf_mul(wi[i1], 6553);
    const int32_t a2r = tf_kf_mul(wr[i2], 6553), a2i = tf_kf_mul(wi[i2], 6553);
    const int32_t a3r = tf_kf_mul(wr[i3], 6553), a3i = tf_kf_mul(wi[i3], 6553);
    const int32_t a4r = tf_kf_mul(wr[i4], 6553), a4i = tf_kf_mul(wi[i4], 6553);
    const int t1 = u * fstride, t2 = 2 * t1, t3 = 3 * t1, t4 = 4 * t1;
    const int32_t s1r = tf_kf_cmul_r(a1r, a1i, twr[t1], twi[t1]), s1i = tf_kf_cmul_i(a1r, a1i, twr[t1], twi[t1]);
    const int32_t s2r = tf_kf_cmul_r(a2r, a2i, twr[t2], twi[t2]), s2i = tf_kf_cmul_i(a2r, a2i, twr[t2], twi[t2]);
    const int32_t s3r = tf_kf_cmul_r(a3r, a3i, twr[t3], twi[t3]), s3i = tf_kf_cmul_i(a3r, a3i, twr[t3], twi[t3]);
    const int32_t s4r = tf_kf_cmul_r(a4r, a4i, twr[t4], twi[t4]), s4i = tf_kf_cmul_i(a4r, a4i, twr[t4], twi[t4]);
    const int32_t s7r = tf_kf_w16(s1r + s4r), s7i = tf_kf_w16(s1i + s4i);
    const int32_t s10r = tf_kf_w16(s1r - s4r), s10i = tf_kf_w16(s1i - s4i);
    const int32_t s8r = tf_kf_w16(s2r + s3r), s8i = tf_kf_w16(s2i + s3i);
    const int32_t s9r = tf_kf_w16(s2r - s3r), s9i = tf_kf_w16(s2i - s3i);
    wr[i0] = (int16_t)(a0r + (s7r + s8r));
    wi[i0] = (int16_t)(a0i + (s7i + s8i));
    const int32_t s5r = tf_kf_w16(a0r + tf_kf_mul(s7r, yar) + tf_kf_mul(s8r, ybr));
    const int32_t s5i = tf_kf_w16(a0i + tf_kf_mul(s7i, yar) + tf_kf_mul(s8i, ybr));
    const int32_t s6r = tf_kf_w16(tf_kf_mul(s10i, yai) + tf_kf_mul(s9i, ybi));
    const int32_t s6i = tf_kf_w16(-tf_kf_mul(s10r, yai) - tf_kf_mul(s9r, ybi));
    wr[i1] = (int16_t)(s5r - s6r);
    wi[i1] = (int16_t)(s5i - s6i);
    wr[i4] = (int16_t)(s5r + s6r);
    wi[i4] = (int16_t)(s5i + s6i);
    const int32_t s11r = tf_kf_w16(a0r + tf_kf_mul(s7r, ybr) + tf_kf_mul(s8r, yar));
    const int32_t s11i = tf_kf_w16(a0i + tf_kf_mul(s7i, ybr) + tf_kf_mul(s8i, yar));
    const int32_t s12r = tf_kf_w16(-tf_kf_mul(s10i, ybi) + tf_kf_mul(s9i, yai));
    const int32_t s12i = tf_kf_w16(tf_kf_mul(s10r, ybi) - tf_kf_mul(s9r, yai));
    wr[i2] = (int16_t)(s11r + s12r);
    wi[i2] = (int16_t)(s11i + s12i);
    wr[i3] = (int16_t)(s11r - s12r);
    wi[i3] = (int16_t)(s11i - s12i);
  }
}

// Each of ROWS rows of IN_LEN samples, zero padded to FFT_LEN, becomes N + 1
// complex bins (N = FFT_LEN / 2) as interleaved int16. Plan (from the
// simulator's kissFftr16Plan): stages = NSTAGES (p, m, fstride) triples in
// execution order; perm[k] = which complex input lands at work slot k;
// tw = N twiddles (re, im arrays), stw = N / 2 super twiddles.
// scratch: 2 * N int16 (the complex work buffer).
template <int FFT_LEN, int IN_LEN, int ROWS, int NSTAGES>
static inline void tf_signal_rfft(const int16_t* input, int16_t* output, const int32_t* stages, const int32_t* perm,
                                  const int16_t* twr, const int16_t* twi, const int16_t* stwr, const int16_t* stwi,
                                  int16_t* scratch) {
  const int N = FFT_LEN / 2;
  int16_t* wr = scratch;
  int16_t* wi = scratch + N;
  for (int row = 0; row < ROWS; row++) {
    const int16_t* x = input + row * IN_LEN;
    int16_t* out = output + row * (FFT_LEN + 2);
    // The real input read as N complex values (even samples real, odd imaginary), permuted.
    for (int k = 0; k < N; k++) {
      const int src = 2 * perm[k];
      wr[k] = src < IN_LEN ? x[src] : (int16_t)0;
      wi[k] = src + 1 < IN_LEN ? x[src + 1] : (int16_t)0;
    }
    for (int s = 0; s < NSTAGES; s++) {
      const int p = stages[3 * s], m = stages[3 * s + 1], fstride = stages[3 * s + 2];
      for (int base = 0; base < N; base += p * m) {
        switch (p) {
          case 4: tf_kf_bfly4(wr, wi, base, fstride, m, twr, twi); break;
          case 2: tf_kf_bfly2(wr, wi, base, fstride, m, twr, twi); break;
          case 3: tf_kf_bfly3(wr, wi, base, fstride, m, twr, twi); break;
          default: tf_kf_bfly5(wr, wi, base, fstride, m, twr, twi); break;
        }
      }
    }
    // Split the packed transform into the spectrum of the real signal.
    const int32_t dcr = tf_kf_mul(wr[0], 16383), dci = tf_kf_mul(wi[0], 16383);
    out[0] = (int16_t)(dcr + dci);
    out[2 * N] = (int16_t)(dcr - dci);
    out[1] = 0;
    out[2 * N + 1] = 0;
    for (int k = 1; k <= N / 2; k++) {
      const int kr = N - k;
      const int32_t pr = tf_kf_mul(wr[k], 16383), pi = tf_kf_mul(wi[k], 16383);
      const int32_t qr = tf_kf_mul(wr[kr], 16383), qi = tf_kf_mul(tf_kf_w16(-wi[kr]), 16383);
      const int32_t f1r = tf_kf_w16(pr + qr), f1i = tf_kf_w16(pi + qi);
      const int32_t f2r = tf_kf_w16(pr - qr), f2i = tf_kf_w16(pi - qi);
      const int32_t tr = tf_kf_cmul_r(f2r, f2i, stwr[k - 1], stwi[k - 1]);
      const int32_t ti = tf_kf_cmul_i(f2r, f2i, stwr[k - 1], stwi[k - 1]);
      out[2 * k] = (int16_t)((f1r + tr) >> 1);
      out[2 * k + 1] = (int16_t)((f1i + ti) >> 1);
      out[2 * kr] = (int16_t)((f1r - tr) >> 1);
      out[2 * kr + 1] = (int16_t)((ti - f1i) >> 1);
    }
  }
}
