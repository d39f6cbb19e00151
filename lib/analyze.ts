/**
 * `analyze`: will this model run on that board, and how well? One object with
 * the estimate (sim/estimate: arena, RAM, flash, latency, energy, fit, per
 * layer), the model's problems (sim/ir/check.ts) and the arena timeline: the
 * memory plan the chosen engine would use, one buffer per planned tensor group
 * or scratch buffer, with its offset and the operators during which it is live.
 *
 * Timeline sources
 * - native: the native generator's own arena plan (memory.ts
 *   `nativeMemoryPlan`: 16-byte alignment, per-op scratch buffers), so its
 *   size is the report's arenaBytes.
 * - tflm: the greedy plan of the AllocateTensors() replay (tflm_arena.ts) for
 *   the board's ABI and kernel set, as memory.ts picks them. The plan sits at
 *   the start of the arena; TFLM's persistent allocations (runtime, OpData,
 *   eval tensors...) fill the end, shown as one reserved band. When the replay
 *   does not cover the model, the timeline is the fallback estimate's planner
 *   run (no aliasing, 16-byte alignment) and says so in `source`.
 * Lifetimes are converted to operator indexes (inclusive): the planner's time
 * k is operator k; the replay's scope 0 (graph inputs) belongs to operator 0
 * and its scope k + 1 to operator k.
 *
 * An unsupported model (float, custom ops, ...) still gets every figure the
 * estimate can give; its problems are listed and `supported` is false.
 */
import { resolveBoard } from './boards.js';
import { UnsupportedOpError, UsageError, type Problem } from './errors.js';
import { VERSION } from './version.js';
import type { Model, Subgraph } from '../sim/ir/types.js';
import { checkModel } from '../sim/ir/check.js';
import { estimate, type EstimateResult, type FitProblem, type LayerEstimate } from '../sim/estimate/index.js';
import { ARENA_KERNELS, CORE_ABI, nativeMemoryPlan, tryNativeProgram, type Engine, type MemoryEstimate } from '../sim/estimate/memory.js';
import type { NativeProgram } from '../generator/native/emit.js';
import { tflmArena } from '../sim/estimate/tflm_arena.js';
import { planMemory, type PlanOptions } from '../sim/plan/planner.js';
import { resolvePipeline } from './pipeline.js';
import { sensorBufferBytes } from '../generator/sensor.js';

export type { Engine } from '../sim/estimate/memory.js';

export interface AnalyzeOptions {
  /** 'native' (tinyforge's generated C, default) or 'tflm' (TFLite Micro interpreter). */
  engine?: Engine;
  /** Inferences per second: adds duty cycle and average power. */
  rateHz?: number;
  /** Battery capacity in mAh (needs rateHz): adds battery life. */
  batteryMah?: number;
  /** Sensor kind; with a pipeline file beside the model (or pipelineFile) the always-on loop's rate becomes the default rateHz. */
  sensor?: string;
  /** Pipeline description file (default: found beside the model). */
  pipelineFile?: string;
}

/** The fallback TFLM arena's planner run (memory.ts `fallbackTflmArena`). */
const TFLM_FALLBACK_PLAN: PlanOptions = { alignment: 16, aliasReshape: false, inPlace: false };

export interface TimelineTensor {
  readonly index: number;
  readonly name: string;
}

export interface TimelineBuffer {
  /** Tensors stored in this buffer (several when aliased); empty for a scratch buffer. */
  readonly tensors: readonly TimelineTensor[];
  /** Operator that requested this scratch buffer, else null. */
  readonly scratchOfOp: number | null;
  readonly size: number;
  /** Byte offset from the arena start. */
  readonly offset: number;
  /** First and last operator (execution order, inclusive) during which the buffer is live. */
  readonly firstOp: number;
  readonly lastOp: number;
}

export interface TimelineRegion {
  readonly label: string;
  readonly offset: number;
  readonly size: number;
}

export interface Timeline {
  /** Which plan this is (native planner strategy, TFLM replay, or the fallback). */
  readonly source: string;
  /** Operators in execution order: the x axis. */
  readonly operators: readonly { readonly index: number; readonly op: string }[];
  /** Arena size: the y axis (for tflm, kTensorArenaSize). */
  readonly arenaBytes: number;
  /** Bytes the planned buffers span (from offset 0). */
  readonly planBytes: number;
  /** Largest sum of simultaneously live buffers (native planner only; null otherwise). */
  readonly lowerBound: number | null;
  /** Arena parts that are not per-tensor buffers but live all the time (TFLM's persistent allocations). */
  readonly reserved: readonly TimelineRegion[];
  readonly buffers: readonly TimelineBuffer[];
}

export interface MemoryLimits {
  /** Program flash the toolchain accepts (maxTextBytes, else the chip's flash). */
  readonly flashBytes: number;
  /** RAM the toolchain accepts (maxDataBytes, else the chip's RAM). */
  readonly ramBytes: number;
  /** RAM left for the arena once the core, engine statics, stack and buffers are counted. */
  readonly arenaBytes: number;
}

export interface AnalyzeReport {
  readonly tool: { readonly name: 'tinyforge'; readonly version: string };
  readonly model: { readonly path: string | null; readonly bytes: number; readonly sha256: string; readonly operators: number };
  readonly board: EstimateResult['board'] & { readonly mcu: string; readonly limits: MemoryLimits };
  readonly engine: Engine;
  /** False when some figure rests on placeholders (the native engine) or proxies. */
  readonly calibrated: boolean;
  /** Arena bytes; for tflm the kTensorArenaSize to declare. */
  readonly arenaBytes: number;
  readonly ramBytes: number;
  readonly flashBytes: number;
  /** Used / limit, as fractions (1 = full). */
  readonly usage: { readonly arena: number; readonly ram: number; readonly flash: number };
  readonly latencyMs: number;
  /** Energy per inference; null when the board's active power is unknown. */
  readonly energyUj: number | null;
  readonly fits: boolean;
  readonly fitProblems: readonly FitProblem[];
  readonly layers: readonly LayerEstimate[];
  readonly totals: EstimateResult['totals'];
  readonly memory: MemoryEstimate;
  readonly rateHz: number | null;
  /** Where rateHz came from: the command line, the sensor pipeline's always-on loop, or none. */
  readonly rateFrom: 'option' | 'pipeline' | null;
  /** The sensor pipeline, when one is described (its buffers are counted in ramBytes). */
  readonly pipeline: { readonly sensor: string; readonly inferenceRateHz: number; readonly bufferBytes: number; readonly describe: readonly string[] } | null;
  readonly batteryMah: number | null;
  readonly power?: EstimateResult['power'];
  readonly timeline: Timeline;
  /** True when the simulator can run every operator (no problems). */
  readonly supported: boolean;
  readonly problems: readonly Problem[];
  readonly notes: readonly string[];
}

/** A fit hint ("try A; or B; or C") as its alternatives. */
export function hintAlternatives(hint: string): string[] {
  return hint.replace(/^try /, '').split(/; or /).map((s) => s.trim()).filter(Boolean);
}

/** Exit status of `tinyforge analyze`: 0 when the model is supported and fits, else 2. */
export function analyzeExitCode(r: AnalyzeReport): number {
  return r.fits && r.supported ? 0 : 2;
}

export async function analyzeModel(model: Model, boardIdOrPath: string, options: AnalyzeOptions = {}): Promise<AnalyzeReport> {
  const engine = options.engine ?? 'native';
  validate(engine, options);
  const board = resolveBoard(boardIdOrPath);
  const problems = await checkModel(model);
  const program = engine === 'native' ? tryNativeProgram(model).program : null;
  const pipeline = resolvePipeline(model, { sensor: options.sensor, pipelineFile: options.pipelineFile, board });
  let est = estimate(model, board, { engine, rateHz: options.rateHz, batteryMah: options.batteryMah, ...(program ? { nativeProgram: program } : {}) });
  const rateHz = options.rateHz ?? pipeline?.inferenceRateHz;
  requireRateForBattery(options.batteryMah, rateHz);
  const bufferBytes = pipeline ? sensorBufferBytes(pipeline, est.latencyMs) : 0;
  // Again with the loop's rate and the sensor buffers, now that the latency sized them.
  if (pipeline) est = estimate(model, board, { engine, rateHz, batteryMah: options.batteryMah, sensorBufferBytes: bufferBytes, ...(program ? { nativeProgram: program } : {}) });
  const sg = model.subgraphs[0]!;
  const timeline = engine === 'tflm' ? tflmTimeline(model, board.core, board.tflm.kernels, est.arenaBytes) : nativeTimeline(model, program);

  const flashLimit = board.memory.maxTextBytes ?? board.memory.flashBytes;
  const ramLimit = board.memory.maxDataBytes ?? board.memory.ramBytes;
  const arenaLimit = Math.max(0, ramLimit - (est.ramBytes - est.arenaBytes));
  const ratio = (used: number, limit: number) => (limit > 0 ? used / limit : used > 0 ? Infinity : 0);

  return {
    tool: { name: 'tinyforge', version: VERSION },
    model: { path: model.source, bytes: model.bytes.byteLength, sha256: model.sha256, operators: sg.operators.length },
    board: { ...est.board, mcu: board.mcu, limits: { flashBytes: flashLimit, ramBytes: ramLimit, arenaBytes: arenaLimit } },
    engine,
    calibrated: est.calibrated,
    arenaBytes: est.arenaBytes,
    ramBytes: est.ramBytes,
    flashBytes: est.flashBytes,
    usage: { arena: ratio(est.arenaBytes, arenaLimit), ram: ratio(est.ramBytes, ramLimit), flash: ratio(est.flashBytes, flashLimit) },
    latencyMs: est.latencyMs,
    energyUj: est.energyUj,
    fits: est.fits,
    fitProblems: est.fitProblems,
    layers: est.layers,
    totals: est.totals,
    memory: est.memory,
    rateHz: rateHz ?? null,
    rateFrom: options.rateHz !== undefined ? 'option' : rateHz !== undefined ? 'pipeline' : null,
    pipeline: pipeline ? { sensor: pipeline.sensor, inferenceRateHz: pipeline.inferenceRateHz, bufferBytes, describe: pipeline.describe } : null,
    batteryMah: options.batteryMah ?? null,
    ...(est.power ? { power: est.power } : {}),
    timeline,
    supported: problems.length === 0,
    problems,
    notes: est.notes,
  };
}

function validate(engine: string, o: AnalyzeOptions): void {
  if (engine !== 'native' && engine !== 'tflm') {
    throw new UsageError('bad-engine', `expected engine 'native' or 'tflm', got ${JSON.stringify(engine)}`, "pass --engine native (tinyforge's generated C) or --engine tflm (TFLite Micro)");
  }
  const positive = (v: number | undefined, flag: string, unit: string) => {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) {
      throw new UsageError('bad-flag', `expected ${flag} to be a positive number of ${unit}, got ${JSON.stringify(v)}`, `pass e.g. ${flag} 10`);
    }
  };
  positive(o.rateHz, '--rate', 'inferences per second (Hz)');
  positive(o.batteryMah, '--battery', 'mAh');
}

function requireRateForBattery(batteryMah: number | undefined, rateHz: number | undefined): void {
  if (batteryMah !== undefined && rateHz === undefined) {
    throw new UsageError('battery-without-rate', 'battery life needs an inference rate: --battery was given without --rate', 'add --rate HZ (inferences per second), e.g. --rate 1, or describe the sensor pipeline (tinyforge.json) whose always-on loop sets it');
  }
}

const tensorRefs = (sg: Subgraph, indexes: readonly number[]): TimelineTensor[] =>
  indexes.map((i) => ({ index: i, name: sg.tensors[i]?.name ?? '' }));

const operatorsOf = (sg: Subgraph) => sg.operators.map((o) => ({ index: o.index, op: o.op }));

function nativeTimeline(model: Model, program: NativeProgram | null): Timeline {
  const sg = model.subgraphs[0]!;
  const plan = nativeMemoryPlan(model, program);
  return {
    source: `native planner (${plan.strategy}; lower bound ${plan.lowerBound} B)`,
    operators: operatorsOf(sg),
    arenaBytes: plan.arenaBytes,
    planBytes: plan.arenaBytes,
    lowerBound: plan.lowerBound,
    reserved: [],
    buffers: plan.buffers
      .map((b) => ({ tensors: tensorRefs(sg, b.tensors), scratchOfOp: b.scratchOfOp, size: b.size, offset: b.offset, firstOp: b.first, lastOp: b.last }))
      .sort(byPlace),
  };
}

function tflmTimeline(model: Model, core: keyof typeof CORE_ABI, kernels: keyof typeof ARENA_KERNELS, arenaBytes: number): Timeline {
  const sg = model.subgraphs[0]!;
  try {
    const r = tflmArena(model, { abi: CORE_ABI[core], kernels: ARENA_KERNELS[kernels].kernels });
    const lastOp = Math.max(0, sg.operators.length - 1);
    const buffers: TimelineBuffer[] = r.buffers
      .filter((b) => (b.subgraph ?? 0) === 0)
      .map((b) => {
        const firstOp = Math.min(lastOp, Math.max(0, b.first - 1));
        return {
          tensors: b.tensor !== undefined ? tensorRefs(sg, [b.tensor]) : [],
          scratchOfOp: b.scratchOfOp ?? null,
          size: b.size,
          offset: b.offset,
          firstOp,
          lastOp: Math.min(lastOp, Math.max(firstOp, b.last - 1)),
        };
      });
    const y = Math.max(arenaBytes, r.planBytes + r.persistentBytes);
    return {
      source: 'TFLM greedy memory plan (replay of AllocateTensors(), tflm_arena.ts)',
      operators: operatorsOf(sg),
      arenaBytes: y,
      planBytes: r.planBytes,
      lowerBound: null,
      reserved: r.persistentBytes > 0 ? [{ label: 'TFLM persistent allocations (runtime, OpData, eval tensors, I/O tensors)', offset: y - r.persistentBytes, size: r.persistentBytes }] : [],
      buffers: buffers.sort(byPlace),
    };
  } catch (e) {
    if (!(e instanceof UnsupportedOpError) || e.code !== 'tflm-arena-unsupported') throw e;
    const plan = planMemory(sg, TFLM_FALLBACK_PLAN);
    return {
      source: `fallback: planner without aliasing at 16-byte alignment (the TFLM replay does not cover this model: ${e.message})`,
      operators: operatorsOf(sg),
      arenaBytes: Math.max(arenaBytes, plan.arenaBytes),
      planBytes: plan.arenaBytes,
      lowerBound: null,
      reserved: arenaBytes > plan.arenaBytes ? [{ label: 'TFLM bookkeeping (estimated)', offset: plan.arenaBytes, size: arenaBytes - plan.arenaBytes }] : [],
      buffers: plan.buffers
        .map((b) => ({ tensors: tensorRefs(sg, b.tensors), scratchOfOp: b.scratchOfOp, size: b.size, offset: b.offset, firstOp: b.first, lastOp: b.last }))
        .sort(byPlace),
    };
  }
}

/** Deterministic order: by first use, then offset. */
const byPlace = (a: TimelineBuffer, b: TimelineBuffer) => a.firstOp - b.firstOp || a.offset - b.offset || a.lastOp - b.lastOp;
