/**
 * Sensor front ends: the integer path from raw sensor samples to the model's
 * input tensor, run identically by the simulator (TypeScript, here) and by the
 * generated firmware (templates/native/frontend/tf_fe_<kind>.cpp). A plan is
 * made once from the pipeline description and the input tensor (all float
 * work: scales into multipliers, window and filter tables); its runner and the
 * C code then only do integer arithmetic on the same tables, so the two sides
 * produce the same bytes.
 */

export type SensorKind = 'imu' | 'adc' | 'microphone' | 'camera';

/** The model input a front end fills. */
export interface InputTensorInfo {
  shape: number[];
  dtype: 'int8' | 'uint8' | 'int16';
  scale: number;
  zeroPoint: number;
  bytes: number;
}

/** The C side of a plan: what the generator writes beside the model. */
export interface FrontEndC {
  /** Template under templates/native/frontend/ implementing tf_frontend.h for this kind (copied as is). */
  implementation: string;
  /** Native kernel headers it includes (names under templates/native/kernels/, without .h). */
  kernels: string[];
  /** Body of the generated tf_frontend_params.h: TF_FE_* macros and extern const declarations. */
  header: string;
  /** Body of the generated tf_frontend_params.cpp: the const parameters and tables. */
  source: string;
}

/** A streaming front end (imu, adc, microphone): fed interleaved int16 samples. */
export interface StreamPlan {
  kind: 'timeseries' | 'audio';
  /** int16 values per sample, interleaved. */
  channels: number;
  /** Samples hop() sees: the most recent ones, oldest first. */
  windowSamples: number;
  /** New samples between two hop() calls (1 <= hop <= window). */
  hopSamples: number;
  /** Bytes of the input tensor the runner writes. */
  tensorBytes: number;
  create(): StreamRunner;
  c: FrontEndC;
  /** Human-readable summary lines (generate / simulate output). */
  describe: string[];
}

export interface StreamRunner {
  reset(): void;
  /**
   * window: windowSamples * channels values, oldest first. Writes the tensor's
   * bytes; returns true when the tensor is complete and an inference is due.
   */
  hop(window: Int16Array, tensor: Uint8Array): boolean;
}

/** The pixel layout a camera HAL delivers. */
export type FrameFormat = 'grayscale' | 'rgb565' | 'rgb888';

/** Camera: one frame in, one tensor out. */
export interface ImagePlan {
  kind: 'image';
  frame: { width: number; height: number; format: FrameFormat };
  frameBytes: number;
  tensorBytes: number;
  create(): ImageRunner;
  c: FrontEndC;
  describe: string[];
}

export interface ImageRunner {
  frame(pixels: Uint8Array, tensor: Uint8Array): void;
}

export type FrontEndPlan = StreamPlan | ImagePlan;
