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
 * ## Native engine (CALIBRATED on Cortex-M4F from tinyforge's own firmware)
 *
 * Measured, not assumed: scripts/fit-native.ts generates every golden real
 * model and examples/gesture_int8 for mps2-an386, builds it the way `validate
 * --emulate` does (arm-none-eabi-gcc 12.2.1 -O2 -mcpu=cortex-m4 -mthumb
 * -mfloat-abi=hard, newlib-nano, --gc-sections), and splits the ELF with the
 * linker map (generator/toolchain/linker-map.ts):
 *
 *   weights  tinyforge_weights.o   the generator's constant arrays (alignas(16))
 *   model    tinyforge_model.o     tf_invoke() with every kernel specialised per
 *                                  layer, tf_reset(), the tensor info tables
 *   runtime  everything else       startup, emulation main, validation protocol,
 *                                  newlib-nano stdio, semihosting (rdimon)
 *
 *   flash = weights + model code + runtime flash      (= ELF text + data)
 *   RAM   = arena + state + runtime RAM                (= ELF data + bss; stack on top)
 *
 * Exact terms. The estimate runs the generator itself (buildNativeProgram;
 * up to 0.7 s for the largest model) and reads off: weights = sum of
 * align16(array bytes) over the constant arrays the code refers to, derived
 * tables included (the linker drops unreferenced ones; equal to the map to
 * 8 B on every model); arena = its arena plan (16-byte
 * alignment, per-op scratch buffers: what tf_arena[] declares); state = sum
 * of align16(state arrays) (variable tensors and op state). tinyforge_model.o
 * has no other RAM: engine statics are 0. A model the generator cannot build
 * falls back to the flatbuffer's constant bytes and a scratch-less plan,
 * flagged `calibrated: false`.
 *
 * Model code (fitted, fit.ts `fitNativeCodeTable`): code = base + perOp x
 * (operators that emit code) + sum over kinds of perInstance[kind] x
 * (distinct kernel instances of that kind). Kernels are C++ templates
 * specialised per layer, and two operators with the same template arguments
 * share one instance (tiny-kws-dscnn's four identical depthwise blocks are
 * one function): `nativeOpSignature` compares the emitted calls with operator
 * numbers and arena offsets taken out. NNLS on the 19 builds, rows divided by
 * the model's flash so the relative flash error is minimised; kinds seen in a
 * single model (the audio preprocessor's signal ops, CAST, MUL, ...;
 * MAX_POOL_2D, LOGISTIC, PAD, TRANSPOSE, MEAN, DEQUANTIZE) share
 * `otherInstance`, which is also what an unseen kind costs. NNLS leaves base
 * at 0 (the per-op and per-instance sizes absorb tf_invoke()'s frame and the
 * tensor tables) and may zero a kind its neighbours explain (QUANTIZE).
 *
 *   bytes  base  perOp  ADD  AVGPOOL  CONV  DWCONV   FC  QUANT  SOFTMAX  SVDF  LSTM  other
 *             0     36  530     1045   372     582  315    590      678   352  2055    146
 *
 * Runtime (measured, medians of the 19 maps): the mps2 emulation project,
 * EMULATION_RUNTIME.mps2 = 13144 B flash, 488 B RAM (range 13104-13268 B:
 * alignment fill, and libc routines a kernel pulls in, e.g. memmove).
 * tinyforge_validate.o alone (NATIVE_APP_M4): 1920 B flash, 76 B RAM.
 *
 * Residuals, estimate / ELF - 1 (test/compile/native-estimate.test.ts fails
 * outside +-3 % for flash and RAM on every model; LOO: refit without the
 * model, then predict it):
 *
 *   model                          flash (ELF)   error     LOO |  RAM (ELF)   error
 *   examples/gesture_int8                 17720  +0.03%  +0.94% |       1208  +0.00%
 *   tflm-audio_preprocessor_int8          23036  -0.00%  -8.61% |       3688  +0.00%
 *   tflm-dtln_noise_suppression          388688  +0.30%  +0.31% |       2424  +0.00%
 *   tflm-hello_world_int8                 14724  +0.00%  +0.27% |        520  +0.00%
 *   tflm-keyword_scrambled                52312  +0.24%  +0.47% |      11016  +0.00%
 *   tflm-keyword_scrambled_8bit           52568  -0.25%  -0.50% |       5896  +0.00%
 *   tflm-micro_speech                     33876  -0.50%  -2.27% |       6536  +0.00%
 *   tflm-micro_speech_lstm               145096  -0.09%  -0.09% |      19720  +0.00%
 *   tflm-mnist_lstm_int8                  30132  -0.03%  -0.46% |       2392  +0.00%
 *   tflm-mobilenet_v2_pytorch           3875704  +0.18%  +0.19% |    2452328  +0.00%
 *   tflm-person_detect                   292668  -0.64%  -0.88% |      55784  +0.00%
 *   tflm-simple_add                       15740  +0.11%  +3.23% |      49640  +0.00%
 *   tiny-ad-autoencoder                  286668  -0.19%  -0.26% |       1256  +0.00%
 *   tiny-ad-autoencoder-floatio          286924  +0.00%  -0.21% |       3688  +0.00%
 *   tiny-ic-resnet8                      113416  -0.26%  -1.54% |      49784  +0.00%
 *   tiny-ic-resnet8-large-int8           525832  -0.06%  -0.06% |     123736  +0.00%
 *   tiny-kws-dscnn                        52364  +0.42%  +8.00% |      16488  +0.00%
 *   tiny-sww-streaming-wakeword           82280  +1.20%  +2.58% |       7144  +0.00%
 *   tiny-vww-mobilenet                   286264  -0.97%  -1.27% |      55784  +0.00%
 *
 * RAM is exact; flash is well inside the bound in sample. Out of sample, a
 * model whose kinds are all known stays within ~+-3 %; one made of kinds no
 * other model has (the audio preprocessor) or dominated by one unusual
 * instance (kws-dscnn's 10x4 first conv) can be off by 10-15 %. The table
 * moves whenever the kernels do: refit, don't extrapolate from old numbers.
 *
 * Stack (NATIVE_STACK = 1024 B): -fstack-usage on every golden build gives
 * tf_invoke() 24-192 B plus at most 152 B for the deepest out-of-line kernel
 * (all static frames, no recursion, no alloca): <= ~350 B with libc calls;
 * 1024 B = 512 B for tf_invoke() with headroom + 512 B for setup()/loop()
 * frames, as TFLM_STACK assumes.
 *
 * What transfers to other boards:
 * - weights, arena and state are exact on every board (the generated arrays
 *   are the same on every 32-bit target);
 * - the code table holds for Cortex-M4F built with tinyforge's flags. Arduino
 *   cores compile the sketch with their own (arduino:mbed: -Os, softfp): with
 *   -Os the same models' code is 0.57-1.03x (0.80x in total) the -O2 size, a
 *   small part of flash except for tiny models. Cortex-M0+ (Thumb-1), M7,
 *   M33, Xtensa and RISC-V builds are not measured: `calibrated: false`
 *   there (NATIVE_CALIBRATED_CORES);
 * - the runtime figure is the emulation project's only. On Arduino boards
 *   the board file's arduinoCore figures (themselves derived, see each board
 *   file) plus NATIVE_APP_M4 stand for it; the sketch's capture loop and
 *   sensor code are not counted.
 */
import type { CoreKind, KernelSet, ResolvedBoard } from '../../lib/boards.js';
import { GenerateError, UnsupportedOpError } from '../../lib/errors.js';
import { buildNativeProgram, type NativeProgram } from '../../generator/native/emit.js';
import type { Model, Subgraph } from '../ir/types.js';
import { planMemory, type MemoryPlan } from '../plan/planner.js';
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

export const TFLM_STATIC_RAM = 1024;
export const TFLM_STACK = 2048;

// ---- native engine (see the header) ----

/**
 * Native code size: tinyforge_model.o's flash (tf_invoke() with the kernels
 * specialised per layer, tf_reset(), the tensor info tables).
 */
export interface NativeCodeTable {
  /** tf_invoke()/tf_reset() frames, tensor info tables, model hash. */
  readonly base: number;
  /** Call site of each operator that emits code (argument set-up, the call). */
  readonly perOp: number;
  /** Bytes per distinct specialised kernel instance, by op kind. */
  readonly perInstance: Readonly<Record<string, number>>;
  /** Bytes per instance of a kind not in perInstance. */
  readonly otherInstance: number;
}

/** What the native code size depends on: operators that emit code and distinct kernel instances per kind. */
export interface NativeCodeFeatures {
  readonly ops: number;
  readonly instances: Readonly<Record<string, number>>;
}

/** Native engine, Cortex-M4F, arm-none-eabi-gcc 12.2 -O2 (fit.ts `fitNativeCodeTable`; see the header). */
export const NATIVE_CODE_M4: NativeCodeTable = {
  base: 0,
  perOp: 36,
  perInstance: { ADD: 530, AVERAGE_POOL_2D: 1045, CONV_2D: 372, DEPTHWISE_CONV_2D: 582, FULLY_CONNECTED: 315, QUANTIZE: 590, SOFTMAX: 678, SVDF: 352, UNIDIRECTIONAL_SEQUENCE_LSTM: 2055 },
  otherInstance: 146,
};

/** Cores the native tables were measured on (memory and latency are `calibrated` there). */
export const NATIVE_CALIBRATED_CORES: readonly CoreKind[] = ['cortex-m4f'];

/**
 * Runtime of tinyforge's emulation firmware per template family (templates/<family>:
 * startup, the semihosting main, newlib-nano stdio, rdimon), measured from the
 * linker maps of the golden builds (see the header). The native engine's firmware
 * for an emulated board is that project, so this replaces the board's
 * `arduinoCore` figures, which describe the firmware the TFLM figures were taken in.
 */
export const EMULATION_RUNTIME: Readonly<Record<string, { flashBytes: number; ramBytes: number; source: string }>> = {
  mps2: { flashBytes: 13144, ramBytes: 488, source: 'scripts/fit-native.ts: medians of the golden builds\' linker maps (startup, emulation main, validation protocol, newlib-nano, rdimon)' },
};

/**
 * tinyforge's serial validation protocol (templates/arduino/tinyforge_validate.cpp),
 * part of every generated sketch; measured in the mps2 build, where it is part
 * of EMULATION_RUNTIME. On Arduino boards it comes on top of the core's figures.
 */
export const NATIVE_APP_M4 = { flashBytes: 1920, ramBytes: 76 };

/** Stack of tf_invoke() on the native engine (see the header). */
export const NATIVE_STACK = 1024;

/** Generated arrays are `alignas(16)`: each occupies its size rounded up to 16 bytes. */
const align16 = (n: number) => Math.ceil(n / 16) * 16;
const CTYPE_BYTES: Readonly<Record<string, number>> = { int8_t: 1, uint8_t: 1, int16_t: 2, uint16_t: 2, int32_t: 4, uint32_t: 4, int64_t: 8, float: 4 };

/**
 * The code an operator emits, with what differs between two uses of the same
 * specialised kernel taken out (its operator number in array names, arena
 * offsets, tensor numbers): two operators with the same signature call the
 * same template instance, which the compiler emits once. null when the
 * operator emits no code (a RESHAPE aliased with its input).
 */
export function nativeOpSignature(code: string): string | null {
  const body = code.replace(/\/\/[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '').trim();
  if (!body) return null;
  return body
    .replace(/\btf_op\d+_/g, 'tf_op_')
    .replace(/\btf_(const|state)_t\d+/g, 'tf_$1_t')
    .replace(/tf_arena \+ \d+/g, 'tf_arena')
    .replace(/\)\) \+ \d+/g, '))')
    .replace(/\s+/g, ' ');
}

/** Ops that alias their input in the native engine (no code) when no program is available. */
const ALIASING = new Set(['RESHAPE', 'SQUEEZE', 'EXPAND_DIMS']);

/** Code-size features of a generated program; without one (model not generatable), every op is its own instance. */
export function nativeCodeFeatures(program: NativeProgram | null, sg: Subgraph): NativeCodeFeatures {
  const instances: Record<string, number> = {};
  let ops = 0;
  if (!program) {
    for (const op of sg.operators) {
      if (ALIASING.has(op.op)) continue;
      ops++;
      instances[op.op] = (instances[op.op] ?? 0) + 1;
    }
    return { ops, instances };
  }
  const seen = new Set<string>();
  for (const block of program.ops) {
    const sig = nativeOpSignature(block.code);
    if (sig === null) continue;
    ops++;
    if (seen.has(sig)) continue;
    seen.add(sig);
    instances[block.op] = (instances[block.op] ?? 0) + 1;
  }
  return { ops, instances };
}

export function nativeCodeSize(table: NativeCodeTable, f: NativeCodeFeatures): number {
  let bytes = table.base + table.perOp * f.ops;
  for (const [kind, n] of Object.entries(f.instances)) bytes += n * (table.perInstance[kind] ?? table.otherInstance);
  return bytes;
}

/**
 * Flash of the program's constant arrays (weights, biases, derived tables),
 * alignment padding included. Only arrays the code refers to count: each is
 * its own section (-fdata-sections), so the linker drops one no operator
 * uses (e.g. a constant tensor a kernel recomputes instead of reading).
 */
export function nativeConstantFlash(program: NativeProgram): number {
  const used = new Set<string>();
  const scan = (text: string) => {
    for (const m of text.matchAll(/\btf_[A-Za-z0-9_]+/g)) used.add(m[0]);
  };
  for (const op of program.ops) scan(op.code);
  for (const io of [...program.inputs, ...program.outputs]) scan(io.ptr);
  return program.constants.reduce((s, c) => s + (used.has(c.name) ? align16(c.count * CTYPE_BYTES[c.ctype]!) : 0), 0);
}

/** RAM of the program's persistent state arrays (variable tensors, op state), alignment padding included. */
export function nativeStateRam(program: NativeProgram): number {
  return program.state.reduce((s, a) => s + align16(a.count * CTYPE_BYTES[a.ctype]!), 0);
}

/** The generated program for a model, or null (with the reason) when the native engine cannot generate it. */
export function tryNativeProgram(model: Model): { program: NativeProgram | null; reason: string | null } {
  try {
    return { program: buildNativeProgram(model), reason: null };
  } catch (e) {
    if (e instanceof GenerateError) return { program: null, reason: e.message };
    throw e;
  }
}

/**
 * The arena plan of the native engine: the generator's own (16-byte
 * alignment, per-op scratch buffers) when it can generate the model, else the
 * planner without scratch at the same alignment.
 */
export function nativeMemoryPlan(model: Model, program?: NativeProgram | null): MemoryPlan {
  const p = program === undefined ? tryNativeProgram(model).program : program;
  return p ? p.plan : planMemory(model.subgraphs[0]!, { alignment: 16 });
}

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
  /** The generated native program, if the caller has it (saves generating it again). */
  nativeProgram?: NativeProgram;
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
  let core = board.arduinoCore;
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
    const { program, reason } = options.nativeProgram ? { program: options.nativeProgram, reason: null } : tryNativeProgram(model);
    const plan = nativeMemoryPlan(model, program);
    code = Math.round(nativeCodeSize(NATIVE_CODE_M4, nativeCodeFeatures(program, sg)));
    arena = plan.arenaBytes;
    engineStatic = 0; // measured: the model object's RAM is the arena and the state arrays, nothing else
    stackNeeded = NATIVE_STACK;
    const measuredCore = NATIVE_CALIBRATED_CORES.includes(board.core);
    if (program) {
      flashModel = nativeConstantFlash(program);
      persistent = nativeStateRam(program);
      arenaSource = `the native generator's arena plan (${plan.strategy}; lower bound ${plan.lowerBound} B)`;
    } else {
      flashModel = constantBytes(model);
      persistent = plan.persistentBytes;
      arenaSource = `native planner without the generator's scratch buffers (${plan.strategy}), because the generator cannot build this model`;
      notes.push(`native engine: the generator cannot build this model (${reason}); weights, arena and code are approximated from the model (calibrated: false)`);
    }
    const runtime = board.emulation ? EMULATION_RUNTIME[board.emulation.family] : undefined;
    if (runtime) {
      core = { ...core, flashBytes: runtime.flashBytes, ramBytes: runtime.ramBytes };
      notes.push(`native engine on an emulated board: the runtime is templates/${board.emulation!.family}'s (${runtime.flashBytes} B flash, ${runtime.ramBytes} B RAM), not the board's arduinoCore figures`);
    } else {
      core = { ...core, flashBytes: core.flashBytes + NATIVE_APP_M4.flashBytes, ramBytes: core.ramBytes + NATIVE_APP_M4.ramBytes };
      notes.push(`native engine: flash/RAM of the core are the board file's figures plus tinyforge's validation protocol (${NATIVE_APP_M4.flashBytes} B flash, ${NATIVE_APP_M4.ramBytes} B RAM as measured on Cortex-M4); the sketch's capture loop and sensor code are not counted`);
    }
    if (!measuredCore) notes.push(`native engine: code size and stack were measured on Cortex-M4F; on ${board.core} they are stand-ins (calibrated: false)`);
    calibrated = program !== null && measuredCore;
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
