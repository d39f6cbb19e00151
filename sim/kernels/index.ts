/**
 * The kernel registry: operator name -> kernel. One import per kernel file.
 */
import type { Kernel } from './types.js';
import { signalWindowKernel } from './signal/window.js';
import { signalFftAutoScaleKernel } from './signal/fft_auto_scale.js';
import { signalRfftKernel } from './signal/rfft.js';
import { signalEnergyKernel } from './signal/energy.js';
import { signalFilterBankKernel } from './signal/filter_bank.js';
import { signalFilterBankSquareRootKernel } from './signal/filter_bank_square_root.js';
import { signalFilterBankSpectralSubtractionKernel } from './signal/filter_bank_spectral_subtraction.js';
import { signalPcanKernel } from './signal/pcan.js';
import { signalFilterBankLogKernel } from './signal/filter_bank_log.js';
import { squaredDifferenceKernel } from './squared_difference.js';
import { negKernel } from './neg.js';
import { absKernel } from './abs.js';
import { preluKernel } from './prelu.js';
import { leakyReluKernel } from './leaky_relu.js';
import { relu6Kernel } from './relu6.js';
import { reluKernel } from './relu.js';
import { maximumMinimumKernel } from './maximum_minimum.js';
import { divKernel } from './div.js';
import { conv2dKernel } from './conv_2d.js';
import { depthwiseConv2dKernel } from './depthwise_conv_2d.js';
import { transposeConvKernel } from './transpose_conv.js';
import { mulKernel } from './mul.js';
import { subKernel } from './sub.js';
import { addKernel } from './add.js';
import { reshapeKernel } from './reshape.js';
import { softmaxKernel } from './softmax.js';
import { logisticKernel } from './logistic.js';
import { tanhKernel } from './tanh.js';
import { hardSwishKernel } from './hard_swish.js';
import { unidirectionalSequenceLstmKernel } from './unidirectional_sequence_lstm.js';
import { fullyConnectedKernel } from './fully_connected.js';
import { quantizeKernel } from './quantize.js';
import { dequantizeKernel } from './dequantize.js';
import { svdfKernel } from './svdf.js';
import { castKernel } from './cast.js';
import { padKernel } from './pad.js';
import { mirrorPadKernel } from './mirror_pad.js';
import { stridedSliceKernel } from './strided_slice.js';
import { averagePool2dKernel } from './average_pool_2d.js';
import { maxPool2dKernel } from './max_pool_2d.js';
import { meanKernel } from './mean.js';
import { sumKernel } from './sum.js';
import { reduceMaxKernel } from './reduce_max.js';
import { concatenationKernel } from './concatenation.js';
import { transposeKernel } from './transpose.js';
import { sliceKernel } from './slice.js';
import { splitKernel } from './split.js';
import { splitVKernel } from './split_v.js';
import { packKernel } from './pack.js';
import { unpackKernel } from './unpack.js';
import { gatherKernel } from './gather.js';
import { spaceToDepthKernel } from './space_to_depth.js';
import { depthToSpaceKernel } from './depth_to_space.js';
import { resizeNearestNeighborKernel } from './resize_nearest_neighbor.js';
import { argMinMaxKernel } from './arg_min_max.js';
import { zerosLikeKernel } from './zeros_like.js';
import { fillKernel } from './fill.js';

const KERNELS: readonly Kernel[] = [
  signalWindowKernel,
  signalFftAutoScaleKernel,
  signalRfftKernel,
  signalEnergyKernel,
  signalFilterBankKernel,
  signalFilterBankSquareRootKernel,
  signalFilterBankSpectralSubtractionKernel,
  signalPcanKernel,
  signalFilterBankLogKernel,
  squaredDifferenceKernel,
  negKernel,
  absKernel,
  preluKernel,
  leakyReluKernel,
  relu6Kernel,
  reluKernel,
  maximumMinimumKernel,
  divKernel,
  conv2dKernel,
  depthwiseConv2dKernel,
  transposeConvKernel,
  mulKernel,
  subKernel,
  addKernel,
  reshapeKernel,
  softmaxKernel,
  logisticKernel,
  tanhKernel,
  hardSwishKernel,
  unidirectionalSequenceLstmKernel,
  fullyConnectedKernel,
  quantizeKernel,
  dequantizeKernel,
  svdfKernel,
  castKernel,
  padKernel,
  mirrorPadKernel,
  stridedSliceKernel,
  averagePool2dKernel,
  maxPool2dKernel,
  meanKernel,
  sumKernel,
  reduceMaxKernel,
  concatenationKernel,
  transposeKernel,
  sliceKernel,
  splitKernel,
  splitVKernel,
  packKernel,
  unpackKernel,
  gatherKernel,
  spaceToDepthKernel,
  depthToSpaceKernel,
  resizeNearestNeighborKernel,
  argMinMaxKernel,
  zerosLikeKernel,
  fillKernel,
];

const BY_OP = new Map<string, Kernel>();
for (const k of KERNELS) for (const op of k.ops) BY_OP.set(op, k);

export function kernelFor(op: string): Kernel | undefined {
  return BY_OP.get(op);
}

/** Every operator name the simulator can run, sorted. */
export function supportedOps(): string[] {
  return [...BY_OP.keys()].sort();
}
