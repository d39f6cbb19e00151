/**
 * Windowing shared by every streaming front end, mirrored by the firmware's
 * tf_pipeline.cpp: a linear window of the last windowSamples samples; each
 * time hopSamples new samples have arrived (and the window is full), the front
 * end's hop() sees the window, then the window slides by hopSamples. The first
 * hop happens once windowSamples samples have arrived.
 */
import type { StreamPlan, StreamRunner } from './types.js';

export interface StreamStep {
  /** Index (in samples) of the first sample after the window this step saw. */
  endSample: number;
  /** The input tensor's bytes (a copy). */
  tensor: Uint8Array;
}

/** Incremental windowing over a stream; push() may be called with any chunk sizes. */
export class StreamWindow {
  private readonly window: Int16Array;
  private readonly tensor: Uint8Array;
  private readonly runner: StreamRunner;
  /** Samples in the window (< windowSamples until the first hop). */
  private fill = 0;
  private seen = 0;

  constructor(readonly plan: StreamPlan) {
    this.window = new Int16Array(plan.windowSamples * plan.channels);
    this.tensor = new Uint8Array(plan.tensorBytes);
    this.runner = plan.create();
  }

  reset(): void {
    this.fill = 0;
    this.seen = 0;
    this.window.fill(0);
    this.runner.reset();
  }

  /** Feeds interleaved samples; calls onTensor (with a view valid only during the call) for each inference due. */
  push(samples: Int16Array, onTensor: (tensor: Uint8Array, endSample: number) => void): void {
    const { channels: ch, windowSamples: win, hopSamples: hop } = this.plan;
    const n = Math.floor(samples.length / ch);
    let i = 0;
    while (i < n) {
      const take = Math.min(n - i, win - this.fill);
      this.window.set(samples.subarray(i * ch, (i + take) * ch), this.fill * ch);
      this.fill += take;
      this.seen += take;
      i += take;
      if (this.fill === win) {
        if (this.runner.hop(this.window, this.tensor)) onTensor(this.tensor, this.seen);
        this.window.copyWithin(0, hop * ch, win * ch);
        this.fill = win - hop;
      }
    }
  }
}

/** Runs a whole recording through the front end: one step per inference due. */
export function runStream(plan: StreamPlan, samples: Int16Array): StreamStep[] {
  const w = new StreamWindow(plan);
  const steps: StreamStep[] = [];
  w.push(samples, (tensor, endSample) => steps.push({ endSample, tensor: tensor.slice() }));
  return steps;
}
