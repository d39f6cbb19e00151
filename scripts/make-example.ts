/**
 * Makes the example model the README runs on, with the project's own code:
 *
 *   npm run make:example      (= npx tsx scripts/make-example.ts)
 *
 * 1. A synthetic, seeded data set of 3-axis accelerometer windows (64 samples
 *    at 50 Hz, in g) for four gestures: idle, shake, circle, tap.
 * 2. A small float model trained in plain TypeScript (Adam, cross-entropy):
 *    CONV_2D 8x[5x1] + ReLU -> MAX_POOL_2D [4x1] -> RESHAPE -> FULLY_CONNECTED 4 -> SOFTMAX.
 * 3. Post-training quantization as the TFLite converter does it: activation
 *    ranges calibrated on the training set (asymmetric int8), symmetric
 *    per-channel int8 weights in [-127, 127], int32 biases with scale
 *    input_scale * weight_scale, pooling and reshape sharing their input's
 *    quantization, softmax output at scale 1/256 and zero point -128.
 * 4. Written with sim/parse/writer.ts to examples/gesture_int8.tflite, with a
 *    held-out sample the quantized model classifies correctly
 *    (examples/gesture_input.bin) and examples/README.md (with the accuracy
 *    of the float model and of the int8 model on tinyforge's simulator).
 *
 * Everything is deterministic (seeded PRNG, fixed iteration order, float64
 * arithmetic): running the script twice gives byte-identical files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeModel, type ModelSpec } from '../sim/parse/writer.js';
import { readModel } from '../sim/parse/reader.js';
import { Simulator } from '../sim/interpreter.js';

const here = dirname(fileURLToPath(import.meta.url));
const OUT_DIR = join(here, '..', 'examples');

// ------------------------------------------------------------------ constants

const LABELS = ['idle', 'shake', 'circle', 'tap'] as const;
const T = 64; // samples per window
const RATE = 50; // Hz
const AXES = 3;
const FILTERS = 8;
const K = 5; // conv kernel length (time)
const POOL = 4;
const P = T / POOL; // pooled length
const FLAT = P * FILTERS;
const CLASSES = LABELS.length;
const TRAIN_PER_CLASS = 300;
const TEST_PER_CLASS = 150;
const EPOCHS = 40;
const BATCH = 32;

// ------------------------------------------------------------------ PRNG

/** FNV-1a 32 of a string: the seed of a named random stream. */
function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** mulberry32: a small, well-mixed 32-bit generator; identical on every platform. */
class Rng {
  private s: number;
  private spare: number | null = null;
  constructor(seed: string) {
    this.s = fnv1a32(seed);
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(a: number, b: number): number {
    return a + (b - a) * this.next();
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

// ------------------------------------------------------------------ data

interface Sample {
  /** [T][AXES] row-major, in g (NHWC with H = time, W = 1, C = axis). */
  x: Float64Array;
  label: number;
}

/** One window of one gesture: gravity at a random tilt, the motion, sensor noise. */
function makeWindow(label: number, rng: Rng): Float64Array {
  const x = new Float64Array(T * AXES);
  // Gravity: the device is held within ~35 degrees of flat.
  const tilt = rng.uniform(0, 0.6);
  const az = rng.uniform(0, 2 * Math.PI);
  const g = [Math.sin(tilt) * Math.cos(az), Math.sin(tilt) * Math.sin(az), Math.cos(tilt)];
  const noise = rng.uniform(0.015, 0.05);
  // Slow hand drift, present in every gesture.
  const drift = [rng.normal() * 0.03, rng.normal() * 0.03, rng.normal() * 0.03];
  const driftF = rng.uniform(0.1, 0.5);
  const driftP = rng.uniform(0, 2 * Math.PI);
  for (let t = 0; t < T; t++) {
    const s = Math.sin((2 * Math.PI * driftF * t) / RATE + driftP);
    for (let a = 0; a < AXES; a++) x[t * AXES + a] = g[a]! + drift[a]! * s + noise * rng.normal();
  }
  const add = (t: number, a: number, v: number) => {
    if (t >= 0 && t < T) x[t * AXES + a] += v;
  };
  switch (LABELS[label]) {
    case 'idle': {
      // Physiological tremor: small and fast.
      const amp = rng.uniform(0.005, 0.04);
      const f = rng.uniform(8, 12);
      const ph = rng.uniform(0, 2 * Math.PI);
      for (let t = 0; t < T; t++) for (let a = 0; a < AXES; a++) add(t, a, amp * Math.sin((2 * Math.PI * f * t) / RATE + ph + a));
      break;
    }
    case 'shake': {
      // Back and forth at 3-6 Hz along a mostly horizontal direction, with a harmonic.
      const amp = rng.uniform(0.5, 1.6);
      const f = rng.uniform(3, 6);
      const ph = rng.uniform(0, 2 * Math.PI);
      const dir = rng.uniform(0, 2 * Math.PI);
      const d = [Math.cos(dir), Math.sin(dir), rng.uniform(-0.3, 0.3)];
      const h2 = rng.uniform(0, 0.3);
      for (let t = 0; t < T; t++) {
        const w = (2 * Math.PI * f * t) / RATE + ph;
        const v = amp * (Math.sin(w) + h2 * Math.sin(2 * w));
        for (let a = 0; a < AXES; a++) add(t, a, v * d[a]!);
      }
      break;
    }
    case 'circle': {
      // A circle drawn in the air: x and y in quadrature at 0.7-1.6 Hz, either direction.
      const amp = rng.uniform(0.2, 0.6);
      const f = rng.uniform(0.7, 1.6);
      const ph = rng.uniform(0, 2 * Math.PI);
      const dirn = rng.next() < 0.5 ? 1 : -1;
      const ecc = rng.uniform(0.7, 1.3);
      for (let t = 0; t < T; t++) {
        const w = (2 * Math.PI * f * t) / RATE + ph;
        add(t, 0, amp * Math.cos(w));
        add(t, 1, dirn * amp * ecc * Math.sin(w));
        add(t, 2, 0.1 * amp * Math.sin(2 * w));
      }
      break;
    }
    case 'tap': {
      // One or two taps on the device: a sharp, quickly damped ringing, mostly along z.
      const taps = 1 + rng.int(2);
      for (let k = 0; k < taps; k++) {
        const t0 = 4 + rng.int(T - 12);
        const amp = rng.uniform(1.0, 3.0);
        const d = [rng.uniform(-0.4, 0.4), rng.uniform(-0.4, 0.4), -1];
        const tau = rng.uniform(0.8, 1.8);
        for (let t = t0; t < Math.min(T, t0 + 8); t++) {
          const v = amp * Math.exp(-(t - t0) / tau) * Math.cos((Math.PI * (t - t0)) / 2);
          for (let a = 0; a < AXES; a++) add(t, a, v * d[a]!);
        }
      }
      break;
    }
  }
  return x;
}

function makeSet(name: string, perClass: number): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < perClass; i++) {
    for (let c = 0; c < CLASSES; c++) out.push({ x: makeWindow(c, new Rng(`gesture/${name}/${LABELS[c]}/${i}`)), label: c });
  }
  return out;
}

// ------------------------------------------------------------------ float model

interface Params {
  /** Conv filter [FILTERS][K][1][AXES] (TFLite OHWI). */
  cw: Float64Array;
  cb: Float64Array;
  /** Dense weights [CLASSES][FLAT] (TFLite [out, in]). */
  fw: Float64Array;
  fb: Float64Array;
}

interface Forward {
  conv: Float64Array; // [T][FILTERS] after ReLU
  pool: Float64Array; // [P][FILTERS]
  argmax: Int32Array; // pool winner (time index) per pooled element
  logits: Float64Array;
  probs: Float64Array;
}

const PAD = (K - 1) >> 1; // SAME padding, stride 1: 2 before, 2 after

function forward(p: Params, x: Float64Array): Forward {
  const conv = new Float64Array(T * FILTERS);
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < FILTERS; o++) {
      let s = p.cb[o]!;
      for (let k = 0; k < K; k++) {
        const ti = t + k - PAD;
        if (ti < 0 || ti >= T) continue;
        for (let a = 0; a < AXES; a++) s += p.cw[(o * K + k) * AXES + a]! * x[ti * AXES + a]!;
      }
      conv[t * FILTERS + o] = s > 0 ? s : 0;
    }
  }
  const pool = new Float64Array(FLAT);
  const argmax = new Int32Array(FLAT);
  for (let j = 0; j < P; j++) {
    for (let o = 0; o < FILTERS; o++) {
      let best = -Infinity;
      let bi = 0;
      for (let k = 0; k < POOL; k++) {
        const v = conv[(j * POOL + k) * FILTERS + o]!;
        if (v > best) {
          best = v;
          bi = j * POOL + k;
        }
      }
      pool[j * FILTERS + o] = best;
      argmax[j * FILTERS + o] = bi;
    }
  }
  const logits = new Float64Array(CLASSES);
  for (let c = 0; c < CLASSES; c++) {
    let s = p.fb[c]!;
    for (let i = 0; i < FLAT; i++) s += p.fw[c * FLAT + i]! * pool[i]!;
    logits[c] = s;
  }
  const probs = softmax(logits);
  return { conv, pool, argmax, logits, probs };
}

function softmax(z: Float64Array): Float64Array {
  let m = -Infinity;
  for (const v of z) m = Math.max(m, v);
  const e = z.map((v) => Math.exp(v - m));
  let s = 0;
  for (const v of e) s += v;
  return e.map((v) => v / s);
}

function argmaxOf(a: ArrayLike<number>): number {
  let bi = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[bi]!) bi = i;
  return bi;
}

/** Adds the gradient of the cross-entropy of one sample into `g`. Returns the loss. */
function backward(p: Params, x: Float64Array, label: number, g: Params): number {
  const f = forward(p, x);
  const dz = f.probs.slice();
  dz[label]! -= 1;
  const dpool = new Float64Array(FLAT);
  for (let c = 0; c < CLASSES; c++) {
    const d = dz[c]!;
    g.fb[c]! += d;
    for (let i = 0; i < FLAT; i++) {
      g.fw[c * FLAT + i]! += d * f.pool[i]!;
      dpool[i]! += d * p.fw[c * FLAT + i]!;
    }
  }
  const dconv = new Float64Array(T * FILTERS);
  for (let i = 0; i < FLAT; i++) {
    const o = i % FILTERS;
    const t = f.argmax[i]!;
    if (f.conv[t * FILTERS + o]! > 0) dconv[t * FILTERS + o]! += dpool[i]!;
  }
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < FILTERS; o++) {
      const d = dconv[t * FILTERS + o]!;
      if (d === 0) continue;
      g.cb[o]! += d;
      for (let k = 0; k < K; k++) {
        const ti = t + k - PAD;
        if (ti < 0 || ti >= T) continue;
        for (let a = 0; a < AXES; a++) g.cw[(o * K + k) * AXES + a]! += d * x[ti * AXES + a]!;
      }
    }
  }
  return -Math.log(Math.max(f.probs[label]!, 1e-12));
}

const zerosLike = (p: Params): Params => ({ cw: new Float64Array(p.cw.length), cb: new Float64Array(p.cb.length), fw: new Float64Array(p.fw.length), fb: new Float64Array(p.fb.length) });
const KEYS = ['cw', 'cb', 'fw', 'fb'] as const;

function train(data: Sample[], log: (s: string) => void): Params {
  const rng = new Rng('gesture/init');
  const p: Params = {
    cw: new Float64Array(FILTERS * K * AXES).map(() => rng.normal() * Math.sqrt(2 / (K * AXES))),
    cb: new Float64Array(FILTERS).fill(0.01),
    fw: new Float64Array(CLASSES * FLAT).map(() => rng.normal() * Math.sqrt(1 / FLAT)),
    fb: new Float64Array(CLASSES),
  };
  const m = zerosLike(p);
  const v = zerosLike(p);
  const b1 = 0.9;
  const b2 = 0.999;
  const decay = 1e-4;
  let step = 0;
  const order = data.map((_, i) => i);
  const shuffle = new Rng('gesture/shuffle');
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = shuffle.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const lr = 0.01 * (epoch < EPOCHS / 2 ? 1 : epoch < (3 * EPOCHS) / 4 ? 0.3 : 0.1);
    let loss = 0;
    for (let s = 0; s < order.length; s += BATCH) {
      const g = zerosLike(p);
      const n = Math.min(BATCH, order.length - s);
      for (let k = 0; k < n; k++) {
        const d = data[order[s + k]!]!;
        loss += backward(p, d.x, d.label, g);
      }
      step++;
      for (const key of KEYS) {
        const w = p[key];
        const gw = g[key];
        const mw = m[key];
        const vw = v[key];
        for (let i = 0; i < w.length; i++) {
          const gi = gw[i]! / n + (key === 'cw' || key === 'fw' ? decay * w[i]! : 0);
          mw[i] = b1 * mw[i]! + (1 - b1) * gi;
          vw[i] = b2 * vw[i]! + (1 - b2) * gi * gi;
          const mh = mw[i]! / (1 - b1 ** step);
          const vh = vw[i]! / (1 - b2 ** step);
          w[i]! -= (lr * mh) / (Math.sqrt(vh) + 1e-8);
        }
      }
    }
    if (epoch % 10 === 9 || epoch === EPOCHS - 1) log(`  epoch ${epoch + 1}: mean loss ${(loss / order.length).toFixed(4)}`);
  }
  return p;
}

// ------------------------------------------------------------------ quantization (as the TFLite converter)

/** std::round: halves away from zero. */
const roundAway = (v: number): number => (v < 0 ? -Math.round(-v) : Math.round(v));
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

interface QParams {
  scale: number;
  zeroPoint: number;
}

/** Asymmetric int8 parameters for a calibrated range (the range is widened to include 0). */
function activationQuant(min: number, max: number): QParams {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  const scale = Math.fround((hi - lo) / 255);
  const zeroPoint = clamp(roundAway(-128 - lo / scale), -128, 127);
  return { scale, zeroPoint };
}

/** Symmetric per-channel int8 along axis 0: scale = max|w| / 127, values in [-127, 127]. */
function perChannelWeights(w: Float64Array, channels: number): { q: Int8Array; scales: number[] } {
  const per = w.length / channels;
  const q = new Int8Array(w.length);
  const scales: number[] = [];
  for (let c = 0; c < channels; c++) {
    let m = 0;
    for (let i = 0; i < per; i++) m = Math.max(m, Math.abs(w[c * per + i]!));
    const s = Math.fround(m > 0 ? m / 127 : 1);
    scales.push(s);
    for (let i = 0; i < per; i++) q[c * per + i] = clamp(roundAway(w[c * per + i]! / s), -127, 127);
  }
  return { q, scales };
}

/** int32 bias at scale input_scale * weight_scale[c], zero point 0. */
function biasQuant(b: Float64Array, inScale: number, wScales: number[]): { q: Int32Array; scales: number[] } {
  const scales = wScales.map((s) => Math.fround(inScale * s));
  const q = new Int32Array(b.length);
  for (let c = 0; c < b.length; c++) q[c] = clamp(roundAway(b[c]! / scales[c]!), -(2 ** 31), 2 ** 31 - 1);
  return { q, scales };
}

function quantizeInput(x: Float64Array, qp: QParams): Int8Array {
  const out = new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = clamp(roundAway(x[i]! / qp.scale) + qp.zeroPoint, -128, 127);
  return out;
}

function buildSpec(p: Params, calib: Sample[]): { spec: ModelSpec; input: QParams } {
  let inMin = Infinity;
  let inMax = -Infinity;
  let convMax = 0;
  let logitMin = Infinity;
  let logitMax = -Infinity;
  for (const s of calib) {
    for (const v of s.x) {
      inMin = Math.min(inMin, v);
      inMax = Math.max(inMax, v);
    }
    const f = forward(p, s.x);
    for (const v of f.conv) convMax = Math.max(convMax, v);
    for (const v of f.logits) {
      logitMin = Math.min(logitMin, v);
      logitMax = Math.max(logitMax, v);
    }
  }
  const qIn = activationQuant(inMin, inMax);
  const qConv = activationQuant(0, convMax); // fused ReLU: [0, max], zero point -128
  const qLogits = activationQuant(logitMin, logitMax);
  const cw = perChannelWeights(p.cw, FILTERS);
  const cb = biasQuant(p.cb, qIn.scale, cw.scales);
  const fw = perChannelWeights(p.fw, CLASSES);
  const fb = biasQuant(p.fb, qConv.scale, fw.scales);
  const zeros = (n: number) => new Array<number>(n).fill(0);
  const act = (qp: QParams) => ({ scale: [qp.scale], zeroPoint: [qp.zeroPoint] });

  const spec: ModelSpec = {
    description: 'tinyforge gesture example: idle/shake/circle/tap from 64x3 accelerometer windows (scripts/make-example.ts)',
    tensors: [
      /* 0 */ { name: 'accel', shape: [1, T, 1, AXES], dtype: 'int8', quantization: act(qIn) },
      /* 1 */ { name: 'conv/filter', shape: [FILTERS, K, 1, AXES], dtype: 'int8', quantization: { scale: cw.scales, zeroPoint: zeros(FILTERS), axis: 0 }, data: cw.q },
      /* 2 */ { name: 'conv/bias', shape: [FILTERS], dtype: 'int32', quantization: { scale: cb.scales, zeroPoint: zeros(FILTERS), axis: 0 }, data: cb.q },
      /* 3 */ { name: 'conv/Relu', shape: [1, T, 1, FILTERS], dtype: 'int8', quantization: act(qConv) },
      /* 4 */ { name: 'pool/MaxPool', shape: [1, P, 1, FILTERS], dtype: 'int8', quantization: act(qConv) },
      /* 5 */ { name: 'flatten/shape', shape: [2], dtype: 'int32', data: new Int32Array([1, FLAT]) },
      /* 6 */ { name: 'flatten/Reshape', shape: [1, FLAT], dtype: 'int8', quantization: act(qConv) },
      /* 7 */ { name: 'dense/weights', shape: [CLASSES, FLAT], dtype: 'int8', quantization: { scale: fw.scales, zeroPoint: zeros(CLASSES), axis: 0 }, data: fw.q },
      /* 8 */ { name: 'dense/bias', shape: [CLASSES], dtype: 'int32', quantization: { scale: fb.scales, zeroPoint: zeros(CLASSES), axis: 0 }, data: fb.q },
      /* 9 */ { name: 'dense/BiasAdd', shape: [1, CLASSES], dtype: 'int8', quantization: act(qLogits) },
      /* 10 */ { name: 'probabilities', shape: [1, CLASSES], dtype: 'int8', quantization: { scale: [1 / 256], zeroPoint: [-128] } },
    ],
    operators: [
      { op: 'CONV_2D', version: 3, inputs: [0, 1, 2], outputs: [3], options: { padding: 'SAME', strideW: 1, strideH: 1, activation: 'RELU', dilationW: 1, dilationH: 1 } },
      { op: 'MAX_POOL_2D', version: 2, inputs: [3], outputs: [4], options: { padding: 'VALID', strideW: 1, strideH: POOL, filterWidth: 1, filterHeight: POOL, activation: 'NONE' } },
      { op: 'RESHAPE', version: 1, inputs: [4, 5], outputs: [6], options: { newShape: [1, FLAT] } },
      { op: 'FULLY_CONNECTED', version: 4, inputs: [6, 7, 8], outputs: [9], options: { activation: 'NONE', keepNumDims: false } },
      { op: 'SOFTMAX', version: 2, inputs: [9], outputs: [10], options: { beta: 1 } },
    ],
    inputs: [0],
    outputs: [10],
    metadata: [{ name: 'min_runtime_version', data: padTo(new TextEncoder().encode('1.14.0'), 16) }],
  };
  return { spec, input: qIn };
}

function padTo(b: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(Math.max(n, b.length));
  out.set(b);
  return out;
}

// ------------------------------------------------------------------ main

function pct(n: number, d: number): string {
  return `${((100 * n) / d).toFixed(1)}%`;
}

function main(): void {
  const log = (s: string) => console.log(s);
  const trainSet = makeSet('train', TRAIN_PER_CLASS);
  const testSet = makeSet('test', TEST_PER_CLASS);
  log(`data: ${trainSet.length} training and ${testSet.length} held-out windows of [${T}, 1, ${AXES}] (${LABELS.join(', ')})`);

  log('training the float model');
  const params = train(trainSet, log);
  const floatTrain = trainSet.filter((s) => argmaxOf(forward(params, s.x).probs) === s.label).length;
  const floatTest = testSet.filter((s) => argmaxOf(forward(params, s.x).probs) === s.label).length;

  const { spec, input } = buildSpec(params, trainSet);
  const bytes = writeModel(spec);
  const model = readModel(bytes);
  const sim = new Simulator(model);
  const confusion = LABELS.map(() => new Array<number>(CLASSES).fill(0));
  let intTest = 0;
  let agree = 0;
  let sample: { q: Int8Array; index: number; out: Int8Array } | null = null;
  testSet.forEach((s, i) => {
    const q = quantizeInput(s.x, input);
    const out = sim.run([q])[0] as Int8Array;
    const pred = argmaxOf(out);
    confusion[s.label]![pred]!++;
    if (pred === s.label) intTest++;
    if (pred === argmaxOf(forward(params, s.x).probs)) agree++;
    // The README's sample: the first held-out "shake" window classified correctly with a clear margin.
    if (!sample && LABELS[s.label] === 'shake' && pred === s.label && out[pred]! >= 64) sample = { q, index: i, out: out.slice() };
  });
  if (!sample) throw new Error('no held-out shake window is classified correctly: the example model is broken');
  const chosen: { q: Int8Array; index: number; out: Int8Array } = sample;

  log(`float model: train ${pct(floatTrain, trainSet.length)}, held-out ${pct(floatTest, testSet.length)}`);
  log(`int8 model on the simulator: held-out ${pct(intTest, testSet.length)} (agrees with float on ${pct(agree, testSet.length)})`);

  mkdirSync(OUT_DIR, { recursive: true });
  const modelPath = join(OUT_DIR, 'gesture_int8.tflite');
  const inputPath = join(OUT_DIR, 'gesture_input.bin');
  const readmePath = join(OUT_DIR, 'README.md');
  writeFileSync(modelPath, bytes);
  writeFileSync(inputPath, new Uint8Array(chosen.q.buffer, chosen.q.byteOffset, chosen.q.byteLength));
  const probs = [...chosen.out].map((v) => (v + 128) / 256);
  writeFileSync(readmePath, readme({
    bytes: bytes.length,
    input,
    floatTrain: pct(floatTrain, trainSet.length),
    floatTest: pct(floatTest, testSet.length),
    intTest: pct(intTest, testSet.length),
    agree: pct(agree, testSet.length),
    confusion,
    sampleIndex: chosen.index,
    sampleOut: [...chosen.out],
    sampleProbs: probs,
    params: params.cw.length + params.cb.length + params.fw.length + params.fb.length,
  }));
  // The always-on loop's pipeline (tinyforge.json beside the model: simulate --csv, generate --sensor imu)
  // and a continuous recording to try it on: gestures back to back, in g, as Arduino's IMU capture prints them.
  const pipelinePath = join(OUT_DIR, 'gesture_int8.tinyforge.json');
  const pipeline = {
    sensor: 'imu',
    sampleRateHz: RATE,
    channels: ['ax', 'ay', 'az'],
    strideSamples: T / 4,
    labels: [...LABELS],
    average: 2,
    threshold: 0.6,
    suppress: 3,
  };
  writeFileSync(pipelinePath, `${JSON.stringify(pipeline, null, 2)}\n`);
  const csvPath = join(OUT_DIR, 'gesture_recording.csv');
  const script = [0, 0, 1, 1, 0, 2, 2, 0, 3, 3, 0];
  const rows = ['aX,aY,aZ'];
  script.forEach((c, i) => {
    const x = makeWindow(c, new Rng(`gesture/recording/${i}`));
    for (let t = 0; t < T; t++) rows.push([0, 1, 2].map((a) => x[t * AXES + a]!.toFixed(4)).join(','));
  });
  writeFileSync(csvPath, `${rows.join('\n')}\n`);
  for (const p of [modelPath, inputPath, readmePath, pipelinePath, csvPath]) log(`wrote ${relative(process.cwd(), p)}`);
}

function readme(r: {
  bytes: number; input: QParams; floatTrain: string; floatTest: string; intTest: string; agree: string;
  confusion: number[][]; sampleIndex: number; sampleOut: number[]; sampleProbs: number[]; params: number;
}): string {
  const rows = r.confusion.map((row, i) => `| ${LABELS[i]} | ${row.join(' | ')} |`).join('\n');
  return `# Example model: gesture_int8.tflite

A small int8 gesture classifier that tinyforge makes with its own code
(\`npm run make:example\`, i.e. \`scripts/make-example.ts\`): synthetic data,
training, post-training quantization and the .tflite writer are all in this
repository, and the script is deterministic (running it again gives
byte-identical files). It is the model the main README's commands run on:

\`\`\`sh
npx tinyforge inspect examples/gesture_int8.tflite
npx tinyforge simulate examples/gesture_int8.tflite --input examples/gesture_input.bin --json
\`\`\`

## Files

| file | what |
|---|---|
| \`gesture_int8.tflite\` | the model (${r.bytes} bytes, ${r.params} trainable parameters) |
| \`gesture_input.bin\` | one held-out "shake" window as raw int8 (${T * AXES} bytes), classified correctly |
| \`README.md\` | this file (written by the script, figures included) |

## Input and output

* Input \`accel\`: int8 \`[1, ${T}, 1, ${AXES}]\` (NHWC): ${T} accelerometer samples at ${RATE} Hz
  (${(T / RATE).toFixed(2)} s), each x, y, z in g, interleaved (\`x0 y0 z0 x1 y1 z1 ...\`).
  Quantization: real = ${r.input.scale} * (q - (${r.input.zeroPoint})), i.e. q = round(g / ${r.input.scale}) + ${r.input.zeroPoint}.
* Output \`probabilities\`: int8 \`[1, ${CLASSES}]\`, scale 1/256, zero point -128
  (probability = (q + 128) / 256), classes in this order: ${LABELS.map((l, i) => `${i} = ${l}`).join(', ')}.

For \`gesture_input.bin\` (held-out window ${r.sampleIndex}) the simulator outputs
\`[${r.sampleOut.join(', ')}]\`, i.e. probabilities ${r.sampleProbs.map((p) => p.toFixed(3)).join(' / ')}:
**${LABELS[argmaxOf(r.sampleOut)]}**.

## Model

\`\`\`
accel int8[1,${T},1,${AXES}]
  CONV_2D          ${FILTERS} filters [${K}x1], stride 1, SAME, fused ReLU   -> int8[1,${T},1,${FILTERS}]
  MAX_POOL_2D      [${POOL}x1], stride ${POOL}, VALID                       -> int8[1,${P},1,${FILTERS}]
  RESHAPE                                                     -> int8[1,${FLAT}]
  FULLY_CONNECTED  ${CLASSES} units                                        -> int8[1,${CLASSES}]
  SOFTMAX                                                     -> int8[1,${CLASSES}]
\`\`\`

Quantized as the TFLite converter does it: int8 activations with ranges
calibrated on the training set (asymmetric, zero point chosen so that 0.0 is
exact); weights symmetric per output channel in [-127, 127]; int32 biases at
scale input_scale * weight_scale; MAX_POOL_2D and RESHAPE keep their input's
quantization; SOFTMAX output at scale 1/256, zero point -128.

## Data

Synthetic, seeded 3-axis accelerometer windows (device held within ~35
degrees of flat, so gravity is mostly on z; slow hand drift and sensor noise
on every window):

* **idle**: gravity, drift, noise and a small 8-12 Hz tremor;
* **shake**: back-and-forth motion at 3-6 Hz, 0.5-1.6 g, in a random mostly horizontal direction;
* **circle**: x and y in quadrature at 0.7-1.6 Hz, 0.2-0.6 g, either direction;
* **tap**: one or two sharp, quickly damped impulses of 1-3 g, mostly along z.

${TRAIN_PER_CLASS} training and ${TEST_PER_CLASS} held-out windows per class, from separate seeds.

## Accuracy (held-out set, ${TEST_PER_CLASS * CLASSES} windows)

| model | accuracy |
|---|---|
| float (float64, plain TypeScript) | ${r.floatTest} (training set: ${r.floatTrain}) |
| int8, on tinyforge's simulator | ${r.intTest} |

The int8 model predicts the same class as the float model on ${r.agree} of the held-out windows.

Confusion matrix of the int8 model (rows: true class, columns: predicted):

| | ${LABELS.join(' | ')} |
|---|${LABELS.map(() => '---').join('|')}|
${rows}

This is a demonstration model on synthetic data: the figures say the
pipeline works, not that it recognises real gestures.
`;
}

main();
