/**
 * Board-independent work of one operator, in the units the latency model
 * prices: MACs, output elements and "elements" (inputs for pooling and
 * reductions, outputs for everything else), plus the op class that picks the
 * cost row. Built on counts.ts (MACs); nothing here knows about boards.
 */
import type { Operator, Subgraph } from '../ir/types.js';
import { opMacs } from './counts.js';

/**
 * Cost classes. One class per kernel family whose cost scales the same way:
 * - conv: CONV_2D, TRANSPOSE_CONV (per MAC + per output: requantisation)
 * - dwconv: DEPTHWISE_CONV_2D (per MAC)
 * - fc: FULLY_CONNECTED, BATCH_MATMUL (per MAC + per output)
 * - svdf: SVDF (per MAC)
 * - lstm: UNIDIRECTIONAL_SEQUENCE_LSTM (per MAC + per output: gate maths per cell and step)
 * - move: data movement, pooling and reductions (per element)
 * - custom: CUSTOM:* ops (per output element)
 * - eltwise: everything else (ADD, MUL, QUANTIZE, SOFTMAX, LOGISTIC, ...: per output element)
 */
export type OpClass = 'conv' | 'dwconv' | 'fc' | 'svdf' | 'lstm' | 'eltwise' | 'move' | 'custom';
export const OP_CLASSES: readonly OpClass[] = ['conv', 'dwconv', 'fc', 'svdf', 'lstm', 'eltwise', 'move', 'custom'];

const CLASS_OF: Readonly<Record<string, OpClass>> = {
  CONV_2D: 'conv', TRANSPOSE_CONV: 'conv',
  DEPTHWISE_CONV_2D: 'dwconv',
  FULLY_CONNECTED: 'fc', BATCH_MATMUL: 'fc',
  SVDF: 'svdf',
  UNIDIRECTIONAL_SEQUENCE_LSTM: 'lstm',
  AVERAGE_POOL_2D: 'move', MAX_POOL_2D: 'move', L2_POOL_2D: 'move', MEAN: 'move', SUM: 'move', REDUCE_MAX: 'move', REDUCE_MIN: 'move', REDUCE_PROD: 'move',
  RESHAPE: 'move', SQUEEZE: 'move', EXPAND_DIMS: 'move', PAD: 'move', PADV2: 'move', MIRROR_PAD: 'move', TRANSPOSE: 'move',
  CONCATENATION: 'move', STRIDED_SLICE: 'move', SLICE: 'move', SPLIT: 'move', SPLIT_V: 'move', PACK: 'move', UNPACK: 'move',
  GATHER: 'move', GATHER_ND: 'move', SPACE_TO_DEPTH: 'move', DEPTH_TO_SPACE: 'move', BATCH_TO_SPACE_ND: 'move', SPACE_TO_BATCH_ND: 'move',
  RESIZE_NEAREST_NEIGHBOR: 'move', BROADCAST_TO: 'move', FILL: 'move', ZEROS_LIKE: 'move', CAST: 'move', SHAPE: 'move',
};
/** Ops whose cost follows the elements they read (pooling windows, reductions). */
const PER_INPUT = new Set(['AVERAGE_POOL_2D', 'MAX_POOL_2D', 'L2_POOL_2D', 'MEAN', 'SUM', 'REDUCE_MAX', 'REDUCE_MIN', 'REDUCE_PROD']);

export function opClass(op: string): OpClass {
  if (op.startsWith('CUSTOM:')) return 'custom';
  return CLASS_OF[op] ?? 'eltwise';
}

export interface OpWork {
  readonly index: number;
  readonly op: string;
  readonly cls: OpClass;
  readonly macs: number;
  /** Elements of all outputs. */
  readonly outputElements: number;
  /** Elements of all non-constant inputs. */
  readonly inputElements: number;
  /** The element count the class is priced on: inputs for pooling/reductions, outputs otherwise. */
  readonly elements: number;
}

export function opWork(sg: Subgraph, op: Operator): OpWork {
  let outputElements = 0;
  for (const ti of op.outputs) outputElements += sg.tensors[ti]?.elements ?? 0;
  let inputElements = 0;
  for (const ti of op.inputs) {
    const t = ti >= 0 ? sg.tensors[ti] : undefined;
    if (t && !t.data) inputElements += t.elements;
  }
  return {
    index: op.index,
    op: op.op,
    cls: opClass(op.op),
    macs: opMacs(sg, op),
    outputElements,
    inputElements,
    elements: PER_INPUT.has(op.op) ? inputElements : outputElements,
  };
}

export function subgraphWork(sg: Subgraph): OpWork[] {
  return sg.operators.map((op) => opWork(sg, op));
}
