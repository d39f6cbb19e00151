/**
 * Microphone front end: mono int16 audio -> the model's input tensor.
 *
 * Two kinds, chosen by `frontEnd` (default from the input tensor's type):
 *
 * 'pcm' (default for an int16 input, e.g. TFLM's audio_preprocessor model,
 * whose own Signal* ops compute the features): the tensor is the last N
 * samples as they are (N = tensor elements), int16 little-endian.
 *
 * 'logmel' (default for int8/uint8 inputs): one feature frame per hop, kept
 * in a ring of the last `frames` frames; the tensor is those frames in time
 * order, oldest first, bins innermost ([1, frames, bins(, 1)] or flat
 * [1, frames * bins]). Per hop, from the window of `windowSamples` samples:
 *   1. Hann window, Q12 (SignalWindow, shift 12)
 *   2. FFT auto-scale: shift left by 15 - msb(max |x|) (SignalFftAutoScale)
 *   3. int16 kissfft real FFT of the next power of two, zero padded (SignalRfft)
 *   4. energy re^2 + im^2 for the bins the filter bank uses (SignalEnergy)
 *   5. melBins + 1 triangular mel channels, Q12 weights, uint64 sums (SignalFilterBank)
 *   6. sqrt, then >> the auto-scale shift: back to the input's amplitude (SignalFilterBankSquareRoot)
 *   7. noise reduction: per-channel noise estimate subtracted (SignalFilterBankSpectralSubtraction; state)
 *   8. PCAN gain control against that noise estimate (SignalPCAN)
 *   9. v = 2^logScaleShift * ln(x << correction) (SignalFilterBankLog), 0 <= v <= 32767
 *  10. quantized to the tensor: q = clamp(offset + (v * NUM + ADD) / DEN) (uint32 arithmetic)
 * Steps 1-9 are exactly TFLM's signal-library audio preprocessor
 * (examples/micro_speech audio_preprocessor_int8.tflite; the golden case
 * tflm-audio_preprocessor_int8), including its tables: they are computed
 * here the way the signal library's Python computes them (hann_window_weights,
 * _init_filter_bank_weights, the PCAN and noise-reduction parameters), and
 * for the micro_speech parameters they equal that model's constants and its
 * outputs are reproduced byte for byte (test/unit/frontend-audio.test.ts).
 * That pipeline reimplements the TFLite "micro frontend"
 * (tensorflow/lite/experimental/microfrontend, FrontendProcessSamples) that
 * micro_speech, microWakeWord and TF's speech_commands (`--preprocess micro`)
 * train on, with the same integer arithmetic; it is not byte-identical to it:
 * the micro frontend rounds its Q12 filter-bank weights where the signal
 * library truncates them and computes the window in float32 (a weight or
 * window value may differ by 1 in 4096), and its FFT auto-scale reads a
 * windowed -32768 differently (only with a full-scale negative sample under
 * the window's peak).
 *
 * Parameter names follow the training recipes: sampleRateHz, windowMs (micro
 * frontend window_size), strideMs (window_step), melBins (num_channels),
 * lowerHz/upperHz (lower/upper_band_limit), noiseReduction (smoothing_bits,
 * even/odd_smoothing, min_signal_remaining), pcan (enable_pcan, pcan_strength,
 * pcan_offset, gain_bits), logScaleShift (scale_shift). micro_speech: 16 kHz,
 * 30 ms window, 20 ms stride, 40 bins, 125..7500 Hz, 49 frames; the defaults.
 *
 * Quantization (step 10): the recipes train on v * 10/256 (speech_commands
 * multiplies the frontend's output by 10/256, microWakeWord by 0.0390625), so
 * by default a feature's real value is v * featureScale (10/256) and
 * q = zp + round(real / scale) of the input tensor ('tensor'). 'tflm' instead
 * uses TFLM's micro_speech example mapping q = (v * 256 + 333) / 666 - 128
 * (int8 only), what audio_preprocessor_int8.tflite outputs.
 *
 * All float work happens in planAudio; the runner and tf_fe_audio.cpp only
 * run integer arithmetic over the same tables (they call the same TFLM-exact
 * kernels: sim/math/kissfft_int16.ts, signal_math.ts / kernels/signal_*.h).
 */
import { PipelineError } from '../../lib/errors.js';
import { kissFftr16, kissFftr16Plan } from '../math/kissfft_int16.js';
import { LOG_LUT, log32, msb32, sqrt64, wideDynamicFunction } from '../math/signal_math.js';
import { storeUint64FromSplit, Uint64Acc } from '../math/uint64_pair.js';
import type { InputTensorInfo, StreamPlan, StreamRunner } from './types.js';

export interface NoiseReductionConfig {
  /** Extra fractional bits of the noise estimate (micro frontend smoothing_bits, default 10). */
  smoothingBits?: number;
  /** Estimate update rate of even channels (default 0.025). */
  evenSmoothing?: number;
  /** Estimate update rate of odd channels (default 0.06). */
  oddSmoothing?: number;
  /** Fraction of the signal always kept (default 0.05). */
  minSignalRemaining?: number;
}

export interface PcanConfig {
  /** pcan_strength (default 0.95). */
  strength?: number;
  /** pcan_offset (default 80). */
  offset?: number;
  /** gain_bits (default 21). */
  gainBits?: number;
}

export interface AudioConfig {
  /** 'logmel' (default for int8/uint8 inputs) or 'pcm' (default for int16 inputs). */
  frontEnd?: 'logmel' | 'pcm';
  /** Samples per second (default 16000). */
  sampleRateHz?: number;
  /** Analysis window (default 30 ms; pcm: the tensor's length). */
  windowMs?: number;
  /** New audio between two feature frames (default 20 ms; pcm: default the whole tensor). */
  strideMs?: number;
  /** Mel channels per frame; default the input's last dimension > 1 (required for a flat [1, N] input). */
  melBins?: number;
  /** Lower edge of the first mel channel (default 125 Hz). */
  lowerHz?: number;
  /** Upper edge of the last mel channel (default 7500 Hz, or 15/16 of half the sample rate below 16 kHz; at most half the sample rate). */
  upperHz?: number;
  /** Feature frames per tensor (default tensor elements / melBins). */
  frames?: number;
  /** Run the model every this many new frames once the tensor is full (default 1). */
  hopsPerInference?: number;
  /** Noise reduction (spectral subtraction); default on with the micro frontend's settings. */
  noiseReduction?: boolean | NoiseReductionConfig;
  /** PCAN gain control (needs noise reduction); default on with the micro frontend's settings. */
  pcan?: boolean | PcanConfig;
  /** The log stage outputs 2^logScaleShift * ln(amplitude) (default 6, the micro frontend's scale_shift). */
  logScaleShift?: number;
  /** Real value of one log unit (default 10/256: speech_commands' `micro` features). */
  featureScale?: number;
  /** 'tensor' (default): by the input's scale and zero point; 'tflm': TFLM micro_speech's (v*256+333)/666-128. */
  quantize?: 'tensor' | 'tflm';
}

const KNOWN_KEYS = [
  'frontEnd', 'sampleRateHz', 'windowMs', 'strideMs', 'melBins', 'lowerHz', 'upperHz', 'frames', 'hopsPerInference',
  'noiseReduction', 'pcan', 'logScaleShift', 'featureScale', 'quantize',
];

/** The micro frontend's fixed-point constants. */
const WINDOW_BITS = 12; // kFrontendWindowBits
const FILTERBANK_BITS = 12; // kFilterbankBits
const NOISE_REDUCTION_BITS = 14; // kNoiseReductionBits
const PCAN_SNR_BITS = 12; // kPcanSnrBits
const PCAN_LUT_SIZE = 125; // 4 * 32 - 3: WideDynamicFunction reaches index 124
const FB_INDEX_ALIGNMENT = 2; // kFilterbankIndexAlignment (4 bytes) / sizeof(int16_t)
const FB_BLOCK = 4; // kFilterbankChannelBlockSize

/** FFT sizes: 64 keeps the log correction shift >= 0; 4096 bounds RAM and flash on a microcontroller. */
const MIN_FFT = 64;
const MAX_FFT = 4096;
const MAX_BINS = 256;

const f32 = Math.fround;

function fail(code: string, message: string, fix: string, field?: string): never {
  throw new PipelineError(code, message, fix, field ? { field: `audio.${field}` } : {});
}

function numberField(cfg: Record<string, unknown>, key: string, dflt: number, lo: number, hi: number, opts: { integer?: boolean; exclusiveLo?: boolean; fix: string }): number {
  const v = cfg[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || (opts.integer && !Number.isInteger(v)) || (opts.exclusiveLo ? v <= lo : v < lo) || v > hi) {
    fail('pipeline-audio', `audio.${key} = ${JSON.stringify(v)} is not ${opts.integer ? 'a whole number' : 'a number'} ${opts.exclusiveLo ? 'above' : 'from'} ${lo}${Number.isFinite(hi) ? ` up to ${hi}` : ''}`, opts.fix, key);
  }
  return v;
}

/** A sub-setting that is true (defaults), false (off) or an object of overrides. */
function subConfig(cfg: Record<string, unknown>, key: string, known: string[]): { enabled: boolean; c: Record<string, unknown> } {
  const v = cfg[key];
  if (v === undefined || v === true) return { enabled: true, c: {} };
  if (v === false) return { enabled: false, c: {} };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    fail('pipeline-audio', `audio.${key} must be true, false or an object`, `e.g. "${key}": false to turn it off`, key);
  }
  for (const k of Object.keys(v)) {
    if (!known.includes(k)) fail('pipeline-audio', `audio.${key}.${k} is not a known setting`, `use ${known.join(', ')}`, `${key}.${k}`);
  }
  return { enabled: true, c: v as Record<string, unknown> };
}

// ------------------------------------------------------------------ prepare-time tables (as TFLM's signal library computes them)

/** FreqToMel (the micro frontend's C function, which the signal library's Python wraps): float32 1127 * log1pf(f / 700). */
function freqToMel(freq: number): number {
  const x = f32(freq);
  return f32(1127 * f32(Math.log1p(f32(x / 700))));
}

/** Round half to even (numpy.round, Python's round). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Hann window in Q12, as the signal library's hann_window_weights (double, round half to even). */
function hannQ12(size: number): Int16Array {
  const w = new Int16Array(size);
  const arg = (Math.PI * 2) / size;
  for (let i = 0; i < size; i++) w[i] = roundHalfEven((0.5 - 0.5 * Math.cos(arg * (i + 0.5))) * (1 << WINDOW_BITS));
  return w;
}

interface FilterBankTables {
  weights: Int16Array;
  unweights: Int16Array;
  /** Per channel 0..bins (channel 0 is the leading half-triangle). */
  freqStarts: Int16Array;
  weightStarts: Int16Array;
  widths: Int16Array;
  /** First and one-past-last spectrum bins with nonzero weights: the energy is computed there only. */
  start: number;
  end: number;
  /** Channels that got no FFT bin (the spectrum is too coarse for that many channels). */
  empty: number;
}

/**
 * Triangular mel channels over the spectrum bins, Q12 weights: the signal
 * library's _init_filter_bank_weights (itself the micro frontend's
 * FilterbankPopulateState in Python: float32 mel values, a double bin
 * spacing, truncated weights; the micro frontend rounds them instead), with
 * the micro frontend's index alignment (2) and block size (4) that TFLM's
 * audio preprocessor model carries.
 */
function melFilterBank(bins: number, lowerHz: number, upperHz: number, sampleRate: number, spectrumSize: number): FilterBankTables {
  const n1 = bins + 1;
  const melLow = freqToMel(lowerHz);
  const melHi = freqToMel(upperHz);
  const spacing = f32(f32(melHi - melLow) / n1);
  const centers = new Float64Array(n1);
  for (let i = 0; i < n1; i++) centers[i] = f32(melLow + f32(spacing * (i + 1)));
  const hzPerBin = sampleRate / 2 / (spectrumSize - 1);
  const start = roundHalfEven(1 + lowerHz / hzPerBin);

  const freqStarts = new Int16Array(n1);
  const weightStarts = new Int16Array(n1);
  const widths = new Int16Array(n1);
  const actualStarts = new Int32Array(n1);
  const actualWidths = new Int32Array(n1);
  let chanStart = start;
  let weightIndex = 0;
  let needsZeros = false;
  let empty = 0;
  for (let c = 0; c < n1; c++) {
    let k = chanStart;
    // The spectrum's mel values grow without bound, so this ends; the cap only guards against odd configs.
    while (freqToMel(k * hzPerBin) <= centers[c]! && k < 1 << 15) k++;
    const width = k - chanStart;
    actualStarts[c] = chanStart;
    actualWidths[c] = width;
    if (width === 0) {
      // No bin in this channel: it reads FB_BLOCK zero weights at weight index 0, reserved once.
      empty++;
      freqStarts[c] = 0;
      weightStarts[c] = 0;
      widths[c] = FB_BLOCK;
      if (!needsZeros) {
        needsZeros = true;
        for (let j = 0; j < c; j++) weightStarts[j] += FB_BLOCK;
        weightIndex += FB_BLOCK;
      }
    } else {
      const alignedStart = Math.floor(chanStart / FB_INDEX_ALIGNMENT) * FB_INDEX_ALIGNMENT;
      const alignedWidth = chanStart - alignedStart + width;
      const padded = (Math.floor((alignedWidth - 1) / FB_BLOCK) + 1) * FB_BLOCK;
      freqStarts[c] = alignedStart;
      weightStarts[c] = weightIndex;
      widths[c] = padded;
      weightIndex += padded;
    }
    chanStart = k;
  }
  const weights = new Int16Array(weightIndex);
  const unweights = new Int16Array(weightIndex);
  let end = 0;
  for (let c = 0; c < n1; c++) {
    let k = actualStarts[c]!;
    const offset = k - freqStarts[c]!;
    const base = weightStarts[c]!;
    const center = centers[c]!;
    const denom = f32(center - (c === 0 ? melLow : centers[c - 1]!));
    for (let j = 0; j < actualWidths[c]!; j++, k++) {
      const w = f32(f32(center - freqToMel(k * hzPerBin)) / denom);
      weights[base + offset + j] = Math.trunc(f32(w * (1 << FILTERBANK_BITS)));
      unweights[base + offset + j] = Math.trunc(f32(f32(1 - w) * (1 << FILTERBANK_BITS)));
    }
    if (k > end) end = k;
  }
  return { weights, unweights, freqStarts, weightStarts, widths, start, end, empty };
}

/** Why the filter bank would read past the spectrum (TFLM refuses an end index at the spectrum size), or null. */
function filterBankOverrun(fb: FilterBankTables, bins: number, spectrum: number): string | null {
  if (fb.end >= spectrum) return `the top mel channel reaches FFT bin ${fb.end}, past the ${spectrum}-bin spectrum`;
  for (let c = 0; c <= bins; c++) {
    const last = fb.freqStarts[c]! + fb.widths[c]! - 1;
    if (last >= spectrum) return `mel channel ${c} reads FFT bins up to ${last}, past the ${spectrum}-bin spectrum`;
  }
  return null;
}

/** PcanGainLookupFunction (float32): gain(x) = 2^gainBits * (x / 2^inputBits + offset)^-strength, int16. */
function pcanGain(strength: number, offset: number, gainBits: number, inputBits: number, x: number): number {
  const xf = f32(f32(x) / 2 ** inputBits);
  const g = f32(f32(2 ** gainBits) * f32(Math.pow(f32(xf + offset), f32(-strength))));
  if (g > 32767) return 32767;
  return Math.trunc(f32(g + 0.5));
}

/** PcanGainControlPopulateState's table: segment i (x's msb) holds y0 and the quadratic's a1, a2 at 4i - 6. */
function pcanLut(strength: number, offset: number, gainBits: number, inputBits: number): Int16Array {
  const s = f32(strength);
  const o = f32(offset);
  const lut = new Int16Array(PCAN_LUT_SIZE);
  lut[0] = pcanGain(s, o, gainBits, inputBits, 0);
  lut[1] = pcanGain(s, o, gainBits, inputBits, 1);
  for (let interval = 2; interval <= 32; interval++) {
    const x0 = 2 ** (interval - 1);
    const x1 = x0 + x0 / 2;
    const x2 = interval === 32 ? x0 + (x0 - 1) : 2 * x0;
    const y0 = pcanGain(s, o, gainBits, inputBits, x0);
    const y1 = pcanGain(s, o, gainBits, inputBits, x1);
    const y2 = pcanGain(s, o, gainBits, inputBits, x2);
    const a1 = 4 * (y1 - y0) - (y2 - y0);
    const a2 = y2 - y0 - a1;
    lut[4 * interval - 6] = y0;
    lut[4 * interval - 5] = a1;
    lut[4 * interval - 4] = a2;
  }
  return lut;
}

/** Due-inference bookkeeping shared by both kinds: the first when `frames` frames exist, then every `every`. */
class Cadence {
  filled = 0;
  since = 0;
  constructor(readonly frames: number, readonly every: number) {}
  reset(): void {
    this.filled = 0;
    this.since = 0;
  }
  /** One new frame arrived: is an inference due? */
  step(): boolean {
    if (this.filled < this.frames) {
      this.filled++;
      if (this.filled < this.frames) return false;
      this.since = 0;
      return true;
    }
    if (++this.since < this.every) return false;
    this.since = 0;
    return true;
  }
}

// ------------------------------------------------------------------ C text helpers

function cArray(type: string, name: string, size: string, values: ArrayLike<number>): string {
  const all = Array.from(values);
  const parts: string[] = [];
  for (let i = 0; i < all.length; i += 16) parts.push(`  ${all.slice(i, i + 16).join(', ')},`);
  return `const ${type} ${name}[${size}] = {\n${parts.join('\n')}\n};`;
}

const u32 = (v: number) => `${v >>> 0}u`;

// ------------------------------------------------------------------ plan

export function planAudio(cfg: AudioConfig, input: InputTensorInfo): StreamPlan {
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) fail('pipeline-audio', '"audio" must be an object', 'e.g. "audio": { "melBins": 40 }');
  const raw = cfg as Record<string, unknown>;
  for (const k of Object.keys(raw)) {
    if (!KNOWN_KEYS.includes(k)) fail('pipeline-audio', `audio.${k} is not a known setting`, `use ${KNOWN_KEYS.join(', ')}`, k);
  }
  const dtype = input.dtype;
  if (dtype !== 'int8' && dtype !== 'uint8' && dtype !== 'int16') {
    fail('pipeline-dtype', `input tensor type ${String(dtype)} cannot be fed by the microphone front end`, 'use a model with an int8, uint8 (log-mel features) or int16 (raw audio) input');
  }
  const elements = input.shape.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(elements) || elements < 1) fail('pipeline-shape', `input shape [${input.shape.join(', ')}] has no elements`, 'use a model with a fixed, non-empty input shape');
  const frontEnd = raw.frontEnd ?? (dtype === 'int16' ? 'pcm' : 'logmel');
  if (frontEnd !== 'logmel' && frontEnd !== 'pcm') fail('pipeline-audio', `audio.frontEnd = ${JSON.stringify(raw.frontEnd)} is not 'logmel' or 'pcm'`, 'use "logmel" (features) or "pcm" (raw samples)', 'frontEnd');
  const sampleRate = numberField(raw, 'sampleRateHz', 16000, 1000, 96000, { integer: true, fix: 'set "sampleRateHz" to the microphone rate in Hz, e.g. 16000' });
  const hopsPerInference = numberField(raw, 'hopsPerInference', 1, 1, 1 << 16, { integer: true, fix: 'set "hopsPerInference" to a whole number of frames, e.g. 1' });
  const ms = (v: number) => Math.floor((v * sampleRate) / 1000 + 1e-9);
  return frontEnd === 'pcm' ? planPcm(raw, input, elements, sampleRate, hopsPerInference, ms) : planLogMel(raw, input, elements, sampleRate, hopsPerInference, ms);
}

function planPcm(raw: Record<string, unknown>, input: InputTensorInfo, n: number, sampleRate: number, every: number, ms: (v: number) => number): StreamPlan {
  if (input.dtype !== 'int16') {
    fail('pipeline-dtype', `the pcm front end writes raw int16 samples, but the input tensor is ${input.dtype}`, 'use "frontEnd": "logmel" for a feature model, or a model with an int16 audio input', 'frontEnd');
  }
  for (const k of ['melBins', 'lowerHz', 'upperHz', 'frames', 'noiseReduction', 'pcan', 'logScaleShift', 'featureScale', 'quantize']) {
    if (raw[k] !== undefined) fail('pipeline-audio', `audio.${k} only applies to the logmel front end`, `remove "${k}" (the pcm front end passes samples through)`, k);
  }
  if (raw.windowMs !== undefined) {
    const w = ms(numberField(raw, 'windowMs', 0, 0, 60000, { exclusiveLo: true, fix: 'omit "windowMs": the window is the input tensor' }));
    if (w !== n) fail('pipeline-window', `audio.windowMs gives ${w} samples at ${sampleRate} Hz, but the input tensor holds ${n} samples`, `omit "windowMs" (the window is the tensor: ${((n / sampleRate) * 1000).toFixed(2)} ms)`, 'windowMs');
  }
  const hop = raw.strideMs === undefined ? n : ms(numberField(raw, 'strideMs', 0, 0, 60000, { exclusiveLo: true, fix: 'set "strideMs" to at most the tensor length' }));
  if (hop < 1 || hop > n) fail('pipeline-stride', `audio.strideMs gives ${hop} samples, not between 1 and the ${n}-sample tensor`, `set "strideMs" to at most ${((n / sampleRate) * 1000).toFixed(2)} ms`, 'strideMs');
  const create = (): StreamRunner => {
    const c = new Cadence(1, every);
    return {
      reset() {
        c.reset();
      },
      hop(window, tensor) {
        if (!c.step()) return false;
        for (let i = 0; i < n; i++) {
          const v = window[i]!;
          tensor[2 * i] = v & 0xff;
          tensor[2 * i + 1] = (v >> 8) & 0xff;
        }
        return true;
      },
    };
  };
  const header = [
    '#include <stdint.h>',
    '// Microphone, raw PCM: the tensor is the window of int16 samples as is.',
    '#define TF_FE_CHANNELS 1',
    `#define TF_FE_WINDOW_SAMPLES ${n}`,
    `#define TF_FE_HOP_SAMPLES ${hop}`,
    `#define TF_FE_TENSOR_BYTES ${2 * n}`,
    '#define TF_FE_AUDIO_LOGMEL 0',
    '#define TF_FE_AUDIO_FRAMES 1',
    `#define TF_FE_AUDIO_HOPS_PER_INFERENCE ${every}`,
  ].join('\n');
  const source = ['#include "tf_frontend_params.h"', '// The pcm front end has no tables.'].join('\n');
  const msText = (s: number) => `${((s / sampleRate) * 1000).toFixed(s * 1000 % sampleRate === 0 ? 0 : 2)} ms`;
  return {
    kind: 'audio',
    channels: 1,
    windowSamples: n,
    hopSamples: hop,
    tensorBytes: 2 * n,
    create,
    c: { implementation: 'tf_fe_audio.cpp', kernels: [], header, source },
    describe: [
      `microphone, raw PCM: the last ${n} samples (${msText(n)} at ${sampleRate} Hz) as int16, a new window every ${hop} samples (${msText(hop)})${every > 1 ? `, inference every ${every} windows` : ''}`,
    ],
  };
}

function planLogMel(raw: Record<string, unknown>, input: InputTensorInfo, elements: number, sampleRate: number, every: number, ms: (v: number) => number): StreamPlan {
  const nyquist = sampleRate / 2;
  const windowMs = numberField(raw, 'windowMs', 30, 0, 1000, { exclusiveLo: true, fix: 'set "windowMs", e.g. 30' });
  const strideMs = numberField(raw, 'strideMs', 20, 0, 1000, { exclusiveLo: true, fix: 'set "strideMs", e.g. 20' });
  const win = ms(windowMs);
  const hop = ms(strideMs);
  if (win < MIN_FFT / 2 + 1) fail('pipeline-window', `a ${windowMs} ms window is ${win} samples at ${sampleRate} Hz; the log-mel front end needs at least ${MIN_FFT / 2 + 1}`, `raise "windowMs" to at least ${Math.ceil(((MIN_FFT / 2 + 1) * 1000) / sampleRate)}`, 'windowMs');
  if (win > MAX_FFT) fail('pipeline-window', `a ${windowMs} ms window is ${win} samples at ${sampleRate} Hz; the FFT is limited to ${MAX_FFT} points`, `lower "windowMs" to at most ${Math.floor((MAX_FFT * 1000) / sampleRate)} (or the sample rate)`, 'windowMs');
  if (hop < 1 || hop > win) fail('pipeline-stride', `a ${strideMs} ms stride is ${hop} samples, not between 1 and the ${win}-sample window`, `set "strideMs" to at most "windowMs" (${windowMs})`, 'strideMs');
  let fft = MIN_FFT;
  while (fft < win) fft *= 2;
  const fftPlan = kissFftr16Plan(fft);
  if (typeof fftPlan === 'string') throw new Error(`internal: ${fftPlan}`); // powers of two always factor into 4s and 2s

  // Feature layout: bins innermost. [1, frames, bins(, 1)] names the bins; a flat [1, N] does not.
  const rest = input.shape[0] === 1 ? input.shape.slice(1) : [...input.shape];
  while (rest.length > 1 && rest[rest.length - 1] === 1) rest.pop();
  const inner = rest.length >= 2 ? rest[rest.length - 1]! : undefined;
  let bins: number;
  if (raw.melBins !== undefined) {
    bins = numberField(raw, 'melBins', 0, 1, MAX_BINS, { integer: true, fix: `set "melBins" to the feature count per frame (1..${MAX_BINS})` });
    if (inner !== undefined && bins !== inner) {
      fail('pipeline-shape', `audio.melBins = ${bins}, but the input [${input.shape.join(', ')}] has ${inner} values per frame (bins are the innermost dimension)`, `set "melBins" to ${inner} or omit it`, 'melBins');
    }
    if (elements % bins !== 0) fail('pipeline-shape', `the input tensor has ${elements} elements, not a whole number of ${bins}-bin frames`, `set "melBins" to a divisor of ${elements} (e.g. 40 for micro_speech's 1960 = 49 x 40)`, 'melBins');
  } else if (inner !== undefined) {
    bins = inner;
  } else {
    fail('pipeline-shape', `the input [${input.shape.join(', ')}] is flat: the number of mel bins per frame cannot be read from it`, `set "melBins" (e.g. 40 for micro_speech's [1, 1960] = 49 frames x 40 bins)`, 'melBins');
  }
  if (bins > MAX_BINS) fail('pipeline-shape', `${bins} mel bins per frame is more than ${MAX_BINS}`, 'use a model with fewer features per frame', 'melBins');
  const frames = elements / bins;
  if (raw.frames !== undefined) {
    const f = numberField(raw, 'frames', 0, 1, 1 << 16, { integer: true, fix: 'omit "frames": it follows from the tensor' });
    if (f !== frames) fail('pipeline-shape', `audio.frames = ${f}, but ${elements} elements / ${bins} bins = ${frames} frames`, `set "frames" to ${frames} or omit it`, 'frames');
  }

  const lowerHz = numberField(raw, 'lowerHz', 125, 0, nyquist, { fix: 'set "lowerHz" between 0 and half the sample rate' });
  const upperHz = numberField(raw, 'upperHz', Math.min(7500, Math.floor(nyquist * 0.9375)), 0, Infinity, { exclusiveLo: true, fix: 'set "upperHz"' });
  if (upperHz > nyquist) fail('pipeline-band', `audio.upperHz = ${upperHz} Hz is above the Nyquist frequency ${nyquist} Hz of ${sampleRate} Hz audio`, `lower "upperHz" to at most ${nyquist} (7500 is usual at 16 kHz)`, 'upperHz');
  if (!(lowerHz < upperHz)) fail('pipeline-band', `audio.lowerHz = ${lowerHz} Hz is not below upperHz = ${upperHz} Hz`, 'set lowerHz < upperHz, e.g. 125 and 7500', 'lowerHz');

  const spectrum = fft / 2 + 1;
  const fb = melFilterBank(bins, lowerHz, upperHz, sampleRate, spectrum);
  const overrun = filterBankOverrun(fb, bins, spectrum);
  if (overrun) {
    // The highest upper edge that fits, in steps of 1/400 of the Nyquist frequency (a few hundred cheap tries at most).
    let fit = 0;
    for (let u = Math.floor(upperHz); u > lowerHz; u -= Math.max(1, Math.floor(nyquist / 400))) {
      if (!filterBankOverrun(melFilterBank(bins, lowerHz, u, sampleRate, spectrum), bins, spectrum)) {
        fit = u;
        break;
      }
    }
    fail('pipeline-band', `with upperHz ${upperHz} Hz, ${overrun}`, fit ? `lower "upperHz" to ${fit} Hz or less` : 'use fewer mel bins, a longer window or a lower "lowerHz"', 'upperHz');
  }
  if (fb.weights.length > 32767) fail('pipeline-band', `the filter bank needs ${fb.weights.length} weights, more than its int16 indexes address`, 'use fewer mel bins or a shorter window');
  const correctionBits = msb32(fft) - 1 - FILTERBANK_BITS / 2;

  const nrCfg = subConfig(raw, 'noiseReduction', ['smoothingBits', 'evenSmoothing', 'oddSmoothing', 'minSignalRemaining']);
  const pcCfg = subConfig(raw, 'pcan', ['strength', 'offset', 'gainBits']);
  const nrFix = 'see the micro frontend defaults: smoothingBits 10, evenSmoothing 0.025, oddSmoothing 0.06, minSignalRemaining 0.05';
  const smoothingBits = numberField(nrCfg.c, 'smoothingBits', 10, 0, 16, { integer: true, fix: nrFix });
  // int(x * 2^14) in double, as the signal library's Python (the micro frontend truncates a float32 product).
  const q14 = (v: number) => Math.trunc(v * (1 << NOISE_REDUCTION_BITS));
  const even = q14(numberField(nrCfg.c, 'evenSmoothing', 0.025, 0, 1, { fix: nrFix }));
  const odd = q14(numberField(nrCfg.c, 'oddSmoothing', 0.06, 0, 1, { fix: nrFix }));
  const minSignal = q14(numberField(nrCfg.c, 'minSignalRemaining', 0.05, 0, 1, { fix: nrFix }));
  const pcFix = 'see the micro frontend defaults: strength 0.95, offset 80, gainBits 21';
  const strength = numberField(pcCfg.c, 'strength', 0.95, 0, 10, { fix: pcFix });
  const pcanOffset = numberField(pcCfg.c, 'offset', 80, 0, 1e6, { exclusiveLo: true, fix: pcFix });
  const gainBits = numberField(pcCfg.c, 'gainBits', 21, 0, 30, { integer: true, fix: pcFix });
  const noiseReduction = nrCfg.enabled;
  const pcan = pcCfg.enabled;
  if (pcan && !noiseReduction) fail('pipeline-audio', 'PCAN gain control needs the noise estimate of noise reduction', 'turn "noiseReduction" on, or set "pcan": false', 'pcan');
  const snrShift = gainBits - correctionBits - PCAN_SNR_BITS;
  const pcanInputBits = smoothingBits - correctionBits;
  if (pcan && (snrShift < 0 || pcanInputBits < 0)) {
    fail('pipeline-audio', `PCAN with gainBits ${gainBits} and smoothingBits ${smoothingBits} needs shifts of ${snrShift} and ${pcanInputBits} bits for a ${fft}-point FFT (both must be >= 0)`, `raise "pcan.gainBits" to at least ${correctionBits + PCAN_SNR_BITS} and "noiseReduction.smoothingBits" to at least ${correctionBits}`, 'pcan');
  }
  const lut = pcan ? pcanLut(strength, pcanOffset, gainBits, pcanInputBits) : new Int16Array(0);

  const logScaleShift = numberField(raw, 'logScaleShift', 6, 0, 10, { integer: true, fix: 'set "logScaleShift" between 0 and 10 (6 in the micro frontend)' });
  const outScale = 2 ** logScaleShift;

  // Quantization: q = clamp(offset + min((v * num + add) / den, 65535)), uint32 arithmetic.
  const quantize = raw.quantize ?? 'tensor';
  if (quantize !== 'tensor' && quantize !== 'tflm') fail('pipeline-audio', `audio.quantize = ${JSON.stringify(raw.quantize)} is not 'tensor' or 'tflm'`, 'use "tensor" (by the input scale) or "tflm" (TFLM micro_speech\'s mapping)', 'quantize');
  const featureScale = numberField(raw, 'featureScale', 10 / 256, 0, 1e6, { exclusiveLo: true, fix: 'set "featureScale" to the real value of one log unit (10/256 = 0.0390625 in the micro_speech recipe)' });
  const [qmin, qmax] = input.dtype === 'int8' ? [-128, 127] : input.dtype === 'uint8' ? [0, 255] : [-32768, 32767];
  let qNum: number;
  let qAdd: number;
  let qDen: number;
  let qOffset: number;
  let quantText: string;
  if (quantize === 'tflm') {
    if (input.dtype !== 'int8') fail('pipeline-quant', `audio.quantize "tflm" is TFLM micro_speech's int8 mapping, but the input tensor is ${input.dtype}`, 'use "quantize": "tensor"', 'quantize');
    if (raw.featureScale !== undefined) fail('pipeline-quant', 'audio.featureScale does not apply to "quantize": "tflm" (its scale is fixed: 256/666 per log unit)', 'remove "featureScale" or use "quantize": "tensor"', 'featureScale');
    [qNum, qAdd, qDen, qOffset] = [256, 333, 666, -128];
    quantText = 'q = (v * 256 + 333) / 666 - 128 (TFLM micro_speech example)';
  } else {
    if (!(input.scale > 0) || !Number.isFinite(input.scale)) fail('pipeline-quant', 'the input tensor has no quantization scale to map features onto', 'use a quantized model, or "quantize": "tflm" for an int8 micro_speech-style input', 'quantize');
    if (!Number.isInteger(input.zeroPoint) || input.zeroPoint < qmin || input.zeroPoint > qmax) fail('pipeline-quant', `input zero point ${input.zeroPoint} is outside the ${input.dtype} range`, 'check the model\'s input quantization');
    const ratio = featureScale / input.scale;
    // The largest log output: ln(2^32) * outScale (Log32 of a uint32), rounded up with margin.
    const vmax = Math.min(32767, Math.ceil(Math.log(2 ** 32) * outScale) + 2);
    const LIMIT = 2 ** 32 - 1;
    qNum = 0;
    qAdd = 0;
    qDen = 1;
    for (let s = 31; s >= 0; s--) {
      const num = Math.round(ratio * 2 ** s);
      const add = s > 0 ? 2 ** (s - 1) : 0;
      if (num <= LIMIT && vmax * num + add <= LIMIT) {
        [qNum, qAdd, qDen] = [num, add, 2 ** s];
        break;
      }
    }
    // A ratio so large that even den = 1 overflows: every v >= 1 saturates anyway.
    if (qDen === 1 && qNum === 0 && ratio > 0) qNum = Math.floor(LIMIT / vmax);
    qOffset = input.zeroPoint;
    quantText = `real = v * ${featureScale}, q = ${qOffset} + round(real / ${input.scale}) = ${qOffset} + (v * ${qNum} + ${qAdd}) / ${qDen}`;
  }
  const int16Tensor = input.dtype === 'int16';
  const bytesPer = int16Tensor ? 2 : 1;
  const frameBytes = bins * bytesPer;
  const tensorBytes = elements * bytesPer;
  const window = hannQ12(win);
  const { weights, unweights, freqStarts, weightStarts, widths, start, end } = fb;

  const create = (): StreamRunner => {
    // Per-hop buffers, allocated once (hop allocates nothing). The FFT's own work buffers live in
    // fftPlan, shared by the runners of this plan: hop() is synchronous, so they never interleave.
    const work = new Int16Array(fft); // windowed, auto-scaled; the tail past `win` stays zero (FFT padding)
    const spec = new Int16Array(fft + 2);
    const energy = new Uint32Array(spectrum); // bins outside [start, end) stay zero, as the signal ops leave them
    const pair = new Uint32Array(2);
    const amp = new Uint32Array(bins);
    const noise = new Uint32Array(bins);
    const ring = new Uint8Array(tensorBytes);
    const acc = new Uint64Acc();
    const cadence = new Cadence(frames, every);
    let head = 0;
    return {
      reset() {
        noise.fill(0);
        ring.fill(0);
        head = 0;
        cadence.reset();
      },
      hop(samples, tensor) {
        // 1-2. window (Q12, saturating like SignalWindow), then FFT auto-scale with the int16 running max.
        let max = 0;
        for (let i = 0; i < win; i++) {
          let v = (samples[i]! * window[i]!) >> WINDOW_BITS;
          v = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
          work[i] = v;
          if (v > max) max = v;
          else if (-v > max) max = ((-v) << 16) >> 16;
        }
        let bits = 15 - msb32(max >>> 0);
        if (bits < 0) bits = 0;
        if (bits > 0) {
          const mul = 1 << bits;
          for (let i = 0; i < win; i++) work[i] = work[i]! * mul;
        }
        // 3-4. real FFT, energy of the bins the filter bank reads.
        kissFftr16(fftPlan, work, 0, spec, 0);
        for (let i = start; i < end; i++) {
          const re = spec[2 * i]!;
          const im = spec[2 * i + 1]!;
          energy[i] = re * re + im * im;
        }
        // 5-6. filter bank (uint64 sums, split by the energy's 16-bit halves), sqrt, undo the auto-scale.
        let wHi = 0;
        let wLo = 0;
        for (let c = 0; c <= bins; c++) {
          const fs = freqStarts[c]!;
          const ws = weightStarts[c]!;
          const width = widths[c]!;
          let uHi = 0;
          let uLo = 0;
          for (let j = 0; j < width; j++) {
            const e = energy[fs + j]!;
            const eLo = e & 0xffff;
            const eHi = e >>> 16;
            const w = weights[ws + j]!;
            const u = unweights[ws + j]!;
            wLo += w * eLo;
            wHi += w * eHi;
            uLo += u * eLo;
            uHi += u * eHi;
          }
          if (c >= 1) {
            storeUint64FromSplit(pair, 0, wHi, wLo);
            amp[c - 1] = sqrt64(pair[1]!, pair[0]!) >>> bits;
          }
          wHi = uHi;
          wLo = uLo;
        }
        // 7. noise reduction (odd channels use the odd-channel rate).
        if (noiseReduction) {
          for (let i = 0; i < bins; i++) {
            const sm = (i & 1) === 1 ? odd : even;
            const x = amp[i]!;
            const s = (x << smoothingBits) >>> 0;
            let est = acc.setMul(s, sm).addMul(noise[i]!, (1 << NOISE_REDUCTION_BITS) - sm).shrToUint32(NOISE_REDUCTION_BITS);
            noise[i] = est;
            if (est > s) est = s;
            const floor = acc.setMul(x, minSignal).shrToUint32(NOISE_REDUCTION_BITS);
            const sub = (s - est) >>> smoothingBits;
            amp[i] = sub > floor ? sub : floor;
          }
        }
        // 8. PCAN against the updated noise estimate.
        if (pcan) {
          for (let i = 0; i < bins; i++) {
            const gain = wideDynamicFunction(noise[i]!, lut) >>> 0;
            const snr = acc.setMul(amp[i]!, gain).shrToUint32(snrShift);
            amp[i] = snr < 8192 ? (snr * snr) >>> 20 : (snr >>> 6) - 64;
          }
        }
        // 9-10. log, quantize into the ring's newest frame.
        const o = head * frameBytes;
        for (let i = 0; i < bins; i++) {
          const scaled = (amp[i]! << correctionBits) >>> 0;
          let v = 0;
          if (scaled > 1) {
            v = log32(scaled, outScale);
            if (v > 32767) v = 32767;
          }
          let u = Math.floor((((Math.imul(v, qNum) >>> 0) + qAdd) >>> 0) / qDen);
          if (u > 65535) u = 65535;
          let q = qOffset + u;
          q = q < qmin ? qmin : q > qmax ? qmax : q;
          if (int16Tensor) {
            ring[o + 2 * i] = q & 0xff;
            ring[o + 2 * i + 1] = (q >> 8) & 0xff;
          } else {
            ring[o + i] = q & 0xff;
          }
        }
        head = head + 1 === frames ? 0 : head + 1;
        if (!cadence.step()) return false;
        // Oldest frame first: the slot after the newest. (Plain loops: subarray() would allocate a view.)
        const split = head * frameBytes;
        const tail = tensorBytes - split;
        for (let i = 0; i < tail; i++) tensor[i] = ring[split + i]!;
        for (let i = 0; i < split; i++) tensor[tail + i] = ring[i]!;
        return true;
      },
    };
  };

  const stages = fftPlan.stages.flatMap((s) => [s.p, s.m, s.fstride]);
  const header = [
    '#include <stdint.h>',
    '// Microphone, log-mel features (TFLM micro frontend chain): see tf_fe_audio.cpp.',
    '#define TF_FE_CHANNELS 1',
    `#define TF_FE_WINDOW_SAMPLES ${win}`,
    `#define TF_FE_HOP_SAMPLES ${hop}`,
    `#define TF_FE_TENSOR_BYTES ${tensorBytes}`,
    '#define TF_FE_AUDIO_LOGMEL 1',
    `#define TF_FE_AUDIO_FRAMES ${frames}`,
    `#define TF_FE_AUDIO_HOPS_PER_INFERENCE ${every}`,
    `#define TF_FE_AUDIO_MEL_BINS ${bins}`,
    `#define TF_FE_AUDIO_FEATURE_BYTES ${frameBytes}`,
    `#define TF_FE_AUDIO_TENSOR_INT16 ${int16Tensor ? 1 : 0}`,
    `#define TF_FE_AUDIO_WINDOW_SHIFT ${WINDOW_BITS}`,
    `#define TF_FE_AUDIO_FFT_LENGTH ${fft}`,
    `#define TF_FE_AUDIO_FFT_STAGES ${fftPlan.stages.length}`,
    `// Energy is computed for spectrum bins [START, END) only; the filter bank reads nothing else with a nonzero weight.`,
    `#define TF_FE_AUDIO_SPECTRUM_START ${start}`,
    `#define TF_FE_AUDIO_SPECTRUM_END ${end}`,
    `#define TF_FE_AUDIO_FB_WEIGHTS ${weights.length}`,
    `#define TF_FE_AUDIO_NOISE_REDUCTION ${noiseReduction ? 1 : 0}`,
    `#define TF_FE_AUDIO_NR_SMOOTHING ${u32(even)}`,
    `#define TF_FE_AUDIO_NR_ONE_MINUS_SMOOTHING ${u32((1 << NOISE_REDUCTION_BITS) - even)}`,
    `#define TF_FE_AUDIO_NR_ALT_SMOOTHING ${u32(odd)}`,
    `#define TF_FE_AUDIO_NR_ALT_ONE_MINUS_SMOOTHING ${u32((1 << NOISE_REDUCTION_BITS) - odd)}`,
    `#define TF_FE_AUDIO_NR_MIN_SIGNAL_REMAINING ${u32(minSignal)}`,
    `#define TF_FE_AUDIO_NR_SMOOTHING_BITS ${smoothingBits}`,
    `#define TF_FE_AUDIO_NR_SPECTRAL_BITS ${NOISE_REDUCTION_BITS}`,
    `#define TF_FE_AUDIO_PCAN ${pcan ? 1 : 0}`,
    `#define TF_FE_AUDIO_PCAN_SNR_SHIFT ${pcan ? snrShift : 0}`,
    `#define TF_FE_AUDIO_LOG_CORRECTION_BITS ${correctionBits}`,
    `#define TF_FE_AUDIO_LOG_OUTPUT_SCALE ${u32(outScale)}`,
    `// ${quantText}`,
    `#define TF_FE_AUDIO_Q_NUM ${u32(qNum)}`,
    `#define TF_FE_AUDIO_Q_ADD ${u32(qAdd)}`,
    `#define TF_FE_AUDIO_Q_DEN ${u32(qDen)}`,
    `#define TF_FE_AUDIO_Q_OFFSET (${qOffset})`,
    `#define TF_FE_AUDIO_QMIN (${qmin})`,
    `#define TF_FE_AUDIO_QMAX (${qmax})`,
    'extern const int16_t tf_fe_audio_window[TF_FE_WINDOW_SAMPLES];',
    'extern const int32_t tf_fe_audio_fft_stages[3 * TF_FE_AUDIO_FFT_STAGES];',
    'extern const int32_t tf_fe_audio_fft_perm[TF_FE_AUDIO_FFT_LENGTH / 2];',
    'extern const int16_t tf_fe_audio_fft_twr[TF_FE_AUDIO_FFT_LENGTH / 2];',
    'extern const int16_t tf_fe_audio_fft_twi[TF_FE_AUDIO_FFT_LENGTH / 2];',
    'extern const int16_t tf_fe_audio_fft_stwr[TF_FE_AUDIO_FFT_LENGTH / 4];',
    'extern const int16_t tf_fe_audio_fft_stwi[TF_FE_AUDIO_FFT_LENGTH / 4];',
    'extern const int16_t tf_fe_audio_fb_weights[TF_FE_AUDIO_FB_WEIGHTS];',
    'extern const int16_t tf_fe_audio_fb_unweights[TF_FE_AUDIO_FB_WEIGHTS];',
    'extern const int16_t tf_fe_audio_fb_freq_starts[TF_FE_AUDIO_MEL_BINS + 1];',
    'extern const int16_t tf_fe_audio_fb_weight_starts[TF_FE_AUDIO_MEL_BINS + 1];',
    'extern const int16_t tf_fe_audio_fb_widths[TF_FE_AUDIO_MEL_BINS + 1];',
    ...(pcan ? [`extern const int16_t tf_fe_audio_pcan_lut[${PCAN_LUT_SIZE}];`] : []),
    'extern const uint16_t tf_fe_audio_log_lut[130];',
  ].join('\n');
  const source = [
    '#include "tf_frontend_params.h"',
    `// Hann window, Q${WINDOW_BITS}.`,
    cArray('int16_t', 'tf_fe_audio_window', 'TF_FE_WINDOW_SAMPLES', window),
    `// kissfft plan of the ${fft}-point real FFT: (radix, sub-length, stride) per stage, input permutation, twiddles.`,
    cArray('int32_t', 'tf_fe_audio_fft_stages', '3 * TF_FE_AUDIO_FFT_STAGES', stages),
    cArray('int32_t', 'tf_fe_audio_fft_perm', 'TF_FE_AUDIO_FFT_LENGTH / 2', fftPlan.perm),
    cArray('int16_t', 'tf_fe_audio_fft_twr', 'TF_FE_AUDIO_FFT_LENGTH / 2', fftPlan.twr),
    cArray('int16_t', 'tf_fe_audio_fft_twi', 'TF_FE_AUDIO_FFT_LENGTH / 2', fftPlan.twi),
    cArray('int16_t', 'tf_fe_audio_fft_stwr', 'TF_FE_AUDIO_FFT_LENGTH / 4', fftPlan.stwr),
    cArray('int16_t', 'tf_fe_audio_fft_stwi', 'TF_FE_AUDIO_FFT_LENGTH / 4', fftPlan.stwi),
    `// Mel filter bank, ${bins} + 1 channels (${lowerHz}..${upperHz} Hz), Q${FILTERBANK_BITS} weights.`,
    cArray('int16_t', 'tf_fe_audio_fb_weights', 'TF_FE_AUDIO_FB_WEIGHTS', weights),
    cArray('int16_t', 'tf_fe_audio_fb_unweights', 'TF_FE_AUDIO_FB_WEIGHTS', unweights),
    cArray('int16_t', 'tf_fe_audio_fb_freq_starts', 'TF_FE_AUDIO_MEL_BINS + 1', freqStarts),
    cArray('int16_t', 'tf_fe_audio_fb_weight_starts', 'TF_FE_AUDIO_MEL_BINS + 1', weightStarts),
    cArray('int16_t', 'tf_fe_audio_fb_widths', 'TF_FE_AUDIO_MEL_BINS + 1', widths),
    ...(pcan ? [`// PCAN gain (strength ${strength}, offset ${pcanOffset}, gain bits ${gainBits}) per noise-estimate segment.`, cArray('int16_t', 'tf_fe_audio_pcan_lut', String(PCAN_LUT_SIZE), lut)] : []),
    '// Log32 correction table (TFLM signal/src/log.cc).',
    cArray('uint16_t', 'tf_fe_audio_log_lut', '130', LOG_LUT),
  ].join('\n');

  const msText = (s: number) => `${((s / sampleRate) * 1000).toFixed(s * 1000 % sampleRate === 0 ? 0 : 2)} ms`;
  const stagesText = [noiseReduction ? 'noise reduction' : '', pcan ? 'PCAN' : ''].filter(Boolean).join(' + ');
  return {
    kind: 'audio',
    channels: 1,
    windowSamples: win,
    hopSamples: hop,
    tensorBytes,
    create,
    c: { implementation: 'tf_fe_audio.cpp', kernels: ['signal_math', 'signal_ops', 'signal_rfft'], header, source },
    describe: [
      `microphone, log-mel: ${bins} bins (${lowerHz}..${upperHz} Hz), ${msText(win)} window (${win} samples, ${fft}-point FFT), ${msText(hop)} hop (${hop} samples) at ${sampleRate} Hz`,
      `${frames} frames per tensor (${msText(win + (frames - 1) * hop)} of audio), inference every ${every} hop(s)${fb.empty ? `; ${fb.empty} mel channel(s) get no FFT bin (too many bins for a ${fft}-point FFT)` : ''}`,
      `features as TFLM's micro_speech audio preprocessor (${stagesText ? `${stagesText} + ` : ''}log, v = ${outScale} ln(amplitude)); ${quantText}${quantize === 'tensor' ? ` into ${input.dtype}` : ''}`,
    ],
  };
}
