/**
 * A sensor recording through the pipeline and the model, as the board's
 * always-on loop would process it (simulate --wav / --csv / --image, and the
 * API): every input tensor the front end produces, the model's outputs for it,
 * and the loop's averaged decision.
 */
import { readFileSync } from 'node:fs';
import type { Model } from '../sim/ir/types.js';
import { Simulator, arrayFor } from '../sim/interpreter.js';
import type { TypedArray } from '../sim/kernels/types.js';
import { StreamWindow } from '../sim/frontend/pipeline.js';
import { loopParams, ResultAverager, type LoopResult } from '../sim/frontend/loop.js';
import { IMU_CHANNELS, type ResolvedPipeline } from './pipeline.js';
import { PipelineError } from './errors.js';
import { readCsvRecording } from './csv.js';
import { readWav } from './wav.js';
import { readImage, toFrame } from './image-files.js';

/** Streaming sensors: interleaved int16 samples in HAL units; cameras: frames as the HAL delivers them. */
export type Recording = { kind: 'stream'; samples: Int16Array } | { kind: 'frames'; frames: Uint8Array[] };

export interface RecordingStep {
  index: number;
  /** Streaming: samples seen when this inference ran; cameras: the frame number. */
  at: number;
  /** Seconds into the recording (streaming) or frame index x period. */
  timeS: number;
  input: Uint8Array;
  outputs: TypedArray[];
  result: LoopResult;
  /** Label text of result.label ('' when unknown). */
  label: string;
}

/** Runs a recording through the pipeline and the model. */
export function simulateRecording(model: Model, pipeline: ResolvedPipeline, recording: Recording, sim: Simulator = new Simulator(model)): RecordingStep[] {
  const sg = model.subgraphs[0]!;
  const inputT = sg.tensors[sg.inputs[0]!]!;
  const outT = sg.tensors[sg.outputs[0]!]!;
  const averager = new ResultAverager(
    loopParams(pipeline.loop, { elements: outT.shape.reduce((a, b) => a * b, 1), scale: outT.quantization?.scale[0] ?? 0, zeroPoint: outT.quantization?.zeroPoint[0] ?? 0, dtype: outT.dtype }),
  );
  sim.reset();
  const steps: RecordingStep[] = [];
  const infer = (tensor: Uint8Array, at: number, timeS: number) => {
    // run() copies the input in: a typed view of the front end's buffer is enough.
    const outputs = sim.run([arrayFor(inputT.dtype, tensor.buffer as ArrayBuffer, tensor.byteOffset, tensor.byteLength)]);
    const result = averager.add(outputs[0] as ArrayLike<number>);
    steps.push({ index: steps.length, at, timeS, input: tensor.slice(), outputs, result, label: pipeline.loop.labels[result.label] ?? '' });
  };
  const plan = pipeline.plan;
  if (plan.kind === 'image') {
    if (recording.kind !== 'frames') throw new PipelineError('recording-kind', 'a camera pipeline needs frames (an image), not a sample stream', 'use --image');
    const runner = plan.create();
    const tensor = new Uint8Array(plan.tensorBytes);
    recording.frames.forEach((f, i) => {
      if (f.byteLength !== plan.frameBytes) throw new PipelineError('recording-frame', `frame ${i} has ${f.byteLength} bytes, the camera delivers ${plan.frameBytes}`, 'convert the picture with toFrame()');
      runner.frame(f, tensor);
      infer(tensor, i, (i * pipeline.hal.periodMs) / 1000);
    });
    return steps;
  }
  if (recording.kind !== 'stream') throw new PipelineError('recording-kind', `a ${pipeline.sensor} pipeline needs a sample stream, not frames`, pipeline.sensor === 'microphone' ? 'use --wav' : 'use --csv');
  // The same windowing as the firmware; results are collected in order.
  const w = new StreamWindow(plan);
  w.push(recording.samples, (tensor, end) => infer(tensor, end, end / pipeline.sampleRateHz));
  return steps;
}

/** The channel names a CSV recording must provide for this pipeline. */
export function recordingChannels(pipeline: ResolvedPipeline): string[] {
  if (pipeline.sensor === 'imu') return pipeline.hal.channelMap.map((i) => IMU_CHANNELS[i]!);
  if (pipeline.sensor === 'adc') return pipeline.hal.adcPins;
  return ['pcm'];
}

/** Reads a recording file for the pipeline's sensor: .wav (microphone), .csv (imu, adc), an image (camera). */
export function readRecordingFile(path: string, pipeline: ResolvedPipeline): Recording {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new PipelineError('recording-read', `cannot read ${path}: ${(e as Error).message}`, 'check the path', { file: path });
  }
  const plan = pipeline.plan;
  if (plan.kind === 'image') {
    const img = readImage(bytes, path);
    const cfg = pipeline.image ?? {};
    return { kind: 'frames', frames: [toFrame(img, plan.frame, { crop: cfg.crop, resize: cfg.resize, rgb565ByteOrder: cfg.rgb565ByteOrder })] };
  }
  if (pipeline.sensor === 'microphone') {
    const wav = readWav(bytes, path);
    if (wav.sampleRate !== pipeline.sampleRateHz) {
      throw new PipelineError('recording-rate', `${path} is sampled at ${wav.sampleRate} Hz; the pipeline captures ${pipeline.sampleRateHz} Hz`, `resample the recording to ${pipeline.sampleRateHz} Hz (e.g. sox in.wav -r ${pipeline.sampleRateHz} out.wav)`, { file: path });
    }
    return { kind: 'stream', samples: wav.samples };
  }
  return { kind: 'stream', samples: readCsvRecording(new TextDecoder().decode(bytes), recordingChannels(pipeline), path) };
}
