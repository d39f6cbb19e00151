/**
 * `estimate(model, board, { engine, rateHz?, batteryMah? })`: what
 * `tinyforge analyze` prints. Arena, RAM and flash of the whole firmware
 * (memory.ts), per-layer and total latency (latency.ts), energy per
 * inference, whether it fits the board and, if not, by how much and what to
 * try; with a rate and a battery, the duty cycle, average power and battery
 * life. Board-independent counts (counts.ts, work.ts) x board data
 * (ResolvedBoard): nothing here depends on which board it is.
 */
import { listBoards, resolveBoard, type ResolvedBoard } from '../../lib/boards.js';
import type { Model } from '../ir/types.js';
import { opCounts } from './counts.js';
import { INSTRUCTION_TABLE_FOR_KERNELS, M4_NATIVE, energyUj, opInstructions, powerBudget, timing, type InstructionTable } from './latency.js';
import { estimateMemory, NATIVE_CALIBRATED_CORES, type Engine, type MemoryEstimate } from './memory.js';
import type { NativeProgram } from '../../generator/native/emit.js';
import { subgraphWork } from './work.js';

export type { Engine } from './memory.js';

export interface EstimateOptions {
  engine: Engine;
  /** Inferences per second, for duty cycle and average power. */
  rateHz?: number;
  /** Battery capacity in mAh (at the board's batteryVolts, 3.7 V by default), for battery life. */
  batteryMah?: number;
  /** Sensor capture buffers the sketch holds, bytes (default 0). */
  sensorBufferBytes?: number;
  /** Use this TFLM arena size instead of estimating one (e.g. a measured arena_used_bytes() + 16). */
  tflmArenaBytes?: number;
  /** The generated native program, if the caller has it (saves generating it again). */
  nativeProgram?: NativeProgram;
}

export interface LayerEstimate {
  readonly index: number;
  readonly op: string;
  readonly macs: number;
  readonly params: number;
  /** Non-constant bytes read + written by the op. */
  readonly activationBytes: number;
  readonly instructions: number;
  readonly cycles: number;
  readonly ms: number;
}

export interface FitProblem {
  /** Which limit: program flash, static RAM, the core's fixed stack. */
  readonly memory: 'flash' | 'ram' | 'stack';
  readonly neededBytes: number;
  readonly limitBytes: number;
  readonly overBytes: number;
  readonly message: string;
  /** What to try. */
  readonly hint: string;
}

export interface EstimateResult {
  readonly board: { readonly id: string; readonly name: string; readonly core: string; readonly clockHz: number; readonly kernels: string; readonly cpi: number; readonly file: string };
  readonly engine: Engine;
  /** False when any part of the estimate rests on placeholders or proxies. */
  readonly calibrated: boolean;
  readonly instructionTable: string;
  readonly arenaBytes: number;
  readonly ramBytes: number;
  readonly flashBytes: number;
  readonly latencyMs: number;
  /** null when the board's active power is unknown. */
  readonly energyUj: number | null;
  readonly fits: boolean;
  readonly fitProblems: readonly FitProblem[];
  readonly layers: readonly LayerEstimate[];
  readonly totals: { readonly macs: number; readonly instructions: number; readonly cycles: number };
  readonly memory: MemoryEstimate;
  readonly power?: { readonly dutyCycle: number; readonly averageMw: number; readonly batteryHours: number | null; readonly batteryDays: number | null };
  readonly notes: readonly string[];
}

export function estimate(model: Model, boardOrId: ResolvedBoard | string, options: EstimateOptions): EstimateResult {
  const board = typeof boardOrId === 'string' ? resolveBoard(boardOrId) : boardOrId;
  const sg = model.subgraphs[0]!;
  const notes: string[] = [];

  const memory = estimateMemory(model, board, {
    engine: options.engine,
    sensorBufferBytes: options.sensorBufferBytes,
    tflmArenaBytes: options.tflmArenaBytes,
    nativeProgram: options.nativeProgram,
  });
  notes.push(...memory.notes);

  let table: InstructionTable;
  let calibrated = memory.calibrated;
  if (options.engine === 'tflm') {
    const t = INSTRUCTION_TABLE_FOR_KERNELS[board.tflm.kernels];
    table = t.table;
    if (t.proxy) notes.push(`latency: no ${board.tflm.kernels} instruction table; the Cortex-M4 cmsis-nn table stands in, with this board's CPI calibrated on one model (see the board file)`);
  } else {
    table = M4_NATIVE;
    if (!NATIVE_CALIBRATED_CORES.includes(board.core)) {
      calibrated = false;
      notes.push(`latency: the native instruction table was measured on Cortex-M4; on ${board.core} it stands in, scaled by this board's CPI (calibrated: false)`);
    }
  }
  if (board.sources['/latency/cpi']?.estimate) notes.push(`latency: CPI ${board.latency.cpi} is an estimate (its derivation: /latency/cpi in ${board.file})`);

  const layers: LayerEstimate[] = subgraphWork(sg).map((w, k) => {
    const c = opCounts(sg, sg.operators[k]!);
    const t = timing(opInstructions(table, w), board);
    return { index: w.index, op: w.op, macs: c.macs, params: c.params, activationBytes: c.bytesRead + c.bytesWritten, instructions: t.instructions, cycles: t.cycles, ms: t.ms };
  });
  const instructions = layers.reduce((s, l) => s + l.instructions, 0);
  const total = timing(instructions, board);
  const macs = layers.reduce((s, l) => s + l.macs, 0);

  const energy = board.power.activeMw === null ? null : energyUj(board.power.activeMw, total.ms);
  if (energy === null) notes.push(`energy: active power of ${board.id} is unknown`);

  let power: EstimateResult['power'];
  if (options.rateHz !== undefined) {
    if (board.power.activeMw === null) {
      notes.push('power: no active power for this board, so no duty-cycle average or battery life');
    } else {
      const p = powerBudget({
        latencyMs: total.ms,
        activeMw: board.power.activeMw,
        sleepMw: board.power.sleepMw,
        rateHz: options.rateHz,
        batteryMah: options.batteryMah,
        batteryVolts: board.power.batteryVolts,
      });
      notes.push(...p.notes);
      power = { dutyCycle: p.dutyCycle, averageMw: p.averageMw, batteryHours: p.batteryHours, batteryDays: p.batteryDays };
    }
  }

  const fitProblems = checkFit(memory, board, options.engine);
  const staticLimit = board.memory.staticDataLimitBytes;
  if (staticLimit !== null && memory.ram.total - memory.ram.stack > staticLimit) {
    notes.push(`static RAM ${memory.ram.total} B is above this board's ${staticLimit} B static allocation limit: the arena must be heap-allocated at setup()`);
  }

  return {
    board: { id: board.id, name: board.name, core: board.core, clockHz: board.clockHz, kernels: board.tflm.kernels, cpi: board.latency.cpi, file: board.file },
    engine: options.engine,
    calibrated,
    instructionTable: table.id,
    arenaBytes: memory.ram.arena,
    ramBytes: memory.ram.total,
    flashBytes: memory.flash.total,
    latencyMs: total.ms,
    energyUj: energy,
    fits: fitProblems.length === 0,
    fitProblems,
    layers,
    totals: { macs, instructions, cycles: total.cycles },
    memory,
    ...(power ? { power } : {}),
    notes,
  };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

function checkFit(memory: MemoryEstimate, board: ResolvedBoard, engine: Engine): FitProblem[] {
  const problems: FitProblem[] = [];
  const flashLimit = board.memory.maxTextBytes ?? board.memory.flashBytes;
  if (memory.flash.total > flashLimit) {
    const over = memory.flash.total - flashLimit;
    const tries = [
      `the model is ${kb(memory.flash.model)} of it: a smaller or pruned model`,
      engine === 'tflm' ? `engine 'native' drops the interpreter (${kb(memory.flash.code)} of TFLM code here) and the flatbuffer metadata` : null,
      otherBoards((b) => (b.memory.maxTextBytes ?? b.memory.flashBytes) >= memory.flash.total - memory.flash.core + b.arduinoCore.flashBytes, board),
    ].filter(Boolean);
    problems.push({
      memory: 'flash', neededBytes: memory.flash.total, limitBytes: flashLimit, overBytes: over,
      message: `flash: needs ${kb(memory.flash.total)} (model ${kb(memory.flash.model)} + engine code ${kb(memory.flash.code)} + core ${kb(memory.flash.core)}), ${board.id} allows ${kb(flashLimit)}: ${kb(over)} over`,
      hint: `try ${tries.join('; or ')}`,
    });
  }
  const ramLimit = board.memory.maxDataBytes ?? board.memory.ramBytes;
  if (memory.ram.total > ramLimit) {
    const over = memory.ram.total - ramLimit;
    const needOnOther = memory.ram.total - memory.ram.core;
    const tries = [
      `the arena is ${kb(memory.ram.arena)} of it: smaller activations (input resolution, channel counts) shrink it`,
      engine === 'tflm' ? "engine 'native' plans tensors with aliasing and no interpreter bookkeeping" : null,
      otherBoards((b) => (b.memory.maxDataBytes ?? b.memory.ramBytes) >= needOnOther + b.arduinoCore.ramBytes, board),
    ].filter(Boolean);
    problems.push({
      memory: 'ram', neededBytes: memory.ram.total, limitBytes: ramLimit, overBytes: over,
      message: `RAM: needs ${kb(memory.ram.total)} (arena ${kb(memory.ram.arena)} + core ${kb(memory.ram.core)} + engine ${kb(memory.ram.engineStatic + memory.ram.persistent)} + stack ${kb(memory.ram.stack)} + buffers ${kb(memory.ram.sensorBuffers)}), ${board.id} allows ${kb(ramLimit)}: ${kb(over)} over`,
      hint: `try ${tries.join('; or ')}`,
    });
  }
  if (board.arduinoCore.stackInBaseline && memory.stackNeeded > board.arduinoCore.stackBytes) {
    const over = memory.stackNeeded - board.arduinoCore.stackBytes;
    problems.push({
      memory: 'stack', neededBytes: memory.stackNeeded, limitBytes: board.arduinoCore.stackBytes, overBytes: over,
      message: `stack: Invoke() needs about ${memory.stackNeeded} B, the core's loop stack is ${board.arduinoCore.stackBytes} B`,
      hint: 'run inference from a task with a larger stack',
    });
  }
  return problems;
}

/** Shipped boards where `fits` holds, as a suggestion (data-driven: no board is named in code). */
function otherBoards(fits: (b: ResolvedBoard) => boolean, current: ResolvedBoard): string | null {
  const ok = listBoards().map(resolveBoard).filter((b) => b.file !== current.file && fits(b)).map((b) => b.id);
  return ok.length ? `a board with more memory (${ok.join(', ')})` : null;
}
