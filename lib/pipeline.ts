/**
 * The sensor pipeline of a model: which sensor feeds it, how raw samples
 * become the input tensor (a front-end plan from sim/frontend/), and what the
 * always-on loop does with the results (averaging, threshold, labels).
 *
 * Described by a JSON file (`--pipeline FILE`, else `<model>.tinyforge.json`
 * or `tinyforge.json` beside the model) and/or flags; the flags win. Checked
 * with ajv; every problem is a PipelineError naming the field and the fix.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Model, Tensor } from '../sim/ir/types.js';
import type { FrontEndPlan, InputTensorInfo, SensorKind } from '../sim/frontend/types.js';
import { planTimeseries } from '../sim/frontend/timeseries.js';
import { planAudio, type AudioConfig } from '../sim/frontend/audio.js';
import { planImage, type ImageConfig } from '../sim/frontend/image.js';
import { PipelineError } from './errors.js';
import type { ResolvedBoard } from './boards.js';

export const SENSOR_KINDS: readonly SensorKind[] = ['imu', 'microphone', 'adc', 'camera'];
/** IMU channel names in the HAL's channel-map order (tf_sensor.h). */
export const IMU_CHANNELS = ['ax', 'ay', 'az', 'gx', 'gy', 'gz', 'mx', 'my', 'mz'] as const;
/** Real units per HAL unit of each IMU channel: g per mg, deg/s per 0.1 deg/s, uT per 0.1 uT. */
const IMU_UNIT = { a: 0.001, g: 0.1, m: 0.1 } as const;

/** tinyforge.json: every field optional; defaults come from the model's input and the board. */
export interface PipelineFile {
  sensor?: SensorKind;
  /** Samples per second (streaming sensors). */
  sampleRateHz?: number;
  /** New samples between inferences (or strideMs). */
  strideSamples?: number;
  strideMs?: number;
  /** imu: channel names from ax ay az gx gy gz mx my mz. */
  channels?: string[];
  /** adc: Arduino analog pins, e.g. ["A0", "A1"]. */
  pins?: string[];
  /** adc: analogReadResolution bits. */
  adcBits?: number;
  /** Real units per HAL unit (per channel or one). */
  scale?: number[];
  /** HAL units subtracted first (per channel or one). */
  offset?: number[];
  /** microphone: PDM gain (-1 = library default). */
  micGain?: number;
  audio?: AudioConfig;
  image?: ImageConfig;
  /** camera: ms between captures. */
  periodMs?: number;
  /** Class names, output element order. */
  labels?: string[];
  /** A text file with one label per line (relative to the pipeline file). */
  labelsFile?: string;
  /** Average the last N results before deciding. */
  average?: number;
  /** A label is reported as detected when its averaged score (dequantized output) reaches this. */
  threshold?: number;
  /** After a detection, results in which the same label is not reported again. */
  suppress?: number;
}

const num = { type: 'number' };
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    sensor: { enum: SENSOR_KINDS },
    sampleRateHz: { type: 'number', exclusiveMinimum: 0, maximum: 100000 },
    strideSamples: { type: 'integer', minimum: 1 },
    strideMs: { type: 'number', exclusiveMinimum: 0 },
    channels: { type: 'array', minItems: 1, maxItems: 9, uniqueItems: true, items: { enum: IMU_CHANNELS } },
    pins: { type: 'array', minItems: 1, maxItems: 8, uniqueItems: true, items: { type: 'string', pattern: '^A[0-9]{1,2}$' } },
    adcBits: { type: 'integer', minimum: 8, maximum: 16 },
    scale: { type: 'array', minItems: 1, maxItems: 16, items: num },
    offset: { type: 'array', minItems: 1, maxItems: 16, items: num },
    micGain: { type: 'integer', minimum: -1, maximum: 255 },
    audio: { type: 'object' },
    image: { type: 'object' },
    periodMs: { type: 'integer', minimum: 1, maximum: 86400000 },
    labels: { type: 'array', minItems: 1, maxItems: 4096, items: { type: 'string', maxLength: 64 } },
    labelsFile: { type: 'string', minLength: 1 },
    average: { type: 'integer', minimum: 1, maximum: 64 },
    threshold: num,
    suppress: { type: 'integer', minimum: 0, maximum: 10000 },
  },
} as const;

const ajv = new Ajv2020({ allErrors: false, strict: true });
const validateFile = ajv.compile<PipelineFile>(SCHEMA);

export interface PipelineLoop {
  /** Results averaged. */
  average: number;
  /** Threshold on the averaged dequantized score. */
  threshold: number;
  /** Results after a detection during which the same label is not reported again. */
  suppress: number;
  /** One per output element (output 0), or [] when unknown. */
  labels: string[];
}

export interface ResolvedPipeline {
  sensor: SensorKind;
  plan: FrontEndPlan;
  /** Streaming: samples per second; camera: frames per second (1000 / periodMs). */
  sampleRateHz: number;
  /** Inferences per second the always-on loop runs (feeds analyze --rate). */
  inferenceRateHz: number;
  loop: PipelineLoop;
  /** HAL facts the generated tf_sensor_params.h carries. */
  hal: { channelMap: number[]; adcPins: string[]; adcBits: number; micGain: number; cameraFps: number; periodMs: number };
  /** Where the description came from (file path, or null for flags/defaults only). */
  file: string | null;
  /** The camera options as described (crop, resize, byte order): a picture becomes a frame with the same ones. */
  image: ImageConfig | null;
  describe: string[];
}

/** Reads and checks a pipeline file. */
export function readPipelineFile(path: string): PipelineFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PipelineError('pipeline-read', `cannot read pipeline file ${path}: ${(e as Error).message}`, 'check the path given to --pipeline', { file: path });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new PipelineError('pipeline-json', `pipeline file ${path} is not valid JSON: ${(e as Error).message}`, 'fix the JSON syntax', { file: path });
  }
  if (!validateFile(data)) {
    const err = validateFile.errors?.[0];
    const where = err?.instancePath || '/';
    throw new PipelineError('pipeline-schema', `pipeline file ${path}: ${where} ${err?.message ?? 'is invalid'}${err?.params && 'additionalProperty' in err.params ? ` (${String(err.params.additionalProperty)})` : ''}`, 'see README "Sensors and pre-processing" for the fields of tinyforge.json', { file: path, field: where });
  }
  return data;
}

/** The pipeline file that goes with a model: <model>.tinyforge.json, else tinyforge.json beside it; null when neither exists. */
export function findPipelineFile(modelPath: string | null): string | null {
  if (!modelPath) return null;
  const dir = dirname(resolve(modelPath));
  const stem = basename(modelPath).replace(/\.tflite$/i, '');
  for (const f of [join(dir, `${stem}.tinyforge.json`), join(dir, 'tinyforge.json')]) if (existsSync(f)) return f;
  return null;
}

function inputInfo(t: Tensor): InputTensorInfo {
  if (t.dtype !== 'int8' && t.dtype !== 'uint8' && t.dtype !== 'int16') {
    throw new PipelineError('pipeline-dtype', `input tensor ${JSON.stringify(t.name)} is ${t.dtype}: a sensor front end fills int8, uint8 or int16 inputs`, 'use a model quantized with an integer input');
  }
  const q = t.quantization;
  const bytes = t.shape.reduce((a, b) => a * b, 1) * (t.dtype === 'int16' ? 2 : 1);
  return { shape: [...t.shape], dtype: t.dtype, scale: q?.scale[0] ?? 0, zeroPoint: q?.zeroPoint[0] ?? 0, bytes };
}

export interface PipelineRequest {
  /** Sensor kind from the command line; overrides the file's. */
  sensor?: string;
  /** A pipeline file; default: found beside the model. */
  pipelineFile?: string;
  /** Already-read description (API use); merged under the flags. */
  description?: PipelineFile;
  board?: ResolvedBoard;
  /**
   * Use a pipeline file found beside the model even when no sensor, file or
   * description was asked for (simulate --wav/--csv/--image). generate and
   * analyze only build a sensor pipeline when one was asked for: --sensor or
   * --pipeline; the file beside the model then supplies the details.
   */
  discover?: boolean;
}

/**
 * The pipeline for a model, or null when no sensor is asked for (no --sensor
 * and no pipeline file with a sensor).
 */
export function resolvePipeline(model: Model, req: PipelineRequest = {}): ResolvedPipeline | null {
  const asked = req.sensor !== undefined || req.pipelineFile !== undefined || req.description !== undefined;
  if (!asked && !req.discover) return null;
  const file = req.pipelineFile ? resolve(req.pipelineFile) : findPipelineFile(model.source);
  const desc: PipelineFile = { ...(file ? readPipelineFile(file) : {}), ...(req.description ?? {}) };
  const sensor = (req.sensor ?? desc.sensor) as SensorKind | undefined;
  if (sensor === undefined) return null;
  if (!SENSOR_KINDS.includes(sensor)) {
    throw new PipelineError('pipeline-sensor', `sensor ${JSON.stringify(sensor)} is not one tinyforge captures`, `use one of: ${SENSOR_KINDS.join(', ')}`);
  }
  const sg = model.subgraphs[0]!;
  if (sg.inputs.length !== 1) {
    throw new PipelineError('pipeline-inputs', `the model has ${sg.inputs.length} inputs; a sensor pipeline feeds exactly one`, 'use a single-input model, or feed inputs with simulate --input');
  }
  const input = inputInfo(sg.tensors[sg.inputs[0]!]!);
  const boardSensor = req.board?.sensors.find((s) => s.kind === sensor);
  const facts = (boardSensor?.facts ?? {}) as { rateHz?: number };
  const hal = { channelMap: [] as number[], adcPins: [] as string[], adcBits: 12, micGain: desc.micGain ?? -1, cameraFps: 1, periodMs: desc.periodMs ?? 1000 };
  let plan: FrontEndPlan;
  let rate: number;
  const stride = (r: number): number | undefined => desc.strideSamples ?? (desc.strideMs !== undefined ? Math.max(1, Math.round((desc.strideMs * r) / 1000)) : undefined);
  if (sensor === 'imu' || sensor === 'adc') {
    rate = desc.sampleRateHz ?? (sensor === 'imu' ? (typeof facts.rateHz === 'number' ? facts.rateHz : 100) : 100);
    let channelNames: string[];
    let scale = desc.scale;
    if (sensor === 'imu') {
      const last = input.shape[input.shape.length - 1] ?? 1;
      const names = desc.channels ?? (last === 6 ? IMU_CHANNELS.slice(0, 6) : last === 9 ? [...IMU_CHANNELS] : IMU_CHANNELS.slice(0, 3));
      channelNames = [...names];
      hal.channelMap = names.map((n) => IMU_CHANNELS.indexOf(n as (typeof IMU_CHANNELS)[number]));
      scale ??= names.map((n) => IMU_UNIT[n[0] as 'a' | 'g' | 'm']);
    } else {
      const pins = desc.pins ?? ['A0'];
      channelNames = pins;
      hal.adcPins = pins;
      hal.adcBits = desc.adcBits ?? 12;
    }
    plan = planTimeseries({ sampleRateHz: rate, channels: channelNames.length, strideSamples: stride(rate), scale, offset: desc.offset, channelNames }, input);
  } else if (sensor === 'microphone') {
    const audio: AudioConfig = { ...(desc.audio ?? {}) };
    audio.sampleRateHz ??= desc.sampleRateHz ?? 16000;
    if (desc.strideMs !== undefined) audio.strideMs ??= desc.strideMs;
    rate = audio.sampleRateHz;
    plan = planAudio(audio, input);
  } else {
    plan = planImage(cameraConfig(desc.image ?? {}, input, boardSensor?.facts), input);
    rate = 1000 / hal.periodMs;
    // OV767X cameras run at 1 or 5 fps (arduino-apis.md §2.4): the faster one when a capture is due more than once a second.
    hal.cameraFps = hal.periodMs < 1000 ? 5 : 1;
  }
  const hopsPerInference = plan.kind === 'image' ? 1 : ((plan as { hopsPerInference?: number }).hopsPerInference ?? 1);
  const inferenceRateHz = plan.kind === 'image' ? rate : rate / plan.hopSamples / hopsPerInference;
  const labels = desc.labels ?? (desc.labelsFile ? readLabels(resolve(file ? dirname(file) : '.', desc.labelsFile)) : []);
  const loop: PipelineLoop = { average: desc.average ?? 1, threshold: desc.threshold ?? 0.5, suppress: desc.suppress ?? 0, labels };
  const describe = [
    `sensor ${sensor}${boardSensor ? ` (${boardSensor.part})` : ''}${file ? `, from ${file}` : ''}`,
    ...plan.describe,
    `always-on loop: ${inferenceRateHz.toFixed(inferenceRateHz < 10 ? 2 : 1)} inferences/s, average of ${loop.average}, threshold ${loop.threshold}${labels.length ? `, labels ${labels.join(', ')}` : ''}`,
  ];
  return { sensor, plan, sampleRateHz: rate, inferenceRateHz, loop, hal, file, image: sensor === 'camera' ? (desc.image ?? {}) : null, describe };
}

interface CameraFrameFact {
  width: number;
  height: number;
  formats?: string[];
}

/**
 * The frame a board's camera delivers, when tinyforge.json does not say: the
 * smallest size the board data lists that covers the input (else the largest),
 * grayscale for a 1-channel input when the camera offers it, else rgb565.
 */
function cameraConfig(cfg: ImageConfig, input: InputTensorInfo, facts: Readonly<Record<string, unknown>> | undefined): ImageConfig {
  const frames = (facts?.frames ?? []) as CameraFrameFact[];
  if (cfg.frame || !Array.isArray(frames) || frames.length === 0) return cfg;
  const [, h = 1, w = 1, c = 1] = input.shape;
  const sorted = [...frames].sort((a, b) => a.width * a.height - b.width * b.height);
  const pick = sorted.find((f) => f.width >= w && f.height >= h) ?? sorted[sorted.length - 1]!;
  const formats = pick.formats ?? ['grayscale', 'rgb565'];
  const format = c === 1 && formats.includes('grayscale') ? 'grayscale' : formats.includes('rgb565') ? 'rgb565' : 'grayscale';
  return { ...cfg, frame: { width: pick.width, height: pick.height, format } };
}

function readLabels(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PipelineError('pipeline-labels', `cannot read labels file ${path}: ${(e as Error).message}`, 'give "labelsFile" relative to the pipeline file, one label per line', { file: path });
  }
  const labels = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  if (labels.length === 0 || labels.length > 4096 || labels.some((l) => l.length > 64)) {
    throw new PipelineError('pipeline-labels', `labels file ${path} must hold 1..4096 labels of at most 64 characters, one per line`, 'fix the labels file', { file: path });
  }
  return labels;
}
