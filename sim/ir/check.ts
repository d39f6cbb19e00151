/**
 * What stands between a parsed model and running it: model-level problems
 * (float, hybrid, legacy uint8, dynamic shapes, control flow, sparsity) and
 * per-operator ones (custom ops, builtin ops or variants the simulator has no
 * kernel for). Every problem is collected, never just the first, each with
 * what, where and how to fix it.
 */
import { ModelProblemsError, type Problem } from '../../lib/errors.js';
import type { Model, Operator, Subgraph, Tensor } from './types.js';

/** Ops whose weights make a float-activation graph "hybrid" when they are int8. */
const WEIGHTED_OPS = new Set([
  'CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'TRANSPOSE_CONV', 'SVDF',
  'UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM', 'LSTM', 'BATCH_MATMUL',
  'EMBEDDING_LOOKUP', 'UNIDIRECTIONAL_SEQUENCE_RNN', 'RNN', 'CONV_3D',
]);
/** Ops that legitimately take or produce float at the edges of an int8 graph. */
const FLOAT_EDGE_OPS = new Set(['QUANTIZE', 'DEQUANTIZE', 'CAST']);
const CONTROL_FLOW_OPS = new Set(['IF', 'WHILE', 'CALL_ONCE', 'CALL', 'STABLEHLO_WHILE', 'STABLEHLO_CASE']);

const PTQ_HINT =
  'convert with full-integer post-training quantization: converter.optimizations = [tf.lite.Optimize.DEFAULT]; ' +
  'converter.representative_dataset = <a generator of ~100 real input samples>; ' +
  'converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]; ' +
  'converter.inference_input_type = converter.inference_output_type = tf.int8';

function isActivation(t: Tensor): boolean {
  return t.data === null;
}

function isQuantizedInt(t: Tensor): boolean {
  return (t.dtype === 'int8' || t.dtype === 'int16') && t.quantization !== null;
}

/** Model-level problems that do not depend on kernels. */
export function modelProblems(model: Model): Problem[] {
  const problems: Problem[] = [];
  const sg = model.subgraphs[0]!;

  if (model.subgraphs.length > 1 || sg.operators.some((o) => CONTROL_FLOW_OPS.has(o.op))) {
    problems.push({
      code: 'control-flow',
      message: `the model has ${model.subgraphs.length} subgraphs${sg.operators.some((o) => CONTROL_FLOW_OPS.has(o.op)) ? ' and control-flow operators (IF/WHILE/CALL_ONCE)' : ''}; tinyforge runs single-subgraph models only`,
      hint: 'export the model without control flow (unroll loops, avoid tf.cond / tf.while_loop, use a static batch) and convert again',
    });
  }

  const activations = sg.tensors.filter(isActivation);
  const floatActs = activations.filter((t) => t.dtype === 'float32');
  const hybridOps = sg.operators.filter((op) => WEIGHTED_OPS.has(op.op) && isHybrid(sg, op));
  const floatOps = sg.operators.filter((op) => !FLOAT_EDGE_OPS.has(op.op) && op.outputs.some((ti) => sg.tensors[ti]?.dtype === 'float32') && !hybridOps.includes(op));

  if (hybridOps.length > 0) {
    problems.push({
      code: 'hybrid-model',
      message: `hybrid (dynamic-range) quantized model: ${hybridOps.length} operator(s) take float32 activations with int8 weights (first: operator ${hybridOps[0]!.index} ${hybridOps[0]!.op}); TFLite Micro and tinyforge need int8 activations too`,
      hint: PTQ_HINT,
      opIndex: hybridOps[0]!.index,
      op: hybridOps[0]!.op,
    });
  } else if (floatOps.length > 0 && !activations.some(isQuantizedInt)) {
    problems.push({
      code: 'float-model',
      message: `float32 model: all ${floatActs.length} activation tensors are float32 and no operator is quantized; tinyforge runs int8 (and int16-activation) models`,
      hint: PTQ_HINT,
    });
  } else if (floatOps.length > 0) {
    problems.push({
      code: 'float-ops',
      message: `${floatOps.length} operator(s) compute in float32 inside a quantized model (first: operator ${floatOps[0]!.index} ${floatOps[0]!.op})`,
      hint: `quantize the whole graph: ${PTQ_HINT}`,
      opIndex: floatOps[0]!.index,
      op: floatOps[0]!.op,
    });
  }

  const uint8 = sg.tensors.filter((t) => t.dtype === 'uint8' && t.quantization !== null);
  if (uint8.length > 0) {
    problems.push({
      code: 'uint8-model',
      message: `legacy uint8-quantized model (${uint8.length} uint8 tensors, first: tensor ${uint8[0]!.index} ${JSON.stringify(uint8[0]!.name)}); TFLite Micro dropped uint8 kernels`,
      hint: `re-convert with int8 quantization (TF 2.x converter): ${PTQ_HINT}`,
      tensor: uint8[0]!.index,
      tensorName: uint8[0]!.name,
    });
  }

  const dynamic = sg.tensors.filter((t) => t.shape.some((d) => d < 0) || (t.shapeSignature?.some((d, i) => d < 0 && i > 0) ?? false));
  if (dynamic.length > 0) {
    const t = dynamic[0]!;
    problems.push({
      code: 'dynamic-shape',
      message: `${dynamic.length} tensor(s) have dynamic shapes (first: tensor ${t.index} ${JSON.stringify(t.name)} with shape_signature [${(t.shapeSignature ?? t.shape).join(', ')}]); microcontroller firmware needs every shape fixed`,
      hint: 'give the model a fixed input shape before converting (e.g. a tf.function with a fully specified input_signature, or model.build with concrete dims)',
      tensor: t.index,
      tensorName: t.name,
    });
  }

  const sparse = sg.tensors.filter((t) => t.sparse);
  if (sparse.length > 0) {
    problems.push({
      code: 'sparse-tensor',
      message: `${sparse.length} tensor(s) are stored sparse (first: tensor ${sparse[0]!.index}); tinyforge does not densify`,
      hint: 'convert without sparsity optimizations (drop tf.lite.Optimize.EXPERIMENTAL_SPARSITY)',
      tensor: sparse[0]!.index,
      tensorName: sparse[0]!.name,
    });
  }
  return problems;
}

function isHybrid(sg: Subgraph, op: Operator): boolean {
  const input = sg.tensors[op.inputs[0] ?? -1];
  if (!input || input.dtype !== 'float32') return false;
  return op.inputs.slice(1).some((ti) => {
    const t = ti >= 0 ? sg.tensors[ti] : undefined;
    return t !== undefined && t.data !== null && (t.dtype === 'int8' || t.dtype === 'uint8');
  });
}

/**
 * Every problem of a model: model-level ones, then per-operator ones found by
 * preparing the simulator. Per-op float problems are left out when the model
 * is float or hybrid as a whole (one clear message instead of one per op).
 */
export async function checkModel(model: Model): Promise<Problem[]> {
  const problems = modelProblems(model);
  const wholeModel = problems.some((p) => p.code === 'float-model' || p.code === 'hybrid-model' || p.code === 'control-flow');
  const { Simulator } = await import('../interpreter.js');
  try {
    new Simulator(model);
  } catch (e) {
    if (!(e instanceof ModelProblemsError)) throw e;
    for (const p of e.problems) {
      if (wholeModel && p.code !== 'custom-op') continue;
      problems.push(p);
    }
  }
  return problems;
}
