/**
 * Model-supplied strings are untrusted. A model whose tensor names, subgraph
 * name, description, metadata and file name are hostile (quote and comment
 * breakouts, backslash at line end, newlines, preprocessor lines, trigraphs,
 * Makefile / shell / Handlebars syntax, bidi overrides and other non-ASCII,
 * NULs, very long names, names equal to the generator's own identifiers and
 * names that collide once sanitized) is generated for an Arduino board and for
 * the emulated board (Makefile, linker script, README banners), and with the
 * TFLite Micro engine (text checks only: its headers are not here), and:
 *  - no generated file holds a hostile string or one of its dangerous
 *    fragments raw; every file is printable ASCII (+ tab, newline);
 *  - lexed as C++ (trigraphs and line splices applied as -std=c++11 does),
 *    every model string sits inside a comment or a string literal, and no
 *    // comment ends in a line splice; the Makefile / .md / .ld banners hold
 *    them inside their comments too;
 *  - the identifiers declared by the generated files are unique;
 *  - host g++ -Wall -Wextra -Werror compiles every source (the app against a
 *    stub Arduino.h), no injected symbol exists, and the binary's outputs are
 *    byte-equal to the simulator's; `make -n` parses the emulation Makefile.
 */
import { PipelineError } from '../../lib/errors.js';
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadModel, parseModel } from '../../lib/load.js';
import { renderFirmware } from '../../lib/generate.js';
import { writeProject } from '../../generator/output.js';
import { sketchName, cText } from '../../generator/names.js';
import { Simulator } from '../../sim/interpreter.js';
import { writeModel, type ModelSpec, type OperatorSpec, type TensorSpec } from '../../sim/parse/writer.js';
import { randomVectors } from '../../lib/random-vectors.js';
import type { TypedArray } from '../../sim/kernels/types.js';
import { buildHost, runOnce } from '../compile/host_build.js';
import { requireToolchain } from '../compile/toolchain.js';

const run = promisify(execFile);
const ARDUINO_STUB = fileURLToPath(new URL('../compile/fixtures/arduino', import.meta.url));
const HAVE = requireToolchain(['g++', 'nm', 'make']);
const MINUTES = 60_000;

/** A hostile string and the fragments of it that must never appear raw in a generated file. */
interface Hostile {
  text: string;
  raw: string[];
}
const LONG = `Zq8${'x'.repeat(5000)}"*/\\`;
const HOSTILE: Hostile[] = [
  { text: 'Zq0"); int tf_injected_0 = 1; //', raw: ['Zq0"', '"); int tf_injected_0'] },
  { text: 'Zq1*/ int tf_injected_1 = 1; /*', raw: ['Zq1*/', '; /*'] },
  { text: 'Zq2/* never closed', raw: ['Zq2/*'] },
  { text: 'Zq3 ends with a backslash \\', raw: ['backslash \\'] },
  { text: 'Zq4\nint tf_injected_4 = 1;\n', raw: ['Zq4\n', '\nint tf_injected_4'] },
  { text: 'Zq5\n#include <stdio.h>\n#define tf_invoke tf_injected_5', raw: ['Zq5\n', '#define tf_invoke', '<stdio.h>\n#define'] },
  { text: 'Zq6 trigraph ??/', raw: ['??/'] },
  { text: 'Zq7??=define tf_injected_7 1', raw: ['??=', 'Zq7?'] },
  { text: LONG, raw: ['x'.repeat(200), '"*/\\'] },
  { text: 'Zq9 \u00fcn\u00efc\u00f8d\u00e9 \u540d\u524d \u{1F642} \u202Eevil\u2066 nul\u0000cr\r tab\t ff\f vt\v', raw: ['\u00fc', '\u540d', '\u202E', '\u0000', '\r', '\f', '\v'] },
  { text: 'Zq10 $(shell touch /tmp/tinyforge_pwned) `touch /tmp/tinyforge_pwned` ; rm -rf ~', raw: ['$(shell touch', '`touch', '; rm'] },
  { text: 'Zq11 --> <!-- {{name}} {{{code}}} %s %n', raw: ['Zq11 -', '{{name}}', '{{{code}}}'] },
  { text: "Zq12 'c' L\"wide\" R\"(raw)\" u8\"x\"", raw: ["'c'", 'R"(raw)"'] },
  // Names that collide once sanitized, exact duplicates and the generator's own identifiers.
  { text: 'a/b', raw: [] },
  { text: 'a_b', raw: [] },
  { text: 'a.b', raw: [] },
  { text: 'a b', raw: [] },
  { text: 'a/b', raw: [] },
  { text: 'tf_arena', raw: [] },
  { text: 'tf_invoke', raw: [] },
  { text: 'tf_const_t1', raw: [] },
  { text: 'int', raw: [] },
  { text: '', raw: [] },
];
const DESCRIPTION = 'Zq13 description */ #include <stdio.h> ??/\n#error tf_injected_13';
const SUBGRAPH = 'Zq14 subgraph"*/\n#define int tf_injected_14';
// A file name cannot hold '/', so no '*/' here; everything else goes.
const FILE_NAME = 'Zq15 we"ird *\\ ??= ??) $(x) `y` \\ \n#include <stdio.h> \u00fc\u202E.tflite';

const q = (scale: number, zeroPoint = 0) => ({ scale: [scale], zeroPoint: [zeroPoint] });
const i8 = (n: number, seed: number) => Int8Array.from({ length: n }, (_, i) => ((i * 37 + seed * 11) % 255) - 127);

/** FULLY_CONNECTED + ADD + RESHAPE + CONCATENATION + SOFTMAX, two inputs, three outputs; every tensor named from HOSTILE. */
function hostileSpec(): ModelSpec {
  const names = (i: number) => HOSTILE[i % HOSTILE.length]!.text;
  const t: TensorSpec[] = [
    { name: names(0), shape: [1, 8], dtype: 'int8', quantization: q(0.05, 3) },
    { name: names(1), shape: [4, 8], dtype: 'int8', quantization: q(0.02), data: i8(32, 1) },
    { name: names(2), shape: [4], dtype: 'int32', quantization: q(0.001), data: Int32Array.from([100, -50, 7, 0]) },
    { name: names(3), shape: [1, 4], dtype: 'int8', quantization: q(0.12, 0) },
    { name: names(4), shape: [1, 4], dtype: 'int8', quantization: q(0.07, 1) },
    { name: names(5), shape: [1, 4], dtype: 'int8', quantization: q(0.12, 0) },
    { name: names(6), shape: [1], dtype: 'int32', data: Int32Array.from([4]) },
    { name: names(7), shape: [4], dtype: 'int8', quantization: q(0.12, 0) },
    { name: names(8), shape: [1, 8], dtype: 'int8', quantization: q(0.12, 0) },
    { name: names(9), shape: [1, 4], dtype: 'int8', quantization: q(1 / 256, -128) },
  ];
  // The rest of the hostile names on extra constants feeding a second FULLY_CONNECTED chain.
  const ops: OperatorSpec[] = [
    { op: 'FULLY_CONNECTED', inputs: [0, 1, 2], outputs: [3] },
    { op: 'ADD', inputs: [3, 4], outputs: [5] },
    { op: 'RESHAPE', inputs: [5, 6], outputs: [7] },
    { op: 'CONCATENATION', inputs: [5, 3], outputs: [8], options: { axis: 1 } },
    { op: 'SOFTMAX', inputs: [3], outputs: [9], options: { beta: 1 } },
  ];
  let prev = 8;
  for (let k = 10; k < HOSTILE.length; k += 3) {
    const w = t.length;
    t.push({ name: names(k), shape: [8, 8], dtype: 'int8', quantization: q(0.02), data: i8(64, k) });
    t.push({ name: names(k + 1), shape: [8], dtype: 'int32', quantization: q(0.0024), data: Int32Array.from({ length: 8 }, (_, i) => i * 13 - 40) });
    t.push({ name: names(k + 2), shape: [1, 8], dtype: 'int8', quantization: q(0.09, k % 7) });
    ops.push({ op: 'FULLY_CONNECTED', inputs: [prev, w, w + 1], outputs: [w + 2] });
    prev = w + 2;
  }
  return {
    description: DESCRIPTION,
    name: SUBGRAPH,
    tensors: t,
    operators: ops,
    inputs: [0, 4],
    outputs: [7, prev, 9],
    metadata: [
      { name: 'Zq16 meta"*/\n#define x', data: new TextEncoder().encode('Zq17 payload */ ??/ "\n#include <stdio.h>') },
      { name: 'min_runtime_version', data: new TextEncoder().encode('1.5.0\0') },
    ],
  };
}

// ---- a small C/C++ lexer: what the compiler sees as code, comments and literals ----

interface Lexed {
  /** Code outside comments and string / character literals (one string per line). */
  code: string[];
  /** Line numbers (1-based, after splicing) of // comments that end in a line splice. */
  splicedComments: number[];
}

const TRIGRAPHS: Record<string, string> = { '=': '#', '/': '\\', "'": '^', '(': '[', ')': ']', '!': '|', '<': '{', '>': '}', '-': '~' };

/** Phases 1-3 of C++11 translation as GCC does them with -std=c++11 (trigraphs on), reduced to what these checks need. */
function lexCpp(text: string): Lexed {
  const t = text.replace(/\?\?([=/'()!<>-])/g, (_, c: string) => TRIGRAPHS[c]!);
  const splicedComments: number[] = [];
  const physical = t.split('\n');
  let state: 'code' | 'line' | 'block' | 'str' | 'chr' = 'code';
  let line = '';
  const code: string[] = [];
  for (let ln = 0; ln < physical.length; ln++) {
    const phys = physical[ln]!;
    const splice = phys.endsWith('\\');
    const body = splice ? phys.slice(0, -1) : phys;
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      const n = body[i + 1];
      if (state === 'code') {
        if (c === '/' && n === '/') { state = 'line'; i++; }
        else if (c === '/' && n === '*') { state = 'block'; i++; line += ' '; }
        else if (c === '"') { state = 'str'; line += '""'; }
        else if (c === "'") { state = 'chr'; line += "''"; }
        else line += c;
      } else if (state === 'block') {
        if (c === '*' && n === '/') { state = 'code'; i++; }
      } else if (state === 'str' || state === 'chr') {
        if (c === '\\') i++;
        else if ((state === 'str' && c === '"') || (state === 'chr' && c === "'")) state = 'code';
      }
    }
    if (splice) {
      if (state === 'line') splicedComments.push(ln + 1);
      continue; // the next physical line continues this logical line
    }
    if (state === 'line') state = 'code';
    if (state === 'str' || state === 'chr') state = 'code'; // unterminated literal: the compiler fails; the code check below still runs
    code.push(line);
    line = '';
  }
  if (line) code.push(line);
  return { code, splicedComments };
}

// ---- the checks ----

const MARKER = /Zq\d+/;

/**
 * `s` occurs in `content` as raw text. A fragment that ends in a backslash
 * does not count where that backslash opens an octal escape (\134 is the
 * escaped backslash itself).
 */
function rawIncludes(content: string, s: string): boolean {
  if (!s.endsWith('\\')) return content.includes(s);
  for (let i = content.indexOf(s); i >= 0; i = content.indexOf(s, i + 1)) {
    if (!/^[0-7]{3}/.test(content.slice(i + s.length, i + s.length + 3))) return true;
  }
  return false;
}
const INJECTED = /tf_injected/;

function checkFiles(files: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [path, content] of files) {
    if (/[^\x20-\x7E\n\t]/.test(content)) {
      const bad = /[^\x20-\x7E\n\t]/.exec(content)!;
      problems.push(`${path}: non-printable or non-ASCII character U+${bad[0].codePointAt(0)!.toString(16).padStart(4, '0')} at offset ${bad.index}`);
    }
    for (const h of [...HOSTILE.map((x) => x.text).filter((s) => MARKER.test(s)), DESCRIPTION, SUBGRAPH, FILE_NAME]) {
      if (rawIncludes(content, h)) problems.push(`${path}: holds the hostile string ${JSON.stringify(h.slice(0, 60))} raw`);
    }
    for (const h of HOSTILE) for (const r of h.raw) if (rawIncludes(content, r)) problems.push(`${path}: holds ${JSON.stringify(r.slice(0, 40))} (from ${JSON.stringify(h.text.slice(0, 30))}) raw`);
    for (const r of ['Zq13 description */', '#error', 'Zq14 subgraph"', 'Zq15 we"', 'Zq16', 'Zq17']) if (content.includes(r)) problems.push(`${path}: holds ${JSON.stringify(r)} raw`);

    if (/\.(c|cpp|h|hpp|ino)$/.test(path)) {
      const lexed = lexCpp(content);
      lexed.code.forEach((l, i) => {
        if (MARKER.test(l) || INJECTED.test(l)) problems.push(`${path}: a model string reached code (logical line ${i + 1}): ${l.slice(0, 120)}`);
      });
      for (const ln of lexed.splicedComments) problems.push(`${path}:${ln}: a // comment ends in a line splice`);
    } else if (/(^|\/)Makefile$|\.mk$/.test(path)) {
      content.split('\n').forEach((l, i) => {
        if (!MARKER.test(l) && !INJECTED.test(l)) return;
        if (!l.startsWith('# ')) problems.push(`${path}:${i + 1}: a model string outside a comment: ${l.slice(0, 120)}`);
        if (l.endsWith('\\')) problems.push(`${path}:${i + 1}: a comment line ends in a backslash (continues onto the next line)`);
        if (/[$`]/.test(l)) problems.push(`${path}:${i + 1}: make / shell syntax in a banner line`);
      });
    } else if (path.endsWith('.md')) {
      const open = content.indexOf('<!--');
      const close = content.indexOf('-->');
      // A raw '-->' in a model string would close the banner early and leave its marker outside.
      const after = close >= 0 ? content.slice(close + 3) : content;
      if (MARKER.test(after) || (open < 0 && MARKER.test(content))) problems.push(`${path}: a model string outside the banner comment`);
    } else if (path.endsWith('.ld')) {
      const lexed = lexCpp(content);
      lexed.code.forEach((l, i) => {
        if (MARKER.test(l)) problems.push(`${path}: a model string outside a comment (line ${i + 1})`);
      });
    } else if (MARKER.test(content)) {
      problems.push(`${path}: a model string in a file of unknown kind`);
    }
  }
  return problems;
}

/** Identifiers the generated sources declare at file scope (arrays, functions, objects). */
function declaredIdentifiers(files: Map<string, string>): string[] {
  const ids: string[] = [];
  for (const [path, content] of files) {
    if (!/\/tinyforge_(model|weights)\.cpp$/.test(path)) continue;
    for (const l of lexCpp(content).code) {
      const m = /^(?:alignas\(\d+\)\s+)?(?:static\s+)?(?:const\s+)?[A-Za-z_]\w*\s+([A-Za-z_]\w*)\s*(\[|=|\()/.exec(l);
      if (m) ids.push(m[1]!);
    }
  }
  return ids;
}

async function tool(file: string, args: string[], cwd?: string): Promise<string> {
  try {
    return (await run(file, args, { cwd, maxBuffer: 64 << 20 })).stdout;
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed:\n${`${err.stderr ?? ''}${err.stdout ?? ''}`.trim().slice(0, 4000) || err.message}`);
  }
}

const bytesOf = (a: TypedArray) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('hostile model strings never reach generated code raw', () => {
  it('cText / sketchName: quotes, comment markers, backslashes, trigraphs, newlines and non-ASCII are escaped; reserved file names are avoided', () => {
    for (const h of HOSTILE) {
      const e = cText(h.text, 100_000);
      expect(e).toMatch(/^(?:[A-Za-z0-9_.:\-/ ]|\\[0-7]{3})*$/);
    }
    expect(cText('a"b')).toBe('a\\042b');
    expect(cText('x'.repeat(100), 10)).toBe(`${'x'.repeat(10)}...`);
    for (const p of ['/m/con.tflite', 'C:\\m\\NUL.tflite', 'aux', 'com1.tflite', 'LPT9.tflite', 'prn.TFLITE']) {
      expect(sketchName(p).toLowerCase()).not.toMatch(/^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/);
    }
    for (const p of [FILE_NAME, '\u540d\u524d.tflite', '123.tflite', '.tflite', '-x.tflite', `${'y'.repeat(300)}.tflite`]) {
      expect(sketchName(p)).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,62}$/);
    }
  });

  describe.runIf(HAVE)('a model with hostile tensor names, metadata and file name', () => {
    it('generates escaped, unique, warning-free code that matches the simulator', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tinyforge-names-'));
      try {
        // The model file itself carries a hostile name on disk.
        const modelPath = join(dir, FILE_NAME);
        writeFileSync(modelPath, writeModel(hostileSpec()));
        const model = await loadModel(modelPath);
        expect(model.subgraphs[0]!.tensors.map((t) => t.name)).toContain(HOSTILE[0]!.text);
        expect(model.source).toBe(modelPath);

        const command = `tinyforge generate ${FILE_NAME} --board nano33ble-sense-rev2`;
        const arduino = await renderFirmware(model, { board: 'nano33ble-sense-rev2', command });
        const emulated = await renderFirmware(model, { board: 'mps2-an386', command });
        expect(arduino.name).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,62}$/);
        const all = new Map([...arduino.files, ...[...emulated.files].map(([p, c]) => [`emu/${p}`, c] as const)]);
        expect(checkFiles(all)).toEqual([]);
        // The TFLite Micro engine prints the same model strings (tensor names in its tables): the same rules.
        const tflm = await renderFirmware(model, { board: 'nano33ble-sense-rev2', command, engine: 'tflm' });
        expect(checkFiles(tflm.files)).toEqual([]);

        const ids = declaredIdentifiers(arduino.files);
        expect(ids.length).toBeGreaterThan(10);
        expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);

        // Every source compiles warning-free on the host; nothing injected becomes a symbol.
        await writeProject(join(dir, 'ard'), arduino.files);
        await writeProject(join(dir, 'emu'), emulated.files);
        const sketch = join(dir, 'ard', arduino.name);
        const units = [...arduino.files.keys()].map((p) => p.slice(arduino.name.length + 1)).filter((p) => p.endsWith('.cpp') || p.endsWith('.ino'));
        expect(units.length).toBeGreaterThanOrEqual(4);
        mkdirSync(join(dir, 'obj'));
        await Promise.all(
          units.map(async (u, i) => {
            const obj = join(dir, 'obj', `${i}.o`);
            const arduinoUnit = u.endsWith('.ino') || arduino.files.get(`${arduino.name}/${u}`)!.includes('#include <Arduino.h>');
            const args = ['-std=c++11', '-O2', '-Wall', '-Wextra', '-Werror', '-fno-exceptions', '-fno-rtti', ...(arduinoUnit ? [`-I${ARDUINO_STUB}`] : []), ...(u.endsWith('.ino') ? ['-x', 'c++', '-include', 'Arduino.h'] : []), '-c', join(sketch, u), '-o', obj];
            await tool('g++', args);
            const syms = await tool('nm', ['--format=posix', obj]);
            expect(syms, `${u} defines or references an injected symbol`).not.toMatch(/tf_injected|Zq/);
          }),
        );
        // The emulation Makefile parses (make -n prints the commands without running them); nothing ran.
        await tool('make', ['-n', '-C', join(dir, 'emu', emulated.name, 'emulation')]);
        expect(existsSync('/tmp/tinyforge_pwned')).toBe(false);

        // Linked on the host with the test main: byte-equal to the simulator.
        const build = await buildHost(model, join(dir, 'host'));
        const sim = new Simulator(model);
        const vectors = randomVectors(model, 'generate-names', 3);
        for (let v = 0; v < vectors.length; v++) {
          sim.reset();
          const want = sim.run(vectors[v]!.map((b) => new Int8Array(b.slice().buffer)));
          const got = await runOnce(build.exe, vectors[v]!, want.length, join(dir, 'run', `v${v}`));
          want.forEach((w, k) => expect(got[k]!.equals(bytesOf(w)), `vector ${v} output ${k}`).toBe(true));
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 5 * MINUTES);

    it('hostile strings given as bytes without a file name, and a hostile --name, are handled too', async () => {
      const model = parseModel(writeModel(hostileSpec()), null);
      const p = await renderFirmware(model, { board: 'nano33ble-sense-rev2' });
      expect(p.name).toBe('model');
      expect(checkFiles(p.files)).toEqual([]);
      for (const bad of ['../../escape', 'a b', 'x"y', '', 'con', `${'n'.repeat(64)}`, '9lives', 'a\nb']) {
        await expect(renderFirmware(model, { board: 'nano33ble-sense-rev2', name: bad }), JSON.stringify(bad)).rejects.toThrow(/name/);
      }
      // --sensor is the user's, not the model's: anything but a known kind is refused before any file is made.
      await expect(renderFirmware(model, { board: 'nano33ble-sense-rev2', sensor: 'Zq18 */\n#define tf_injected_18 ??/' })).rejects.toThrow(PipelineError);
    });
  });
});
