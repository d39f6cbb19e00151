/**
 * TFLM tensor-arena size: a replay of what MicroInterpreter::AllocateTensors()
 * allocates, at the TFLM commit of the golden data (90b983c2), for one target
 * ABI and kernel set.
 *
 * What is replayed (see also ../shared/docs/tflm-semantics.md, Part B):
 * - The arena start is 16-aligned; the end is wherever kTensorArenaSize puts
 *   it. Persistent ("tail") allocations grow down from the end, each at
 *   align_down(tail - size, align); temp and head allocations grow up from the
 *   start. arena_used_bytes = max(head, temp) + (end - tail).
 * - MicroAllocator::Create (allocator, greedy planner, MicroAllocator),
 *   StartModelAllocation (builtin-data allocator, a head block of 12
 *   ScratchBufferRequests, SubgraphAllocations, TfLiteEvalTensor[] and
 *   NodeAndRegistration[]), one builtin-params POD per op (only for the ops
 *   whose parser allocates one), every kernel's Init (OpData and Init-time
 *   buffers, all through AllocatePersistentBuffer, i.e. 16-aligned), every
 *   kernel's Prepare in order (temp TfLiteTensors with their quantization
 *   struct and zero-point array, Prepare-time persistent buffers, scratch
 *   requests; after each node the temps are dropped and the head is resized to
 *   12 requests more than recorded so far), FinishModelAllocation (scratch
 *   handles, temp size_t[] and AllocationInfo[], variable tensors, then the
 *   greedy planner with all remaining space and 40 B per buffer), and finally
 *   the persistent input/output TfLiteTensors.
 * - The greedy plan itself: sim/plan/greedy_tflm.ts.
 * Per-op behaviour (which tensors each Prepare allocates as temps, OpData and
 * POD sizes per ABI, scratch sizes, CMSIS-NN's DSP buffer sizes with GCC) was
 * read from the TFLM and CMSIS-NN (4ab83cc3) sources; the struct sizes were
 * measured with sizeof/alignof probes compiled against the TFLM headers with
 * the golden flags (g++ x86-64; arm-none-eabi-g++ 12.2 for Cortex-M4, whose
 * enums are short; the same with -fno-short-enums for 'int-enum32', the layout
 * of 32-bit targets with int-sized enums such as RISC-V or Xtensa).
 *
 * Minimum arena: the smallest kTensorArenaSize for which the replay succeeds.
 * An allocation fails when it would not fit; a persistent allocation is also
 * treated as failing when it would overlap live temp memory ("no-overlap"
 * rule). TFLM itself only checks persistent allocations against the head, so
 * it sometimes survives an overlap with temps that happen to be dead (the
 * golden minimum is 16 B lower in 2 of 211 synthetic cases) and more often
 * crashes; the no-overlap rule never under-estimates. The search steps in
 * bytes on x86_64 (like the golden x86 figures) and in 16 B on the 32-bit ABIs
 * (like the golden Cortex-M4 figures).
 *
 * recommendedArenaBytes (what a generated sketch should declare): the smallest
 * 16-byte multiple for which the replay succeeds. No extra margin is added:
 * the replay reproduces every golden figure exactly, and the no-overlap rule
 * is already on the safe side. On the 32-bit ABIs it equals minArenaBytes; on
 * x86_64 it is at most 15 B above it. (Arenas of a 16-byte multiple with a
 * 16-aligned start are monotone: anything larger also works.)
 */
import * as fb from 'flatbuffers';
import * as S from '../parse/schema_generated/tflite_generated.js';
import { UnsupportedOpError } from '../../lib/errors.js';
import { flexRoot, type FlexMap } from '../parse/flexbuffers.js';
import type { Model, Operator, Subgraph, Tensor } from '../ir/types.js';
import { PLANNER_BYTES_PER_BUFFER, planGreedyTflm, type PlannerBuffer } from '../plan/greedy_tflm.js';

export type TflmAbi = 'arm32' | 'int-enum32' | 'x86_64';
export type TflmKernels = 'reference' | 'cmsis-nn';
export interface TflmTarget {
  readonly abi: TflmAbi;
  readonly kernels: TflmKernels;
}

/** One buffer of the memory plan (a tensor or a kernel's scratch buffer). */
export interface TflmArenaBuffer {
  /** Tensor index (subgraph 0; see `subgraph` for others). */
  tensor?: number;
  /** Subgraph of the tensor, when not 0. */
  subgraph?: number;
  /** Operator index (execution order) that requested this scratch buffer. */
  scratchOfOp?: number;
  /** Planned bytes (rounded up to 16). */
  size: number;
  /** Lifetime in allocation scopes (graph inputs 0, op k at k + 1), inclusive. */
  first: number;
  last: number;
  /** Offset from the arena start. */
  offset: number;
}

export interface TflmArenaBreakdown {
  /** Requested bytes per kind of persistent allocation (before alignment padding). */
  persistent: {
    /** SingleArenaBufferAllocator + GreedyMemoryPlanner + MicroAllocator + builtin-data allocator + SubgraphAllocations. */
    runtime: number;
    evalTensors: number;
    nodeAndRegistrations: number;
    /** Builtin-options PODs (one per op whose parser allocates). */
    builtinData: number;
    /** Kernel OpData structs (Init). */
    opData: number;
    /** Other kernel buffers: per-channel multipliers/shifts, LUTs, FFT state, kernel sums... */
    kernelBuffers: number;
    scratchHandles: number;
    variableTensors: number;
    /** Input/output pointer arrays, TfLiteTensors, quantization structs, zero-point arrays. */
    ioTensors: number;
    /** Alignment padding between persistent allocations (including the arena end). */
    padding: number;
  };
  /** Greedy plan: tensors and scratch buffers overlaid in the head. */
  plan: { bytes: number; buffers: number; tensorBuffers: number; scratchBuffers: number };
  /**
   * The bytes each phase of AllocateTensors() needs at its peak (replayed with
   * a large arena; the minimum arena is the largest of them, plus end
   * alignment): kernel Prepare (persistent so far + head + temps), memory
   * planning (persistent + head + AllocationInfo + planner scratch) and the
   * final state (persistent + plan = arena_used_bytes). `prepareOp` is the
   * operator (execution order, subgraph 0) whose Prepare peaks, -1 if none.
   */
  phases: { prepare: number; prepareOp: number; planning: number; final: number };
  scratchRequests: number;
}

export interface TflmArenaResult {
  /** MicroInterpreter::arena_used_bytes() after AllocateTensors() with a large arena whose end is 16-aligned. */
  arenaUsedBytes: number;
  /** Smallest kTensorArenaSize for which AllocateTensors() succeeds (16 B steps on 32-bit ABIs). */
  minArenaBytes: number;
  /** What a generated sketch should use: the smallest 16-byte multiple that works. */
  recommendedArenaBytes: number;
  /** Persistent (tail) bytes after AllocateTensors(), including alignment padding. */
  persistentBytes: number;
  /** Greedy plan size (head) after AllocateTensors(). */
  planBytes: number;
  breakdown: TflmArenaBreakdown;
  buffers: TflmArenaBuffer[];
}

// ---------------------------------------------------------------------------
// ABI tables (sizeof / alignof measured against the TFLM headers, see header)

type SA = readonly [size: number, align: number];

interface AbiInfo {
  readonly ptr: number;
  readonly singleArena: SA;
  readonly greedyPlanner: SA;
  readonly microAllocator: SA;
  readonly builtinAllocator: SA;
  readonly subgraphAllocations: SA;
  readonly evalTensor: SA;
  readonly nodeAndRegistration: SA;
  readonly tfliteTensor: SA;
  readonly affineQuantization: SA;
  readonly scratchRequest: SA;
  readonly scratchHandle: SA;
  readonly allocationInfo: SA;
  readonly sizeT: SA;
  /** Builtin-params PODs, keyed by parser. */
  readonly builtin: Readonly<Record<BuiltinKey, SA>>;
  /** Kernel OpData sizes (allocated 16-aligned, so only the size matters). */
  readonly opData: Readonly<Record<OpDataKey, number>>;
  /** sizeof(kiss_fftr_state): three pointers. */
  readonly kissFftrState: number;
}

type BuiltinKey =
  | 'conv' | 'depthwise' | 'transposeConv' | 'pool' | 'softmax' | 'leakyRelu' | 'fullyConnected' | 'add' | 'sub'
  | 'mul' | 'div' | 'reducer' | 'concatenation' | 'reshape' | 'stridedSlice' | 'cast' | 'svdf' | 'lstm' | 'mirrorPad'
  | 'split' | 'splitV' | 'pack' | 'unpack' | 'gather' | 'spaceToDepth' | 'depthToSpace' | 'resizeNearestNeighbor'
  | 'argMax' | 'argMin' | 'squeeze';

type OpDataKey =
  | 'conv' | 'fullyConnected' | 'transposeConv' | 'pool' | 'softmax' | 'logistic' | 'tanh' | 'hardSwish' | 'leakyRelu'
  | 'relu' | 'relu6' | 'add' | 'sub' | 'mul' | 'div' | 'reduce' | 'concatenation' | 'pad' | 'stridedSlice' | 'quantize'
  | 'dequantize' | 'svdf' | 'lstm' | 'abs' | 'squaredDifference' | 'prelu' | 'mirrorPad'
  | 'cmsisConv' | 'cmsisFullyConnected' | 'cmsisPool' | 'cmsisSoftmax' | 'cmsisSvdf' | 'cmsisTransposeConv' | 'cmsisLstm' | 'cmsisAdd'
  | 'signalWindow' | 'signalRfft' | 'signalEnergy' | 'signalFilterBank' | 'signalSpectralSubtraction' | 'signalLog' | 'signalPcan';

const BUILTIN_COMMON = {
  conv: [28, 4], depthwise: [28, 4], pool: [40, 4], softmax: [4, 4], leakyRelu: [4, 4], reducer: [1, 1],
  concatenation: [8, 4], reshape: [36, 4], stridedSlice: [24, 4], lstm: [16, 4],
  split: [4, 4], splitV: [4, 4], pack: [8, 4], unpack: [8, 4], gather: [8, 4], spaceToDepth: [4, 4], depthToSpace: [4, 4],
  resizeNearestNeighbor: [2, 1], squeeze: [36, 4],
} as const;
/** PODs that contain an enum: these differ between short-enum ARM EABI and int-enum ABIs. */
const BUILTIN_SHORT_ENUM = {
  ...BUILTIN_COMMON, transposeConv: [16, 4], fullyConnected: [5, 1], add: [2, 1], sub: [2, 1], mul: [1, 1], div: [1, 1], cast: [2, 1], svdf: [8, 4],
  mirrorPad: [1, 1], argMax: [1, 1], argMin: [1, 1],
} as const;
const BUILTIN_INT_ENUM = {
  ...BUILTIN_COMMON, transposeConv: [20, 4], fullyConnected: [16, 4], add: [8, 4], sub: [8, 4], mul: [4, 4], div: [4, 4], cast: [8, 4], svdf: [12, 4],
  mirrorPad: [4, 4], argMax: [4, 4], argMin: [4, 4],
} as const;

const OPDATA_COMMON = {
  pool: 32, logistic: 16, tanh: 16, hardSwish: 20, leakyRelu: 24, relu: 28, relu6: 8, add: 60, sub: 52, mul: 36, div: 28,
  reduce: 44, pad: 56, stridedSlice: 84, quantize: 32, dequantize: 32, svdf: 36, lstm: 688, cmsisPool: 36, cmsisAdd: 60,
  signalWindow: 8, signalEnergy: 8, signalLog: 8, signalPcan: 4,
  abs: 28, squaredDifference: 112, prelu: 28, mirrorPad: 20,
} as const;
const OPDATA_32 = {
  ...OPDATA_COMMON, conv: 56, fullyConnected: 48, transposeConv: 72, softmax: 56, concatenation: 24,
  cmsisConv: 60, cmsisFullyConnected: 72, cmsisSoftmax: 64, cmsisSvdf: 40, cmsisTransposeConv: 76, cmsisLstm: 912,
  signalRfft: 32, signalFilterBank: 36, signalSpectralSubtraction: 44,
} as const;
const OPDATA_64 = {
  ...OPDATA_COMMON, conv: 72, fullyConnected: 64, transposeConv: 80, softmax: 80, concatenation: 40,
  cmsisConv: 80, cmsisFullyConnected: 96, cmsisSoftmax: 88, cmsisSvdf: 48, cmsisTransposeConv: 88, cmsisLstm: 1008,
  signalRfft: 48, signalFilterBank: 64, signalSpectralSubtraction: 56,
} as const;

const ABI32_BASE = {
  ptr: 4,
  singleArena: [36, 4], greedyPlanner: [44, 4], microAllocator: [36, 4], builtinAllocator: [8, 4], subgraphAllocations: [8, 4],
  evalTensor: [12, 4], nodeAndRegistration: [32, 4], affineQuantization: [12, 4],
  scratchRequest: [12, 4], scratchHandle: [4, 4], allocationInfo: [24, 4], sizeT: [4, 4],
  opData: OPDATA_32, kissFftrState: 12,
} as const;

const ABIS: Readonly<Record<TflmAbi, AbiInfo>> = {
  arm32: { ...ABI32_BASE, tfliteTensor: [32, 4], builtin: BUILTIN_SHORT_ENUM },
  'int-enum32': { ...ABI32_BASE, tfliteTensor: [40, 4], builtin: BUILTIN_INT_ENUM },
  x86_64: {
    ptr: 8,
    singleArena: [72, 8], greedyPlanner: [72, 8], microAllocator: [72, 8], builtinAllocator: [16, 8], subgraphAllocations: [16, 8],
    evalTensor: [24, 8], nodeAndRegistration: [64, 8], tfliteTensor: [64, 8], affineQuantization: [24, 8],
    scratchRequest: [16, 8], scratchHandle: [8, 8], allocationInfo: [32, 8], sizeT: [8, 8],
    builtin: BUILTIN_INT_ENUM, opData: OPDATA_64, kissFftrState: 24,
  },
};

/** MicroArenaBufferAlignment(). */
const ARENA_ALIGN = 16;
/** kMaxScratchBuffersPerOp. */
const MAX_SCRATCH_PER_OP = 12;
/** kInt16LUTArraySize (softmax int16 LUTs of int16_t). */
const INT16_LUT_ENTRIES = 513;
/** CMSIS-NN REVERSE_TCOL_EFFICIENT_THRESHOLD. */
const CMSIS_REVERSE_TCOL_THRESHOLD = 16;

// ---------------------------------------------------------------------------
// Per-op programs

type Category = 'runtime' | 'evalTensors' | 'nodeAndRegistrations' | 'builtinData' | 'opData' | 'kernelBuffers' | 'scratchHandles' | 'variableTensors' | 'ioTensors';

/** A step of a kernel's Init or Prepare. */
type Step =
  /** AllocatePersistentBuffer (always 16-aligned). */
  | { readonly k: 'persist'; readonly bytes: number; readonly what: 'opData' | 'kernelBuffers' }
  /** AllocateTemp{Input,Output}Tensor of a tensor index (nothing when the slot is -1 or missing). */
  | { readonly k: 'temp'; readonly tensor: number }
  /** RequestScratchBufferInArena. */
  | { readonly k: 'scratch'; readonly bytes: number };

interface OpProgram {
  /** Builtin POD, or null when the op's parser allocates none (or it is a custom op). */
  readonly builtin: SA | null;
  readonly init: readonly Step[];
  readonly prepare: readonly Step[];
}

interface OpContext {
  readonly model: Model;
  readonly sg: Subgraph;
  readonly op: Operator;
  readonly opIndex: number;
  readonly abi: AbiInfo;
  readonly kernels: TflmKernels;
}

function unsupported(c: OpContext, why: string): never {
  throw new UnsupportedOpError(
    'tflm-arena-unsupported',
    `cannot size the TFLM arena: ${why}`,
    'the TFLM arena estimate covers the operators tinyforge generates TFLM sketches for; extend sim/estimate/tflm_arena.ts from the kernel\'s Init/Prepare in TFLM',
    { opIndex: c.opIndex, op: c.op.op, subgraph: c.sg.index },
  );
}

const elementsOf = (shape: readonly number[]) => shape.reduce((a, d) => a * d, 1);

function computeOutSize(padding: string, image: number, filter: number, stride: number, dilation: number): number {
  const eff = (filter - 1) * dilation + 1;
  const v = padding === 'SAME' ? Math.trunc((image + stride - 1) / stride) : Math.trunc((image + stride - eff) / stride);
  return v < 0 ? 0 : v;
}
/** ComputePaddingHeightWidth: the padding TFLM computes from input, filter, stride and dilation. */
function computePadding(padding: string, stride: number, dilation: number, inSize: number, filter: number): number {
  const out = computeOutSize(padding, inSize, filter, stride, dilation);
  const eff = (filter - 1) * dilation + 1;
  const total = Math.max((out - 1) * stride + eff - inSize, 0);
  return Math.trunc(total / 2);
}

const DTYPE_SIZE: Record<string, number> = { int16: 2, int32: 4, float32: 4, int8: 1, int64: 8 };

function opProgram(c: OpContext): OpProgram {
  const { op, sg, abi, kernels } = c;
  const cmsis = kernels === 'cmsis-nn';
  const B = abi.builtin;
  const O = abi.opData;
  const tensorAt = (i: number): Tensor | null => (i >= 0 && i < sg.tensors.length ? sg.tensors[i]! : null);
  const inIdx = (slot: number) => (slot < op.inputs.length ? op.inputs[slot]! : -1);
  const outIdx = (slot: number) => (slot < op.outputs.length ? op.outputs[slot]! : -1);
  const input = (slot: number) => tensorAt(inIdx(slot));
  const output = (slot: number) => tensorAt(outIdx(slot));
  const reqInput = (slot: number, what: string): Tensor => input(slot) ?? unsupported(c, `${op.op} has no ${what} (input ${slot})`);
  const reqOutput = (slot: number): Tensor => output(slot) ?? unsupported(c, `${op.op} has no output ${slot}`);
  const tin = (slot: number): Step => ({ k: 'temp', tensor: inIdx(slot) });
  const tout = (slot: number): Step => ({ k: 'temp', tensor: outIdx(slot) });
  const persist = (bytes: number): Step => ({ k: 'persist', bytes, what: 'kernelBuffers' });
  const scratch = (bytes: number): Step => ({ k: 'scratch', bytes });
  const opData = (bytes: number): Step[] => [{ k: 'persist', bytes, what: 'opData' }];
  const opts = op.options as Record<string, unknown>;
  const num = (k: string, d: number) => (typeof opts[k] === 'number' ? (opts[k] as number) : d);
  const str = (k: string, d: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : d);
  const isQuantType = (t: Tensor) => t.dtype === 'int8' || t.dtype === 'int16';
  const perChannel = (t: Tensor) => (t.quantization?.scale.length ?? 0) > 1;
  const prog = (builtin: SA | null, init: Step[], prepare: Step[]): OpProgram => ({ builtin, init, prepare });

  switch (op.op) {
    case 'FULLY_CONNECTED': {
      const inp = reqInput(0, 'input');
      const filter = reqInput(1, 'weights');
      const out = reqOutput(0);
      const prep: Step[] = [tin(0), tin(1), tin(2), tout(0)];
      if (!cmsis && filter.dtype === 'int4') prep.push(scratch(filter.elements));
      // CalculateOpDataFullyConnected: per-channel multiplier and shift arrays.
      if (inp.dtype !== 'float32' && perChannel(filter) && hasZeroPoints(c, inIdx(1))) {
        const ch = filter.quantization!.scale.length;
        prep.push(persist(4 * ch), persist(4 * ch));
      }
      if (cmsis && inp.dtype === 'int8' && filter.dtype !== 'int4') {
        const outRank = out.shape.length;
        const accum = filter.shape[filter.shape.length - 1] ?? 0;
        // is_conv_1x1_possible: per-tensor weights get a scratch for the per-channel arrays;
        // arm_convolve_1x1_s8_fast_get_buffer_size and arm_fully_connected_s8_get_buffer_size are 0 on DSP/GCC.
        if (outRank > 2 && accum % 4 === 0 && !perChannel(filter)) prep.push(scratch(8 * (out.shape[outRank - 1] ?? 0)));
      }
      return prog(B.fullyConnected, opData(cmsis ? O.cmsisFullyConnected : O.fullyConnected), prep);
    }
    case 'CONV_2D': {
      const inp = reqInput(0, 'input');
      const filter = reqInput(1, 'weights');
      reqOutput(0);
      const ch = filter.shape[0] ?? 0;
      const calc: Step[] = [tin(0), tin(1), tin(2), tout(0)];
      if (!cmsis) {
        const prep: Step[] = [tout(0), tin(0), tin(1), persist(4 * ch), persist(4 * ch), ...calc];
        if (filter.dtype === 'int4') prep.push(scratch(filter.elements));
        return prog(B.conv, opData(O.conv), prep);
      }
      // CMSIS-NN asks for the bias through the output list (index 2), which yields nothing.
      const prep: Step[] = [tin(0), tin(1), tout(0), tout(2)];
      if (isQuantType(inp)) prep.push(persist(4 * ch), persist(4 * ch));
      prep.push(...calc);
      let buf = 0;
      if (inp.dtype === 'int8' || inp.dtype === 'int16') {
        const [fh, fw] = [filter.shape[1] ?? 0, filter.shape[2] ?? 0];
        const inC = inp.shape[3] ?? 0;
        const filterC = filter.shape[3] ?? 0;
        if (inp.dtype === 'int16') {
          buf = 2 * inC * fw * fh * 2;
        } else {
          const padding = str('padding', 'SAME');
          const sH = num('strideH', 1), sW = num('strideW', 1), dH = num('dilationH', 1), dW = num('dilationW', 1);
          const padH = computePadding(padding, sH, dH, inp.shape[1] ?? 0, fh);
          const padW = computePadding(padding, sW, dW, inp.shape[2] ?? 0, fw);
          const is1x1 = padW === 0 && padH === 0 && fw === 1 && fh === 1 && dW === 1 && dH === 1 && inC === filterC;
          if (!is1x1) {
            const rhsCols = fw * fh * inC;
            buf = 2 * (rhsCols % 4 !== 0 ? rhsCols + 4 - (rhsCols % 4) : rhsCols) * 2;
          }
        }
      }
      if (buf > 0) prep.push(scratch(buf));
      return prog(B.conv, opData(O.cmsisConv), prep);
    }
    case 'DEPTHWISE_CONV_2D': {
      const inp = reqInput(0, 'input');
      const filter = reqInput(1, 'weights');
      const out = reqOutput(0);
      const ch = filter.shape[3] ?? 0;
      const calc: Step[] = [tin(0), tin(1), tin(2), tout(0)];
      if (!cmsis) {
        const prep: Step[] = [tout(0), tin(0), tin(1), persist(4 * ch), persist(4 * ch)];
        if (filter.dtype === 'int4') prep.push(scratch(filter.elements));
        prep.push(...calc);
        return prog(B.depthwise, opData(O.conv), prep);
      }
      const prep: Step[] = [tin(0), tin(1), tout(0)];
      if (isQuantType(inp)) prep.push(persist(4 * ch), persist(4 * ch));
      prep.push(...calc);
      if (inp.dtype === 'int8') {
        const [fh, fw] = [filter.shape[1] ?? 0, filter.shape[2] ?? 0];
        const inC = inp.shape[3] ?? 0;
        const outC = out.shape[3] ?? 0;
        const padding = str('padding', 'SAME');
        const sH = num('strideH', 1), sW = num('strideW', 1), dH = num('dilationH', 1), dW = num('dilationW', 1);
        const padH = computePadding(padding, sH, dH, inp.shape[1] ?? 0, fh);
        const padW = computePadding(padding, sW, dW, inp.shape[2] ?? 0, fw);
        let buf = 0;
        if (filter.dtype !== 'int8') unsupported(c, `CMSIS-NN depthwise conv with ${filter.dtype} weights is not modelled`);
        if (inC === outC && (inp.shape[0] ?? 0) === 1 && dW === 1 && dH === 1) {
          if (!(fw === 3 && fh === 3 && padH <= 1 && padW <= 1)) buf = inC * fw * fh * 2;
        }
        if (buf > 0) prep.push(scratch(buf));
      }
      return prog(B.depthwise, opData(O.cmsisConv), prep);
    }
    case 'TRANSPOSE_CONV': {
      // inputs: 0 output_shape, 1 weights, 2 input, 3 bias (optional)
      const inp = reqInput(2, 'input');
      const filter = reqInput(1, 'weights');
      const out = reqOutput(0);
      const bias = input(3);
      const ch = filter.shape[0] ?? 0;
      const prep: Step[] = [tout(0), tin(2), tin(1), persist(4 * ch), persist(4 * ch)];
      if (inp.dtype === 'int8') {
        if (!cmsis) {
          prep.push(scratch(4 * out.elements));
        } else {
          const sW = num('strideW', 1), sH = num('strideH', 1);
          const inC = inp.shape[3] ?? 0;
          const [fh, fw] = [filter.shape[1] ?? 0, filter.shape[2] ?? 0];
          const outC = out.shape[3] ?? 0;
          const reverse = sW <= 2 && sH <= 2 && inC > CMSIS_REVERSE_TCOL_THRESHOLD;
          let buf: number;
          if (reverse) {
            const rhsCols = fw * fh * inC;
            buf = 2 * (rhsCols % 4 !== 0 ? rhsCols + 4 - (rhsCols % 4) : rhsCols) * 2;
          } else {
            buf = ((inp.shape[2] ?? 0) - 1) * sW + Math.max(fw, sH);
            buf = buf * outC * Math.max(fh, sH) * 4;
          }
          prep.push(scratch(buf), scratch(reverse ? inC * fw * fh * (filter.shape[0] ?? 0) : 0));
        }
      } else if (inp.dtype === 'int16') {
        prep.push(scratch(8 * out.elements));
      }
      if (inp.dtype !== 'float32') {
        prep.push(tin(2), tin(1), tin(3), tout(0));
        if (inp.dtype === 'int16' && bias !== null && bias.dtype === 'int16') prep.push(scratch(8 * bias.elements));
      }
      return prog(B.transposeConv, opData(cmsis ? O.cmsisTransposeConv : O.transposeConv), prep);
    }
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D': {
      const inp = reqInput(0, 'input');
      const out = reqOutput(0);
      const prep: Step[] = [tin(0), tout(0)];
      if (cmsis && op.op === 'AVERAGE_POOL_2D') {
        prep.push(tin(0), tout(0));
        if (isQuantType(inp)) {
          const depth = out.shape[3] ?? 0;
          if (depth > 0) prep.push(scratch(4 * depth));
        }
      }
      return prog(B.pool, opData(cmsis ? O.cmsisPool : O.pool), prep);
    }
    case 'SOFTMAX': {
      const inp = reqInput(0, 'input');
      const prep: Step[] = [tin(0), tout(0)];
      if (inp.dtype === 'int16') prep.push(persist(2 * INT16_LUT_ENTRIES), persist(2 * INT16_LUT_ENTRIES));
      return prog(B.softmax, opData(cmsis ? O.cmsisSoftmax : O.softmax), prep);
    }
    case 'LOGISTIC':
      return prog(null, opData(O.logistic), [tin(0), tout(0)]);
    case 'TANH':
      return prog(null, opData(O.tanh), [tin(0), tin(0), tout(0)]);
    case 'HARD_SWISH':
      return prog(null, opData(O.hardSwish), [tin(0), tout(0)]);
    case 'LEAKY_RELU':
      return prog(B.leakyRelu, opData(O.leakyRelu), [tin(0), tout(0)]);
    case 'RELU':
      return prog(null, opData(O.relu), [tin(0), tout(0)]);
    case 'RELU6':
      return prog(null, opData(O.relu6), [tin(0)]);
    case 'CAST':
      return prog(B.cast, [], [tin(0), tout(0)]);
    case 'RESHAPE': {
      const out = reqOutput(0);
      const prep: Step[] = [tin(0), tout(0)];
      // A -1 in the output shape makes ReshapeOutput copy the dims into a persistent array.
      const dims = op.inputs.length === 1 && out.shape.length === 1 && out.shape[0] === 0 ? [] : out.shape;
      if (dims.includes(-1)) prep.push(persist(4 + 4 * dims.length));
      return prog(B.reshape, [], prep);
    }
    case 'QUANTIZE':
      return prog(null, opData(O.quantize), [tin(0), tout(0)]);
    case 'DEQUANTIZE':
      return prog(null, opData(O.dequantize), [tin(0), tout(0)]);
    case 'ADD':
      return prog(B.add, opData(cmsis ? O.cmsisAdd : O.add), [tin(0), tin(1), tout(0)]);
    case 'SUB':
      return prog(B.sub, opData(O.sub), [tin(0), tin(1), tout(0)]);
    case 'MUL':
      return prog(B.mul, opData(O.mul), [tin(0), tin(1), tout(0)]);
    case 'DIV':
      return prog(B.div, opData(O.div), [tin(0), tin(1), tout(0)]);
    case 'MAXIMUM':
    case 'MINIMUM':
      return prog(null, [], []);
    case 'CONCATENATION': {
      const prep: Step[] = [tin(0), tout(0)];
      for (let i = 0; i < op.inputs.length; i++) prep.push(tin(i));
      return prog(B.concatenation, opData(O.concatenation), prep);
    }
    case 'PAD':
    case 'PADV2': {
      const prep: Step[] = [tin(0), tin(1)];
      if (op.inputs.length === 3) prep.push(tin(2));
      prep.push(tout(0));
      return prog(null, opData(O.pad), prep);
    }
    case 'STRIDED_SLICE':
      return prog(B.stridedSlice, opData(O.stridedSlice), [tin(0), tin(1), tin(2), tin(3), tout(0)]);
    case 'TRANSPOSE':
      return prog(null, [], [tin(0), tin(1), tout(0)]);
    case 'MEAN': {
      const inp = reqInput(0, 'input');
      const out = reqOutput(0);
      const axis = reqInput(1, 'axis');
      const prep: Step[] = [tin(0), tout(0), tin(1)];
      if (isQuantType(inp)) prep.push(scratch(4 * out.elements));
      prep.push(scratch(4 * inp.shape.length), scratch(4 * axis.elements));
      // PrepareSimple
      prep.push(tin(0), tin(1));
      if (inp.dtype === 'int8') prep.push(tout(0));
      return prog(B.reducer, opData(O.reduce), prep);
    }
    case 'SVDF': {
      const inp = reqInput(0, 'input');
      const wf = reqInput(1, 'weights_feature');
      reqOutput(0);
      const prep: Step[] = [tin(0), tin(1), tin(2), tin(3), tin(4), tout(0)];
      const batch = inp.shape[0] ?? 0;
      const filters = wf.shape[0] ?? 0;
      const rank = num('rank', 1);
      const units = rank > 0 ? Math.trunc(filters / rank) : 0;
      if (inp.dtype === 'int8') prep.push(scratch(4 * batch * filters), scratch(4 * batch * units));
      else prep.push(scratch(4 * batch * filters));
      return prog(B.svdf, opData(cmsis ? O.cmsisSvdf : O.svdf), prep);
    }
    case 'UNIDIRECTIONAL_SEQUENCE_LSTM': {
      if (op.inputs.length !== 24) unsupported(c, `UNIDIRECTIONAL_SEQUENCE_LSTM needs 24 inputs, has ${op.inputs.length}`);
      const inp = reqInput(0, 'input');
      const hidden = reqInput(18, 'hidden state');
      const cell = reqInput(19, 'cell state');
      const prep: Step[] = [];
      for (let i = 0; i < 24; i++) prep.push(tin(i));
      prep.push(tout(0));
      const timeMajor = opts['timeMajor'] === true;
      const batch = (timeMajor ? inp.shape[1] : inp.shape[0]) ?? 0;
      const state = hidden.shape[1] ?? 0;
      const cellSize = DTYPE_SIZE[cell.dtype] ?? unsupported(c, `LSTM cell state of type ${cell.dtype}`);
      let buffers = 4;
      if (cmsis && cell.dtype === 'int16' && (inp.dtype === 'int8' || inp.dtype === 'int16')) {
        buffers = 3;
        const biasBytes = inp.dtype === 'int8' ? 4 : 8;
        for (let i = 0; i < 8; i++) prep.push(persist(biasBytes * state));
      }
      for (let i = 0; i < buffers; i++) prep.push(scratch(batch * state * cellSize));
      return prog(B.lstm, opData(cmsis ? O.cmsisLstm : O.lstm), prep);
    }
    case 'SUM':
    case 'REDUCE_MAX': {
      const inp = reqInput(0, 'input');
      const out = reqOutput(0);
      const axis = reqInput(1, 'axis');
      const prep: Step[] = [];
      if (op.op === 'SUM') {
        // PrepareMeanOrSumHelper, as MEAN
        prep.push(tin(0), tout(0), tin(1));
        if (isQuantType(inp)) prep.push(scratch(4 * out.elements));
        prep.push(scratch(4 * inp.shape.length), scratch(4 * axis.elements), tin(0), tin(1));
        if (inp.dtype === 'int8') prep.push(tout(0));
      } else {
        // PrepareMinMaxHelper: PrepareSimple first, then input, output, axis
        prep.push(tin(0), tin(1));
        if (inp.dtype === 'int8') prep.push(tout(0));
        prep.push(tin(0), tout(0), tin(1), scratch(4 * inp.shape.length), scratch(4 * axis.elements));
      }
      return prog(B.reducer, opData(O.reduce), prep);
    }
    case 'ABS':
      return prog(null, opData(O.abs), [tin(0), tout(0)]);
    case 'NEG':
    case 'PACK':
    case 'UNPACK':
    case 'ARG_MAX':
    case 'ARG_MIN':
      return prog(op.op === 'PACK' ? B.pack : op.op === 'UNPACK' ? B.unpack : op.op === 'ARG_MAX' ? B.argMax : op.op === 'ARG_MIN' ? B.argMin : null, [], []);
    case 'SQUARED_DIFFERENCE':
      return prog(null, opData(O.squaredDifference), [tin(0), tin(1), tout(0)]);
    case 'PRELU':
      return prog(null, opData(O.prelu), [tin(0), tin(1), tout(0)]);
    case 'MIRROR_PAD': {
      const inp = reqInput(0, 'input');
      return prog(B.mirrorPad, opData(O.mirrorPad), [tin(0), tin(1), tout(0), scratch(4 * inp.shape.length), scratch(4 * inp.shape.length)]);
    }
    case 'SLICE':
      return prog(null, [], [tin(0), tin(1), tin(2), tout(0)]);
    case 'SPLIT':
      return prog(B.split, [], [tin(0)]);
    case 'SPLIT_V':
      return prog(B.splitV, [], [tin(2)]);
    case 'GATHER': {
      const out = reqOutput(0);
      // The output dims are copied to the persistent arena (CreateWritableTensorDimsWithCopy).
      return prog(B.gather, [], [tin(0), tin(1), tout(0), persist(4 + 4 * out.shape.length)]);
    }
    case 'SPACE_TO_DEPTH':
      return prog(B.spaceToDepth, [], [tin(0), tout(0)]);
    case 'DEPTH_TO_SPACE':
      return prog(B.depthToSpace, [], [tin(0), tout(0)]);
    case 'RESIZE_NEAREST_NEIGHBOR':
      return prog(B.resizeNearestNeighbor, [], [tin(0), tin(1), tout(0)]);
    case 'ZEROS_LIKE':
      return prog(null, [], [tin(0), tout(0)]);
    case 'FILL':
      return prog(null, [], [tin(0), tin(1), tout(0)]);
    case 'SQUEEZE':
      return prog(B.squeeze, [], [tin(0), tout(0)]);
    case 'EXPAND_DIMS':
      return prog(null, [], [tin(0), tin(1), tout(0)]);
    // TFLM signal library (CUSTOM ops). Init-time sizes come from the flexbuffer options.
    case 'CUSTOM:SignalWindow':
      return prog(null, opData(O.signalWindow), [tin(0), tin(1), tout(0)]);
    case 'CUSTOM:SignalRfft': {
      const o = customOptions(c);
      const fftLength = intOption(c, o, 'fft_length', 1);
      const type = intOption(c, o, 'T', null);
      // kiss_fftr_alloc(fft_length): kiss_fftr_state + kiss_fft_state(nfft/2) + twiddles.
      const cpx = type === S.TensorType.INT16 ? 4 : 8;
      const scalar = type === S.TensorType.INT16 ? 2 : 4;
      const half = fftLength >> 1;
      const fftState = 8 + 256 + cpx; // nfft, inverse, factors[64], twiddles[1]
      const state = abi.kissFftrState + fftState + cpx * (half - 1) + cpx * Math.trunc((half * 3) / 2);
      return prog(null, [...opData(O.signalRfft), persist(state)], [tin(0), tout(0), scratch(fftLength * scalar)]);
    }
    case 'CUSTOM:SignalEnergy':
      return prog(null, opData(O.signalEnergy), [tin(0), tout(0)]);
    case 'CUSTOM:SignalFftAutoScale':
      return prog(null, [], [tin(0), tout(0), tout(1)]);
    case 'CUSTOM:SignalFilterBank': {
      const channels = intOption(c, customOptions(c), 'num_channels', 0);
      const prep: Step[] = [];
      for (let i = 0; i < 6; i++) prep.push(tin(i));
      prep.push(tout(0));
      return prog(null, [...opData(O.signalFilterBank), persist(8 * (channels + 1))], prep);
    }
    case 'CUSTOM:SignalFilterBankSquareRoot':
      return prog(null, [], [tin(0), tin(1), tout(0)]);
    case 'CUSTOM:SignalFilterBankSpectralSubtraction': {
      const channels = intOption(c, customOptions(c), 'num_channels', 4);
      return prog(null, [...opData(O.signalSpectralSubtraction), persist(4 * channels)], [tin(0), tout(0), tout(1)]);
    }
    case 'CUSTOM:SignalFilterBankLog':
      return prog(null, opData(O.signalLog), [tin(0), tout(0)]);
    case 'CUSTOM:SignalPCAN':
      return prog(null, opData(O.signalPcan), [tin(0), tin(1), tin(2), tout(0)]);
    default:
      return unsupported(c, `no arena model for operator ${op.op}`);
  }
}

/** The op's custom options as a FlexBuffers map (TFLM's signal ops read them with FlexbufferWrapper). */
function customOptions(c: OpContext): FlexMap {
  const raw = c.op.customOptions;
  if (raw === null || raw.byteLength === 0) unsupported(c, `${c.op.op} has no custom options`);
  try {
    const root = flexRoot(raw);
    if (root.typeName !== 'map') unsupported(c, `${c.op.op} custom options are a ${root.typeName}, not a map`);
    return root.asMap();
  } catch (e) {
    if (e instanceof UnsupportedOpError) throw e;
    return unsupported(c, `${c.op.op} custom options are not a readable flexbuffer (${(e as Error).message})`);
  }
}
/**
 * An integer option: by position, as FlexbufferWrapper::ElementAsInt32 reads it
 * (`index`, checked against the expected key), or by key when index is null.
 */
function intOption(c: OpContext, m: FlexMap, key: string, index: number | null): number {
  try {
    if (index !== null && (index >= m.length || m.key(index) !== key)) throw new Error(`element ${index} is not '${key}'`);
    const v = index !== null ? m.value(index) : m.get(key);
    if (v === null || !v.isInlineInteger) throw new Error(`'${key}' is missing or not an integer`);
    return Number(v.asInt());
  } catch (e) {
    return unsupported(c, `${c.op.op} custom option '${key}': ${(e as Error).message}`);
  }
}

// ---------------------------------------------------------------------------
// Zero-point presence (the IR fills missing zero points with 0; TFLM only
// builds a TfLiteAffineQuantization when the zero_point vector is non-empty).

const zeroPointCache = new WeakMap<Model, number[][]>();
function zeroPointCounts(model: Model): number[][] {
  let counts = zeroPointCache.get(model);
  if (counts === undefined) {
    const m = S.Model.getRootAsModel(new fb.ByteBuffer(model.bytes));
    counts = [];
    for (let s = 0; s < m.subgraphsLength(); s++) {
      const sg = m.subgraphs(s)!;
      const row: number[] = [];
      for (let t = 0; t < sg.tensorsLength(); t++) row.push(sg.tensors(t)?.quantization()?.zeroPointLength() ?? 0);
      counts.push(row);
    }
    zeroPointCache.set(model, counts);
  }
  return counts;
}
function hasZeroPoints(c: OpContext, tensor: number): boolean {
  return (zeroPointCounts(c.model)[c.sg.index]?.[tensor] ?? 0) > 0;
}

// ---------------------------------------------------------------------------
// The replay

class ArenaFull extends Error {}

const alignUp = (x: number, a: number) => Math.ceil(x / a) * a;
const alignDown = (x: number, a: number) => Math.floor(x / a) * a;

/** Everything about the model that does not depend on the arena size. */
interface Prepared {
  abi: AbiInfo;
  nsub: number;
  tensorCount: number;
  evalTensorCounts: number[];
  opCounts: number[];
  /** Per subgraph, per op. */
  programs: OpProgram[][];
  /** Whether a TfLiteTensor of this tensor carries a TfLiteAffineQuantization, and its zero-point array size. */
  tempCost: (sub: number, tensor: number) => { quantized: boolean; zpBytes: number };
  variableBytes: number[];
  scratchCount: number;
  planBuffers: PlannerBuffer[];
  planMeta: { tensor?: number; subgraph?: number; scratchOfOp?: number }[];
  planSize: number;
  planOffsets: number[];
  io: { tensor: number }[];
  ioOutputsStart: number;
}

interface Replay {
  ok: boolean;
  usedBytes: number;
  tailBytes: number;
  head: number;
  byCategory: Record<Category, number>;
  phases: { prepare: number; prepareOp: number; planning: number; final: number };
}

function replay(p: Prepared, arenaSize: number): Replay {
  const abi = p.abi;
  const end = arenaSize;
  let tail = end;
  let head = 0;
  let temp = 0;
  const byCategory: Record<Category, number> = {
    runtime: 0, evalTensors: 0, nodeAndRegistrations: 0, builtinData: 0, opData: 0, kernelBuffers: 0, scratchHandles: 0, variableTensors: 0, ioTensors: 0,
  };
  const phases = { prepare: 0, prepareOp: -1, planning: 0, final: 0 };
  let ok = true;
  const fail = (): never => {
    throw new ArenaFull();
  };
  const persist = (size: number, align: number, what: Category) => {
    const r = alignDown(tail - size, align);
    if (r < Math.max(head, temp)) fail();
    tail = r;
    byCategory[what] += size;
  };
  const tempAlloc = (size: number, align: number) => {
    const r = alignUp(temp, align);
    if (r + size > tail) fail();
    temp = r + size;
  };
  const resizeHead = (size: number, align: number) => {
    const r = alignUp(0, align);
    if (tail - r < size) fail();
    head = r + size;
    temp = head;
  };
  const need = () => end - tail + Math.max(head, temp);
  const tensorTemp = (sub: number, tensor: number) => {
    tempAlloc(abi.tfliteTensor[0], abi.tfliteTensor[1]);
    const q = p.tempCost(sub, tensor);
    if (q.quantized) {
      tempAlloc(abi.affineQuantization[0], abi.affineQuantization[1]);
      tempAlloc(q.zpBytes, 4);
    }
  };
  const tensorPersist = (sub: number, tensor: number) => {
    persist(abi.tfliteTensor[0], abi.tfliteTensor[1], 'ioTensors');
    const q = p.tempCost(sub, tensor);
    if (q.quantized) {
      persist(abi.affineQuantization[0], abi.affineQuantization[1], 'ioTensors');
      persist(q.zpBytes, 4, 'ioTensors');
    }
  };

  try {
    // MicroAllocator::Create
    persist(abi.singleArena[0], abi.singleArena[1], 'runtime');
    persist(abi.greedyPlanner[0], abi.greedyPlanner[1], 'runtime');
    persist(abi.microAllocator[0], abi.microAllocator[1], 'runtime');
    // StartModelAllocation
    persist(abi.builtinAllocator[0], abi.builtinAllocator[1], 'runtime');
    resizeHead(abi.scratchRequest[0] * MAX_SCRATCH_PER_OP, abi.scratchRequest[1]);
    persist(abi.subgraphAllocations[0] * p.nsub, abi.subgraphAllocations[1], 'runtime');
    for (let s = 0; s < p.nsub; s++) persist(abi.evalTensor[0] * p.evalTensorCounts[s]!, abi.evalTensor[1], 'evalTensors');
    for (let s = 0; s < p.nsub; s++) persist(abi.nodeAndRegistration[0] * p.opCounts[s]!, abi.nodeAndRegistration[1], 'nodeAndRegistrations');
    // Builtin data parse
    for (let s = 0; s < p.nsub; s++) for (const pr of p.programs[s]!) if (pr.builtin) persist(pr.builtin[0], pr.builtin[1], 'builtinData');
    // Init
    for (let s = 0; s < p.nsub; s++) {
      for (const pr of p.programs[s]!) for (const st of pr.init) if (st.k === 'persist') persist(st.bytes, ARENA_ALIGN, st.what);
    }
    // Prepare
    let requests = 0;
    for (let s = 0; s < p.nsub; s++) {
      const progs = p.programs[s]!;
      for (let i = 0; i < progs.length; i++) {
        for (const st of progs[i]!.prepare) {
          if (st.k === 'temp') {
            if (st.tensor >= 0) tensorTemp(s, st.tensor);
          } else if (st.k === 'persist') {
            persist(st.bytes, ARENA_ALIGN, st.what);
          } else {
            requests++;
          }
          if (need() > phases.prepare) {
            phases.prepare = need();
            phases.prepareOp = s === 0 ? i : -1;
          }
        }
        temp = head;
        resizeHead(abi.scratchRequest[0] * (requests + MAX_SCRATCH_PER_OP), abi.scratchRequest[1]);
        phases.prepare = Math.max(phases.prepare, need());
      }
    }
    // FinishModelAllocation
    if (requests > 0) persist(abi.scratchHandle[0] * requests, abi.scratchHandle[1], 'scratchHandles');
    tempAlloc(abi.sizeT[0] * p.nsub, abi.sizeT[1]);
    tempAlloc(abi.allocationInfo[0] * (p.tensorCount + requests), abi.allocationInfo[1]);
    for (const v of p.variableBytes) persist(v, ARENA_ALIGN, 'variableTensors');
    const remaining = alignDown(tail, ARENA_ALIGN) - alignUp(temp, ARENA_ALIGN);
    const plannerNeed = PLANNER_BYTES_PER_BUFFER * p.planBuffers.length;
    phases.planning = end - alignDown(tail, ARENA_ALIGN) + alignUp(temp, ARENA_ALIGN) + plannerNeed;
    if (remaining < 0 || Math.floor(remaining / PLANNER_BYTES_PER_BUFFER) < p.planBuffers.length) fail();
    // Free the planning temps and the request block, then reserve the plan.
    temp = 0;
    head = 0;
    if (tail < p.planSize) fail();
    head = p.planSize;
    temp = head;
    // Input and output TfLiteTensors
    persist(abi.ptr * p.ioOutputsStart, ARENA_ALIGN, 'ioTensors');
    for (let i = 0; i < p.ioOutputsStart; i++) tensorPersist(0, p.io[i]!.tensor);
    persist(abi.ptr * (p.io.length - p.ioOutputsStart), ARENA_ALIGN, 'ioTensors');
    for (let i = p.ioOutputsStart; i < p.io.length; i++) tensorPersist(0, p.io[i]!.tensor);
    phases.final = need();
  } catch (e) {
    if (!(e instanceof ArenaFull)) throw e;
    ok = false;
  }
  return { ok, usedBytes: need(), tailBytes: end - tail, head, byCategory, phases };
}

function prepareModel(model: Model, target: TflmTarget): Prepared {
  const abi = ABIS[target.abi];
  if (abi === undefined) throw new Error(`unknown TFLM ABI '${String(target.abi)}'`);
  if (target.kernels !== 'reference' && target.kernels !== 'cmsis-nn') throw new Error(`unknown TFLM kernel set '${String(target.kernels)}'`);
  const subs = model.subgraphs;
  const nsub = subs.length;
  const zp = zeroPointCounts(model);
  const programs: OpProgram[][] = subs.map((sg) =>
    sg.operators.map((op, opIndex) => opProgram({ model, sg, op, opIndex, abi, kernels: target.kernels })),
  );
  const tempCost = (sub: number, tensor: number) => {
    const t = subs[sub]!.tensors[tensor]!;
    const nScale = t.quantization?.scale.length ?? 0;
    const quantized = nScale > 0 && (zp[sub]?.[tensor] ?? 0) > 0;
    return { quantized, zpBytes: 4 + 4 * nScale };
  };

  // Offline plan (metadata "OfflineMemoryAllocation": [version, subgraphs, n, offsets...]).
  let offline: Int32Array | null = null;
  const tensorCount = subs.reduce((a, sg) => a + sg.tensors.length, 0);
  for (const md of model.metadata) {
    if (md.name === 'OfflineMemoryAllocation' && md.data !== null) {
      const copy = md.data.slice();
      const words = new Int32Array(copy.buffer, 0, copy.byteLength >> 2);
      const n = words[2] ?? -1;
      if (n !== tensorCount) throw new UnsupportedOpError('tflm-offline-plan', `offline memory plan lists ${n} tensors, the model has ${tensorCount}`, 'TFLM rejects such a model; re-run the offline planner');
      offline = words.subarray(3, 3 + n);
    }
  }

  // Eval-tensor byte lengths (a RESHAPE output with -1 takes the input's element count).
  const bytesOf = (sg: Subgraph, t: Tensor): number => {
    if (t.shape.includes(-1)) {
      const producer = sg.operators.find((o) => o.op === 'RESHAPE' && o.outputs[0] === t.index);
      const src = producer ? sg.tensors[producer.inputs[0]!] : undefined;
      if (src) return src.bytes;
    }
    return t.bytes;
  };

  // Variable tensors (persistent, 16-aligned) unless offline-planned.
  const variableBytes: number[] = [];
  let flat = 0;
  for (const sg of subs) {
    for (const t of sg.tensors) {
      const off = offline ? offline[flat]! : -1;
      if (t.isVariable && off === -1) variableBytes.push(bytesOf(sg, t));
      flat++;
    }
  }

  // Scratch requests in order (subgraph, op, request order).
  const scratches: { sub: number; op: number; bytes: number }[] = [];
  programs.forEach((progs, s) => progs.forEach((pr, i) => pr.prepare.forEach((st) => { if (st.k === 'scratch') scratches.push({ sub: s, op: i, bytes: st.bytes }); })));

  // Lifetimes (AllocationInfoBuilder::MarkAllocationLifetimes).
  const offsetsOf: number[] = [];
  { let acc = 0; for (const sg of subs) { offsetsOf.push(acc); acc += sg.tensors.length; } }
  const first = new Array<number>(tensorCount + scratches.length).fill(-1);
  const last = new Array<number>(tensorCount + scratches.length).fill(-1);
  let scope = 0;
  const updFirst = (i: number, sc: number) => { if (first[i] === -1) first[i] = sc; };
  const updLast = (i: number, sc: number) => { last[i] = sc; };
  const mark = (s: number, depth: number) => {
    if (depth > 64) throw new UnsupportedOpError('tflm-subgraph-recursion', 'control-flow subgraphs nest too deeply', 'TFLM cannot run recursive subgraphs');
    const sg = subs[s]!;
    const base = offsetsOf[s]!;
    for (const t of sg.inputs) { updFirst(base + t, scope); updLast(base + t, scope); }
    sg.operators.forEach((op, i) => {
      scope++;
      for (const t of op.outputs) updFirst(base + t, scope);
      const start = scope;
      const o = op.options as Record<string, unknown>;
      const subIdx: number[] = [];
      if (op.op === 'IF') subIdx.push(o['thenSubgraphIndex'] as number, o['elseSubgraphIndex'] as number);
      else if (op.op === 'WHILE') subIdx.push(o['condSubgraphIndex'] as number, o['bodySubgraphIndex'] as number);
      else if (op.op === 'CALL_ONCE') subIdx.push(o['initSubgraphIndex'] as number);
      for (const sIdx of subIdx) { scope++; mark(sIdx, depth + 1); }
      for (const t of op.inputs) if (t >= 0) updLast(base + t, scope);
      for (const t of op.outputs) updLast(base + t, scope);
      scratches.forEach((r, k) => {
        if (r.op === i && r.sub === s) { updFirst(tensorCount + k, start); updLast(tensorCount + k, scope); }
      });
    });
    for (const t of sg.outputs) { updFirst(base + t, scope); updLast(base + t, scope); }
  };
  mark(0, 0);

  // Planner buffers, in AllocationInfo order.
  const planBuffers: PlannerBuffer[] = [];
  const planMeta: { tensor?: number; subgraph?: number; scratchOfOp?: number }[] = [];
  flat = 0;
  subs.forEach((sg, s) => {
    for (const t of sg.tensors) {
      const off = offline ? offline[flat]! : -1;
      const bytes = bytesOf(sg, t);
      let needs = t.data === null && !t.isVariable && bytes !== 0;
      if (t.isVariable && off !== -1) needs = true;
      if (needs) {
        planBuffers.push({ size: alignUp(bytes, ARENA_ALIGN), first: first[flat]!, last: last[flat]!, ...(off !== -1 ? { offlineOffset: off } : {}) });
        planMeta.push(s === 0 ? { tensor: t.index } : { tensor: t.index, subgraph: s });
      }
      flat++;
    }
  });
  scratches.forEach((r, k) => {
    planBuffers.push({ size: alignUp(r.bytes, ARENA_ALIGN), first: first[tensorCount + k]!, last: last[tensorCount + k]! });
    planMeta.push({ scratchOfOp: r.op });
  });
  const plan = planGreedyTflm(planBuffers);

  const sg0 = subs[0]!;
  const io = [...sg0.inputs.map((t) => ({ tensor: t })), ...sg0.outputs.map((t) => ({ tensor: t }))];
  return {
    abi, nsub, tensorCount,
    evalTensorCounts: subs.map((sg) => sg.tensors.length),
    opCounts: subs.map((sg) => sg.operators.length),
    programs, tempCost, variableBytes,
    scratchCount: scratches.length,
    planBuffers, planMeta, planSize: plan.size, planOffsets: plan.offsets,
    io, ioOutputsStart: sg0.inputs.length,
  };
}

/** Smallest arena of the form 16k + residue that passes (the replay is monotone in k). */
function minimumInClass(p: Prepared, residue: number, hint: number): number {
  let hi = Math.max(1, Math.ceil((hint - residue) / 16));
  while (!replay(p, 16 * hi + residue).ok) {
    hi *= 2;
    if (hi > 2 ** 30) throw new Error('TFLM arena replay does not converge');
  }
  let lo = -1; // 16*lo + residue fails (or is below 0)
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (mid >= 0 && replay(p, 16 * mid + residue).ok) hi = mid;
    else lo = mid;
  }
  return 16 * hi + residue;
}

/** Replays TFLM's AllocateTensors() for `model` on `target` (see the file header). */
export function tflmArena(model: Model, target: TflmTarget): TflmArenaResult {
  const p = prepareModel(model, target);
  // A large arena whose end is 16-aligned (the golden arena_used_bytes used 8 MiB).
  const big = 2 ** 40;
  const full = replay(p, big);
  if (!full.ok) throw new Error('TFLM arena replay failed with an unbounded arena');
  const hint = Math.max(full.phases.prepare, full.phases.planning, full.phases.final);
  const recommended = minimumInClass(p, 0, hint);
  let minimum = recommended;
  if (target.abi === 'x86_64') {
    for (let r = 1; r < 16; r++) minimum = Math.min(minimum, minimumInClass(p, r, hint));
  }
  const persistentBytes = full.tailBytes;
  const requested = Object.values(full.byCategory).reduce((a, b) => a + b, 0);
  const buffers: TflmArenaBuffer[] = p.planBuffers.map((b, i) => ({
    ...p.planMeta[i]!,
    size: b.size,
    first: b.first,
    last: b.last,
    offset: p.planOffsets[i]!,
  }));
  const scratchBuffers = p.planMeta.filter((m) => m.scratchOfOp !== undefined).length;
  return {
    arenaUsedBytes: full.usedBytes,
    minArenaBytes: minimum,
    recommendedArenaBytes: recommended,
    persistentBytes,
    planBytes: p.planSize,
    breakdown: {
      persistent: { ...full.byCategory, padding: persistentBytes - requested },
      plan: { bytes: p.planSize, buffers: p.planBuffers.length, tensorBuffers: p.planBuffers.length - scratchBuffers, scratchBuffers },
      phases: full.phases,
      scratchRequests: p.scratchCount,
    },
    buffers,
  };
}
