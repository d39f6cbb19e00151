/** Registry of native-engine op emitters: operator name -> emitter. One import per file. */
import type { OpEmitter } from '../types.js';
import { reshapeEmitter } from './reshape.js';
import { logisticEmitter } from './logistic.js';
import { tanhEmitter } from './tanh.js';
import { hardSwishEmitter } from './hard_swish.js';
import { reluEmitter } from './relu.js';
import { leakyReluEmitter } from './leaky_relu.js';
import { subEmitter } from './sub.js';
import { mulEmitter } from './mul.js';
import { maximumMinimumEmitter } from './maximum_minimum.js';
import { divEmitter } from './div.js';
import { stridedSliceEmitter } from './strided_slice.js';
import { sliceEmitter } from './slice.js';
import { splitEmitter } from './split.js';
import { concatenationEmitter } from './concatenation.js';
import { castEmitter } from './cast.js';
import { transposeConvEmitter } from './transpose_conv.js';
import { svdfEmitter } from './svdf.js';
import { unidirectionalSequenceLstmEmitter } from './unidirectional_sequence_lstm.js';
import { signalEmitter } from './signal.js';
import { gatherEmitter } from './gather.js';
import { addEmitter } from './add.js';
import { conv2dEmitter } from './conv_2d.js';
import { depthwiseConv2dEmitter } from './depthwise_conv_2d.js';
import { dequantizeEmitter } from './dequantize.js';
import { fullyConnectedEmitter } from './fully_connected.js';
import { meanEmitter } from './mean.js';
import { padEmitter } from './pad.js';
import { poolingEmitter } from './pooling.js';
import { quantizeEmitter } from './quantize.js';
import { softmaxEmitter } from './softmax.js';
import { transposeEmitter } from './transpose.js';

const EMITTERS: readonly OpEmitter[] = [
  reshapeEmitter,
  logisticEmitter,
  tanhEmitter,
  hardSwishEmitter,
  reluEmitter,
  leakyReluEmitter,
  subEmitter,
  mulEmitter,
  maximumMinimumEmitter,
  divEmitter,
  stridedSliceEmitter,
  sliceEmitter,
  splitEmitter,
  concatenationEmitter,
  castEmitter,
  transposeConvEmitter,
  svdfEmitter,
  unidirectionalSequenceLstmEmitter,
  signalEmitter,
  gatherEmitter,
  addEmitter,
  conv2dEmitter,
  depthwiseConv2dEmitter,
  dequantizeEmitter,
  fullyConnectedEmitter,
  meanEmitter,
  padEmitter,
  poolingEmitter,
  quantizeEmitter,
  softmaxEmitter,
  transposeEmitter,
];

const BY_OP = new Map<string, OpEmitter>();
for (const e of EMITTERS) for (const op of e.ops) BY_OP.set(op, e);

export function emitterFor(op: string): OpEmitter | undefined {
  return BY_OP.get(op);
}

export function nativeOps(): string[] {
  return [...BY_OP.keys()].sort();
}
