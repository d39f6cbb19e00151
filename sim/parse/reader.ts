/**
 * Reads a .tflite file into the graph IR (sim/ir/types.ts).
 *
 * Order of work: (1) header and file identifier, (2) the structural verifier
 * (verify.ts) checks every offset the reader will follow, (3) the IR is built
 * through the flatc-generated accessors, checking every index (buffer, tensor,
 * opcode) and size (shapes, quantization arrays, buffer lengths) as it goes.
 * Any failure is a ModelFormatError naming what and where. Semantic checks
 * (float model, dynamic shapes, unsupported ops) are not done here: see
 * sim/ir/check.ts, so that `inspect` can still describe such a model.
 */
import { createHash } from 'node:crypto';
import * as fb from 'flatbuffers';
import * as S from './schema_generated/tflite_generated.js';
import { Verifier } from './verify.js';
import { decodeOptions, defaultOptionsFor } from './options.js';
import { ModelFormatError } from '../../lib/errors.js';
import {
  DTYPE_BY_CODE, DTYPE_BYTES,
  type MetadataEntry, type Model, type Operator, type OperatorCodeInfo, type Quantization, type Subgraph, type Tensor,
} from '../ir/types.js';

/** Limits that no real model reaches; they bound the work a hostile file can cause. */
const MAX_RANK = 16;
const MAX_OP_IO = 1024;
const MAX_NAME = 4096;
const MAX_ELEMENTS = 2 ** 31 - 1;
/**
 * Largest tensor without constant data (an activation or variable): its size
 * comes from the shape alone, not from bytes in the file, and the simulator
 * allocates it. 32 MiB is ten times the RAM of the largest microcontroller
 * boards; a bigger one is a corrupted shape, and would cost seconds and
 * gigabytes to prepare.
 */
const MAX_ACTIVATION_BYTES = 2 ** 25;

const HINT_CORRUPT = 'the file is truncated or corrupted; re-export it from the converter or copy it again';

function formatError(message: string, ctx: ConstructorParameters<typeof ModelFormatError>[3] = {}, code = 'bad-model'): ModelFormatError {
  return new ModelFormatError(code, message, HINT_CORRUPT, ctx);
}

function builtinName(code: number): string {
  const name = (S.BuiltinOperator as unknown as Record<number, string>)[code];
  return name ?? `BUILTIN_${code}`;
}

/** Parses model bytes into the IR. Throws ModelFormatError for anything malformed. */
export function readModel(bytes: Uint8Array, source: string | null = null): Model {
  if (bytes.byteLength === 0) {
    throw new ModelFormatError('empty-file', 'the model file is empty (0 bytes)', 'point tinyforge at a .tflite file produced by the TensorFlow Lite converter', { file: source ?? undefined });
  }
  if (bytes.byteLength < 8) {
    throw new ModelFormatError('truncated', `the file has only ${bytes.byteLength} bytes; a TFLite model is at least a few hundred`, HINT_CORRUPT, { file: source ?? undefined });
  }
  const ident = String.fromCharCode(bytes[4]!, bytes[5]!, bytes[6]!, bytes[7]!);
  if (ident !== 'TFL3') {
    const kind = sniff(bytes);
    throw new ModelFormatError(
      'not-tflite',
      `not a TensorFlow Lite model: expected file identifier "TFL3" at byte 4, got ${JSON.stringify(ident)}${kind ? ` (this looks like ${kind})` : ''}`,
      'convert the model with tf.lite.TFLiteConverter (full-integer quantization) and pass the .tflite file',
      { file: source ?? undefined, offset: 4 },
    );
  }
  if ((bytes.byteOffset & 3) !== 0) {
    // Flatbuffer alignment is relative to the buffer start: copy to an aligned buffer once.
    bytes = new Uint8Array(bytes);
  }
  new Verifier(bytes).verifyModel();

  const bb = new fb.ByteBuffer(bytes);
  const m = S.Model.getRootAsModel(bb);

  // Operator codes.
  const operatorCodes: OperatorCodeInfo[] = [];
  for (let i = 0; i < m.operatorCodesLength(); i++) {
    const oc = m.operatorCodes(i)!;
    // The builtin code is the larger of the two fields: old files only have the
    // deprecated byte, new ones put PLACEHOLDER_FOR_GREATER_OP_CODES (127) in it.
    const code = Math.max(oc.deprecatedBuiltinCode(), oc.builtinCode());
    const custom = code === S.BuiltinOperator.CUSTOM ? safeString(oc.customCode()) : null;
    const op = code === S.BuiltinOperator.CUSTOM ? `CUSTOM:${custom ?? ''}` : builtinName(code);
    operatorCodes.push({ op, builtinCode: code, customCode: custom, version: oc.version() });
  }

  const nBuffers = m.buffersLength();
  const bufferData = (index: number, where: { subgraph: number; tensor: number; tensorName: string }): Uint8Array | null => {
    if (index === 0) return null;
    if (index >= nBuffers) throw formatError(`tensor refers to buffer ${index}, but the model has ${nBuffers} buffers`, where, 'bad-buffer-index');
    const b = m.buffers(index)!;
    const dataLen = b.dataLength();
    if (dataLen > 0) {
      const p = bb.__vector(b.bb_pos + bb.__offset(b.bb_pos, 4));
      return bytes.subarray(p, p + dataLen);
    }
    // Large models (> 2 GB converters) keep buffers outside the flatbuffer: offset/size from the file start.
    const off = b.offset();
    const size = b.size();
    if (off > 1n) {
      if (off + size > BigInt(bytes.byteLength)) {
        throw formatError(`buffer ${index} lies at ${off}+${size}, past the end of the ${bytes.byteLength}-byte file`, where, 'bad-buffer-offset');
      }
      return bytes.subarray(Number(off), Number(off + size));
    }
    return null;
  };

  const subgraphs: Subgraph[] = [];
  for (let s = 0; s < m.subgraphsLength(); s++) {
    const sg = m.subgraphs(s)!;
    const nTensors = sg.tensorsLength();
    const tensors: Tensor[] = [];
    for (let t = 0; t < nTensors; t++) tensors.push(readTensor(sg.tensors(t)!, s, t, bufferData));

    const checkIndex = (v: number, what: string, ctx: object, allowOptional: boolean): number => {
      if (allowOptional && v === -1) return v;
      if (!Number.isInteger(v) || v < 0 || v >= nTensors) {
        throw formatError(`${what} refers to tensor ${v}, but subgraph ${s} has ${nTensors} tensors`, { subgraph: s, ...ctx }, 'bad-tensor-index');
      }
      return v;
    };
    const inputs = readInts(sg.inputsLength(), (i) => sg.inputs(i), MAX_OP_IO, 'subgraph inputs', { subgraph: s }).map((v) => checkIndex(v, 'a subgraph input', {}, false));
    const outputs = readInts(sg.outputsLength(), (i) => sg.outputs(i), MAX_OP_IO, 'subgraph outputs', { subgraph: s }).map((v) => checkIndex(v, 'a subgraph output', {}, false));

    const operators: Operator[] = [];
    for (let k = 0; k < sg.operatorsLength(); k++) {
      const o = sg.operators(k)!;
      const ci = o.opcodeIndex();
      if (ci >= operatorCodes.length) {
        throw formatError(`operator ${k} uses opcode ${ci}, but the model lists ${operatorCodes.length} operator codes`, { subgraph: s, opIndex: k }, 'bad-opcode-index');
      }
      const code = operatorCodes[ci]!;
      const ctx = { opIndex: k, op: code.op };
      const opInputs = readInts(o.inputsLength(), (i) => o.inputs(i), MAX_OP_IO, 'operator inputs', { subgraph: s, ...ctx }).map((v) => checkIndex(v, `operator ${k} (${code.op}) input`, ctx, true));
      const opOutputs = readInts(o.outputsLength(), (i) => o.outputs(i), MAX_OP_IO, 'operator outputs', { subgraph: s, ...ctx }).map((v) => checkIndex(v, `operator ${k} (${code.op}) output`, ctx, false));
      const inter = readInts(o.intermediatesLength(), (i) => o.intermediates(i), MAX_OP_IO, 'operator intermediates', { subgraph: s, ...ctx }).map((v) => checkIndex(v, `operator ${k} (${code.op}) intermediate`, ctx, true));

      const optType = o.builtinOptionsType();
      const optOffset = bb.__offset(o.bb_pos, 12);
      const optPos = optOffset === 0 || optType === 0 ? 0 : bb.__indirect(o.bb_pos + optOffset);
      const decoded = optPos === 0 ? defaultOptionsFor(code.op) : decodeOptions(bb, optType, optPos);

      let customOptions: Uint8Array | null = null;
      const coLen = o.customOptionsLength();
      if (coLen > 0) {
        const p = bb.__vector(o.bb_pos + bb.__offset(o.bb_pos, 14));
        customOptions = bytes.subarray(p, p + coLen);
      } else if (o.largeCustomOptionsOffset() > 1n) {
        const off = o.largeCustomOptionsOffset();
        const size = o.largeCustomOptionsSize();
        if (off + size > BigInt(bytes.byteLength)) throw formatError(`custom options lie at ${off}+${size}, past the end of the file`, { subgraph: s, ...ctx }, 'bad-buffer-offset');
        customOptions = bytes.subarray(Number(off), Number(off + size));
      }

      operators.push({
        index: k,
        op: code.op,
        builtinCode: code.builtinCode,
        customCode: code.customCode,
        version: code.version,
        inputs: opInputs,
        outputs: opOutputs,
        intermediates: inter,
        optionsKind: decoded.kind,
        options: decoded.options,
        customOptions,
      });
    }
    checkExecutionOrder(s, tensors, operators, inputs);
    subgraphs.push({ index: s, name: safeString(sg.name()) ?? '', tensors, operators, inputs, outputs });
  }
  if (subgraphs.length === 0) {
    throw formatError('the model has no subgraphs', {}, 'no-subgraph');
  }

  const metadata: MetadataEntry[] = [];
  for (let i = 0; i < m.metadataLength(); i++) {
    const md = m.metadata(i)!;
    const bi = md.buffer();
    let data: Uint8Array | null = null;
    if (bi !== 0 && bi < nBuffers) {
      try {
        data = bufferData(bi, { subgraph: 0, tensor: -1, tensorName: '' });
      } catch {
        data = null;
      }
    }
    metadata.push({ name: safeString(md.name()) ?? '', buffer: bi, data });
  }

  return {
    version: m.version(),
    description: safeString(m.description()) ?? '',
    subgraphs,
    operatorCodes,
    metadata,
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    source,
  };
}

/**
 * Operators run in the order the file lists them (TFLM does no scheduling):
 * an operator must not read an activation that only it or a later operator
 * produces (a cycle, or operators out of topological order). Constants,
 * variables and subgraph inputs exist before any operator runs.
 */
function checkExecutionOrder(s: number, tensors: readonly Tensor[], operators: readonly Operator[], inputs: readonly number[]): void {
  const producer = new Int32Array(tensors.length).fill(-1);
  for (const op of operators) {
    for (const t of op.outputs) if (producer[t]! < 0) producer[t] = op.index;
  }
  const preexisting = new Set(inputs);
  for (const op of operators) {
    for (const t of op.inputs) {
      if (t < 0) continue;
      const p = producer[t]!;
      if (p < op.index) continue;
      const tensor = tensors[t]!;
      if (tensor.data !== null || tensor.isVariable || preexisting.has(t)) continue;
      const by = operators[p]!;
      throw formatError(
        p === op.index
          ? `operator ${op.index} (${op.op}) reads tensor ${t} ${JSON.stringify(tensor.name)}, which it produces itself (a cycle in the graph)`
          : `operator ${op.index} (${op.op}) reads tensor ${t} ${JSON.stringify(tensor.name)}, which is only produced later, by operator ${p} (${by.op}): the operators are not in execution order (or the graph has a cycle)`,
        { subgraph: s, opIndex: op.index, op: op.op, tensor: t, tensorName: tensor.name },
        'bad-op-order',
      );
    }
  }
}

function readTensor(
  t: S.Tensor,
  s: number,
  index: number,
  bufferData: (i: number, where: { subgraph: number; tensor: number; tensorName: string }) => Uint8Array | null,
): Tensor {
  const name = safeString(t.name()) ?? '';
  const where = { subgraph: s, tensor: index, tensorName: name };
  const rank = t.shapeLength();
  if (rank > MAX_RANK) throw formatError(`tensor has rank ${rank}; at most ${MAX_RANK} is supported`, where, 'bad-shape');
  const shape = readInts(rank, (i) => t.shape(i), MAX_RANK, 'shape', where);
  const sigLen = t.shapeSignatureLength();
  const shapeSignature = sigLen > 0 ? readInts(sigLen, (i) => t.shapeSignature(i), MAX_RANK, 'shape_signature', where) : null;
  const code = t.type();
  const dtype = DTYPE_BY_CODE[code];
  if (dtype === undefined) throw formatError(`tensor has unknown type code ${code}`, where, 'bad-dtype');

  let elements = 1;
  for (const d of shape) {
    // Negative dims are a dynamic shape (reported by the checker), not a format error.
    elements *= Math.max(d, 0);
    if (elements > MAX_ELEMENTS) {
      throw formatError(`tensor shape [${shape.join(', ')}] has more than 2^31-1 elements`, where, 'shape-overflow');
    }
  }
  const bytesPerElem = DTYPE_BYTES[dtype];
  const byteSize = Math.ceil(elements * bytesPerElem);

  const bufferIndex = t.buffer();
  const data = bufferData(bufferIndex, where);
  if (data === null && byteSize > MAX_ACTIVATION_BYTES) {
    throw formatError(`tensor shape [${shape.join(', ')}] ${dtype} needs ${byteSize} bytes, more than the ${MAX_ACTIVATION_BYTES / 2 ** 20} MiB tinyforge allows for a tensor computed at run time`, where, 'tensor-too-large');
  }
  if (data !== null && bytesPerElem > 0 && data.byteLength !== byteSize && dtype !== 'string') {
    throw formatError(`tensor needs ${byteSize} bytes of constant data for shape [${shape.join(', ')}] ${dtype}, but buffer ${bufferIndex} holds ${data.byteLength}`, where, 'bad-buffer-size');
  }

  let quantization: Quantization | null = null;
  const q = t.quantization();
  if (q) {
    const nScale = q.scaleLength();
    const nZp = q.zeroPointLength();
    if (nScale > 0) {
      let axis = q.quantizedDimension();
      // Some converters leave a stale quantized_dimension on 1-D bias tensors
      // (person_detect has axis 3 on shape [8]); TFLM never reads it there.
      if (nScale > 1 && rank === 1 && shape[0] === nScale) axis = 0;
      if (nScale > 1 && (axis < 0 || axis >= rank || shape[axis] !== nScale)) {
        throw formatError(`per-channel quantization has ${nScale} scales along axis ${axis}, which does not match shape [${shape.join(', ')}]`, where, 'bad-quantization');
      }
      if (nZp !== 0 && nZp !== nScale) {
        throw formatError(`quantization has ${nScale} scales but ${nZp} zero points`, where, 'bad-quantization');
      }
      if (nScale > MAX_ELEMENTS || nScale > elements + 1) throw formatError(`quantization has ${nScale} scales for ${elements} elements`, where, 'bad-quantization');
      const scale: number[] = [];
      const zeroPoint: number[] = [];
      for (let i = 0; i < nScale; i++) scale.push(q.scale(i) ?? 0);
      for (let i = 0; i < nScale; i++) {
        const z = nZp === 0 ? 0n : q.zeroPoint(i) ?? 0n;
        if (z < -(2n ** 31n) || z >= 2n ** 31n) throw formatError(`zero point ${z} is outside the int32 range`, where, 'bad-quantization');
        zeroPoint.push(Number(z));
      }
      quantization = { scale, zeroPoint, axis: nScale > 1 ? axis : 0 };
    }
  }

  return {
    index,
    name,
    shape,
    shapeSignature,
    dtype,
    quantization,
    buffer: bufferIndex,
    data,
    isVariable: t.isVariable(),
    elements,
    bytes: byteSize,
    sparse: t.sparsity() !== null,
  };
}

function readInts(n: number, get: (i: number) => number | null, max: number, what: string, ctx: object): number[] {
  if (n > max) throw formatError(`${what} has ${n} entries; at most ${max} are supported`, ctx, 'too-large');
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = get(i) ?? 0;
  return out;
}

/** Strings from a model are untrusted: cap their length (they end up in reports and C comments). */
function safeString(s: string | null): string | null {
  if (s === null) return null;
  return s.length > MAX_NAME ? s.slice(0, MAX_NAME) : s;
}

/** Names a few common wrong inputs so the error can say what the file is. */
function sniff(b: Uint8Array): string | null {
  const head = String.fromCharCode(...b.subarray(0, Math.min(8, b.length)));
  if (head.startsWith('\x89PNG')) return 'a PNG image';
  if (head.startsWith('\xFF\xD8')) return 'a JPEG image';
  if (head.startsWith('PK')) return 'a ZIP archive (a Keras .keras file or a saved model archive?)';
  if (head.startsWith('\x89HDF')) return 'an HDF5 file (a Keras .h5 model: convert it with tf.lite.TFLiteConverter first)';
  if (head.startsWith('\x08') || head.includes('ONNX')) return 'possibly an ONNX or protobuf file';
  if (head.startsWith('{') || head.startsWith('[')) return 'a JSON file';
  if (head.startsWith('\x93NUMPY')) return 'a NumPy .npy file';
  return null;
}
