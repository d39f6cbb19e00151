/**
 * The sensor part of a generated project: the board's HAL for the chosen
 * sensor (templates/hal/<hal>.cpp.hbs, named by the board data), the portable
 * front end and always-on loop (templates/native/frontend/, templates/sensor/)
 * and their generated parameters. Pure: returns path -> content.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { Model } from '../sim/ir/types.js';
import { IMU_CHANNELS, type ResolvedPipeline } from '../lib/pipeline.js';
import { loopParams } from '../sim/frontend/loop.js';
import { GenerateError } from '../lib/errors.js';
import { cText } from './names.js';

export interface SensorBoardEntry {
  kind: string;
  part: string;
  hal: string | null;
  header: string | null;
  /** Further facts of the board's sensor entry (pins, chip, ...) the HAL template may use. */
  facts?: Readonly<Record<string, unknown>>;
}

export interface SensorFiles {
  /** File name (under src/tinyforge/) -> content (no banner). */
  files: Map<string, string>;
  /** Native kernel headers the front end includes (names without .h). */
  kernels: string[];
  /** Translation units for a Makefile build (without .cpp). */
  units: string[];
  /** Capture ring capacity chosen, in samples (0 for cameras). */
  ringSamples: number;
}

/** A HAL template name as it may reach a path: a plain word. */
const HAL_NAME = /^[a-z0-9][a-z0-9-]{0,40}$/;
/** A header from board data, as it may reach an #include <...>. */
const HEADER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_./-]{0,80}\.h$/;

/** Label text as the firmware prints it after "name=": no spaces or quotes, so the line stays key=value. */
export function printableLabel(s: string): string {
  const t = s.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 48);
  return t || '_';
}

const hbs = Handlebars.create();

export function renderSensorFiles(templatesDir: string, model: Model, pipeline: ResolvedPipeline, board: { id: string; sensor: SensorBoardEntry }, opts: { latencyMs?: number }): SensorFiles {
  const { sensor } = board;
  if (!sensor.hal || !HAL_NAME.test(sensor.hal)) {
    throw new GenerateError('sensor-hal', `board ${cText(board.id)}: its ${sensor.kind} (${cText(sensor.part)}) has no capture HAL`, 'choose another --sensor, or add "hal" to the sensor in the board file (boards/board.schema.json)');
  }
  const halFile = join(templatesDir, 'hal', `${sensor.hal}.cpp.hbs`);
  if (!existsSync(halFile)) throw new GenerateError('sensor-hal', `HAL template ${sensor.hal} named by board ${cText(board.id)} does not exist`, 'use a HAL name from templates/hal/');
  if (sensor.header !== null && !HEADER_NAME.test(sensor.header)) {
    throw new GenerateError('board-unsafe', `board ${cText(board.id)}: sensor header ${JSON.stringify(sensor.header)} is not a plain header file name`, 'use letters, digits, _ . / - and a .h ending');
  }
  const sg = model.subgraphs[0]!;
  const input = sg.tensors[sg.inputs[0]!]!;
  const inputBytes = input.shape.reduce((a, b) => a * b, 1) * (input.dtype === 'int16' ? 2 : 1);
  const plan = pipeline.plan;
  if (plan.tensorBytes !== inputBytes) {
    throw new GenerateError('pipeline-size', `the front end writes ${plan.tensorBytes} bytes but the input tensor holds ${inputBytes}`, 'this is a bug in tinyforge; please report it with the model and tinyforge.json');
  }
  const out = sg.tensors[sg.outputs[0]!]!;
  const outElements = out.shape.reduce((a, b) => a * b, 1);
  const lp = loopParams(pipeline.loop, { elements: outElements, scale: out.quantization?.scale[0] ?? 0, zeroPoint: out.quantization?.zeroPoint[0] ?? 0, dtype: out.dtype });

  const files = new Map<string, string>();
  const raw = (rel: string) => readFileSync(join(templatesDir, rel), 'utf8');
  files.set('tf_sensor.h', raw('sensor/tf_sensor.h'));
  files.set('tf_loop.h', raw('sensor/tf_loop.h'));
  files.set('tf_loop.cpp', raw('sensor/tf_loop.cpp'));
  files.set('tf_frontend.h', raw('native/frontend/tf_frontend.h'));
  files.set('tf_pipeline.h', raw('native/frontend/tf_pipeline.h'));
  files.set('tf_pipeline.cpp', raw('native/frontend/tf_pipeline.cpp'));
  files.set('tf_fixedpoint.h', raw('native/runtime/tf_fixedpoint.h'));
  files.set(plan.c.implementation, raw(`native/frontend/${plan.c.implementation}`));
  files.set('tf_frontend_params.h', `#pragma once\n#include <stdint.h>\n\n${plan.c.header}\n`);
  files.set('tf_frontend_params.cpp', `#include "tf_frontend_params.h"\n\n${plan.c.source}\n`);

  const streaming = plan.kind !== 'image';
  const ringSamples = captureRingSamples(pipeline, opts.latencyMs);
  const params: string[] = ['#pragma once', '#include <stdint.h>', ''];
  if (streaming) {
    params.push(`#define TF_SENSOR_RATE_HZ ${Math.round(pipeline.sampleRateHz)}`, `#define TF_SENSOR_PERIOD_US ${Math.max(1, Math.round(1e6 / pipeline.sampleRateHz))}UL`, `#define TF_SENSOR_CHANNELS ${plan.channels}`, `#define TF_SENSOR_RING_SAMPLES ${ringSamples}`);
  }
  let paramsSource = '#include "tf_sensor_params.h"\n';
  if (pipeline.sensor === 'imu') {
    params.push('extern const uint8_t tf_sensor_channel_map[TF_SENSOR_CHANNELS];');
    paramsSource += `// ${pipeline.hal.channelMap.map((i) => IMU_CHANNELS[i]).join(' ')}\nconst uint8_t tf_sensor_channel_map[TF_SENSOR_CHANNELS] = {${pipeline.hal.channelMap.join(', ')}};\n`;
  } else if (pipeline.sensor === 'adc') {
    params.push(`#define TF_ADC_RESOLUTION_BITS ${pipeline.hal.adcBits}`, 'extern const uint8_t tf_adc_pins[TF_SENSOR_CHANNELS];');
    // Pin names were checked against ^A[0-9]{1,2}$ (lib/pipeline.ts); the board's core defines them.
    const pins = pipeline.hal.adcPins.map((p) => (/^A[0-9]{1,2}$/.test(p) ? p : 'A0'));
    // Off Arduino (the emulated board) the pins are plain channel numbers.
    paramsSource = `#if defined(ARDUINO)\n#include <Arduino.h>\n#endif\n${paramsSource}#if defined(ARDUINO)\nconst uint8_t tf_adc_pins[TF_SENSOR_CHANNELS] = {${pins.join(', ')}};\n#else\nconst uint8_t tf_adc_pins[TF_SENSOR_CHANNELS] = {${pins.map((p) => p.slice(1)).join(', ')}};\n#endif\n`;
  } else if (pipeline.sensor === 'microphone') {
    params.push(`#define TF_MIC_GAIN (${pipeline.hal.micGain})`);
  } else if (plan.kind === 'image') {
    const f = plan.frame;
    params.push(`#define TF_CAMERA_WIDTH ${f.width}`, `#define TF_CAMERA_HEIGHT ${f.height}`, f.format === 'grayscale' ? '#define TF_CAMERA_FORMAT_GRAYSCALE 1' : f.format === 'rgb565' ? '#define TF_CAMERA_FORMAT_RGB565 1' : '#define TF_CAMERA_FORMAT_RGB888 1', `#define TF_CAMERA_FRAME_BYTES ${plan.frameBytes}`, `#define TF_CAMERA_FPS ${pipeline.hal.cameraFps}`);
  }
  files.set('tf_sensor_params.h', `${params.join('\n')}\n`);
  files.set('tf_sensor_params.cpp', paramsSource);

  const labels = pipeline.loop.labels.slice(0, lp.classes);
  const outBytes = out.dtype === 'int16' ? 2 : 1;
  files.set(
    'tf_loop_params.h',
    [
      '#pragma once',
      '#include <stdint.h>',
      '',
      `#define TF_LOOP_CLASSES ${lp.classes}`,
      `#define TF_LOOP_AVERAGE ${lp.average}`,
      `// ceil(threshold ${pipeline.loop.threshold} x ${lp.average} results / output scale ${lp.scale}): the averaged score's threshold as a sum of (q - zero point).`,
      `#define TF_LOOP_THRESHOLD_SUM (${lp.thresholdSum})`,
      `#define TF_LOOP_SUPPRESS ${lp.suppress}`,
      `#define TF_LOOP_OUTPUT_ZERO_POINT (${lp.zeroPoint})`,
      `#define TF_LOOP_OUTPUT_SCALE ${floatLiteral(lp.scale)}`,
      `#define TF_LOOP_OUTPUT_BYTES ${outBytes}`,
      `#define TF_LOOP_OUTPUT_SIGNED ${out.dtype === 'uint8' ? 0 : 1}`,
      `#define TF_LOOP_CHUNK_SAMPLES 64`,
      `#define TF_LOOP_PERIOD_US ${Math.round(pipeline.hal.periodMs * 1000)}UL`,
      `#define TF_LOOP_LABELS ${Math.max(labels.length, 1)}`,
      'extern const char* const tf_loop_labels[TF_LOOP_LABELS];',
      '',
    ].join('\n'),
  );
  files.set('tf_loop_params.cpp', `#include "tf_loop_params.h"\n\nconst char* const tf_loop_labels[TF_LOOP_LABELS] = {${labels.length ? labels.map((l) => `"${cText(printableLabel(l), 60)}"`).join(', ') : '""'}};\n`);
  // Helpers the HAL templates share (ring buffer, pacing): plain headers beside them.
  for (const f of readdirSync(join(templatesDir, 'hal')).sort()) if (f.endsWith('.h')) files.set(f, raw(`hal/${f}`));
  const header = sensor.header ?? '';
  const view = { ...halFacts(sensor.facts ?? {}), header, part: cText(sensor.part, 60), kind: sensor.kind };
  let halText: string;
  try {
    halText = hbs.compile(readFileSync(halFile, 'utf8'), { noEscape: true, strict: true })(view);
  } catch (e) {
    throw new GenerateError('sensor-hal', `board ${cText(board.id)}: the ${sensor.hal} HAL needs a fact the board's ${sensor.kind} entry lacks (${cText((e as Error).message.split('\n')[0] ?? '', 120)})`, 'add it to the sensor entry of the board file (see boards/board.schema.json)');
  }
  files.set('tf_hal_sensor.cpp', halText);
  const units = ['tf_loop', 'tf_pipeline', plan.c.implementation.replace(/\.cpp$/, ''), 'tf_frontend_params', 'tf_sensor_params', 'tf_loop_params', 'tf_hal_sensor'];
  return { files, kernels: plan.c.kernels, units, ringSamples };
}

/**
 * The board's sensor facts as the HAL template may print them into C: whole
 * numbers, and words of letters, digits and underscores (pin numbers, a chip
 * enum such as OV7675); anything else is left out, so board data never
 * reaches the C text unchecked.
 */
function halFacts(facts: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const clean = (v: unknown): unknown => {
    if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
    if (typeof v === 'string') return /^[A-Za-z_][A-Za-z0-9_]{0,40}$/.test(v) || /^-?[0-9]{1,10}$/.test(v) ? v : undefined;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const c = clean(x);
        if (c !== undefined) out[k] = c;
      }
      return out;
    }
    return undefined;
  };
  return (clean(facts) ?? {}) as Record<string, unknown>;
}

/**
 * Capture ring capacity in samples (0 for cameras): what arrives while the
 * loop is busy with one inference (twice the estimated latency, plus 50 ms of
 * slack for Serial and the OS), on top of one read chunk and one hop; a power
 * of two, at least 64.
 */
export function captureRingSamples(pipeline: ResolvedPipeline, latencyMs: number | undefined): number {
  const plan = pipeline.plan;
  if (plan.kind === 'image') return 0;
  const latency = Math.max(latencyMs ?? 10, 1);
  const need = Math.ceil((pipeline.sampleRateHz * (2 * latency + 50)) / 1000) + plan.hopSamples + 64;
  return Math.max(64, 2 ** Math.ceil(Math.log2(need)));
}

/** RAM the sensor part holds outside the arena: capture ring, window, read chunk or camera frame. */
export function sensorBufferBytes(pipeline: ResolvedPipeline, latencyMs: number | undefined): number {
  const plan = pipeline.plan;
  if (plan.kind === 'image') return plan.frameBytes;
  return (captureRingSamples(pipeline, latencyMs) + plan.windowSamples + 64) * plan.channels * 2;
}

/** A float as a C literal that reads back as the same float32. */
function floatLiteral(x: number): string {
  const f = Math.fround(x);
  let s = String(f);
  if (!/[.eE]/.test(s)) s += '.0';
  return `${s}f`;
}
