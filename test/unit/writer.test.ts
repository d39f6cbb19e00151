/**
 * The TFLite writer (sim/parse/writer.ts) against the reader: what is
 * written reads back as the same IR facts, and every golden model re-expressed
 * as a spec, written and read back, gives the same tensors, operators,
 * options, constant data and metadata (which checks both sides at once).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as fb from 'flatbuffers';
import * as S from '../../sim/parse/schema_generated/tflite_generated.js';
import { readModel } from '../../sim/parse/reader.js';
import { specFromModel, writeModel, type ModelSpec, type OperatorSpec } from '../../sim/parse/writer.js';
import { TinyforgeError } from '../../lib/errors.js';
import type { Model, OptionsByKind, OptionsKind } from '../../sim/ir/types.js';
import { GOLDEN_DIR, listGoldenCases, requireGolden } from '../golden/cases.js';

const q = (scale: number, zeroPoint = 0) => ({ scale: [scale], zeroPoint: [zeroPoint] });

function int8(n: number, seed: number): Int8Array {
  const a = new Int8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    a[i] = ((s >>> 16) % 255) - 127;
  }
  return a;
}

/** A small conv net with every feature the writer has: per-channel weights, options, custom op, variable, metadata. */
function sampleSpec(): ModelSpec {
  return {
    description: 'writer test',
    tensors: [
      { name: 'input', shape: [1, 8, 8, 2], dtype: 'int8', quantization: q(0.05, -3), shapeSignature: [-1, 8, 8, 2] },
      { name: 'conv/w', shape: [3, 3, 3, 2], dtype: 'int8', quantization: { scale: [0.01, 0.02, 0.03], zeroPoint: [0, 0, 0], axis: 0 }, data: int8(54, 1) },
      { name: 'conv/b', shape: [3], dtype: 'int32', quantization: { scale: [0.0005, 0.001, 0.0015], zeroPoint: [0, 0, 0] }, data: new Int32Array([100, -200, 300]) },
      { name: 'conv/out', shape: [1, 8, 8, 3], dtype: 'int8', quantization: { ...q(0.1, -128), min: [0], max: [25.5] } },
      { name: 'pool/out', shape: [1, 4, 4, 3], dtype: 'int8', quantization: q(0.1, -128) },
      { name: 'shape', shape: [2], dtype: 'int32', data: new Int32Array([1, 48]) },
      { name: 'flat', shape: [1, 48], dtype: 'int8', quantization: q(0.1, -128) },
      { name: 'fc/w', shape: [4, 48], dtype: 'int8', quantization: { scale: [0.01, 0.011, 0.012, 0.013], zeroPoint: [0, 0, 0, 0], axis: 0 }, data: int8(192, 2) },
      { name: 'fc/b', shape: [4], dtype: 'int32', quantization: { scale: [0.001, 0.0011, 0.0012, 0.0013], zeroPoint: [0, 0, 0, 0] }, data: new Int32Array([1, 2, 3, 4]) },
      { name: 'logits', shape: [1, 4], dtype: 'int8', quantization: q(0.2, 5) },
      { name: 'probs', shape: [1, 4], dtype: 'int8', quantization: q(1 / 256, -128) },
      { name: 'state', shape: [1, 4], dtype: 'int8', quantization: q(0.2, 5), isVariable: true },
      { name: 'cum', shape: [1, 4], dtype: 'int8', quantization: q(0.2, 5) },
      { name: 'custom', shape: [1, 4], dtype: 'int8', quantization: q(0.2, 5) },
    ],
    operators: [
      { op: 'CONV_2D', inputs: [0, 1, 2], outputs: [3], version: 3, options: { padding: 'SAME', strideW: 1, strideH: 1, activation: 'RELU', dilationW: 1, dilationH: 1 } },
      { op: 'MAX_POOL_2D', inputs: [3], outputs: [4], version: 2, options: { padding: 'VALID', strideW: 2, strideH: 2, filterWidth: 2, filterHeight: 2 } },
      { op: 'RESHAPE', inputs: [4, 5], outputs: [6], options: { newShape: [1, 48] } },
      { op: 'FULLY_CONNECTED', inputs: [6, 7, 8], outputs: [9], version: 4 },
      { op: 'SOFTMAX', inputs: [9], outputs: [10], version: 2, options: { beta: 1 } },
      { op: 'CUMSUM', inputs: [9, -1], outputs: [12], options: { exclusive: true, reverse: false } },
      { op: 'CUSTOM:MyOp', inputs: [12, 11], outputs: [13], customOptions: new Uint8Array([1, 2, 3]) },
    ],
    inputs: [0],
    outputs: [10, 13],
    metadata: [
      { name: 'min_runtime_version', data: new TextEncoder().encode('1.14.0\0\0\0\0\0\0\0\0\0\0') },
      { name: 'notes', data: new Uint8Array([9, 8, 7]) },
    ],
  };
}

const fileOffset = (m: Model, v: Uint8Array) => v.byteOffset - m.bytes.byteOffset;

describe('writeModel', () => {
  it('writes a TFL3 file, schema version 3, that reads back with the same facts', () => {
    const spec = sampleSpec();
    const bytes = writeModel(spec);
    expect(String.fromCharCode(...bytes.subarray(4, 8))).toBe('TFL3');
    expect(bytes.byteLength % 16).toBe(0);
    const m = readModel(bytes);
    expect(m.version).toBe(3);
    expect(m.description).toBe('writer test');
    expect(m.subgraphs).toHaveLength(1);
    const sg = m.subgraphs[0]!;
    expect(sg.name).toBe('main');
    expect(sg.inputs).toEqual([0]);
    expect(sg.outputs).toEqual([10, 13]);
    expect(sg.tensors).toHaveLength(spec.tensors.length);
    spec.tensors.forEach((t, i) => {
      const r = sg.tensors[i]!;
      expect(r.name).toBe(t.name);
      expect(r.shape).toEqual(t.shape);
      expect(r.dtype).toBe(t.dtype);
      expect(r.isVariable).toBe(t.isVariable ?? false);
      expect(r.shapeSignature).toEqual(t.shapeSignature ?? null);
      if (t.quantization) {
        expect(r.quantization!.scale).toEqual(t.quantization.scale.map(Math.fround));
        expect(r.quantization!.zeroPoint).toEqual(t.quantization.zeroPoint);
        expect(r.quantization!.axis).toBe(t.quantization.axis ?? 0);
      } else {
        expect(r.quantization).toBeNull();
      }
      if (t.data) {
        const want = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
        expect(r.data).not.toBeNull();
        expect([...r.data!]).toEqual([...want]);
        // Constant data 16-byte aligned in the file, as the converter writes it.
        expect(fileOffset(m, r.data!) % 16).toBe(0);
      } else {
        expect(r.data).toBeNull();
      }
    });
    // Every tensor has its own buffer (converter layout), buffer 0 stays the empty sentinel.
    expect(new Set(sg.tensors.map((t) => t.buffer)).size).toBe(sg.tensors.length);
    expect(sg.tensors.every((t) => t.buffer > 0)).toBe(true);

    expect(sg.operators.map((o) => o.op)).toEqual(['CONV_2D', 'MAX_POOL_2D', 'RESHAPE', 'FULLY_CONNECTED', 'SOFTMAX', 'CUMSUM', 'CUSTOM:MyOp']);
    expect(sg.operators.map((o) => o.version)).toEqual([3, 2, 1, 4, 2, 1, 1]);
    expect(sg.operators[0]!.options).toEqual({ padding: 'SAME', strideW: 1, strideH: 1, activation: 'RELU', dilationW: 1, dilationH: 1, quantizedBiasType: 'float32' });
    expect(sg.operators[1]!.optionsKind).toBe('Pool2DOptions');
    expect(sg.operators[1]!.options).toEqual({ padding: 'VALID', strideW: 2, strideH: 2, filterWidth: 2, filterHeight: 2, activation: 'NONE' });
    expect(sg.operators[2]!.options).toEqual({ newShape: [1, 48] });
    expect(sg.operators[3]!.options).toEqual({ activation: 'NONE', weightsFormat: 'DEFAULT', keepNumDims: false, asymmetricQuantizeInputs: false, quantizedBiasType: 'float32' });
    expect(sg.operators[4]!.options).toEqual({ beta: 1 });
    expect(sg.operators[5]!.inputs).toEqual([9, -1]);
    expect(sg.operators[5]!.options).toEqual({ exclusive: true, reverse: false });
    expect(sg.operators[6]!.customCode).toBe('MyOp');
    expect([...sg.operators[6]!.customOptions!]).toEqual([1, 2, 3]);
    expect(sg.operators[6]!.optionsKind).toBe('Empty');

    expect(m.metadata.map((x) => x.name)).toEqual(['min_runtime_version', 'notes']);
    expect(new TextDecoder().decode(m.metadata[0]!.data!).replace(/\0+$/, '')).toBe('1.14.0');
    expect([...m.metadata[1]!.data!]).toEqual([9, 8, 7]);
  });

  it('writes operator codes as the converter does: first-use order, deprecated byte = min(code, 127)', () => {
    const bytes = writeModel(sampleSpec());
    const raw = S.Model.getRootAsModel(new fb.ByteBuffer(bytes));
    const codes = Array.from({ length: raw.operatorCodesLength() }, (_, i) => raw.operatorCodes(i)!);
    expect(codes.map((c) => c.builtinCode())).toEqual([3, 17, 22, 9, 25, 128, 32]);
    expect(codes.map((c) => c.deprecatedBuiltinCode())).toEqual([3, 17, 22, 9, 25, 127, 32]);
    expect(codes[6]!.customCode()).toBe('MyOp');
    expect(raw.version()).toBe(3);
    expect(raw.buffers(0)!.dataLength()).toBe(0);
    expect(S.Model.bufferHasIdentifier(new fb.ByteBuffer(bytes))).toBe(true);
    // Two ops of one kind share an opcode; different versions get their own.
    const twice = writeModel({
      tensors: [{ name: 'a', shape: [1], dtype: 'int8' }, { name: 'b', shape: [1], dtype: 'int8' }, { name: 'c', shape: [1], dtype: 'int8' }, { name: 'd', shape: [1], dtype: 'int8' }],
      operators: [{ op: 'RELU', inputs: [0], outputs: [1] }, { op: 'RELU', inputs: [1], outputs: [2] }, { op: 'RELU', inputs: [2], outputs: [3], version: 2 }],
      inputs: [0],
      outputs: [3],
    });
    const m = readModel(twice);
    expect(m.operatorCodes.map((c) => [c.op, c.version])).toEqual([['RELU', 1], ['RELU', 2]]);
  });

  it('is deterministic: the same spec gives the same bytes', () => {
    const a = writeModel(sampleSpec());
    const b = writeModel(sampleSpec());
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('round-trips the options of every kind it encodes, with non-default values', () => {
    const cases: { op: string; kind: OptionsKind; options: Record<string, unknown> }[] = [
      { op: 'CONV_2D', kind: 'Conv2DOptions', options: { padding: 'VALID', strideW: 2, strideH: 3, activation: 'RELU6', dilationW: 2, dilationH: 4, quantizedBiasType: 'int64' } satisfies OptionsByKind['Conv2DOptions'] },
      { op: 'DEPTHWISE_CONV_2D', kind: 'DepthwiseConv2DOptions', options: { padding: 'VALID', strideW: 2, strideH: 1, depthMultiplier: 4, activation: 'RELU_N1_TO_1', dilationW: 3, dilationH: 2 } satisfies OptionsByKind['DepthwiseConv2DOptions'] },
      { op: 'AVERAGE_POOL_2D', kind: 'Pool2DOptions', options: { padding: 'SAME', strideW: 2, strideH: 2, filterWidth: 3, filterHeight: 5, activation: 'RELU' } satisfies OptionsByKind['Pool2DOptions'] },
      { op: 'FULLY_CONNECTED', kind: 'FullyConnectedOptions', options: { activation: 'TANH', weightsFormat: 'SHUFFLED4x16INT8', keepNumDims: true, asymmetricQuantizeInputs: true, quantizedBiasType: 'int32' } satisfies OptionsByKind['FullyConnectedOptions'] },
      { op: 'SOFTMAX', kind: 'SoftmaxOptions', options: { beta: 0.5 } },
      { op: 'CONCATENATION', kind: 'ConcatenationOptions', options: { axis: -1, activation: 'RELU' } },
      { op: 'ADD', kind: 'AddOptions', options: { activation: 'RELU', potScaleInt16: false } },
      { op: 'SUB', kind: 'SubOptions', options: { activation: 'RELU6', potScaleInt16: false } },
      { op: 'MUL', kind: 'MulOptions', options: { activation: 'SIGN_BIT' } },
      { op: 'DIV', kind: 'DivOptions', options: { activation: 'RELU' } },
      { op: 'L2_NORMALIZATION', kind: 'L2NormOptions', options: { activation: 'RELU' } },
      { op: 'RESHAPE', kind: 'ReshapeOptions', options: { newShape: [] } },
      { op: 'RESHAPE', kind: 'ReshapeOptions', options: { newShape: [2, -1, 3] } },
      { op: 'MEAN', kind: 'ReducerOptions', options: { keepDims: true } },
      { op: 'SQUEEZE', kind: 'SqueezeOptions', options: { squeezeDims: [0, 2] } },
      { op: 'STRIDED_SLICE', kind: 'StridedSliceOptions', options: { beginMask: 1, endMask: 2, ellipsisMask: 4, newAxisMask: 8, shrinkAxisMask: 16, offset: true } },
      { op: 'SVDF', kind: 'SVDFOptions', options: { rank: 2, activation: 'RELU', asymmetricQuantizeInputs: true } },
      { op: 'UNIDIRECTIONAL_SEQUENCE_LSTM', kind: 'UnidirectionalSequenceLSTMOptions', options: { activation: 'TANH', cellClip: 10, projClip: 0.5, timeMajor: true, asymmetricQuantizeInputs: true, diagonalRecurrentTensors: true } },
      { op: 'TRANSPOSE_CONV', kind: 'TransposeConvOptions', options: { padding: 'VALID', strideW: 2, strideH: 2, activation: 'RELU', quantizedBiasType: 'int32' } },
      { op: 'LEAKY_RELU', kind: 'LeakyReluOptions', options: { alpha: 0.125 } },
      { op: 'CAST', kind: 'CastOptions', options: { inDataType: 'int8', outDataType: 'float32' } },
      { op: 'GATHER', kind: 'GatherOptions', options: { axis: 1, batchDims: 1 } },
      { op: 'SPLIT', kind: 'SplitOptions', options: { numSplits: 3 } },
      { op: 'SPLIT_V', kind: 'SplitVOptions', options: { numSplits: 2 } },
      { op: 'PACK', kind: 'PackOptions', options: { valuesCount: 3, axis: 1 } },
      { op: 'UNPACK', kind: 'UnpackOptions', options: { num: 3, axis: -1 } },
      { op: 'SPACE_TO_DEPTH', kind: 'SpaceToDepthOptions', options: { blockSize: 4 } },
      { op: 'DEPTH_TO_SPACE', kind: 'DepthToSpaceOptions', options: { blockSize: 3 } },
      { op: 'RESIZE_BILINEAR', kind: 'ResizeBilinearOptions', options: { alignCorners: true, halfPixelCenters: false } },
      { op: 'RESIZE_NEAREST_NEIGHBOR', kind: 'ResizeNearestNeighborOptions', options: { alignCorners: false, halfPixelCenters: true } },
      { op: 'ARG_MAX', kind: 'ArgMaxOptions', options: { outputType: 'int64' } },
      { op: 'ARG_MIN', kind: 'ArgMinOptions', options: { outputType: 'int32' } },
      { op: 'MIRROR_PAD', kind: 'MirrorPadOptions', options: { mode: 'SYMMETRIC' } },
      { op: 'BATCH_MATMUL', kind: 'BatchMatMulOptions', options: { adjX: true, adjY: false, asymmetricQuantizeInputs: true } },
      { op: 'CUMSUM', kind: 'CumsumOptions', options: { exclusive: true, reverse: true } },
      { op: 'SHAPE', kind: 'ShapeOptions', options: { outType: 'int64' } },
      { op: 'GELU', kind: 'GeluOptions', options: { approximate: true } },
      { op: 'ONE_HOT', kind: 'OneHotOptions', options: { axis: 2 } },
    ];
    const operators: OperatorSpec[] = cases.map((c, i) => ({ op: c.op, inputs: [i], outputs: [i + 1], options: c.options }));
    const tensors = Array.from({ length: cases.length + 1 }, (_, i) => ({ name: `t${i}`, shape: [1, 2], dtype: 'int8' as const }));
    const m = readModel(writeModel({ tensors, operators, inputs: [0], outputs: [cases.length] }));
    m.subgraphs[0]!.operators.forEach((o, i) => {
      expect(o.optionsKind, cases[i]!.op).toBe(cases[i]!.kind);
      expect(o.options, cases[i]!.op).toEqual(cases[i]!.options);
    });
    // IF / WHILE / CALL_ONCE point at other subgraphs.
    const sub = { tensors: [{ name: 'x', shape: [1], dtype: 'int8' as const }], operators: [], inputs: [0], outputs: [0] };
    const cf = readModel(writeModel({
      tensors: [{ name: 'c', shape: [1], dtype: 'bool' }, { name: 'x', shape: [1], dtype: 'int8' }, { name: 'y', shape: [1], dtype: 'int8' }],
      operators: [{ op: 'IF', inputs: [0, 1], outputs: [2], options: { thenSubgraphIndex: 1, elseSubgraphIndex: 2 } }],
      inputs: [0, 1],
      outputs: [2],
      extraSubgraphs: [{ ...sub, name: 'then' }, { ...sub, name: 'else' }],
    }));
    expect(cf.subgraphs.map((s) => s.name)).toEqual(['main', 'then', 'else']);
    expect(cf.subgraphs[0]!.operators[0]!.options).toEqual({ thenSubgraphIndex: 1, elseSubgraphIndex: 2 });
  });

  it('fills defaults a converter would write and omits tables for ops without options', () => {
    const m = readModel(writeModel({
      tensors: [{ name: 'a', shape: [1, 4, 4, 1], dtype: 'int8' }, { name: 'b', shape: [1, 4, 4, 1], dtype: 'int8' }, { name: 'c', shape: [1, 4, 4, 1], dtype: 'int8' }],
      operators: [{ op: 'DEPTHWISE_CONV_2D', inputs: [0], outputs: [1] }, { op: 'RELU', inputs: [1], outputs: [2] }],
      inputs: [0],
      outputs: [2],
    }));
    const [dw, relu] = m.subgraphs[0]!.operators;
    expect(dw!.options).toEqual({ padding: 'SAME', strideW: 1, strideH: 1, depthMultiplier: 1, activation: 'NONE', dilationW: 1, dilationH: 1 });
    expect(relu!.optionsKind).toBe('Empty');
    expect(m.subgraphs[0]!.tensors[0]!.quantization).toBeNull();
  });

  it('writes hostile models on request (raw buffer / opcode indexes, unchecked tensor indexes)', () => {
    const bytes = writeModel({
      tensors: [{ name: 'a', shape: [1], dtype: 'int8', buffer: 99 }, { name: 'b', shape: [1], dtype: 'int8' }],
      operators: [{ op: 'RELU', inputs: [0, 7], outputs: [1], opcodeIndex: 5 }],
      inputs: [0],
      outputs: [1],
    });
    const raw = S.Model.getRootAsModel(new fb.ByteBuffer(bytes));
    const sg = raw.subgraphs(0)!;
    expect(sg.tensors(0)!.buffer()).toBe(99);
    expect(sg.operators(0)!.opcodeIndex()).toBe(5);
    expect(sg.operators(0)!.inputs(1)).toBe(7);
  });

  it('refuses a malformed spec with a typed error', () => {
    const base = { tensors: [{ name: 'a', shape: [1], dtype: 'int8' as const }], inputs: [0], outputs: [0] };
    expect(() => writeModel({ ...base, operators: [{ op: 'NOT_AN_OP', inputs: [0], outputs: [0] }] })).toThrow(TinyforgeError);
    expect(() => writeModel({ ...base, operators: [{ op: 'CONV_2D', inputs: [0], outputs: [0], options: { stride: 2 } }] })).toThrow(/no field "stride"/);
    expect(() => writeModel({ ...base, operators: [{ op: 'CONV_2D', inputs: [0], outputs: [0], options: { padding: 'FULL' } }] })).toThrow(/padding/);
    expect(() => writeModel({ ...base, operators: [{ op: 'RELU', inputs: [0], outputs: [0], options: { activation: 'RELU' } }] })).toThrow(/no options table/);
    expect(() => writeModel({ ...base, tensors: [{ name: 'a', shape: [1], dtype: 'int9' as never }], operators: [] })).toThrow(/dtype/);
  });
});

const haveGolden = requireGolden();
if (!haveGolden) console.warn(`writer.test: golden data not found at ${GOLDEN_DIR}; golden round-trip tests skipped`);

/** Everything the IR says about a model except buffer numbering and the file bytes. */
function facts(m: Model): unknown {
  const hex = (v: Uint8Array | null) => (v ? Buffer.from(v).toString('hex') : null);
  return {
    version: m.version,
    description: m.description,
    subgraphs: m.subgraphs.map((sg) => ({
      name: sg.name,
      inputs: sg.inputs,
      outputs: sg.outputs,
      tensors: sg.tensors.map(({ buffer: _buffer, data, ...t }) => ({ ...t, data: hex(data) })),
      operators: sg.operators.map((o) => ({ ...o, customOptions: hex(o.customOptions) })),
    })),
    metadata: m.metadata.map((x) => ({ name: x.name, data: hex(x.data) })),
  };
}

describe.skipIf(!haveGolden)('writer round trip on the golden models', () => {
  const cases = haveGolden ? listGoldenCases() : [];
  it('finds the golden models', () => {
    expect(cases.length).toBeGreaterThan(100);
  });
  it('re-expresses every golden model as a spec, writes it and reads back the same IR', { timeout: 120_000 }, () => {
    let checked = 0;
    for (const c of cases) {
      const original = readModel(new Uint8Array(readFileSync(c.modelPath)), c.modelPath);
      const written = writeModel(specFromModel(original));
      const again = readModel(written);
      expect(facts(again), c.name).toEqual(facts(original));
      for (const sg of again.subgraphs) {
        for (const t of sg.tensors) if (t.data) expect(fileOffset(again, t.data) % 16, `${c.name} tensor ${t.index}`).toBe(0);
      }
      // A second pass is a fixed point: the writer's own output rewrites byte for byte.
      expect(Buffer.from(writeModel(specFromModel(again))).equals(Buffer.from(written)), c.name).toBe(true);
      checked++;
    }
    expect(checked).toBe(cases.length);
  });
});
