/**
 * Builtin options: the union member a model carries, decoded into the plain
 * objects of `OptionsByKind` (sim/ir/types.ts). Decoding is table-driven by the
 * union's type id so that the option tables flatc generated stay the only
 * place that knows field offsets.
 */
import * as fb from 'flatbuffers';
import * as S from './schema_generated/tflite_generated.js';
import { DTYPE_BY_CODE, type Activation, type DType, type OptionsKind, type Padding } from '../ir/types.js';

const ACT: readonly Activation[] = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];
const act = (v: number): Activation => ACT[v] ?? 'NONE';
const pad = (v: number): Padding => (v === 1 ? 'VALID' : 'SAME');
const dtype = (v: number): DType => DTYPE_BY_CODE[v] ?? 'float32';

function ints(n: number, get: (i: number) => number | null): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(get(i) ?? 0);
  return out;
}

type Decoder = (bb: fb.ByteBuffer, pos: number) => Record<string, unknown>;
const at = <T extends { __init(i: number, bb: fb.ByteBuffer): T }>(C: new () => T) => (bb: fb.ByteBuffer, pos: number): T => new C().__init(pos, bb);

/** Union type id -> [options kind, decoder]. */
const DECODERS: Partial<Record<number, [OptionsKind, Decoder]>> = {
  [S.BuiltinOptions.Conv2DOptions]: ['Conv2DOptions', (bb, p) => {
    const o = at(S.Conv2DOptions)(bb, p);
    return { padding: pad(o.padding()), strideW: o.strideW(), strideH: o.strideH(), activation: act(o.fusedActivationFunction()), dilationW: o.dilationWFactor(), dilationH: o.dilationHFactor(), quantizedBiasType: dtype(o.quantizedBiasType()) };
  }],
  [S.BuiltinOptions.DepthwiseConv2DOptions]: ['DepthwiseConv2DOptions', (bb, p) => {
    const o = at(S.DepthwiseConv2DOptions)(bb, p);
    return { padding: pad(o.padding()), strideW: o.strideW(), strideH: o.strideH(), depthMultiplier: o.depthMultiplier(), activation: act(o.fusedActivationFunction()), dilationW: o.dilationWFactor(), dilationH: o.dilationHFactor() };
  }],
  [S.BuiltinOptions.Pool2DOptions]: ['Pool2DOptions', (bb, p) => {
    const o = at(S.Pool2DOptions)(bb, p);
    return { padding: pad(o.padding()), strideW: o.strideW(), strideH: o.strideH(), filterWidth: o.filterWidth(), filterHeight: o.filterHeight(), activation: act(o.fusedActivationFunction()) };
  }],
  [S.BuiltinOptions.FullyConnectedOptions]: ['FullyConnectedOptions', (bb, p) => {
    const o = at(S.FullyConnectedOptions)(bb, p);
    return { activation: act(o.fusedActivationFunction()), weightsFormat: o.weightsFormat() === 1 ? 'SHUFFLED4x16INT8' : 'DEFAULT', keepNumDims: o.keepNumDims(), asymmetricQuantizeInputs: o.asymmetricQuantizeInputs(), quantizedBiasType: dtype(o.quantizedBiasType()) };
  }],
  [S.BuiltinOptions.SoftmaxOptions]: ['SoftmaxOptions', (bb, p) => ({ beta: at(S.SoftmaxOptions)(bb, p).beta() })],
  [S.BuiltinOptions.ConcatenationOptions]: ['ConcatenationOptions', (bb, p) => {
    const o = at(S.ConcatenationOptions)(bb, p);
    return { axis: o.axis(), activation: act(o.fusedActivationFunction()) };
  }],
  [S.BuiltinOptions.AddOptions]: ['AddOptions', (bb, p) => {
    const o = at(S.AddOptions)(bb, p);
    return { activation: act(o.fusedActivationFunction()), potScaleInt16: o.potScaleInt16() };
  }],
  [S.BuiltinOptions.SubOptions]: ['SubOptions', (bb, p) => {
    const o = at(S.SubOptions)(bb, p);
    return { activation: act(o.fusedActivationFunction()), potScaleInt16: o.potScaleInt16() };
  }],
  [S.BuiltinOptions.MulOptions]: ['MulOptions', (bb, p) => ({ activation: act(at(S.MulOptions)(bb, p).fusedActivationFunction()) })],
  [S.BuiltinOptions.DivOptions]: ['DivOptions', (bb, p) => ({ activation: act(at(S.DivOptions)(bb, p).fusedActivationFunction()) })],
  [S.BuiltinOptions.L2NormOptions]: ['L2NormOptions', (bb, p) => ({ activation: act(at(S.L2NormOptions)(bb, p).fusedActivationFunction()) })],
  [S.BuiltinOptions.ReshapeOptions]: ['ReshapeOptions', (bb, p) => {
    const o = at(S.ReshapeOptions)(bb, p);
    const n = o.newShapeLength();
    // The converter writes new_shape only sometimes; an absent vector and an empty one differ.
    return { newShape: bb.__offset(p, 4) === 0 ? null : ints(Math.min(n, 64), (i) => o.newShape(i)) };
  }],
  [S.BuiltinOptions.ReducerOptions]: ['ReducerOptions', (bb, p) => ({ keepDims: at(S.ReducerOptions)(bb, p).keepDims() })],
  [S.BuiltinOptions.SqueezeOptions]: ['SqueezeOptions', (bb, p) => {
    const o = at(S.SqueezeOptions)(bb, p);
    return { squeezeDims: ints(Math.min(o.squeezeDimsLength(), 64), (i) => o.squeezeDims(i)) };
  }],
  [S.BuiltinOptions.StridedSliceOptions]: ['StridedSliceOptions', (bb, p) => {
    const o = at(S.StridedSliceOptions)(bb, p);
    return { beginMask: o.beginMask(), endMask: o.endMask(), ellipsisMask: o.ellipsisMask(), newAxisMask: o.newAxisMask(), shrinkAxisMask: o.shrinkAxisMask(), offset: o.offset() };
  }],
  [S.BuiltinOptions.SVDFOptions]: ['SVDFOptions', (bb, p) => {
    const o = at(S.SVDFOptions)(bb, p);
    return { rank: o.rank(), activation: act(o.fusedActivationFunction()), asymmetricQuantizeInputs: o.asymmetricQuantizeInputs() };
  }],
  [S.BuiltinOptions.UnidirectionalSequenceLSTMOptions]: ['UnidirectionalSequenceLSTMOptions', (bb, p) => {
    const o = at(S.UnidirectionalSequenceLSTMOptions)(bb, p);
    return { activation: act(o.fusedActivationFunction()), cellClip: o.cellClip(), projClip: o.projClip(), timeMajor: o.timeMajor(), asymmetricQuantizeInputs: o.asymmetricQuantizeInputs(), diagonalRecurrentTensors: o.diagonalRecurrentTensors() };
  }],
  [S.BuiltinOptions.TransposeConvOptions]: ['TransposeConvOptions', (bb, p) => {
    const o = at(S.TransposeConvOptions)(bb, p);
    return { padding: pad(o.padding()), strideW: o.strideW(), strideH: o.strideH(), activation: act(o.fusedActivationFunction()), quantizedBiasType: dtype(o.quantizedBiasType()) };
  }],
  [S.BuiltinOptions.LeakyReluOptions]: ['LeakyReluOptions', (bb, p) => ({ alpha: at(S.LeakyReluOptions)(bb, p).alpha() })],
  [S.BuiltinOptions.CastOptions]: ['CastOptions', (bb, p) => {
    const o = at(S.CastOptions)(bb, p);
    return { inDataType: dtype(o.inDataType()), outDataType: dtype(o.outDataType()) };
  }],
  [S.BuiltinOptions.GatherOptions]: ['GatherOptions', (bb, p) => {
    const o = at(S.GatherOptions)(bb, p);
    return { axis: o.axis(), batchDims: o.batchDims() };
  }],
  [S.BuiltinOptions.SplitOptions]: ['SplitOptions', (bb, p) => ({ numSplits: at(S.SplitOptions)(bb, p).numSplits() })],
  [S.BuiltinOptions.SplitVOptions]: ['SplitVOptions', (bb, p) => ({ numSplits: at(S.SplitVOptions)(bb, p).numSplits() })],
  [S.BuiltinOptions.PackOptions]: ['PackOptions', (bb, p) => {
    const o = at(S.PackOptions)(bb, p);
    return { valuesCount: o.valuesCount(), axis: o.axis() };
  }],
  [S.BuiltinOptions.UnpackOptions]: ['UnpackOptions', (bb, p) => {
    const o = at(S.UnpackOptions)(bb, p);
    return { num: o.num(), axis: o.axis() };
  }],
  [S.BuiltinOptions.SpaceToDepthOptions]: ['SpaceToDepthOptions', (bb, p) => ({ blockSize: at(S.SpaceToDepthOptions)(bb, p).blockSize() })],
  [S.BuiltinOptions.DepthToSpaceOptions]: ['DepthToSpaceOptions', (bb, p) => ({ blockSize: at(S.DepthToSpaceOptions)(bb, p).blockSize() })],
  [S.BuiltinOptions.ResizeBilinearOptions]: ['ResizeBilinearOptions', (bb, p) => {
    const o = at(S.ResizeBilinearOptions)(bb, p);
    return { alignCorners: o.alignCorners(), halfPixelCenters: o.halfPixelCenters() };
  }],
  [S.BuiltinOptions.ResizeNearestNeighborOptions]: ['ResizeNearestNeighborOptions', (bb, p) => {
    const o = at(S.ResizeNearestNeighborOptions)(bb, p);
    return { alignCorners: o.alignCorners(), halfPixelCenters: o.halfPixelCenters() };
  }],
  [S.BuiltinOptions.ArgMaxOptions]: ['ArgMaxOptions', (bb, p) => ({ outputType: dtype(at(S.ArgMaxOptions)(bb, p).outputType()) })],
  [S.BuiltinOptions.ArgMinOptions]: ['ArgMinOptions', (bb, p) => ({ outputType: dtype(at(S.ArgMinOptions)(bb, p).outputType()) })],
  [S.BuiltinOptions.MirrorPadOptions]: ['MirrorPadOptions', (bb, p) => ({ mode: at(S.MirrorPadOptions)(bb, p).mode() === 1 ? 'SYMMETRIC' : 'REFLECT' })],
  [S.BuiltinOptions.BatchMatMulOptions]: ['BatchMatMulOptions', (bb, p) => {
    const o = at(S.BatchMatMulOptions)(bb, p);
    return { adjX: o.adjX(), adjY: o.adjY(), asymmetricQuantizeInputs: o.asymmetricQuantizeInputs() };
  }],
  [S.BuiltinOptions.CumsumOptions]: ['CumsumOptions', (bb, p) => {
    const o = at(S.CumsumOptions)(bb, p);
    return { exclusive: o.exclusive(), reverse: o.reverse() };
  }],
  [S.BuiltinOptions.ShapeOptions]: ['ShapeOptions', (bb, p) => ({ outType: dtype(at(S.ShapeOptions)(bb, p).outType()) })],
  [S.BuiltinOptions.IfOptions]: ['IfOptions', (bb, p) => {
    const o = at(S.IfOptions)(bb, p);
    return { thenSubgraphIndex: o.thenSubgraphIndex(), elseSubgraphIndex: o.elseSubgraphIndex() };
  }],
  [S.BuiltinOptions.WhileOptions]: ['WhileOptions', (bb, p) => {
    const o = at(S.WhileOptions)(bb, p);
    return { condSubgraphIndex: o.condSubgraphIndex(), bodySubgraphIndex: o.bodySubgraphIndex() };
  }],
  [S.BuiltinOptions.CallOnceOptions]: ['CallOnceOptions', (bb, p) => ({ initSubgraphIndex: at(S.CallOnceOptions)(bb, p).initSubgraphIndex() })],
  [S.BuiltinOptions.GeluOptions]: ['GeluOptions', (bb, p) => ({ approximate: at(S.GeluOptions)(bb, p).approximate() })],
  [S.BuiltinOptions.OneHotOptions]: ['OneHotOptions', (bb, p) => ({ axis: at(S.OneHotOptions)(bb, p).axis() })],
};

/**
 * Decodes an operator's builtin options. `tablePos` is the absolute position of
 * the (already verified) option table, or 0 when the operator carries none.
 */
export function decodeOptions(bb: fb.ByteBuffer, type: number, tablePos: number): { kind: OptionsKind; options: Record<string, unknown> } {
  const d = DECODERS[type];
  if (!d || tablePos === 0) return { kind: 'Empty', options: {} };
  return { kind: d[0], options: d[1](bb, tablePos) };
}

/** The option kind an op uses when the model omits its table (so defaults still apply). */
export function defaultOptionsFor(op: string): { kind: OptionsKind; options: Record<string, unknown> } {
  const type = DEFAULT_TYPE[op];
  if (type === undefined) return { kind: 'Empty', options: {} };
  // An empty table decodes to the schema defaults: build one in memory.
  const b = new fb.Builder(16);
  b.startObject(0);
  const t = b.endObject();
  b.finish(t);
  const bytes = b.asUint8Array();
  const bb = new fb.ByteBuffer(bytes);
  const pos = bb.readInt32(0);
  return decodeOptions(bb, type, pos);
}

const DEFAULT_TYPE: Record<string, number> = {
  CONV_2D: S.BuiltinOptions.Conv2DOptions,
  DEPTHWISE_CONV_2D: S.BuiltinOptions.DepthwiseConv2DOptions,
  AVERAGE_POOL_2D: S.BuiltinOptions.Pool2DOptions,
  MAX_POOL_2D: S.BuiltinOptions.Pool2DOptions,
  FULLY_CONNECTED: S.BuiltinOptions.FullyConnectedOptions,
  SOFTMAX: S.BuiltinOptions.SoftmaxOptions,
  CONCATENATION: S.BuiltinOptions.ConcatenationOptions,
  ADD: S.BuiltinOptions.AddOptions,
  SUB: S.BuiltinOptions.SubOptions,
  MUL: S.BuiltinOptions.MulOptions,
  DIV: S.BuiltinOptions.DivOptions,
  MEAN: S.BuiltinOptions.ReducerOptions,
  SUM: S.BuiltinOptions.ReducerOptions,
  REDUCE_MAX: S.BuiltinOptions.ReducerOptions,
  REDUCE_MIN: S.BuiltinOptions.ReducerOptions,
  REDUCE_PROD: S.BuiltinOptions.ReducerOptions,
  STRIDED_SLICE: S.BuiltinOptions.StridedSliceOptions,
  SVDF: S.BuiltinOptions.SVDFOptions,
  UNIDIRECTIONAL_SEQUENCE_LSTM: S.BuiltinOptions.UnidirectionalSequenceLSTMOptions,
  TRANSPOSE_CONV: S.BuiltinOptions.TransposeConvOptions,
  LEAKY_RELU: S.BuiltinOptions.LeakyReluOptions,
  RESHAPE: S.BuiltinOptions.ReshapeOptions,
  SQUEEZE: S.BuiltinOptions.SqueezeOptions,
  GATHER: S.BuiltinOptions.GatherOptions,
  PACK: S.BuiltinOptions.PackOptions,
  UNPACK: S.BuiltinOptions.UnpackOptions,
  ARG_MAX: S.BuiltinOptions.ArgMaxOptions,
  ARG_MIN: S.BuiltinOptions.ArgMinOptions,
  SPLIT: S.BuiltinOptions.SplitOptions,
  SPLIT_V: S.BuiltinOptions.SplitVOptions,
  RESIZE_BILINEAR: S.BuiltinOptions.ResizeBilinearOptions,
  RESIZE_NEAREST_NEIGHBOR: S.BuiltinOptions.ResizeNearestNeighborOptions,
  SPACE_TO_DEPTH: S.BuiltinOptions.SpaceToDepthOptions,
  DEPTH_TO_SPACE: S.BuiltinOptions.DepthToSpaceOptions,
  MIRROR_PAD: S.BuiltinOptions.MirrorPadOptions,
  BATCH_MATMUL: S.BuiltinOptions.BatchMatMulOptions,
  CUMSUM: S.BuiltinOptions.CumsumOptions,
};
