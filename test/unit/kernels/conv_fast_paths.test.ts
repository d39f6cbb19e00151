/**
 * The int8 fast paths of CONV_2D (packed row pairs, raw-x patches with the
 * zero point folded into the bias, four pixels per weight pass) and
 * DEPTHWISE_CONV_2D (zp-bordered input copy, pixel pairs) against a plain
 * reference written the way TFLM's reference loops are (skip out-of-image
 * taps, sum w * (x - zp_in), add bias, MultiplyByQuantizedMultiplier, zp,
 * clamp), on random shapes chosen to hit borders, odd pixel counts, groups,
 * dilation, extreme zero points and the packing depth limit.
 */
import { describe, it, expect } from 'vitest';
import { computePaddingHeightWidth } from '../../../sim/kernels/_conv_common.js';
import { conv2dKernel } from '../../../sim/kernels/conv_2d.js';
import { depthwiseConv2dKernel } from '../../../sim/kernels/depthwise_conv_2d.js';
import { calculateActivationRangeQuantized, multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../../sim/math/fixedpoint.js';
import type { Kernel } from '../../../sim/kernels/types.js';
import { runOp } from './_op_harness.js';

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 4294967296) * n);
  };
}

interface Case {
  n: number; h: number; w: number; inC: number; outC: number; fh: number; fw: number; groups: number; dm: number;
  sh: number; sw: number; dh: number; dw: number; padding: 'SAME' | 'VALID'; zpIn: number; zpOut: number;
  depthwise: boolean; activation: 'NONE' | 'RELU6';
}

/** TFLM-style reference: one output element at a time. */
function reference(c: Case, x: Int8Array, wts: Int8Array, bias: Int32Array, mult: Int32Array, shift: Int32Array,
  outH: number, outW: number, padH: number, padW: number, actMin: number, actMax: number): Int8Array {
  const out = new Int8Array(c.n * outH * outW * c.outC);
  const filterC = c.depthwise ? 1 : c.inC / c.groups;
  const perGroup = c.outC / c.groups;
  for (let b = 0; b < c.n; b++) for (let oy = 0; oy < outH; oy++) for (let ox = 0; ox < outW; ox++) for (let oc = 0; oc < c.outC; oc++) {
    let acc = 0;
    for (let fy = 0; fy < c.fh; fy++) for (let fx = 0; fx < c.fw; fx++) {
      const iy = oy * c.sh - padH + c.dh * fy;
      const ix = ox * c.sw - padW + c.dw * fx;
      if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
      for (let ic = 0; ic < filterC; ic++) {
        const inCh = c.depthwise ? Math.floor(oc / c.dm) : Math.floor(oc / perGroup) * filterC + ic;
        const xv = x[((b * c.h + iy) * c.w + ix) * c.inC + inCh]! - c.zpIn;
        const wv = c.depthwise ? wts[(fy * c.fw + fx) * c.outC + oc]! : wts[((oc * c.fh + fy) * c.fw + fx) * filterC + ic]!;
        acc += xv * wv;
      }
    }
    let v = multiplyByQuantizedMultiplier((acc + bias[oc]!) | 0, mult[oc]!, shift[oc]!) + c.zpOut;
    v = Math.min(actMax, Math.max(actMin, v));
    out[((b * outH + oy) * outW + ox) * c.outC + oc] = v;
  }
  return out;
}

function runCase(c: Case, r: (n: number) => number): void {
  const filterC = c.depthwise ? 1 : c.inC / c.groups;
  const wShape = c.depthwise ? [1, c.fh, c.fw, c.outC] : [c.outC, c.fh, c.fw, filterC];
  const wCount = wShape.reduce((a, b) => a * b, 1);
  // Extreme weights (-128 and 127) appear often, so the packing bound is exercised.
  const wts = Int8Array.from({ length: wCount }, () => (r(4) === 0 ? (r(2) ? 127 : -128) : r(256) - 128));
  const bias = Int32Array.from({ length: c.outC }, () => r(200001) - 100000);
  const wScales = Array.from({ length: c.outC }, () => 0.002 + r(1000) / 100000);
  const sIn = 0.05;
  const sOut = 0.02 * Math.sqrt(c.fh * c.fw * filterC);
  const pad = computePaddingHeightWidth(c.sh, c.sw, c.dh, c.dw, c.h, c.w, c.fh, c.fw, c.padding);
  const outH = pad.outHeight;
  const outW = pad.outWidth;
  if (outH <= 0 || outW <= 0) return;
  const options = c.depthwise
    ? { padding: c.padding, strideW: c.sw, strideH: c.sh, depthMultiplier: c.dm, activation: c.activation, dilationW: c.dw, dilationH: c.dh }
    : { padding: c.padding, strideW: c.sw, strideH: c.sh, activation: c.activation, dilationW: c.dw, dilationH: c.dh, quantizedBiasType: 'float32' };
  const kernel = (c.depthwise ? depthwiseConv2dKernel : conv2dKernel) as Kernel<unknown>;
  const run = runOp(kernel, c.depthwise ? 'DEPTHWISE_CONV_2D' : 'CONV_2D', options, [
    { dtype: 'int8', shape: [c.n, c.h, c.w, c.inC], scale: sIn, zeroPoint: c.zpIn },
    { dtype: 'int8', shape: wShape, scale: wScales, zeroPoint: wScales.map(() => 0), axis: c.depthwise ? 3 : 0, data: wts },
    { dtype: 'int32', shape: [c.outC], scale: wScales.map((s) => s * sIn), zeroPoint: wScales.map(() => 0), data: bias },
  ], [{ dtype: 'int8', shape: [c.n, outH, outW, c.outC], scale: sOut, zeroPoint: c.zpOut }]);
  const mult = new Int32Array(c.outC);
  const shift = new Int32Array(c.outC);
  wScales.forEach((sw, i) => {
    const q = quantizeMultiplier((sIn * sw) / sOut);
    mult[i] = q.multiplier;
    shift[i] = q.shift;
  });
  const [actMin, actMax] = calculateActivationRangeQuantized(c.activation, 'int8', sOut, c.zpOut);
  for (let rep = 0; rep < 2; rep++) {
    const x = Int8Array.from({ length: c.n * c.h * c.w * c.inC }, () => (r(5) === 0 ? (r(2) ? 127 : -128) : r(256) - 128));
    const got = run.run(x)[0] as Int8Array;
    const want = reference(c, x, wts, bias, mult, shift, outH, outW, pad.height, pad.width, actMin, actMax);
    expect([...got], JSON.stringify(c)).toEqual([...want]);
  }
}

describe('int8 convolution fast paths match a TFLM-style reference', () => {
  it('CONV_2D: random shapes, strides, dilations, groups, zero points', () => {
    const r = rng(2024);
    for (let t = 0; t < 60; t++) {
      const groups = [1, 1, 1, 2, 3][r(5)]!;
      const c: Case = {
        n: 1 + r(2), h: 1 + r(9), w: 1 + r(9), inC: groups * (1 + r(5)), outC: groups * (1 + r(7)), fh: 1 + r(3), fw: 1 + r(3),
        groups, dm: 1, sh: 1 + r(2), sw: 1 + r(3), dh: 1 + r(2), dw: 1 + r(2), padding: r(2) ? 'SAME' : 'VALID',
        zpIn: [-128, 127, 0, r(256) - 128][r(4)]!, zpOut: r(256) - 128, depthwise: false, activation: r(2) ? 'NONE' : 'RELU6',
      };
      runCase(c, r);
    }
  });

  it('CONV_2D at the packing depth limit: 2047 taps (packed) and 2048 (not packed)', () => {
    const r = rng(7);
    for (const inC of [2047, 2048]) {
      runCase({
        n: 1, h: 2, w: 3, inC, outC: 5, fh: 1, fw: 1, groups: 1, dm: 1, sh: 1, sw: 1, dh: 1, dw: 1, padding: 'VALID',
        zpIn: -128, zpOut: 0, depthwise: false, activation: 'NONE',
      }, r);
    }
  });

  it('DEPTHWISE_CONV_2D: random shapes, strides, dilations, depth multipliers, zero points', () => {
    const r = rng(99);
    for (let t = 0; t < 60; t++) {
      const inC = 1 + r(9);
      const dm = [1, 1, 1, 2][r(4)]!;
      const c: Case = {
        n: 1 + r(2), h: 1 + r(9), w: 1 + r(9), inC, outC: inC * dm, fh: 1 + r(3), fw: 1 + r(3), groups: 1, dm,
        sh: 1 + r(2), sw: 1 + r(3), dh: 1 + r(2), dw: 1 + r(2), padding: r(2) ? 'SAME' : 'VALID',
        zpIn: [-128, 127, 0, r(256) - 128][r(4)]!, zpOut: r(256) - 128, depthwise: true, activation: r(2) ? 'NONE' : 'RELU6',
      };
      runCase(c, r);
    }
  });
});
