/**
 * Time-series front end (IMU, ADC): the model's input tensor is the last
 * `window` samples of `channels` values, time-major, channels innermost (e.g.
 * [1, 64, 1, 3] = 64 samples of x, y, z). Each value is scaled to the model's
 * real units and quantized:
 *   real = (x - offset[c]) * scale[c]        x: the HAL's int16 (mg, 0.1 deg/s, counts)
 *   q    = clamp(zp + MultiplyByQuantizedMultiplier(x - offset[c], M[c], shift[c]))
 * with M[c], shift[c] = QuantizeMultiplier(scale[c] / input_scale): float work
 * once here, then the same integer expression as TFLite's requantization, in
 * TypeScript and in tf_fe_timeseries.cpp (tf_mbqm of tf_fixedpoint.h).
 */
import { PipelineError } from '../../lib/errors.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier, typeRange } from '../math/fixedpoint.js';
import type { InputTensorInfo, StreamPlan, StreamRunner } from './types.js';

export interface TimeseriesConfig {
  /** Samples per second (only recorded here: the window is counted in samples). */
  sampleRateHz: number;
  /** Values per sample; default the tensor's last dimension. */
  channels?: number;
  /** New samples between two inferences; default half the window. */
  strideSamples?: number;
  /** Real units per HAL unit, per channel (or one for all); default 1. */
  scale?: number[];
  /** HAL units subtracted before scaling, per channel (or one for all); default 0. Rounded to integers. */
  offset?: number[];
  /** Names for the channels (summary only). */
  channelNames?: string[];
}

/** |x - offset| stays below 2^17 (int16 minus an int16-range offset): a larger multiplier could wrap the int32 left shift. */
const MAX_EFFECTIVE_SCALE = 2 ** 13;

function perChannel(what: string, v: number[] | undefined, channels: number, dflt: number): number[] {
  if (v === undefined) return new Array<number>(channels).fill(dflt);
  if (v.length === 1) return new Array<number>(channels).fill(v[0]!);
  if (v.length !== channels) throw new PipelineError('pipeline-channels', `${what} has ${v.length} values but the stream has ${channels} channels`, `give one ${what} value, or one per channel`);
  return v;
}

export function planTimeseries(cfg: TimeseriesConfig, input: InputTensorInfo): StreamPlan {
  const elements = input.shape.reduce((a, b) => a * b, 1);
  const last = input.shape[input.shape.length - 1] ?? 1;
  const channels = cfg.channels ?? last;
  if (!Number.isInteger(channels) || channels < 1 || channels > 16) {
    throw new PipelineError('pipeline-channels', `${String(cfg.channels)} channels is not a whole number between 1 and 16`, 'set "channels" in tinyforge.json');
  }
  if (elements % channels !== 0) {
    throw new PipelineError('pipeline-shape', `the input tensor has ${elements} elements, not a whole number of ${channels}-channel samples`, 'set "channels" to a divisor of the tensor size');
  }
  const windowSamples = elements / channels;
  const hopSamples = cfg.strideSamples ?? Math.max(1, Math.floor(windowSamples / 2));
  if (!Number.isInteger(hopSamples) || hopSamples < 1 || hopSamples > windowSamples) {
    throw new PipelineError('pipeline-stride', `stride ${String(cfg.strideSamples)} samples is not between 1 and the window (${windowSamples} samples)`, 'set "strideSamples" (or "strideMs") to at most the window');
  }
  if (!(cfg.sampleRateHz > 0) || cfg.sampleRateHz > 100_000) {
    throw new PipelineError('pipeline-rate', `sample rate ${String(cfg.sampleRateHz)} Hz is not between 0 and 100000`, 'set "sampleRateHz"');
  }
  if (input.dtype !== 'int8' && input.dtype !== 'uint8' && input.dtype !== 'int16') {
    throw new PipelineError('pipeline-dtype', `input tensor type ${String(input.dtype)} cannot be fed by a sensor front end`, 'use a model with an int8, uint8 or int16 input');
  }
  if (!(input.scale > 0)) throw new PipelineError('pipeline-quant', 'the input tensor has no quantization scale', 'use a quantized model (int8 input with scale and zero point)');
  const scale = perChannel('scale', cfg.scale, channels, 1);
  const offset = perChannel('offset', cfg.offset, channels, 0).map((o) => Math.round(o));
  const mult = new Int32Array(channels);
  const shift = new Int32Array(channels);
  const off = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    const eff = scale[c]! / input.scale;
    if (!Number.isFinite(eff) || eff <= 0 || eff >= MAX_EFFECTIVE_SCALE) {
      throw new PipelineError('pipeline-scale', `channel ${c}: scale ${scale[c]} / input scale ${input.scale} = ${eff} is not a positive factor below ${MAX_EFFECTIVE_SCALE}`, 'check "scale": real units per sensor unit (e.g. 0.001 for g from mg)');
    }
    if (Math.abs(offset[c]!) > 65535) throw new PipelineError('pipeline-offset', `channel ${c}: offset ${offset[c]} is outside the sensor's int16 range`, 'give "offset" in sensor units');
    const q = quantizeMultiplier(eff);
    mult[c] = q.multiplier;
    shift[c] = q.shift;
    off[c] = offset[c]!;
  }
  const [lo, hi] = typeRange(input.dtype);
  const zp = input.zeroPoint;
  const bytesPer = input.dtype === 'int16' ? 2 : 1;
  const tensorBytes = elements * bytesPer;

  const create = (): StreamRunner => {
    let scratch16: Int16Array | null = null;
    return {
      reset() {},
      hop(window, tensor) {
        const n = windowSamples * channels;
        if (bytesPer === 2) {
          if (!scratch16 || scratch16.buffer !== tensor.buffer || scratch16.byteOffset !== tensor.byteOffset) {
            // Little-endian like the ARM and x86 boards; the tensor's offset is even in practice.
            scratch16 = new Int16Array(tensor.buffer, tensor.byteOffset, n);
          }
        }
        for (let i = 0, c = 0; i < n; i++) {
          let q = zp + multiplyByQuantizedMultiplier(window[i]! - off[c]!, mult[c]!, shift[c]!);
          q = q < lo ? lo : q > hi ? hi : q;
          if (bytesPer === 2) scratch16![i] = q;
          else tensor[i] = q & 0xff;
          if (++c === channels) c = 0;
        }
        return true;
      },
    };
  };

  const list = (a: Int32Array) => Array.from(a).join(', ');
  const header = [
    `#define TF_FE_CHANNELS ${channels}`,
    `#define TF_FE_WINDOW_SAMPLES ${windowSamples}`,
    `#define TF_FE_HOP_SAMPLES ${hopSamples}`,
    `#define TF_FE_TENSOR_BYTES ${tensorBytes}`,
    `#define TF_FE_TENSOR_INT16 ${bytesPer === 2 ? 1 : 0}`,
    `#define TF_FE_ZERO_POINT (${zp})`,
    `#define TF_FE_QMIN (${lo})`,
    `#define TF_FE_QMAX (${hi})`,
    '// Per channel: x - offset, then MultiplyByQuantizedMultiplier(., multiplier, shift).',
    'extern const int32_t tf_fe_offset[TF_FE_CHANNELS];',
    'extern const int32_t tf_fe_multiplier[TF_FE_CHANNELS];',
    'extern const int32_t tf_fe_shift[TF_FE_CHANNELS];',
  ].join('\n');
  const source = [
    `const int32_t tf_fe_offset[TF_FE_CHANNELS] = {${list(off)}};`,
    `const int32_t tf_fe_multiplier[TF_FE_CHANNELS] = {${list(mult)}};`,
    `const int32_t tf_fe_shift[TF_FE_CHANNELS] = {${list(shift)}};`,
  ].join('\n');
  const names = cfg.channelNames && cfg.channelNames.length === channels ? cfg.channelNames.join(', ') : `${channels} channel(s)`;
  return {
    kind: 'timeseries',
    channels,
    windowSamples,
    hopSamples,
    tensorBytes,
    create,
    c: { implementation: 'tf_fe_timeseries.cpp', kernels: [], header, source },
    describe: [
      `time series: ${names} at ${cfg.sampleRateHz} Hz, window ${windowSamples} samples (${((windowSamples / cfg.sampleRateHz) * 1000).toFixed(0)} ms), inference every ${hopSamples} samples (${((hopSamples / cfg.sampleRateHz) * 1000).toFixed(0)} ms)`,
      `scale ${scale.map((s) => String(s)).join(', ')} per unit, offset ${Array.from(off).join(', ')}; quantized to ${input.dtype} (scale ${input.scale}, zero point ${zp})`,
    ],
  };
}
