/**
 * Flash and RAM of the whole firmware, per engine. Board-independent counts
 * (model bytes, op kinds, the arena plan) x board data (the Arduino core's own
 * flash/RAM and stack, from boards/<id>.json).
 *
 *   flash = model bytes + engine code (base + per registered op kind) + Arduino core
 *   RAM   = arena + persistent state + engine statics + Arduino core
 *           + stack (only when the core's stack is not already a fixed part of it)
 *           + sensor buffers (a parameter, 0 until the generator sizes them)
 *
 * TFLM code sizes (CALIBRATED). Fitted on the golden `tflm_cortex_m4` figures
 * `tflm_code_bytes_reference` / `_cmsis_nn` (TFLM 90b983c2 built for
 * cortex-m4+fp, -Os core / -O2 kernels, linker-map sizes of TFLM and CMSIS-NN
 * code alone) of the 18 real models, by `fitCodeSizes` in fit.ts: code = base
 * + sum over the distinct builtin op kinds the model registers (TFLM links one
 * kernel per registered kind, however many times the model uses it). NNLS
 * with a weak ridge (weight 0.1 towards the median kind size) so kinds that
 * always occur together share their size. Kinds seen in only one golden model
 * (LOGISTIC, MEAN, PAD, TRANSPOSE, DEQUANTIZE and the audio preprocessor's
 * CAST, CONCATENATION, STRIDED_SLICE, MUL, DIV, MINIMUM, MAXIMUM and signal
 * ops) cannot be separated from that model's other kinds: they share the
 * `otherKind` size, which is also what an unseen kind costs.
 *
 *   bytes        base   CONV  DWCONV  FC     ADD    AVGPOOL RESHAPE SOFTMAX QUANT SVDF   LSTM   other
 *   reference    18824  6692  5886    6375   9762   5677    4350    6123    1381  9169   10956  4135
 *   cmsis-nn     19975  20163 17355   17773  11426  9716    7474    5549    2086  12852  14013  4140
 *
 * Residuals (predicted / measured - 1) on the 18 models: reference -3.6 ..
 * +4.1 % (worst: tiny-ad-autoencoder-floatio +4.1, tiny-kws-dscnn +3.4,
 * tiny-vww-mobilenet -3.4, tflm-dtln -3.6), cmsis-nn -4.1 .. +3.1 % (worst:
 * tiny-sww -4.1, tflm-dtln -4.0, floatio +3.1). Pairs with identical op sets
 * differ by ~3.7 KB in the data (kws vs vww, resnet8 vs resnet8-large), so ~2
 * KB is the floor of any per-kind model. The test suite bounds them at 5 %.
 * Caveats: the Arduino TFLM libraries are other TFLM snapshots (Chirale
 * 2.0.0 = TFLM of 2023-01; esp-tflite-micro with esp-nn, for which the
 * cmsis-nn table is used as a proxy) built by other compilers.
 *
 * TFLM RAM. arena: an explicit number from the caller (e.g. a measured
 * arena_used_bytes() + 16), else `tflmArena(model, {abi, kernels})
 * .recommendedArenaBytes` from tflm_arena.ts (a replay of AllocateTensors()),
 * with the ABI of the board's core (CORE_ABI: ARM EABI short enums on
 * Cortex-M, int-sized enums on Xtensa and RISC-V) and its kernel set (esp-nn
 * has no replay: cmsis-nn's scratch buffers stand in, flagged). When the
 * replay does not cover an operator it throws UnsupportedOpError
 * ('tflm-arena-unsupported') and the fallback below is used, flagged in
 * `arenaSource` and the notes. Engine statics: 1024 B (golden elf_data +
 * elf_bss of the M4 builds: 568-1472 B, median 716 B, arena excluded). Stack:
 * 2048 B (golden stack_invoke_bytes: <= 1480 B reference, <= 1276 B cmsis-nn,
 * plus ~512 B for setup()/loop() frames, an estimate).
 *
 * Fallback arena (replay unavailable for the model): planner arena at 16-byte alignment
 * without aliasing or in-place reuse + variable tensors + 64 B per tensor +
 * 256 B per operator + 8 B per per-channel quantisation scale. Against the
 * golden min_arena_bytes_cmsis_nn: 0..+15 % on the conv nets, -64 % (dtln:
 * LSTM scratch) .. +76 % (ad-autoencoder) on small models. A stopgap only.
 *
 * Native engine (NOT CALIBRATED: `calibrated: false` in every estimate). No
 * firmware generator exists yet, so the code table below is a placeholder of
 * plausible sizes for plain C kernels, to be replaced by linker-map figures
 * of generated firmware. Flash holds only the constant tensor bytes (no
 * flatbuffer, no interpreter); RAM = the native planner's arena + variable
 * tensors + 256 B statics; stack 1024 B (placeholder).
 */
import type { CoreKind, KernelSet, ResolvedBoard } from '../../lib/boards.js';
import { UnsupportedOpError } from '../../lib/errors.js';
import type { Model, Subgraph } from '../ir/types.js';
import { planMemory } from '../plan/planner.js';
import { tflmArena, type TflmAbi, type TflmKernels } from './tflm_arena.js';

export type Engine = 'native' | 'tflm';

export interface CodeSizeTable {
  /** Interpreter, allocator, flatbuffer reader, resolver: the fixed part. */
  readonly base: number;
  /** Bytes per registered op kind. */
  readonly perKind: Readonly<Record<string, number>>;
  /** Bytes for a kind not in perKind. */
  readonly otherKind: number;
}

export function codeSize(table: CodeSizeTable, kinds: readonly string[]): number {
  let bytes = table.base;
  for (const k of kinds) bytes += table.perKind[k] ?? table.otherKind;
  return bytes;
}

/** TFLM + reference kernels, Cortex-M4 -Os/-O2 (fit.ts `fitCodeSizes`; see header). */
export const TFLM_CODE_REFERENCE: CodeSizeTable = {
  base: 18824,
  perKind: {
    ADD: 9762, AVERAGE_POOL_2D: 5677, CONV_2D: 6692, DEPTHWISE_CONV_2D: 5886, FULLY_CONNECTED: 6375,
    QUANTIZE: 1381, RESHAPE: 4350, SOFTMAX: 6123, SVDF: 9169, UNIDIRECTIONAL_SEQUENCE_LSTM: 10956,
  },
  otherKind: 4135,
};

/** TFLM + CMSIS-NN kernels, Cortex-M4 (fit.ts `fitCodeSizes`; see header). */
export const TFLM_CODE_CMSIS_NN: CodeSizeTable = {
  base: 19975,
  perKind: {
    ADD: 11426, AVERAGE_POOL_2D: 9716, CONV_2D: 20163, DEPTHWISE_CONV_2D: 17355, FULLY_CONNECTED: 17773,
    QUANTIZE: 2086, RESHAPE: 7474, SOFTMAX: 5549, SVDF: 12852, UNIDIRECTIONAL_SEQUENCE_LSTM: 14013,
  },
  otherKind: 4140,
};

/** Which measured code table stands for each kernel set; `proxy` marks a stand-in. */
export const TFLM_CODE_FOR_KERNELS: Readonly<Record<KernelSet, { table: CodeSizeTable; proxy: boolean }>> = {
  reference: { table: TFLM_CODE_REFERENCE, proxy: false },
  'cmsis-nn': { table: TFLM_CODE_CMSIS_NN, proxy: false },
  'esp-nn': { table: TFLM_CODE_CMSIS_NN, proxy: true },
};

/** PLACEHOLDER (uncalibrated): native engine code, bytes. */
export const NATIVE_CODE: CodeSizeTable = {
  base: 1024,
  perKind: {
    CONV_2D: 1536, DEPTHWISE_CONV_2D: 1280, FULLY_CONNECTED: 768, AVERAGE_POOL_2D: 512, MAX_POOL_2D: 512,
    ADD: 512, MUL: 512, SOFTMAX: 768, QUANTIZE: 256, DEQUANTIZE: 256, RESHAPE: 0, SQUEEZE: 0, EXPAND_DIMS: 0,
  },
  otherKind: 512,
};

export const TFLM_STATIC_RAM = 1024;
export const TFLM_STACK = 2048;
export const NATIVE_STATIC_RAM = 256;
export const NATIVE_STACK = 1024;

/** Struct layout TFLM has on each core: ARM EABI uses short enums, Xtensa and RISC-V int-sized ones. */
export const CORE_ABI: Readonly<Record<CoreKind, TflmAbi>> = {
  'cortex-m0plus': 'arm32', 'cortex-m4f': 'arm32', 'cortex-m7': 'arm32', 'cortex-m33': 'arm32',
  'xtensa-lx6': 'int-enum32', 'xtensa-lx7': 'int-enum32', riscv32: 'int-enum32',
};

/** Kernel set whose Init/Prepare allocations the arena replay uses; `proxy` marks a stand-in. */
export const ARENA_KERNELS: Readonly<Record<KernelSet, { kernels: TflmKernels; proxy: boolean }>> = {
  reference: { kernels: 'reference', proxy: false },
  'cmsis-nn': { kernels: 'cmsis-nn', proxy: false },
  'esp-nn': { kernels: 'cmsis-nn', proxy: true },
};

export interface MemoryOptions {
  engine: Engine;
  /** Bytes of sensor capture buffers the sketch will hold (default 0). */
  sensorBufferBytes?: number;
  /** TFLM arena to use instead of computing one (e.g. a measured arena_used_bytes + 16). */
  tflmArenaBytes?: number;
}

export interface MemoryEstimate {
  readonly engine: Engine;
  readonly flash: { readonly model: number; readonly code: number; readonly core: number; readonly total: number };
  readonly ram: {
    readonly arena: number;
    readonly persistent: number;
    readonly engineStatic: number;
    readonly core: number;
    readonly stack: number;
    readonly sensorBuffers: number;
    readonly total: number;
  };
  /** Stack the engine needs while invoking (checked against the core's stack when that is fixed). */
  readonly stackNeeded: number;
  readonly arenaSource: string;
  /** False when any term is a placeholder (native engine). */
  readonly calibrated: boolean;
  readonly notes: readonly string[];
}

/** Distinct op kinds of subgraph 0, as registered in a TFLM op resolver. */
export function opKinds(sg: Subgraph): string[] {
  return [...new Set(sg.operators.map((o) => o.op))].sort();
}

/** Bytes of constant tensor data (weights, biases, tables), each buffer once. */
export function constantBytes(model: Model): number {
  const seen = new Set<number>();
  let bytes = 0;
  for (const sg of model.subgraphs) {
    for (const t of sg.tensors) {
      if (!t.data || seen.has(t.buffer)) continue;
      seen.add(t.buffer);
      bytes += t.data.byteLength;
    }
  }
  return bytes;
}

export function fallbackTflmArena(sg: Subgraph): number {
  const plan = planMemory(sg, { alignment: 16, aliasReshape: false, inPlace: false });
  let scales = 0;
  for (const op of sg.operators) {
    const w = op.inputs[1] !== undefined && op.inputs[1] >= 0 ? sg.tensors[op.inputs[1]] : undefined;
    const n = w?.quantization?.scale.length ?? 0;
    if (n > 1) scales += n;
  }
  return plan.arenaBytes + plan.persistentBytes + 64 * sg.tensors.length + 256 * sg.operators.length + 8 * scales;
}

export function estimateMemory(model: Model, board: ResolvedBoard, options: MemoryOptions): MemoryEstimate {
  const sg = model.subgraphs[0]!;
  const kinds = opKinds(sg);
  const sensorBuffers = options.sensorBufferBytes ?? 0;
  const core = board.arduinoCore;
  const notes: string[] = [];
  let flashModel: number;
  let code: number;
  let arena: number;
  let persistent: number;
  let engineStatic: number;
  let stackNeeded: number;
  let arenaSource: string;
  let calibrated: boolean;

  if (options.engine === 'tflm') {
    const kernels = board.tflm.kernels;
    const codeTable = TFLM_CODE_FOR_KERNELS[kernels];
    flashModel = model.bytes.byteLength;
    code = Math.round(codeSize(codeTable.table, kinds));
    if (codeTable.proxy) notes.push(`TFLM code size for ${kernels} kernels uses the Cortex-M4 cmsis-nn table as a proxy (no ${kernels} build was measured)`);
    const unseen = kinds.filter((k) => codeTable.table.perKind[k] === undefined);
    if (unseen.length) notes.push(`code size of ${unseen.join(', ')} not separately measured: ${codeTable.table.otherKind} B each assumed`);
    if (options.tflmArenaBytes !== undefined) {
      arena = options.tflmArenaBytes;
      arenaSource = 'given by the caller';
    } else {
      const abi = CORE_ABI[board.core];
      const target = ARENA_KERNELS[kernels];
      try {
        arena = tflmArena(model, { abi, kernels: target.kernels }).recommendedArenaBytes;
        arenaSource = `replay of TFLM AllocateTensors() (tflm_arena.ts: ${abi}, ${target.kernels} kernels)`;
        if (target.proxy) notes.push(`TFLM arena for ${kernels} kernels replayed with ${target.kernels}'s scratch buffers as a stand-in`);
      } catch (e) {
        if (!(e instanceof UnsupportedOpError) || e.code !== 'tflm-arena-unsupported') throw e;
        arena = fallbackTflmArena(sg);
        arenaSource = 'fallback estimate: planner + TFLM bookkeeping guess (see memory.ts), because the replay does not cover this model';
        notes.push(`TFLM arena is a rough fallback estimate (${e.message}); confirm with arena_used_bytes() + 16 on the device`);
      }
    }
    persistent = 0; // TFLM keeps variable tensors and its own bookkeeping inside the arena.
    engineStatic = TFLM_STATIC_RAM;
    stackNeeded = TFLM_STACK;
    calibrated = true;
  } else {
    const plan = planMemory(sg, { alignment: 8 });
    flashModel = constantBytes(model);
    code = codeSize(NATIVE_CODE, kinds);
    arena = plan.arenaBytes;
    persistent = plan.persistentBytes;
    engineStatic = NATIVE_STATIC_RAM;
    stackNeeded = NATIVE_STACK;
    arenaSource = `native planner (${plan.strategy}; lower bound ${plan.lowerBound} B)`;
    calibrated = false;
    notes.push('native engine: code size, statics and stack are placeholders until the firmware generator exists (calibrated: false)');
  }

  const stack = core.stackInBaseline ? 0 : stackNeeded;
  const flashTotal = flashModel + code + core.flashBytes;
  const ramTotal = arena + persistent + engineStatic + core.ramBytes + stack + sensorBuffers;
  return {
    engine: options.engine,
    flash: { model: flashModel, code, core: core.flashBytes, total: flashTotal },
    ram: { arena, persistent, engineStatic, core: core.ramBytes, stack, sensorBuffers, total: ramTotal },
    stackNeeded,
    arenaSource,
    calibrated,
    notes,
  };
}
