/**
 * The graph IR: what every later stage (simulator, planner, estimates,
 * generator) reads. It is built once by `sim/parse/reader.ts` from a .tflite
 * flatbuffer and is plain, readonly data. Constant tensor data are views into
 * the model bytes, never copies.
 */

/** Tensor element types, named as numpy / TFLite's TensorType spells them (lower case). */
export type DType =
  | 'float32' | 'float16' | 'int32' | 'uint8' | 'int64' | 'string' | 'bool' | 'int16'
  | 'complex64' | 'int8' | 'float64' | 'complex128' | 'uint64' | 'resource' | 'variant'
  | 'uint32' | 'uint16' | 'int4' | 'bfloat16' | 'int2' | 'uint4' | 'float8_e4m3fn' | 'float8_e5m2';

/** Affine quantization: real = scale * (q - zeroPoint). Per-channel when scale.length > 1. */
export interface Quantization {
  /** float32 scales, widened to double exactly. */
  readonly scale: readonly number[];
  /** int64 zero points; values outside the int32 range are rejected by the reader. */
  readonly zeroPoint: readonly number[];
  /** The dimension the per-channel scales run along (quantized_dimension). */
  readonly axis: number;
  readonly min?: readonly number[];
  readonly max?: readonly number[];
}

export interface Tensor {
  /** Index in its subgraph's tensor list. */
  readonly index: number;
  readonly name: string;
  readonly shape: readonly number[];
  /** shape_signature when the model has one (-1 marks a dynamic dimension). */
  readonly shapeSignature: readonly number[] | null;
  readonly dtype: DType;
  /** Null when the tensor carries no scale (float, or unquantized int such as shapes). */
  readonly quantization: Quantization | null;
  /** Index into the model's buffers (0 = the empty sentinel). */
  readonly buffer: number;
  /** Constant data: a view into the model bytes, or null for activations and variables. */
  readonly data: Uint8Array | null;
  readonly isVariable: boolean;
  /** Element count (product of shape; 1 for a scalar). */
  readonly elements: number;
  /** Byte size of the data (elements * element size; 0 for string/resource/variant). */
  readonly bytes: number;
  /** True when the tensor has a sparsity description (we do not densify). */
  readonly sparse: boolean;
}

/** Fused activation as the schema names it. */
export type Activation = 'NONE' | 'RELU' | 'RELU_N1_TO_1' | 'RELU6' | 'TANH' | 'SIGN_BIT';
export type Padding = 'SAME' | 'VALID';

/** Decoded builtin options, keyed by the schema's option table name (see sim/parse/options.ts). */
export interface OptionsByKind {
  Conv2DOptions: { padding: Padding; strideW: number; strideH: number; activation: Activation; dilationW: number; dilationH: number; quantizedBiasType: DType };
  DepthwiseConv2DOptions: { padding: Padding; strideW: number; strideH: number; depthMultiplier: number; activation: Activation; dilationW: number; dilationH: number };
  Pool2DOptions: { padding: Padding; strideW: number; strideH: number; filterWidth: number; filterHeight: number; activation: Activation };
  FullyConnectedOptions: { activation: Activation; weightsFormat: 'DEFAULT' | 'SHUFFLED4x16INT8'; keepNumDims: boolean; asymmetricQuantizeInputs: boolean; quantizedBiasType: DType };
  SoftmaxOptions: { beta: number };
  ConcatenationOptions: { axis: number; activation: Activation };
  AddOptions: { activation: Activation; potScaleInt16: boolean };
  SubOptions: { activation: Activation; potScaleInt16: boolean };
  MulOptions: { activation: Activation };
  DivOptions: { activation: Activation };
  L2NormOptions: { activation: Activation };
  ReshapeOptions: { newShape: number[] | null };
  ReducerOptions: { keepDims: boolean };
  SqueezeOptions: { squeezeDims: number[] };
  StridedSliceOptions: { beginMask: number; endMask: number; ellipsisMask: number; newAxisMask: number; shrinkAxisMask: number; offset: boolean };
  SVDFOptions: { rank: number; activation: Activation; asymmetricQuantizeInputs: boolean };
  UnidirectionalSequenceLSTMOptions: { activation: Activation; cellClip: number; projClip: number; timeMajor: boolean; asymmetricQuantizeInputs: boolean; diagonalRecurrentTensors: boolean };
  TransposeConvOptions: { padding: Padding; strideW: number; strideH: number; activation: Activation; quantizedBiasType: DType };
  LeakyReluOptions: { alpha: number };
  CastOptions: { inDataType: DType; outDataType: DType };
  GatherOptions: { axis: number; batchDims: number };
  SplitOptions: { numSplits: number };
  SplitVOptions: { numSplits: number };
  PackOptions: { valuesCount: number; axis: number };
  UnpackOptions: { num: number; axis: number };
  SpaceToDepthOptions: { blockSize: number };
  DepthToSpaceOptions: { blockSize: number };
  ResizeBilinearOptions: { alignCorners: boolean; halfPixelCenters: boolean };
  ResizeNearestNeighborOptions: { alignCorners: boolean; halfPixelCenters: boolean };
  ArgMaxOptions: { outputType: DType };
  ArgMinOptions: { outputType: DType };
  MirrorPadOptions: { mode: 'REFLECT' | 'SYMMETRIC' };
  BatchMatMulOptions: { adjX: boolean; adjY: boolean; asymmetricQuantizeInputs: boolean };
  CumsumOptions: { exclusive: boolean; reverse: boolean };
  ShapeOptions: { outType: DType };
  IfOptions: { thenSubgraphIndex: number; elseSubgraphIndex: number };
  WhileOptions: { condSubgraphIndex: number; bodySubgraphIndex: number };
  CallOnceOptions: { initSubgraphIndex: number };
  GeluOptions: { approximate: boolean };
  OneHotOptions: { axis: number };
  /** Option tables without fields, or ones tinyforge does not decode. */
  Empty: Record<string, never>;
}
export type OptionsKind = keyof OptionsByKind;

export interface Operator {
  /** Position in execution order within its subgraph. */
  readonly index: number;
  /** BuiltinOperator name (e.g. 'CONV_2D') or 'CUSTOM:<custom_code>'. */
  readonly op: string;
  /** The resolved builtin code (max of builtin_code and deprecated_builtin_code). */
  readonly builtinCode: number;
  /** custom_code for CUSTOM ops, else null. */
  readonly customCode: string | null;
  readonly version: number;
  /** Tensor indexes; -1 marks an omitted optional input. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly intermediates: readonly number[];
  /** Which options table the model carried ('Empty' if none or not decoded). */
  readonly optionsKind: OptionsKind;
  /** Decoded builtin options (see OptionsByKind). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Raw custom_options bytes (a view), for CUSTOM ops. */
  readonly customOptions: Uint8Array | null;
}

export interface Subgraph {
  readonly index: number;
  readonly name: string;
  readonly tensors: readonly Tensor[];
  readonly operators: readonly Operator[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

export interface MetadataEntry {
  readonly name: string;
  readonly buffer: number;
  /** The metadata bytes (a view), or null if the buffer is empty. */
  readonly data: Uint8Array | null;
}

export interface OperatorCodeInfo {
  readonly op: string;
  readonly builtinCode: number;
  readonly customCode: string | null;
  readonly version: number;
}

export interface Model {
  /** Schema version (3 for every current converter). */
  readonly version: number;
  readonly description: string;
  readonly subgraphs: readonly Subgraph[];
  readonly operatorCodes: readonly OperatorCodeInfo[];
  readonly metadata: readonly MetadataEntry[];
  /** The file's bytes (constant tensor data are views into them). */
  readonly bytes: Uint8Array;
  /** SHA-256 of the file, lower-case hex. */
  readonly sha256: string;
  /** Where the model came from (path) if loaded from a file. */
  readonly source: string | null;
}

/** Bytes per element of each dtype; 0 for types without a fixed size. */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  float32: 4, float16: 2, int32: 4, uint8: 1, int64: 8, string: 0, bool: 1, int16: 2,
  complex64: 8, int8: 1, float64: 8, complex128: 16, uint64: 8, resource: 0, variant: 0,
  uint32: 4, uint16: 2, int4: 0.5, bfloat16: 2, int2: 0.25, uint4: 0.5, float8_e4m3fn: 1, float8_e5m2: 1,
};

/** TensorType enum value -> DType, in schema order. */
export const DTYPE_BY_CODE: readonly DType[] = [
  'float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16', 'complex64',
  'int8', 'float64', 'complex128', 'uint64', 'resource', 'variant', 'uint32', 'uint16',
  'int4', 'bfloat16', 'int2', 'uint4', 'float8_e4m3fn', 'float8_e5m2',
];
