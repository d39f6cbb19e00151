/**
 * tinyforge's library API. Small and typed on purpose: load a model, inspect
 * it, analyze it on a board (memory, latency, energy, an HTML report),
 * simulate it bit-exactly like TFLite Micro, quantize / dequantize.
 */
export { loadModel, parseModel } from './load.js';
export { inspectModel } from './inspect.js';
export type { InspectReport, InspectOperator, InspectTensor, QuantizationReport } from './inspect.js';
export { createSimulator, Simulator } from '../sim/interpreter.js';
export type { TensorInfo } from '../sim/interpreter.js';
export { quantize, dequantize } from './quant.js';
export { checkModel } from '../sim/ir/check.js';
export { resolveBoard, listBoards } from './boards.js';
export type { ResolvedBoard } from './boards.js';
export { estimate } from '../sim/estimate/index.js';
export { tflmArena } from '../sim/estimate/tflm_arena.js';
export { planMemory } from '../sim/plan/planner.js';
export type { MemoryPlan, PlannedBuffer } from '../sim/plan/planner.js';
export { generateFirmware, renderFirmware } from './generate.js';
export { analyzeModel, analyzeExitCode } from './analyze.js';
export type { AnalyzeOptions, AnalyzeReport, Timeline, TimelineBuffer, MemoryLimits } from './analyze.js';
export { renderReportHtml } from './report-html.js';
export * from './errors.js';
export type { Model, Tensor, Operator, Subgraph, DType, Quantization } from '../sim/ir/types.js';
export type { TypedArray } from '../sim/kernels/types.js';
export { VERSION } from './version.js';
