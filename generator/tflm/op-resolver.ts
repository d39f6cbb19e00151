/**
 * MicroMutableOpResolver method per operator, for each TFLM library a
 * generated sketch can be built against (boards name theirs in
 * `tflm.resolver`). The names were read from the libraries' headers, not
 * guessed: every `TfLiteStatus AddXxx(...)` of
 * tensorflow/lite/micro/micro_mutable_op_resolver.h and the BuiltinOperator_*
 * (or AddCustom("<code>")) it registers.
 *
 * - chirale-2.0.0: spaziochirale/Chirale_TensorFlowLite@v2.0.0
 *   src/tensorflow/lite/micro/micro_mutable_op_resolver.h (TFLM of
 *   2023-01-14; 97 ops + AddCustom). No signal library, no BATCH_MATMUL.
 * - esp-tflite-micro: espressif/esp-tflite-micro@v1.2.0, the oldest version
 *   arduino-esp32 >= 3.0 accepts (its lib-builder pins `>=1.2.0`). Chirale's
 *   97 with the same names, plus BATCH_MATMUL, EMBEDDING_LOOKUP and the
 *   signal library ops (tflm_signal, registered by custom code "Signal...").
 *   v1.3.8 and HEAD keep all of them (and add DYNAMIC_UPDATE_SLICE,
 *   REDUCE_MIN, REDUCE_ALL, REVERSE_V2 and TFLM_DECODE, which are left out
 *   because an older core would not have them).
 *
 * Every method is called without arguments: the kernel-backed ones take an
 * optional registration (e.g. Register_FULLY_CONNECTED_INT8()) whose type
 * changed between TFLM versions; the default is the portable choice
 * (arduino-apis.md §3.1). AddCustom is never emitted: its parameter type also
 * changed (TfLiteRegistration* -> const TFLMRegistration*), and a custom op
 * needs user code anyway.
 */
import type { TflmResolverApi } from '../../lib/boards.js';
import { GenerateError } from '../../lib/errors.js';

export interface ResolverApi {
  readonly id: TflmResolverApi;
  /** Library as users know it, for comments and messages. */
  readonly library: string;
  /** Op (BuiltinOperator name or CUSTOM:<code>) -> MicroMutableOpResolver method. */
  readonly methods: Readonly<Record<string, string>>;
  /**
   * TFLM headers the engine file includes (after the board's own library
   * header, board data `tflm.header`), as written in an #include.
   */
  readonly includes: readonly string[];
  readonly source: string;
}

/** Chirale_TensorFLowLite 2.0.0 (TFLM 2023-01-14). */
const CHIRALE_2_0_0: Readonly<Record<string, string>> = {
  ABS: 'AddAbs',
  ADD: 'AddAdd',
  ADD_N: 'AddAddN',
  ARG_MAX: 'AddArgMax',
  ARG_MIN: 'AddArgMin',
  ASSIGN_VARIABLE: 'AddAssignVariable',
  AVERAGE_POOL_2D: 'AddAveragePool2D',
  BATCH_TO_SPACE_ND: 'AddBatchToSpaceNd',
  BROADCAST_ARGS: 'AddBroadcastArgs',
  BROADCAST_TO: 'AddBroadcastTo',
  CALL_ONCE: 'AddCallOnce',
  CAST: 'AddCast',
  CEIL: 'AddCeil',
  CONCATENATION: 'AddConcatenation',
  CONV_2D: 'AddConv2D',
  COS: 'AddCos',
  CUMSUM: 'AddCumSum',
  'CUSTOM:CIRCULAR_BUFFER': 'AddCircularBuffer',
  'CUSTOM:TFLite_Detection_PostProcess': 'AddDetectionPostprocess',
  'CUSTOM:ethos-u': 'AddEthosU',
  DEPTHWISE_CONV_2D: 'AddDepthwiseConv2D',
  DEPTH_TO_SPACE: 'AddDepthToSpace',
  DEQUANTIZE: 'AddDequantize',
  DIV: 'AddDiv',
  ELU: 'AddElu',
  EQUAL: 'AddEqual',
  EXP: 'AddExp',
  EXPAND_DIMS: 'AddExpandDims',
  FILL: 'AddFill',
  FLOOR: 'AddFloor',
  FLOOR_DIV: 'AddFloorDiv',
  FLOOR_MOD: 'AddFloorMod',
  FULLY_CONNECTED: 'AddFullyConnected',
  GATHER: 'AddGather',
  GATHER_ND: 'AddGatherNd',
  GREATER: 'AddGreater',
  GREATER_EQUAL: 'AddGreaterEqual',
  HARD_SWISH: 'AddHardSwish',
  IF: 'AddIf',
  L2_NORMALIZATION: 'AddL2Normalization',
  L2_POOL_2D: 'AddL2Pool2D',
  LEAKY_RELU: 'AddLeakyRelu',
  LESS: 'AddLess',
  LESS_EQUAL: 'AddLessEqual',
  LOG: 'AddLog',
  LOGICAL_AND: 'AddLogicalAnd',
  LOGICAL_NOT: 'AddLogicalNot',
  LOGICAL_OR: 'AddLogicalOr',
  LOGISTIC: 'AddLogistic',
  LOG_SOFTMAX: 'AddLogSoftmax',
  MAXIMUM: 'AddMaximum',
  MAX_POOL_2D: 'AddMaxPool2D',
  MEAN: 'AddMean',
  MINIMUM: 'AddMinimum',
  MIRROR_PAD: 'AddMirrorPad',
  MUL: 'AddMul',
  NEG: 'AddNeg',
  NOT_EQUAL: 'AddNotEqual',
  PACK: 'AddPack',
  PAD: 'AddPad',
  PADV2: 'AddPadV2',
  PRELU: 'AddPrelu',
  QUANTIZE: 'AddQuantize',
  READ_VARIABLE: 'AddReadVariable',
  REDUCE_MAX: 'AddReduceMax',
  RELU: 'AddRelu',
  RELU6: 'AddRelu6',
  RESHAPE: 'AddReshape',
  RESIZE_BILINEAR: 'AddResizeBilinear',
  RESIZE_NEAREST_NEIGHBOR: 'AddResizeNearestNeighbor',
  ROUND: 'AddRound',
  RSQRT: 'AddRsqrt',
  SELECT_V2: 'AddSelectV2',
  SHAPE: 'AddShape',
  SIN: 'AddSin',
  SLICE: 'AddSlice',
  SOFTMAX: 'AddSoftmax',
  SPACE_TO_BATCH_ND: 'AddSpaceToBatchNd',
  SPACE_TO_DEPTH: 'AddSpaceToDepth',
  SPLIT: 'AddSplit',
  SPLIT_V: 'AddSplitV',
  SQRT: 'AddSqrt',
  SQUARE: 'AddSquare',
  SQUARED_DIFFERENCE: 'AddSquaredDifference',
  SQUEEZE: 'AddSqueeze',
  STRIDED_SLICE: 'AddStridedSlice',
  SUB: 'AddSub',
  SUM: 'AddSum',
  SVDF: 'AddSvdf',
  TANH: 'AddTanh',
  TRANSPOSE: 'AddTranspose',
  TRANSPOSE_CONV: 'AddTransposeConv',
  UNIDIRECTIONAL_SEQUENCE_LSTM: 'AddUnidirectionalSequenceLSTM',
  UNPACK: 'AddUnpack',
  VAR_HANDLE: 'AddVarHandle',
  WHILE: 'AddWhile',
  ZEROS_LIKE: 'AddZerosLike',};

/** What esp-tflite-micro >= 1.2.0 has beyond Chirale 2.0.0 (Chirale's names are all kept, unchanged). */
const ESP_TFLITE_MICRO_EXTRA: Readonly<Record<string, string>> = {
  BATCH_MATMUL: 'AddBatchMatMul',
  'CUSTOM:SignalDelay': 'AddDelay',
  'CUSTOM:SignalEnergy': 'AddEnergy',
  'CUSTOM:SignalFftAutoScale': 'AddFftAutoScale',
  'CUSTOM:SignalFilterBank': 'AddFilterBank',
  'CUSTOM:SignalFilterBankLog': 'AddFilterBankLog',
  'CUSTOM:SignalFilterBankSpectralSubtraction': 'AddFilterBankSpectralSubtraction',
  'CUSTOM:SignalFilterBankSquareRoot': 'AddFilterBankSquareRoot',
  'CUSTOM:SignalFramer': 'AddFramer',
  'CUSTOM:SignalIrfft': 'AddIrfft',
  'CUSTOM:SignalOverlapAdd': 'AddOverlapAdd',
  'CUSTOM:SignalPCAN': 'AddPCAN',
  'CUSTOM:SignalRfft': 'AddRfft',
  'CUSTOM:SignalStacker': 'AddStacker',
  'CUSTOM:SignalWindow': 'AddWindow',
  EMBEDDING_LOOKUP: 'AddEmbeddingLookup',};

/** The headers a sketch includes, the same paths in both libraries (arduino-apis.md §3.1, §3.2). */
const TFLM_INCLUDES = [
  '"tensorflow/lite/micro/micro_mutable_op_resolver.h"',
  '"tensorflow/lite/micro/micro_interpreter.h"',
  '"tensorflow/lite/schema/schema_generated.h"',
] as const;

export const RESOLVER_APIS: Readonly<Record<TflmResolverApi, ResolverApi>> = {
  'chirale-2.0.0': {
    id: 'chirale-2.0.0',
    library: 'Chirale_TensorFLowLite 2.0.0',
    methods: CHIRALE_2_0_0,
    includes: TFLM_INCLUDES,
    source: 'spaziochirale/Chirale_TensorFlowLite@v2.0.0 src/tensorflow/lite/micro/micro_mutable_op_resolver.h',
  },
  'esp-tflite-micro': {
    id: 'esp-tflite-micro',
    library: 'TFLite Micro bundled with arduino-esp32 >= 3.0 (esp-tflite-micro >= 1.2.0)',
    methods: { ...CHIRALE_2_0_0, ...ESP_TFLITE_MICRO_EXTRA },
    includes: TFLM_INCLUDES,
    source: 'espressif/esp-tflite-micro@v1.2.0 tensorflow/lite/micro/micro_mutable_op_resolver.h (same names at v1.3.8 and HEAD)',
  },
};

export interface ResolverEntry {
  /** BuiltinOperator name or CUSTOM:<code>. */
  readonly op: string;
  readonly method: string;
}

/**
 * The resolver calls for a set of operators: one per distinct op, sorted by
 * op name. Throws GenerateError naming every op the library cannot register
 * (and, for signal ops, where they exist).
 */
export function resolverEntries(ops: Iterable<string>, api: ResolverApi, boardId: string): ResolverEntry[] {
  const kinds = [...new Set(ops)].sort();
  const missing = kinds.filter((op) => api.methods[op] === undefined);
  if (missing.length > 0) {
    const elsewhere = Object.values(RESOLVER_APIS).filter((a) => a.id !== api.id && missing.every((op) => a.methods[op] !== undefined));
    const signal = missing.some((op) => op.startsWith('CUSTOM:Signal'));
    const hint = [
      signal ? `${api.library} has no TFLM signal library (the CUSTOM:Signal* ops)` : '',
      elsewhere.length > 0 ? `${elsewhere.map((a) => a.library).join(', ')} can register ${missing.length === 1 ? 'it' : 'them'}: choose a board that uses it` : '',
      'or generate with --engine native',
    ]
      .filter(Boolean)
      .join('; ');
    throw new GenerateError(
      'tflm-unsupported-op',
      `board ${boardId}: ${api.library} has no MicroMutableOpResolver method for ${missing.join(', ')}`,
      hint,
      { board: boardId, op: missing[0] },
    );
  }
  return kinds.map((op) => ({ op, method: api.methods[op]! }));
}
