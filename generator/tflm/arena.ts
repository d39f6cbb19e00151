/**
 * kTensorArenaSize of a generated TFLM sketch: sim/estimate/tflm_arena.ts's
 * replay of AllocateTensors() (recommendedArenaBytes: the smallest 16-byte
 * multiple that works, never below TFLM's real minimum) for the board's ABI
 * and kernel set, plus a margin only where the replay uses a stand-in.
 *
 * - Cortex-M boards (arm32 ABI, cmsis-nn): the replay as is, no margin.
 * - ESP32 boards (int-enum32 ABI, esp-nn): esp-nn kernels are not replayed;
 *   cmsis-nn's Init/Prepare allocations stand in (ARENA_KERNELS in
 *   sim/estimate/memory.ts) and this margin is added on top:
 *     * on boards with SIMD (features.simd: the ESP32-S3, where esp-nn runs
 *       its esp32s3 kernels) the largest conv / depthwise-conv scratch
 *       buffer, bounded from above (P = the input padded by kernel + stride
 *       on each axis, i.e. (W + kw + sw) x (H + kh + sh)):
 *         conv:      2 x (kh*kw*ceil16(C)*O + P*ceil8(C) + 16*ceil8(C)) + 4*O + 32
 *         depthwise: 2 x (kh*kw*O + P*C) + 32
 *       That covers every branch of esp-nn's esp32s3 formulas
 *       (esp_nn_get_conv_scratch_size_esp32s3: padded or re-channelled input
 *       + aligned filter + transpose / accumulator buffers + 32; an older
 *       version 2 x (filter + input + 8 B per channel) + 32;
 *       esp_nn_get_depthwise_conv_scratch_size_esp32s3: at most 2 x (filter +
 *       input) + 16, or filter + padded input + 16). It is added whole, as if
 *       no cmsis-nn scratch buffer shared its place in the plan. Without SIMD
 *       (classic ESP32) esp-nn's "opt" kernels ask for no scratch
 *       (esp_nn_get_{conv,depthwise_conv}_scratch_size_opt return 0).
 *     * 64 B per operator that esp-nn replaces (add, conv, depthwise conv,
 *       fully connected, mul, pooling, softmax) for its own OpData: an
 *       allowance, not measured [U].
 *   Confirm on the device: the sketch prints arena_used_bytes() at start-up.
 * - Models the replay does not cover (UnsupportedOpError
 *   'tflm-arena-unsupported'): memory.ts's fallback estimate, flagged in the
 *   sketch; AllocateTensors() says how much is missing if it is too small.
 * The replay is of TFLM at the golden commit (90b983c2); Chirale 2.0.0 is
 * TFLM of 2023-01, whose allocations may differ slightly: the sketch's
 * AllocateTensors() message says what to do then.
 */
import type { ResolvedBoard } from '../../lib/boards.js';
import { UnsupportedOpError } from '../../lib/errors.js';
import type { Model } from '../../sim/ir/types.js';
import { tflmArena, type TflmAbi, type TflmKernels } from '../../sim/estimate/tflm_arena.js';
import { ARENA_KERNELS, CORE_ABI, fallbackTflmArena } from '../../sim/estimate/memory.js';

export interface SketchArena {
  /** kTensorArenaSize. */
  readonly bytes: number;
  /** tflmArena(...).recommendedArenaBytes, or the fallback estimate when `replayed` is false. */
  readonly baseBytes: number;
  /** Added for kernels the replay stands in for (0 on cmsis-nn / reference boards). */
  readonly marginBytes: number;
  readonly abi: TflmAbi;
  /** Kernel set whose allocations were replayed. */
  readonly kernels: TflmKernels;
  readonly replayed: boolean;
  /** How the figure was made, one sentence per line (for the sketch's comment). */
  readonly notes: readonly string[];
}

/** Operators esp-nn replaces (esp-tflite-micro kernels/esp_nn/*.cc). */
const ESP_NN_OPS = new Set(['ADD', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'MUL', 'AVERAGE_POOL_2D', 'MAX_POOL_2D', 'SOFTMAX']);
/** Per-op allowance for esp-nn's OpData (see the file header). */
export const ESP_NN_OPDATA_ALLOWANCE = 64;

const up16 = (n: number): number => Math.ceil(n / 16) * 16;
const up8 = (n: number): number => Math.ceil(n / 8) * 8;

/** The esp-nn margin described in the file header; `simd`: the board's features.simd. */
export function espNnMargin(model: Model, simd: boolean): number {
  const sg = model.subgraphs[0]!;
  let scratch = 0;
  let replaced = 0;
  for (const op of sg.operators) {
    if (ESP_NN_OPS.has(op.op)) replaced++;
    if (!simd || (op.op !== 'CONV_2D' && op.op !== 'DEPTHWISE_CONV_2D')) continue;
    const input = sg.tensors[op.inputs[0]!];
    const filter = sg.tensors[op.inputs[1]!];
    const output = sg.tensors[op.outputs[0]!];
    if (!input || !filter || !output || input.shape.length !== 4 || filter.shape.length !== 4) continue;
    const [, h, w, c] = input.shape as [number, number, number, number];
    // conv: filter [out, kh, kw, in]; depthwise: [1, kh, kw, out].
    const [, kh, kw] = filter.shape as [number, number, number, number];
    const o = output.shape[output.shape.length - 1]!;
    const sw = Number(op.options.strideW ?? 1);
    const sh = Number(op.options.strideH ?? 1);
    const padded = (w + kw + sw) * (h + kh + sh);
    const bytes = op.op === 'CONV_2D' ? 2 * (kh * kw * up16(c) * o + padded * up8(c) + 16 * up8(c)) + 4 * o + 32 : 2 * (kh * kw * o + padded * c) + 32;
    scratch = Math.max(scratch, bytes);
  }
  return up16(scratch) + ESP_NN_OPDATA_ALLOWANCE * replaced;
}

export function sketchArena(model: Model, board: Pick<ResolvedBoard, 'core' | 'tflm' | 'features'>): SketchArena {
  const abi = CORE_ABI[board.core];
  const target = ARENA_KERNELS[board.tflm.kernels];
  const notes: string[] = [];
  let base: number;
  let replayed = true;
  try {
    base = tflmArena(model, { abi, kernels: target.kernels }).recommendedArenaBytes;
    notes.push(`tinyforge's replay of AllocateTensors() for ${abi} with ${target.kernels} kernels: ${base} B (the smallest 16-byte multiple that works).`);
  } catch (e) {
    if (!(e instanceof UnsupportedOpError) || e.code !== 'tflm-arena-unsupported') throw e;
    base = up16(fallbackTflmArena(model.subgraphs[0]!));
    replayed = false;
    notes.push(`ROUGH ESTIMATE: the replay does not cover this model (${e.message}); planner + bookkeeping guess: ${base} B.`);
  }
  const margin = target.proxy ? espNnMargin(model, board.features.simd) : 0;
  if (target.proxy) {
    notes.push(`${board.tflm.kernels} is not replayed (${target.kernels} stands in): + ${margin} B margin for its ${board.features.simd ? 'scratch buffers and ' : ''}OpData (generator/tflm/arena.ts).`);
  }
  return { bytes: base + margin, baseBytes: base, marginBytes: margin, abi, kernels: target.kernels, replayed, notes };
}
