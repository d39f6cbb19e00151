/**
 * Sensor pipeline plumbing: tinyforge.json checks, defaults from the model
 * and board, the time-series front end's integer arithmetic, CSV recordings,
 * the windowing and the always-on loop's averaging/threshold decisions.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../lib/load.js';
import { readPipelineFile, resolvePipeline } from '../../lib/pipeline.js';
import { readCsvRecording, toHalUnits } from '../../lib/csv.js';
import { PipelineError } from '../../lib/errors.js';
import { planTimeseries } from '../../sim/frontend/timeseries.js';
import { runStream, StreamWindow } from '../../sim/frontend/pipeline.js';
import { loopParams, ResultAverager } from '../../sim/frontend/loop.js';
import { resolveBoard } from '../../lib/boards.js';
import { simulateRecording } from '../../lib/recording.js';
import { boardPipeline } from '../../lib/generate.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/gesture_int8.tflite', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'tinyforge-pipeline-'));
const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

describe('tinyforge.json', () => {
  it('the example pipeline beside the model is found and resolved', async () => {
    const model = await loadModel(EXAMPLE);
    expect(resolvePipeline(model)).toBeNull(); // generate/analyze: only when asked for
    const p = resolvePipeline(model, { discover: true })!;
    expect(p.sensor).toBe('imu');
    expect(p.file).toMatch(/gesture_int8\.tinyforge\.json$/);
    expect(p.plan.kind).toBe('timeseries');
    if (p.plan.kind === 'image') throw new Error('unreachable');
    expect([p.plan.channels, p.plan.windowSamples, p.plan.hopSamples]).toEqual([3, 64, 16]);
    // 50 Hz / 16 samples per inference
    expect(p.inferenceRateHz).toBeCloseTo(3.125, 10);
    expect(p.loop.labels).toEqual(['idle', 'shake', 'circle', 'tap']);
    expect(p.hal.channelMap).toEqual([0, 1, 2]);
  });

  it('rejects unknown fields, bad types and bad JSON with the file and field named', () => {
    expect(() => readPipelineFile(file('a.json', '{"sensor":"imu","strideSample":3}'))).toThrow(/strideSample/);
    expect(() => readPipelineFile(file('b.json', '{"sensor":"radar"}'))).toThrow(/\/sensor/);
    expect(() => readPipelineFile(file('c.json', '{"sensor":'))).toThrow(PipelineError);
    expect(() => readPipelineFile(file('d.json', '{"pins":["D3"]}'))).toThrow(/\/pins\/0/);
    expect(() => readPipelineFile(join(tmp, 'missing.json'))).toThrow(/cannot read/);
  });

  it('flags override the file; no sensor anywhere gives no pipeline', async () => {
    const model = await loadModel(EXAMPLE);
    const none = file('none.json', '{"labels":["a","b","c","d"]}');
    expect(resolvePipeline(model, { pipelineFile: none })).toBeNull();
    const adc = resolvePipeline(model, { pipelineFile: none, sensor: 'adc', description: { pins: ['A0', 'A3', 'A5'] } })!;
    expect(adc.sensor).toBe('adc');
    expect(adc.hal.adcPins).toEqual(['A0', 'A3', 'A5']);
    expect(() => resolvePipeline(model, { sensor: 'sonar' })).toThrow(/sonar/);
  });

  it('defaults the IMU rate from the board data and refuses boards without the sensor', async () => {
    const model = await loadModel(EXAMPLE);
    const board = resolveBoard('nano33ble-sense-rev1');
    const p = resolvePipeline(model, { sensor: 'imu', pipelineFile: file('e.json', '{}'), board })!;
    const imu = board.sensors.find((s) => s.kind === 'imu')!;
    expect(p.sampleRateHz).toBe(imu.facts.rateHz);
    let err: unknown;
    try {
      boardPipeline(model, resolveBoard('esp32-devkit'), { sensor: 'imu', pipelineFile: file('f.json', '{}') });
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toMatch(/esp32-devkit has no imu/);
    expect((err as PipelineError).hint).toMatch(/boards with one: .*nano33ble-sense-rev1/);
  });

  it('checks the request against what the board\'s sensor can do', async () => {
    const model = await loadModel(EXAMPLE);
    expect(() => boardPipeline(model, resolveBoard('xiao-nrf52840-sense'), { pipeline: { sensor: 'imu', channels: ['ax', 'ay', 'mz'] } })).toThrow(/no mz channel/);
    expect(() => boardPipeline(model, resolveBoard('nucleo-f401re'), { pipeline: { sensor: 'adc', pins: ['A0', 'A1', 'A2'], adcBits: 14 } })).toThrow(/at most 12 bits/);
    expect(boardPipeline(model, resolveBoard('nucleo-f401re'), { pipeline: { sensor: 'adc', pins: ['A0', 'A1', 'A2'], adcBits: 12 } })!.hal.adcBits).toBe(12);
  });

  it('labels from a labels file next to the pipeline file', async () => {
    const model = await loadModel(EXAMPLE);
    file('labels.txt', 'idle\r\nshake\n\ncircle\ntap\n');
    const p = resolvePipeline(model, { pipelineFile: file('g.json', '{"sensor":"imu","labelsFile":"labels.txt"}') })!;
    expect(p.loop.labels).toEqual(['idle', 'shake', 'circle', 'tap']);
    expect(() => resolvePipeline(model, { pipelineFile: file('h.json', '{"sensor":"imu","labelsFile":"nope.txt"}') })).toThrow(/labels file/);
  });
});

describe('time-series front end', () => {
  const input = { shape: [1, 4, 1, 2], dtype: 'int8' as const, scale: 0.5, zeroPoint: -3, bytes: 8 };

  it('q = clamp(zp + MBQM(x - offset, scale / input scale)), hand-computed', () => {
    // Channel 0: 0.25 real per unit, offset 10 -> q = -3 + round((x - 10) * 0.5); channel 1: 1 per unit -> -3 + 2x.
    const plan = planTimeseries({ sampleRateHz: 10, strideSamples: 2, scale: [0.25, 1], offset: [10, 0] }, input);
    const run = plan.create();
    const tensor = new Uint8Array(8);
    expect(run.hop(Int16Array.from([10, 0, 13, 1, 7, -2, 32767, -32768]), tensor)).toBe(true);
    // (13-10)*0.5 = 1.5 -> 2; (7-10)*0.5 = -1.5 -> -1: SaturatingRoundingDoublingHighMul's nudge
    // (1 - 2^30 for a negative product) rounds a negative exact half up, as TFLite does; saturation at both ends.
    expect(Array.from(new Int8Array(tensor.buffer))).toEqual([-3, -3, -1, -1, -4, -7, 127, -128]);
  });

  it('refuses windows that do not divide, strides longer than the window, absurd scales', () => {
    expect(() => planTimeseries({ sampleRateHz: 10, channels: 3 }, input)).toThrow(/whole number/);
    expect(() => planTimeseries({ sampleRateHz: 10, strideSamples: 5 }, input)).toThrow(/stride/);
    expect(() => planTimeseries({ sampleRateHz: 10, scale: [1e6] }, input)).toThrow(/scale/);
    expect(() => planTimeseries({ sampleRateHz: 10, scale: [1, 2, 3] }, input)).toThrow(/channels/);
  });

  it('windowing: first inference after a full window, then one per hop, whatever the chunking', () => {
    const plan = planTimeseries({ sampleRateHz: 10, strideSamples: 3 }, input);
    const samples = Int16Array.from({ length: 2 * 20 }, (_, i) => i);
    const all = runStream(plan, samples);
    // 20 samples, window 4, hop 3: inferences after samples 4, 7, 10, 13, 16, 19.
    expect(all.map((s) => s.endSample)).toEqual([4, 7, 10, 13, 16, 19]);
    // The window of the inference after sample 7 holds samples 3..6.
    // (values 6..13 interleaved; channel scale 1 / input scale 0.5 = x2, zero point -3)
    expect(Array.from(new Int8Array(all[1]!.tensor.buffer))).toEqual([9, 11, 13, 15, 17, 19, 21, 23]);
    const w = new StreamWindow(plan);
    const chunked: Uint8Array[] = [];
    for (let i = 0; i < 20; ) {
      const n = Math.min(20 - i, 1 + (i % 5));
      w.push(samples.subarray(2 * i, 2 * (i + n)), (t) => chunked.push(t.slice()));
      i += n;
    }
    expect(chunked).toEqual(all.map((s) => s.tensor));
  });
});

describe('CSV recordings', () => {
  it('header names pick the channels; units become the HAL units with its rounding', () => {
    const s = readCsvRecording('gX,aZ,aX,aY\n1.25,1.0,0.0005,-0.0005\n-3,0.25,-1,40\n', ['ax', 'ay', 'az', 'gx']);
    // 0.0005 g -> 0.5 mg, float32 product 0.5 (rounds away from zero) -> 1; 40 g saturates.
    expect(Array.from(s)).toEqual([1, -1, 1000, 13, -1000, 32767, 250, -30]);
  });
  it('without a header the first columns are taken in order', () => {
    expect(Array.from(readCsvRecording('100,200\n300,400\n', ['A0', 'A1']))).toEqual([100, 200, 300, 400]);
  });
  it('names the row and column of a bad value, and a missing column', () => {
    expect(() => readCsvRecording('1,2\n3,x\n', ['A0', 'A1'])).toThrow(/row 2, column 2/);
    expect(() => readCsvRecording('ax,ay\n1,2\n', ['ax', 'ay', 'az'])).toThrow(/no column for channel az/);
    expect(() => readCsvRecording('\n\n', ['ax'])).toThrow(/no rows/);
  });
  it('toHalUnits: float32 product, half away from zero, int16 saturation', () => {
    expect([toHalUnits(0.0015, 1000), toHalUnits(-0.0025, 1000), toHalUnits(33, 1000), toHalUnits(-2000.05, 10)]).toEqual([2, -3, 32767, -20001]);
  });
});

describe('always-on loop decision', () => {
  it('averages k results, needs a full window, applies the threshold as an integer sum and suppresses repeats', () => {
    // int8 output, scale 1/256, zero point -128: threshold 0.5 over 2 results = ceil(0.5*2*256) = 256.
    const p = loopParams({ average: 2, threshold: 0.5, suppress: 1 }, { elements: 3, scale: 1 / 256, zeroPoint: -128, dtype: 'int8' });
    expect(p.thresholdSum).toBe(256);
    const a = new ResultAverager(p);
    const r1 = a.add([-128, 127, -128]);
    expect([r1.label, r1.sum, r1.count, r1.detected]).toEqual([1, 255, 1, false]);
    const r2 = a.add([-128, 1, -128]);
    expect([r2.label, r2.sum, r2.detected]).toEqual([1, 255 + 129, true]);
    const r3 = a.add([-128, 127, -128]);
    expect([r3.label, r3.detected]).toEqual([1, false]); // suppressed: same label within 1 result
    const r4 = a.add([-128, 127, -128]);
    expect(r4.detected).toBe(true);
    const r5 = a.add([127, -128, -128]);
    // history: [127 vs 255] for class 1 -> sum 255; class 0 sum 255 too: ties go to the first class.
    expect([r5.label, r5.sum]).toEqual([0, 255]);
    expect(r5.score).toBeCloseTo(255 / 256 / 2, 10);
  });
  it('refuses float outputs', () => {
    expect(() => loopParams({ average: 1, threshold: 0.5, suppress: 0 }, { elements: 3, scale: 1, zeroPoint: 0, dtype: 'float32' })).toThrow(/int8, uint8 or int16 scores/);
  });
});

describe('a recording through the example model', () => {
  it('detects the gestures of the example recording in order', async () => {
    const model = await loadModel(EXAMPLE);
    const p = resolvePipeline(model, { sensor: 'imu' })!;
    const { readRecordingFile } = await import('../../lib/recording.js');
    const rec = readRecordingFile(fileURLToPath(new URL('../../examples/gesture_recording.csv', import.meta.url)), p);
    const steps = simulateRecording(model, p, rec);
    expect(steps.length).toBe(41);
    const detections = steps.filter((s) => s.result.detected).map((s) => s.label);
    const firstOf = (l: string) => detections.indexOf(l);
    expect(firstOf('shake')).toBeGreaterThanOrEqual(0);
    expect(firstOf('shake')).toBeLessThan(firstOf('circle'));
    expect(firstOf('circle')).toBeLessThan(firstOf('tap'));
  });
});
