/**
 * Writes a .tflite flatbuffer from a small typed description (`ModelSpec`).
 * The counterpart of reader.ts, used to make the example model
 * (scripts/make-example.ts) and test models, including broken ones: the
 * writer checks only that the spec itself is well-typed (known op names,
 * dtypes, option fields), never that the model makes sense, so tests can
 * write out-of-range indexes, overflowing shapes or wrong buffer sizes on
 * purpose.
 *
 * Layout follows the TFLite converter: file identifier "TFL3", schema
 * version 3, buffer 0 the empty sentinel, one buffer per tensor in tensor
 * order (empty for activations), then one per metadata entry; constant data
 * 16-byte aligned; operator codes in order of first use, with
 * deprecated_builtin_code = min(code, 127) and builtin_code = code; option
 * fields equal to their schema default are omitted. The output is a pure
 * function of the spec (byte-identical on every run).
 */
import * as fb from 'flatbuffers';
import * as S from './schema_generated/tflite_generated.js';
import { UsageError } from '../../lib/errors.js';
import { DTYPE_BY_CODE, type Activation, type DType, type Model, type OptionsByKind, type OptionsKind, type Padding, type Subgraph } from '../ir/types.js';

export interface QuantizationSpec {
  /** Scales (stored as float32). Per-channel when there are several. */
  readonly scale: readonly number[];
  /** Zero points; defaults to 0 for every scale. */
  readonly zeroPoint?: readonly number[];
  /** quantized_dimension (default 0). */
  readonly axis?: number;
  readonly min?: readonly number[];
  readonly max?: readonly number[];
}

export interface TensorSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** null / absent: an empty QuantizationParameters table, as the converter writes for float and shape tensors. */
  readonly quantization?: QuantizationSpec | null;
  /** Constant data (little-endian bytes, or any typed array whose bytes are written as they are). */
  readonly data?: ArrayBufferView | null;
  readonly isVariable?: boolean;
  readonly shapeSignature?: readonly number[] | null;
  /**
   * Raw buffer index to store instead of a fresh buffer (tests of hostile
   * models). When set, `data` must be absent.
   */
  readonly buffer?: number;
}

export interface OperatorSpec {
  /** BuiltinOperator name ('CONV_2D'), 'CUSTOM:<custom_code>', or 'BUILTIN_<n>' for a raw code. */
  readonly op: string;
  /** Tensor indexes (-1 = omitted optional input). Written as given, unchecked. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly intermediates?: readonly number[];
  /**
   * Builtin options as in OptionsByKind (sim/ir/types.ts); missing fields take
   * the defaults a converter would write (strides 1, dilation 1, ...). An
   * operator's `options` from the IR can be passed as is.
   */
  readonly options?: Readonly<Record<string, unknown>>;
  /**
   * Which options table to write. Default: the table the op uses (none for
   * ops without options). 'Empty' writes no table. Any other BuiltinOptions
   * member name writes an empty table of that type.
   */
  readonly optionsKind?: OptionsKind | (string & {});
  /** Operator version (default 1). */
  readonly version?: number;
  readonly customOptions?: Uint8Array | null;
  /** Raw opcode index to store instead of the op's own (tests of hostile models). */
  readonly opcodeIndex?: number;
}

export interface SubgraphSpec {
  readonly name?: string;
  readonly tensors: readonly TensorSpec[];
  readonly operators: readonly OperatorSpec[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

export interface MetadataSpec {
  readonly name: string;
  readonly data: Uint8Array;
}

/** A model: subgraph 0 described inline, further subgraphs (control flow) in `extraSubgraphs`. */
export interface ModelSpec extends SubgraphSpec {
  readonly description?: string;
  /** Schema version (default 3). */
  readonly version?: number;
  readonly metadata?: readonly MetadataSpec[];
  readonly extraSubgraphs?: readonly SubgraphSpec[];
}

function specError(message: string): UsageError {
  return new UsageError('bad-model-spec', `writeModel: ${message}`, 'fix the ModelSpec passed to writeModel (sim/parse/writer.ts)');
}

const ACTIVATIONS: readonly Activation[] = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];

function dtypeCode(d: unknown, what: string): number {
  const i = DTYPE_BY_CODE.indexOf(d as DType);
  if (i < 0) throw specError(`${what}: unknown dtype ${JSON.stringify(d)}`);
  return i;
}

/** The builtin code of an op name. */
export function builtinCodeOf(op: string): number {
  if (op.startsWith('CUSTOM:')) return S.BuiltinOperator.CUSTOM;
  const m = /^BUILTIN_(\d+)$/.exec(op);
  if (m) return Number(m[1]);
  const code = (S.BuiltinOperator as unknown as Record<string, number>)[op];
  if (typeof code !== 'number' || op === 'PLACEHOLDER_FOR_GREATER_OP_CODES') throw specError(`unknown operator ${JSON.stringify(op)}`);
  return code;
}

/** The options table each op uses (mirrors the converter; ops not listed carry none). */
const KIND_OF_OP: Readonly<Record<string, OptionsKind>> = {
  CONV_2D: 'Conv2DOptions',
  DEPTHWISE_CONV_2D: 'DepthwiseConv2DOptions',
  AVERAGE_POOL_2D: 'Pool2DOptions',
  MAX_POOL_2D: 'Pool2DOptions',
  L2_POOL_2D: 'Pool2DOptions',
  FULLY_CONNECTED: 'FullyConnectedOptions',
  SOFTMAX: 'SoftmaxOptions',
  CONCATENATION: 'ConcatenationOptions',
  ADD: 'AddOptions',
  SUB: 'SubOptions',
  MUL: 'MulOptions',
  DIV: 'DivOptions',
  L2_NORMALIZATION: 'L2NormOptions',
  RESHAPE: 'ReshapeOptions',
  MEAN: 'ReducerOptions',
  SUM: 'ReducerOptions',
  REDUCE_MAX: 'ReducerOptions',
  REDUCE_MIN: 'ReducerOptions',
  REDUCE_PROD: 'ReducerOptions',
  REDUCE_ANY: 'ReducerOptions',
  REDUCE_ALL: 'ReducerOptions',
  SQUEEZE: 'SqueezeOptions',
  STRIDED_SLICE: 'StridedSliceOptions',
  SVDF: 'SVDFOptions',
  UNIDIRECTIONAL_SEQUENCE_LSTM: 'UnidirectionalSequenceLSTMOptions',
  TRANSPOSE_CONV: 'TransposeConvOptions',
  LEAKY_RELU: 'LeakyReluOptions',
  CAST: 'CastOptions',
  GATHER: 'GatherOptions',
  SPLIT: 'SplitOptions',
  SPLIT_V: 'SplitVOptions',
  PACK: 'PackOptions',
  UNPACK: 'UnpackOptions',
  SPACE_TO_DEPTH: 'SpaceToDepthOptions',
  DEPTH_TO_SPACE: 'DepthToSpaceOptions',
  RESIZE_BILINEAR: 'ResizeBilinearOptions',
  RESIZE_NEAREST_NEIGHBOR: 'ResizeNearestNeighborOptions',
  ARG_MAX: 'ArgMaxOptions',
  ARG_MIN: 'ArgMinOptions',
  MIRROR_PAD: 'MirrorPadOptions',
  BATCH_MATMUL: 'BatchMatMulOptions',
  CUMSUM: 'CumsumOptions',
  SHAPE: 'ShapeOptions',
  IF: 'IfOptions',
  WHILE: 'WhileOptions',
  CALL_ONCE: 'CallOnceOptions',
  GELU: 'GeluOptions',
  ONE_HOT: 'OneHotOptions',
};

/** Defaults for options the spec leaves out: what a converter writes for a plain layer. */
const DEFAULTS: { [K in Exclude<OptionsKind, 'Empty'>]: OptionsByKind[K] } = {
  Conv2DOptions: { padding: 'SAME', strideW: 1, strideH: 1, activation: 'NONE', dilationW: 1, dilationH: 1, quantizedBiasType: 'float32' },
  DepthwiseConv2DOptions: { padding: 'SAME', strideW: 1, strideH: 1, depthMultiplier: 1, activation: 'NONE', dilationW: 1, dilationH: 1 },
  Pool2DOptions: { padding: 'VALID', strideW: 1, strideH: 1, filterWidth: 1, filterHeight: 1, activation: 'NONE' },
  FullyConnectedOptions: { activation: 'NONE', weightsFormat: 'DEFAULT', keepNumDims: false, asymmetricQuantizeInputs: false, quantizedBiasType: 'float32' },
  SoftmaxOptions: { beta: 1 },
  ConcatenationOptions: { axis: 0, activation: 'NONE' },
  AddOptions: { activation: 'NONE', potScaleInt16: true },
  SubOptions: { activation: 'NONE', potScaleInt16: true },
  MulOptions: { activation: 'NONE' },
  DivOptions: { activation: 'NONE' },
  L2NormOptions: { activation: 'NONE' },
  ReshapeOptions: { newShape: null },
  ReducerOptions: { keepDims: false },
  SqueezeOptions: { squeezeDims: [] },
  StridedSliceOptions: { beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0, offset: false },
  SVDFOptions: { rank: 1, activation: 'NONE', asymmetricQuantizeInputs: false },
  UnidirectionalSequenceLSTMOptions: { activation: 'TANH', cellClip: 0, projClip: 0, timeMajor: false, asymmetricQuantizeInputs: false, diagonalRecurrentTensors: false },
  TransposeConvOptions: { padding: 'SAME', strideW: 1, strideH: 1, activation: 'NONE', quantizedBiasType: 'float32' },
  LeakyReluOptions: { alpha: 0.2 },
  CastOptions: { inDataType: 'float32', outDataType: 'float32' },
  GatherOptions: { axis: 0, batchDims: 0 },
  SplitOptions: { numSplits: 1 },
  SplitVOptions: { numSplits: 1 },
  PackOptions: { valuesCount: 1, axis: 0 },
  UnpackOptions: { num: 1, axis: 0 },
  SpaceToDepthOptions: { blockSize: 2 },
  DepthToSpaceOptions: { blockSize: 2 },
  ResizeBilinearOptions: { alignCorners: false, halfPixelCenters: false },
  ResizeNearestNeighborOptions: { alignCorners: false, halfPixelCenters: false },
  ArgMaxOptions: { outputType: 'int32' },
  ArgMinOptions: { outputType: 'int32' },
  MirrorPadOptions: { mode: 'REFLECT' },
  BatchMatMulOptions: { adjX: false, adjY: false, asymmetricQuantizeInputs: false },
  CumsumOptions: { exclusive: false, reverse: false },
  ShapeOptions: { outType: 'int32' },
  IfOptions: { thenSubgraphIndex: 0, elseSubgraphIndex: 0 },
  WhileOptions: { condSubgraphIndex: 0, bodySubgraphIndex: 0 },
  CallOnceOptions: { initSubgraphIndex: 0 },
  GeluOptions: { approximate: false },
  OneHotOptions: { axis: -1 },
};

type Encoder = (b: fb.Builder, o: any) => fb.Offset;

const pad = (p: Padding): number => {
  if (p !== 'SAME' && p !== 'VALID') throw specError(`unknown padding ${JSON.stringify(p)}`);
  return p === 'VALID' ? S.Padding.VALID : S.Padding.SAME;
};
const act = (a: Activation): number => {
  const i = ACTIVATIONS.indexOf(a);
  if (i < 0) throw specError(`unknown fused activation ${JSON.stringify(a)}`);
  return i;
};
const dt = (d: DType): number => dtypeCode(d, 'options');

/** Options kind -> encoder using the generated create* helpers (which skip default-valued fields). */
const ENCODERS: { [K in Exclude<OptionsKind, 'Empty'>]: Encoder } = {
  Conv2DOptions: (b, o: OptionsByKind['Conv2DOptions']) => S.Conv2DOptions.createConv2DOptions(b, pad(o.padding), o.strideW, o.strideH, act(o.activation), o.dilationW, o.dilationH, dt(o.quantizedBiasType)),
  DepthwiseConv2DOptions: (b, o: OptionsByKind['DepthwiseConv2DOptions']) => S.DepthwiseConv2DOptions.createDepthwiseConv2DOptions(b, pad(o.padding), o.strideW, o.strideH, o.depthMultiplier, act(o.activation), o.dilationW, o.dilationH),
  Pool2DOptions: (b, o: OptionsByKind['Pool2DOptions']) => S.Pool2DOptions.createPool2DOptions(b, pad(o.padding), o.strideW, o.strideH, o.filterWidth, o.filterHeight, act(o.activation)),
  FullyConnectedOptions: (b, o: OptionsByKind['FullyConnectedOptions']) => {
    if (o.weightsFormat !== 'DEFAULT' && o.weightsFormat !== 'SHUFFLED4x16INT8') throw specError(`unknown weightsFormat ${JSON.stringify(o.weightsFormat)}`);
    return S.FullyConnectedOptions.createFullyConnectedOptions(b, act(o.activation), o.weightsFormat === 'SHUFFLED4x16INT8' ? 1 : 0, o.keepNumDims, o.asymmetricQuantizeInputs, dt(o.quantizedBiasType));
  },
  SoftmaxOptions: (b, o: OptionsByKind['SoftmaxOptions']) => S.SoftmaxOptions.createSoftmaxOptions(b, o.beta),
  ConcatenationOptions: (b, o: OptionsByKind['ConcatenationOptions']) => S.ConcatenationOptions.createConcatenationOptions(b, o.axis, act(o.activation)),
  AddOptions: (b, o: OptionsByKind['AddOptions']) => S.AddOptions.createAddOptions(b, act(o.activation), o.potScaleInt16),
  SubOptions: (b, o: OptionsByKind['SubOptions']) => S.SubOptions.createSubOptions(b, act(o.activation), o.potScaleInt16),
  MulOptions: (b, o: OptionsByKind['MulOptions']) => S.MulOptions.createMulOptions(b, act(o.activation)),
  DivOptions: (b, o: OptionsByKind['DivOptions']) => S.DivOptions.createDivOptions(b, act(o.activation)),
  L2NormOptions: (b, o: OptionsByKind['L2NormOptions']) => S.L2NormOptions.createL2NormOptions(b, act(o.activation)),
  ReshapeOptions: (b, o: OptionsByKind['ReshapeOptions']) => {
    const v = o.newShape === null ? 0 : S.ReshapeOptions.createNewShapeVector(b, [...o.newShape]);
    return S.ReshapeOptions.createReshapeOptions(b, v);
  },
  ReducerOptions: (b, o: OptionsByKind['ReducerOptions']) => S.ReducerOptions.createReducerOptions(b, o.keepDims),
  SqueezeOptions: (b, o: OptionsByKind['SqueezeOptions']) => {
    const v = o.squeezeDims.length === 0 ? 0 : S.SqueezeOptions.createSqueezeDimsVector(b, [...o.squeezeDims]);
    return S.SqueezeOptions.createSqueezeOptions(b, v);
  },
  StridedSliceOptions: (b, o: OptionsByKind['StridedSliceOptions']) => S.StridedSliceOptions.createStridedSliceOptions(b, o.beginMask, o.endMask, o.ellipsisMask, o.newAxisMask, o.shrinkAxisMask, o.offset),
  SVDFOptions: (b, o: OptionsByKind['SVDFOptions']) => S.SVDFOptions.createSVDFOptions(b, o.rank, act(o.activation), o.asymmetricQuantizeInputs),
  UnidirectionalSequenceLSTMOptions: (b, o: OptionsByKind['UnidirectionalSequenceLSTMOptions']) => S.UnidirectionalSequenceLSTMOptions.createUnidirectionalSequenceLSTMOptions(b, act(o.activation), o.cellClip, o.projClip, o.timeMajor, o.asymmetricQuantizeInputs, o.diagonalRecurrentTensors),
  TransposeConvOptions: (b, o: OptionsByKind['TransposeConvOptions']) => S.TransposeConvOptions.createTransposeConvOptions(b, pad(o.padding), o.strideW, o.strideH, act(o.activation), dt(o.quantizedBiasType)),
  LeakyReluOptions: (b, o: OptionsByKind['LeakyReluOptions']) => S.LeakyReluOptions.createLeakyReluOptions(b, o.alpha),
  CastOptions: (b, o: OptionsByKind['CastOptions']) => S.CastOptions.createCastOptions(b, dt(o.inDataType), dt(o.outDataType)),
  GatherOptions: (b, o: OptionsByKind['GatherOptions']) => S.GatherOptions.createGatherOptions(b, o.axis, o.batchDims),
  SplitOptions: (b, o: OptionsByKind['SplitOptions']) => S.SplitOptions.createSplitOptions(b, o.numSplits),
  SplitVOptions: (b, o: OptionsByKind['SplitVOptions']) => S.SplitVOptions.createSplitVOptions(b, o.numSplits),
  PackOptions: (b, o: OptionsByKind['PackOptions']) => S.PackOptions.createPackOptions(b, o.valuesCount, o.axis),
  UnpackOptions: (b, o: OptionsByKind['UnpackOptions']) => S.UnpackOptions.createUnpackOptions(b, o.num, o.axis),
  SpaceToDepthOptions: (b, o: OptionsByKind['SpaceToDepthOptions']) => S.SpaceToDepthOptions.createSpaceToDepthOptions(b, o.blockSize),
  DepthToSpaceOptions: (b, o: OptionsByKind['DepthToSpaceOptions']) => S.DepthToSpaceOptions.createDepthToSpaceOptions(b, o.blockSize),
  ResizeBilinearOptions: (b, o: OptionsByKind['ResizeBilinearOptions']) => S.ResizeBilinearOptions.createResizeBilinearOptions(b, o.alignCorners, o.halfPixelCenters),
  ResizeNearestNeighborOptions: (b, o: OptionsByKind['ResizeNearestNeighborOptions']) => S.ResizeNearestNeighborOptions.createResizeNearestNeighborOptions(b, o.alignCorners, o.halfPixelCenters),
  ArgMaxOptions: (b, o: OptionsByKind['ArgMaxOptions']) => S.ArgMaxOptions.createArgMaxOptions(b, dt(o.outputType)),
  ArgMinOptions: (b, o: OptionsByKind['ArgMinOptions']) => S.ArgMinOptions.createArgMinOptions(b, dt(o.outputType)),
  MirrorPadOptions: (b, o: OptionsByKind['MirrorPadOptions']) => {
    if (o.mode !== 'REFLECT' && o.mode !== 'SYMMETRIC') throw specError(`unknown mirror pad mode ${JSON.stringify(o.mode)}`);
    return S.MirrorPadOptions.createMirrorPadOptions(b, o.mode === 'SYMMETRIC' ? 1 : 0);
  },
  BatchMatMulOptions: (b, o: OptionsByKind['BatchMatMulOptions']) => S.BatchMatMulOptions.createBatchMatMulOptions(b, o.adjX, o.adjY, o.asymmetricQuantizeInputs),
  CumsumOptions: (b, o: OptionsByKind['CumsumOptions']) => S.CumsumOptions.createCumsumOptions(b, o.exclusive, o.reverse),
  ShapeOptions: (b, o: OptionsByKind['ShapeOptions']) => S.ShapeOptions.createShapeOptions(b, dt(o.outType)),
  IfOptions: (b, o: OptionsByKind['IfOptions']) => S.IfOptions.createIfOptions(b, o.thenSubgraphIndex, o.elseSubgraphIndex),
  WhileOptions: (b, o: OptionsByKind['WhileOptions']) => S.WhileOptions.createWhileOptions(b, o.condSubgraphIndex, o.bodySubgraphIndex),
  CallOnceOptions: (b, o: OptionsByKind['CallOnceOptions']) => S.CallOnceOptions.createCallOnceOptions(b, o.initSubgraphIndex),
  GeluOptions: (b, o: OptionsByKind['GeluOptions']) => S.GeluOptions.createGeluOptions(b, o.approximate),
  OneHotOptions: (b, o: OptionsByKind['OneHotOptions']) => S.OneHotOptions.createOneHotOptions(b, o.axis),
};

/** Writes the options table of one operator; returns [union type, table offset] or [0, 0]. */
function writeOptions(b: fb.Builder, op: OperatorSpec, where: string): [number, fb.Offset] {
  const kind = op.optionsKind ?? KIND_OF_OP[op.op] ?? 'Empty';
  const given = op.options ?? {};
  if (kind === 'Empty') {
    if (Object.keys(given).length > 0) throw specError(`${where}: options given, but ${op.op} writes no options table (set optionsKind)`);
    return [0, 0];
  }
  const typeId = (S.BuiltinOptions as unknown as Record<string, number>)[kind];
  if (typeof typeId !== 'number' || typeId === 0) throw specError(`${where}: unknown options kind ${JSON.stringify(kind)}`);
  const encoder = (ENCODERS as Record<string, Encoder>)[kind];
  const defaults = (DEFAULTS as Record<string, Record<string, unknown>>)[kind];
  if (!encoder || !defaults) {
    // A field-less (or undecoded) table: written empty.
    if (Object.keys(given).length > 0) throw specError(`${where}: the writer cannot encode fields of ${kind}`);
    b.startObject(0);
    return [typeId, b.endObject()];
  }
  for (const k of Object.keys(given)) {
    if (!(k in defaults)) throw specError(`${where}: ${kind} has no field ${JSON.stringify(k)} (fields: ${Object.keys(defaults).join(', ')})`);
  }
  return [typeId, encoder(b, { ...defaults, ...given })];
}

/** Bytes of a typed array (a view, no copy). */
function bytesOf(v: ArrayBufferView): Uint8Array {
  return v instanceof Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** Constant data vector, 16-byte aligned in the finished file (the schema's force_align: 16). */
function alignedByteVector(b: fb.Builder, data: Uint8Array): fb.Offset {
  // The builder writes back to front: after this prep the vector's first byte
  // lies at a multiple of 16 from the buffer end, and finish() pads the whole
  // file to a multiple of 16 (minalign), so it is 16-aligned from the start too.
  b.prep(16, data.byteLength);
  return b.createByteVector(data);
}

/** Builds the .tflite bytes of a spec. */
export function writeModel(spec: ModelSpec): Uint8Array {
  const b = new fb.Builder(Math.ceil(1024 + totalDataBytes(spec) * 1.1));
  const subgraphSpecs: SubgraphSpec[] = [spec, ...(spec.extraSubgraphs ?? [])];

  // Buffers: [0] the empty sentinel, then per tensor (converter order), then metadata.
  const bufferData: (Uint8Array | null)[] = [null];
  const tensorBuffer: number[][] = subgraphSpecs.map((sg, s) => sg.tensors.map((t, i) => {
    if (t.buffer !== undefined) {
      if (t.data) throw specError(`subgraph ${s} tensor ${i}: give either data or a raw buffer index, not both`);
      return t.buffer;
    }
    bufferData.push(t.data ? bytesOf(t.data) : null);
    return bufferData.length - 1;
  }));
  const metadataBuffer = (spec.metadata ?? []).map((m) => {
    bufferData.push(m.data);
    return bufferData.length - 1;
  });

  // Operator codes in order of first use, keyed by op and version.
  const codeKeys: string[] = [];
  const codes: { op: string; version: number }[] = [];
  const opcodeIndex = subgraphSpecs.map((sg) => sg.operators.map((o) => {
    const version = o.version ?? 1;
    builtinCodeOf(o.op); // validates the name
    const key = `${o.op}\u0000${version}`;
    let i = codeKeys.indexOf(key);
    if (i < 0) {
      i = codeKeys.length;
      codeKeys.push(key);
      codes.push({ op: o.op, version });
    }
    return o.opcodeIndex ?? i;
  }));

  // Constant data first (largest objects), so it sits at the end of the file as the converter's does.
  const bufferOffsets = bufferData.map((d) => {
    const dataOff = d && d.byteLength > 0 ? alignedByteVector(b, d) : 0;
    S.Buffer.startBuffer(b);
    if (dataOff) S.Buffer.addData(b, dataOff);
    return S.Buffer.endBuffer(b);
  });
  const buffersVec = S.Model.createBuffersVector(b, bufferOffsets);

  const subgraphOffsets = subgraphSpecs.map((sg, s) => {
    const tensorOffsets = sg.tensors.map((t, i) => writeTensor(b, t, tensorBuffer[s]![i]!, `subgraph ${s} tensor ${i} (${JSON.stringify(t.name)})`));
    const tensorsVec = S.SubGraph.createTensorsVector(b, tensorOffsets);
    const operatorOffsets = sg.operators.map((o, k) => writeOperator(b, o, opcodeIndex[s]![k]!, `subgraph ${s} operator ${k} (${o.op})`));
    const operatorsVec = S.SubGraph.createOperatorsVector(b, operatorOffsets);
    const inputsVec = S.SubGraph.createInputsVector(b, [...sg.inputs]);
    const outputsVec = S.SubGraph.createOutputsVector(b, [...sg.outputs]);
    const nameOff = b.createString(sg.name ?? 'main');
    S.SubGraph.startSubGraph(b);
    S.SubGraph.addTensors(b, tensorsVec);
    S.SubGraph.addInputs(b, inputsVec);
    S.SubGraph.addOutputs(b, outputsVec);
    S.SubGraph.addOperators(b, operatorsVec);
    S.SubGraph.addName(b, nameOff);
    return S.SubGraph.endSubGraph(b);
  });
  const subgraphsVec = S.Model.createSubgraphsVector(b, subgraphOffsets);

  const codeOffsets = codes.map(({ op, version }) => {
    const code = builtinCodeOf(op);
    const custom = op.startsWith('CUSTOM:') ? b.createString(op.slice(7)) : 0;
    S.OperatorCode.startOperatorCode(b);
    S.OperatorCode.addDeprecatedBuiltinCode(b, Math.min(code, S.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES));
    if (custom) S.OperatorCode.addCustomCode(b, custom);
    S.OperatorCode.addVersion(b, version);
    S.OperatorCode.addBuiltinCode(b, code);
    return S.OperatorCode.endOperatorCode(b);
  });
  const codesVec = S.Model.createOperatorCodesVector(b, codeOffsets);

  const metadataOffsets = (spec.metadata ?? []).map((m, i) => {
    const name = b.createString(m.name);
    return S.Metadata.createMetadata(b, name, metadataBuffer[i]!);
  });
  const metadataVec = metadataOffsets.length > 0 ? S.Model.createMetadataVector(b, metadataOffsets) : 0;
  const descOff = spec.description ? b.createString(spec.description) : 0;

  S.Model.startModel(b);
  S.Model.addVersion(b, spec.version ?? 3);
  S.Model.addOperatorCodes(b, codesVec);
  S.Model.addSubgraphs(b, subgraphsVec);
  if (descOff) S.Model.addDescription(b, descOff);
  S.Model.addBuffers(b, buffersVec);
  if (metadataVec) S.Model.addMetadata(b, metadataVec);
  const root = S.Model.endModel(b);
  S.Model.finishModelBuffer(b, root);
  // asUint8Array is a view into the builder's (larger) buffer: copy to a tight, 16-aligned one.
  return b.asUint8Array().slice();
}

function totalDataBytes(spec: ModelSpec): number {
  let n = 0;
  for (const sg of [spec, ...(spec.extraSubgraphs ?? [])]) for (const t of sg.tensors) n += t.data?.byteLength ?? 0;
  for (const m of spec.metadata ?? []) n += m.data.byteLength;
  return n;
}

function writeTensor(b: fb.Builder, t: TensorSpec, buffer: number, where: string): fb.Offset {
  const type = dtypeCode(t.dtype, where);
  const q = t.quantization ?? null;
  let qOff: fb.Offset;
  if (q) {
    const n = q.scale.length;
    const zp = q.zeroPoint ?? new Array<number>(n).fill(0);
    const minOff = q.min ? S.QuantizationParameters.createMinVector(b, [...q.min]) : 0;
    const maxOff = q.max ? S.QuantizationParameters.createMaxVector(b, [...q.max]) : 0;
    const scaleOff = S.QuantizationParameters.createScaleVector(b, [...q.scale]);
    const zpOff = S.QuantizationParameters.createZeroPointVector(b, zp.map((z) => BigInt(z)));
    qOff = S.QuantizationParameters.createQuantizationParameters(b, minOff, maxOff, scaleOff, zpOff, S.QuantizationDetails.NONE, 0, q.axis ?? 0);
  } else {
    S.QuantizationParameters.startQuantizationParameters(b);
    qOff = S.QuantizationParameters.endQuantizationParameters(b);
  }
  const nameOff = b.createString(t.name);
  const shapeOff = S.Tensor.createShapeVector(b, [...t.shape]);
  const sigOff = t.shapeSignature ? S.Tensor.createShapeSignatureVector(b, [...t.shapeSignature]) : 0;
  S.Tensor.startTensor(b);
  S.Tensor.addShape(b, shapeOff);
  S.Tensor.addType(b, type);
  S.Tensor.addBuffer(b, buffer);
  S.Tensor.addName(b, nameOff);
  S.Tensor.addQuantization(b, qOff);
  if (t.isVariable) S.Tensor.addIsVariable(b, true);
  if (sigOff) S.Tensor.addShapeSignature(b, sigOff);
  return S.Tensor.endTensor(b);
}

function writeOperator(b: fb.Builder, o: OperatorSpec, opcodeIndex: number, where: string): fb.Offset {
  const inputsOff = S.Operator.createInputsVector(b, [...o.inputs]);
  const outputsOff = S.Operator.createOutputsVector(b, [...o.outputs]);
  const interOff = o.intermediates && o.intermediates.length > 0 ? S.Operator.createIntermediatesVector(b, [...o.intermediates]) : 0;
  const customOff = o.customOptions && o.customOptions.byteLength > 0 ? b.createByteVector(o.customOptions) : 0;
  const [optType, optOff] = writeOptions(b, o, where);
  S.Operator.startOperator(b);
  S.Operator.addOpcodeIndex(b, opcodeIndex);
  S.Operator.addInputs(b, inputsOff);
  S.Operator.addOutputs(b, outputsOff);
  if (optType) {
    S.Operator.addBuiltinOptionsType(b, optType);
    S.Operator.addBuiltinOptions(b, optOff);
  }
  if (customOff) S.Operator.addCustomOptions(b, customOff);
  if (interOff) S.Operator.addIntermediates(b, interOff);
  return S.Operator.endOperator(b);
}

/**
 * Re-expresses a parsed model as a spec (the inverse of reading, up to buffer
 * numbering, opcode order and fields the IR does not keep: min/max,
 * sparsity, signature defs). Used by round-trip tests and to derive variants
 * of existing models.
 */
export function specFromModel(model: Model): ModelSpec {
  const sub = (sg: Subgraph): SubgraphSpec => ({
    name: sg.name,
    tensors: sg.tensors.map((t) => ({
      name: t.name,
      shape: t.shape,
      dtype: t.dtype,
      quantization: t.quantization ? { scale: t.quantization.scale, zeroPoint: t.quantization.zeroPoint, axis: t.quantization.axis } : null,
      data: t.data,
      isVariable: t.isVariable,
      shapeSignature: t.shapeSignature,
    })),
    operators: sg.operators.map((o) => ({
      op: o.op,
      inputs: o.inputs,
      outputs: o.outputs,
      intermediates: o.intermediates,
      options: o.options,
      optionsKind: o.optionsKind,
      version: o.version,
      customOptions: o.customOptions,
    })),
    inputs: sg.inputs,
    outputs: sg.outputs,
  });
  const [first, ...rest] = model.subgraphs;
  return {
    ...sub(first!),
    extraSubgraphs: rest.map(sub),
    description: model.description,
    version: model.version,
    metadata: model.metadata.map((m) => ({ name: m.name, data: m.data ?? new Uint8Array(0) })),
  };
}
