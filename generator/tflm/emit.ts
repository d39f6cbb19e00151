/**
 * TFLite Micro engine: IR + board -> the view model of the generated engine
 * files (the .tflite as a byte array, the op resolver, kTensorArenaSize, the
 * interpreter's inputs / outputs). Pure: no file I/O; the templates in
 * templates/tflm/ only loop over what this returns.
 *
 * The engine implements the same interface as the native one, from the same
 * header template (templates/native/tinyforge_model.h.hbs: tf_setup /
 * tf_reset / tf_invoke / tf_inputs / tf_outputs), so the app, the capture
 * code and the validation protocol in templates/arduino/ are shared byte for
 * byte. tf_inputs / tf_outputs carry
 * the model's figures from generation time; their data pointers are the
 * interpreter's tensors, set by tf_setup() after AllocateTensors() (which
 * also checks the interpreter agrees on every tensor's size and type).
 *
 * Library, header and op-resolver table come from board data (tflm.library,
 * tflm.header, tflm.resolver); the Add* names from op-resolver.ts.
 */
import type { ResolvedBoard } from '../../lib/boards.js';
import { GenerateError } from '../../lib/errors.js';
import type { Model, Tensor } from '../../sim/ir/types.js';
import { cText } from '../names.js';
import { sketchArena, type SketchArena } from './arena.js';
import { RESOLVER_APIS, resolverEntries, type ResolverApi } from './op-resolver.js';

export type TflmBoard = Pick<ResolvedBoard, 'id' | 'core' | 'tflm' | 'features'>;

export interface TflmTensorIO {
  index: number;
  /** Escaped for C string literals. */
  name: string;
  dtype: string;
  /** tf_dtype enumerator (TF_INT8...). */
  dtypeEnum: string;
  /** TfLiteType enumerator the interpreter must report (kTfLiteInt8...). */
  tfliteType: string;
  elements: number;
  bytes: number;
  shape: string;
  scale: string;
  zeroPoint: number;
  /** Rank and dims as a C initializer ("1u, 12u"), for the validation handshake. */
  rank: number;
  dims: string;
}

export interface TflmOpCall {
  op: string;
  method: string;
  /** C string literal contents printed when the call fails. */
  error: string;
}

export interface TflmProgram {
  /** kTensorArenaSize. */
  arenaBytes: number;
  arena: SketchArena;
  api: ResolverApi;
  /** One checked Add call per distinct operator, sorted by op name. */
  ops: TflmOpCall[];
  opCount: number;
  /** #include lines' targets: the board's library header first, then the TFLM headers. */
  includes: string[];
  library: { name: string; version: string; install: string };
  inputs: TflmTensorIO[];
  outputs: TflmTensorIO[];
  /** Size of the .tflite file (the byte array). */
  modelBytes: number;
  /** The .tflite bytes as C initializer lines. */
  modelLines: string[];
  /** C string literal contents (without quotes) of the setup messages. */
  messages: { schema: string; allocate: string; io: string; ok: string };
  /** How kTensorArenaSize was made, one comment line each. */
  arenaNotes: string[];
}

const DTYPE: Record<string, { e: string; t: string }> = {
  int8: { e: 'TF_INT8', t: 'kTfLiteInt8' },
  uint8: { e: 'TF_UINT8', t: 'kTfLiteUInt8' },
  int16: { e: 'TF_INT16', t: 'kTfLiteInt16' },
  int32: { e: 'TF_INT32', t: 'kTfLiteInt32' },
  float32: { e: 'TF_FLOAT32', t: 'kTfLiteFloat32' },
};

/**
 * Text for a // comment or a "string literal": printable ASCII stays, except
 * the characters that could end or change either (quote, backslash, and '?'
 * for trigraphs); those and everything else go through cText's escaping.
 */
export function cNote(s: string, max = 400): string {
  let out = '';
  for (const ch of s.slice(0, max)) out += /^[ -~]$/.test(ch) && !/["\\?]/.test(ch) ? ch : cText(ch);
  return s.length > max ? `${out}...` : out;
}

/** Bytes as C initializer lines, 16 per line ("0x1c, 0x00, ..."). */
export function byteLines(bytes: Uint8Array): string[] {
  const hex = Array.from({ length: 256 }, (_, i) => `0x${i.toString(16).padStart(2, '0')}`);
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row: string[] = [];
    for (let j = i; j < Math.min(bytes.length, i + 16); j++) row.push(hex[bytes[j]!]!);
    lines.push(`${row.join(', ')},`);
  }
  return lines;
}

/** Every operator kind of every subgraph (IF / WHILE bodies are resolved by the same resolver). */
export function modelOps(model: Model): string[] {
  return [...new Set(model.subgraphs.flatMap((sg) => sg.operators.map((o) => o.op)))].sort();
}

export function buildTflmProgram(model: Model, board: TflmBoard): TflmProgram {
  const resolverId = board.tflm.resolver;
  if (!resolverId) {
    throw new GenerateError(
      'tflm-no-library',
      `board ${board.id} names no Arduino TFLM library (tflm.resolver in its board file; library: ${board.tflm.library})`,
      'generate with --engine native, or add "resolver": "chirale-2.0.0" or "esp-tflite-micro" to the board file\'s tflm section',
      { board: board.id },
    );
  }
  const header = board.tflm.header;
  if (header !== null && !SAFE_HEADER.test(header)) {
    throw new GenerateError('board-unsafe', `board ${board.id}: tflm.header ${JSON.stringify(header)} would reach an #include line; it must be a header file name`, 'use letters, digits and _ . / - only, ending in .h, e.g. "Chirale_TensorFlowLite.h"', { board: board.id, field: '/tflm/header' });
  }
  const api = RESOLVER_APIS[resolverId];
  const entries = resolverEntries(modelOps(model), api, board.id);
  const arena = sketchArena(model, board);
  const sg = model.subgraphs[0]!;

  const io = (ti: number): TflmTensorIO => {
    const t: Tensor = sg.tensors[ti]!;
    const d = DTYPE[t.dtype];
    if (!d) throw new GenerateError('unsupported-dtype', `model input/output tensor ${ti} has dtype ${t.dtype}, which the generated app cannot fill or report`, 'use a model whose inputs and outputs are int8, uint8, int16, int32 or float32', { tensor: ti });
    if (t.shape.length > 6) throw new GenerateError('bad-shape', `model input/output tensor ${ti} has rank ${t.shape.length}; the firmware's tensor layout holds at most 6 dims (TF_MAX_RANK)`, "reshape the model's inputs and outputs to rank 6 or less", { tensor: ti });
    const q = t.quantization;
    const scale = q ? `${Math.fround(q.scale[0]!)}` : '0';
    return {
      index: ti,
      name: cText(t.name, 60),
      dtype: t.dtype,
      dtypeEnum: d.e,
      tfliteType: d.t,
      elements: t.elements,
      bytes: t.bytes,
      shape: t.shape.join('x'),
      // Printed before an `f` suffix: it needs a '.' or an exponent to be a float literal.
      scale: /[.e]/.test(scale) ? scale : `${scale}.0`,
      zeroPoint: q ? q.zeroPoint[0]! : 0,
      rank: t.shape.length,
      dims: t.shape.length ? t.shape.map((d) => `${d}u`).join(', ') : '0u',
    };
  };

  const where = 'src/tinyforge/tinyforge_model.cpp';
  const library = {
    name: cNote(board.tflm.library, 100),
    version: cNote(board.tflm.version ?? '', 40),
    install: cNote(board.tflm.install ?? 'bundled with the board core', 100),
  };
  return {
    arenaBytes: arena.bytes,
    arena,
    api,
    ops: entries.map((e) => ({
      ...e,
      error: `tinyforge: MicroMutableOpResolver::${e.method}() failed, so operator ${e.op} is not registered (${library.name}); nothing will run. Regenerate the sketch for this library (tinyforge generate --engine tflm)`,
    })),
    opCount: entries.length,
    includes: [...(header ? [`<${header}>`] : []), ...api.includes],
    library,
    inputs: sg.inputs.map(io),
    outputs: sg.outputs.map(io),
    modelBytes: model.bytes.byteLength,
    modelLines: byteLines(model.bytes),
    messages: {
      schema: `tinyforge: the model's schema version is not this library's TFLITE_SCHEMA_VERSION; use a TFLM library that reads it (${library.name}) or re-export the model`,
      allocate:
        `tinyforge: AllocateTensors() failed with kTensorArenaSize = ${arena.bytes} bytes (${arena.replayed ? `tinyforge's replay of TFLM for ${arena.abi} + ${arena.kernels}` : 'a rough estimate'}). ` +
        `The TFLM message above says how many bytes were missing: raise kTensorArenaSize in ${where} by at least that much (e.g. to ${up16(Math.ceil(arena.bytes * 1.5))}), rebuild, ` +
        'then set it to the arena_used_bytes() printed at start-up + 16. If the board runs out of RAM instead, the model needs a smaller arena (inspect / analyze it)',
      io: 'tinyforge: the interpreter\'s inputs/outputs differ from the ones this sketch was generated for (count, size or type); regenerate the sketch from the same .tflite',
      ok: `tinyforge: TFLM ready (${library.name}), kTensorArenaSize ${arena.bytes} B, arena_used_bytes() `,
    },
    arenaNotes: arena.notes.map((n) => cNote(n)),
  };
}

const up16 = (n: number): number => Math.ceil(n / 16) * 16;
/** A board's library header as it may appear in #include <...>. */
const SAFE_HEADER = /^[A-Za-z0-9_][A-Za-z0-9_./-]*\.h(pp)?$/;
