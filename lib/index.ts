/**
 * tinyforge's library API. Small and typed on purpose: load a model, inspect
 * it, simulate it bit-exactly like TFLite Micro, quantize / dequantize.
 */
export { loadModel, parseModel } from './load.js';
export { inspectModel } from './inspect.js';
export type { InspectReport, InspectOperator, InspectTensor, QuantizationReport } from './inspect.js';
export { createSimulator, Simulator } from '../sim/interpreter.js';
export type { TensorInfo } from '../sim/interpreter.js';
export { quantize, dequantize } from './quant.js';
export { checkModel } from '../sim/ir/check.js';
export * from './errors.js';
export type { Model, Tensor, Operator, Subgraph, DType, Quantization } from '../sim/ir/types.js';
export type { TypedArray } from '../sim/kernels/types.js';
export { VERSION } from './version.js';
