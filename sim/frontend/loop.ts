/**
 * The always-on loop's decision, twin of templates/sensor/tf_loop.cpp: output 0
 * of the last `average` results, summed as (q - zero point) per class; the
 * label is the largest sum (first on ties); a detection needs a full window of
 * results and sum >= thresholdSum, where thresholdSum = ceil(threshold *
 * average / scale) is fixed once (the only float work), and the same label is
 * not detected again within `suppress` results.
 */
import { PipelineError } from '../../lib/errors.js';

export interface LoopParams {
  average: number;
  thresholdSum: number;
  suppress: number;
  classes: number;
  zeroPoint: number;
  scale: number;
}

export interface LoopResult {
  index: number;
  label: number;
  sum: number;
  count: number;
  detected: boolean;
  /** The averaged score, dequantized (sum * scale / count). */
  score: number;
}

export function loopParams(cfg: { average: number; threshold: number; suppress: number }, output: { elements: number; scale: number; zeroPoint: number; dtype: string }): LoopParams {
  if (output.dtype !== 'int8' && output.dtype !== 'uint8' && output.dtype !== 'int16') {
    throw new PipelineError('pipeline-output', `output 0 is ${output.dtype}; the always-on loop averages int8, uint8 or int16 scores`, 'use a model with a quantized integer output');
  }
  if (!(output.scale > 0)) throw new PipelineError('pipeline-output', 'output 0 has no quantization scale', 'use a quantized model');
  if (output.elements < 1 || output.elements > 4096) throw new PipelineError('pipeline-output', `output 0 has ${output.elements} elements; the loop handles 1..4096 classes`, 'use a classifier output');
  const thresholdSum = Math.ceil((cfg.threshold * cfg.average) / output.scale - 1e-9);
  return { average: cfg.average, thresholdSum: Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, thresholdSum)), suppress: cfg.suppress, classes: output.elements, zeroPoint: output.zeroPoint, scale: output.scale };
}

export class ResultAverager {
  private readonly history: Int32Array;
  private readonly sums: Int32Array;
  private results = 0;
  private lastDetected = -1;
  private lastDetectedAt = 0;

  constructor(readonly p: LoopParams) {
    this.history = new Int32Array(p.average * p.classes);
    this.sums = new Int32Array(p.classes);
  }

  reset(): void {
    this.history.fill(0);
    this.sums.fill(0);
    this.results = 0;
    this.lastDetected = -1;
    this.lastDetectedAt = 0;
  }

  /** Adds output 0's raw values (quantized) and returns the decision. */
  add(values: ArrayLike<number>): LoopResult {
    const { classes, average, zeroPoint } = this.p;
    const base = (this.results % average) * classes;
    for (let i = 0; i < classes; i++) {
      const v = values[i]! - zeroPoint;
      this.sums[i] += v - this.history[base + i]!;
      this.history[base + i] = v;
    }
    const index = this.results++;
    const count = Math.min(this.results, average);
    let label = 0;
    for (let i = 1; i < classes; i++) if (this.sums[i]! > this.sums[label]!) label = i;
    const sum = this.sums[label]!;
    let detected = count === average && sum >= this.p.thresholdSum;
    if (detected) {
      if (label === this.lastDetected && index - this.lastDetectedAt <= this.p.suppress) detected = false;
      else {
        this.lastDetected = label;
        this.lastDetectedAt = index;
      }
    }
    return { index, label, sum, count, detected, score: (sum * this.p.scale) / count };
  }
}
