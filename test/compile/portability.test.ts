/**
 * Portability of the generated C++: for every golden real model and the
 * example model, the project is generated and ALL its sources are compiled
 * (-c only) with -std=c++11 -Wall -Wextra -Werror -fno-exceptions -fno-rtti
 * for five targets: Cortex-M4F, Cortex-M0+ (soft float), Cortex-M7 (FPv5-D16),
 * the host g++ and RISC-V rv32imc (picolibc headers). Sources: every
 * src/tinyforge/*.cpp (model, weights, validation protocol, app) and the
 * sketch's .ino; the Arduino-specific ones (those that include <Arduino.h>)
 * compile against a declarations-only stub (fixtures/arduino/Arduino.h), the
 * portable core (model, weights, validation) must not include it. No -I for
 * src/tinyforge: Arduino does not add one, so includes must be relative.
 *
 * On the objects:
 *  - no heap: no malloc/new/delete family symbol on any target;
 *  - weights are flash data: the weights object defines only read-only data
 *    (no code, no RAM, no dynamic initializer) on every target;
 *  - no float in the integer path: on the Cortex-M0+ (no FPU, soft-float
 *    calls make every float operation visible as a relocation) the model is
 *    also compiled at -O0 -ffunction-sections, so each kernel instantiation
 *    is its own section; a float helper (__aeabi_f* / __aeabi_d*, libm) may
 *    only be called from a function of the documented float-edge kernels
 *    (kernels/quantize.h: QUANTIZE / DEQUANTIZE of float tensors,
 *    kernels/cast.h: CAST from / to float) whose signature involves float.
 *    The validation protocol calls none at all. The app around the model
 *    (sensor capture, the human-readable result line) may: it is outside the
 *    inference path and runs once per inference.
 *
 * Time: ~100 s of compiler CPU in all (the 15 MB weights file of
 * tflm-mobilenet_v2_pytorch is ~10 s per target: weights-only files are
 * compiled at -O0, which changes nothing for const data and saves ~10%);
 * jobs run one per CPU.
 *
 * Needs arm-none-eabi-g++, g++, riscv64-unknown-elf-g++ (+ picolibc) and
 * their nm/readelf: in CI (CI=true) a missing one is a failure naming the apt
 * packages, elsewhere the group is skipped with a warning.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadModel } from '../../lib/load.js';
import { renderFirmware } from '../../lib/generate.js';
import { writeProject } from '../../generator/output.js';
import { listGoldenCases, requireGolden } from '../golden/cases.js';
import { requireToolchain } from './toolchain.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARDUINO_STUB = fileURLToPath(new URL('./fixtures/arduino', import.meta.url));
const MINUTES = 60_000;
/** Any Arduino board: the portable sources do not depend on which. */
const BOARD = 'nano33ble-sense-rev2';

interface Target {
  id: string;
  cxx: string;
  nm: string;
  flags: readonly string[];
}
const TARGETS: readonly Target[] = [
  { id: 'cortex-m4f', cxx: 'arm-none-eabi-g++', nm: 'arm-none-eabi-nm', flags: ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'] },
  { id: 'cortex-m0plus', cxx: 'arm-none-eabi-g++', nm: 'arm-none-eabi-nm', flags: ['-mcpu=cortex-m0plus', '-mthumb', '-mfloat-abi=soft'] },
  { id: 'cortex-m7', cxx: 'arm-none-eabi-g++', nm: 'arm-none-eabi-nm', flags: ['-mcpu=cortex-m7', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv5-d16'] },
  { id: 'host', cxx: 'g++', nm: 'nm', flags: [] },
  { id: 'rv32imc', cxx: 'riscv64-unknown-elf-g++', nm: 'riscv64-unknown-elf-nm', flags: ['-march=rv32imc', '-mabi=ilp32', '--specs=picolibc.specs'] },
];
const COMMON = ['-std=c++11', '-Wall', '-Wextra', '-Werror', '-fno-exceptions', '-fno-rtti'];
const M0 = TARGETS[1]!;
const READELF = 'arm-none-eabi-readelf';
const CXXFILT = 'arm-none-eabi-c++filt';

/**
 * The RISC-V compiler has no C library of its own: picolibc's specs file must be there too
 * (a missing one is reported like a missing tool: a failure in CI, a skip elsewhere).
 */
function havePicolibc(): boolean {
  const r = spawnSync('riscv64-unknown-elf-g++', ['-print-file-name=picolibc.specs'], { encoding: 'utf8' });
  if (r.status === 0 && existsSync(r.stdout.trim())) return true;
  const msg = 'missing picolibc.specs for riscv64-unknown-elf-g++: apt-get install picolibc-riscv64-unknown-elf';
  if (process.env.CI) throw new Error(`firmware tests need their toolchain in CI: ${msg}`);
  console.warn(`skipped: ${msg}`);
  return false;
}
const HAVE = requireToolchain([...new Set(TARGETS.flatMap((t) => [t.cxx, t.nm])), READELF, CXXFILT]) && havePicolibc();
const GOLDEN = HAVE && requireGolden();

/** Heap (and exception allocation) entry points: none may be referenced. */
const HEAP_SYMBOL = /^(_?malloc|_?calloc|_?realloc|_?free|_malloc_r|_calloc_r|_realloc_r|_free_r|posix_memalign|aligned_alloc|memalign|strdup|_?sbrk|_Znw[jm].*|_Zna[jm].*|_ZdlPv.*|_ZdaPv.*|__cxa_allocate_exception|__cxa_throw)$/;
/** Soft-float helpers (Arm EABI and generic libgcc names) and libm: a float operation in the object. */
const FLOAT_SYMBOL =
  /^(__aeabi_(c?[fd][a-z0-9]+|u?[il]2[fd]|ul2[fd])|__(add|sub|mul|div|neg|cmp|eq|ne|lt|le|gt|ge|unord)[sd]f[23]|__(fix|fixuns)[sd]f[sd]i|__float(un)?[sd]i[sd]f|__extendsfdf2|__truncdfsf2|(exp|log|log2|log10|pow|sqrt|round|lround|llround|floor|ceil|trunc|rint|lrint|nearbyint|fabs|fmin|fmax|fmod|frexp|ldexp|tanh|sin|cos|tan|atan|atan2)f?)$/;
/** Kernel headers that hold the documented float-edge ops (float tensors in or out). */
const FLOAT_EDGE_KERNELS = ['kernels/quantize.h', 'kernels/cast.h'];

// ---- a small process pool: one compiler per CPU, shared by every test of this file ----
const slots = Math.max(1, availableParallelism());
let running = 0;
const waiting: (() => void)[] = [];
async function withSlot<T>(f: () => Promise<T>): Promise<T> {
  if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await f();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

const cpuSeconds = new Map<string, number>();
function account(key: string, ms: number): void {
  cpuSeconds.set(key, (cpuSeconds.get(key) ?? 0) + ms / 1000);
}

/** Runs a tool; a non-zero exit becomes a message with the tail of its output. */
async function tool(file: string, args: string[], cwd?: string): Promise<string> {
  try {
    const r = await run(file, args, { cwd, maxBuffer: 64 << 20 });
    return r.stdout;
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    const out = `${err.stderr ?? ''}${err.stdout ?? ''}`.trim() || err.message;
    throw new Error(`${file} ${args.join(' ')}\n${out.split('\n').slice(0, 40).join('\n')}`);
  }
}

interface Unit {
  /** Path relative to the sketch folder. */
  rel: string;
  arduino: boolean;
  weightsOnly: boolean;
}

interface Project {
  sketch: string;
  units: Unit[];
  files: Map<string, string>;
  /** Function names defined in the float-edge kernel headers of this project. */
  floatEdgeFunctions: Set<string>;
}

async function generate(modelPath: string, dir: string): Promise<Project> {
  const model = await loadModel(modelPath);
  const project = await renderFirmware(model, { board: BOARD, command: 'test/compile/portability' });
  await writeProject(join(dir, 'p'), project.files);
  const sketch = join(dir, 'p', project.name);
  const files = new Map<string, string>();
  for (const [path, content] of project.files) files.set(path.slice(project.name.length + 1), content);
  const units: Unit[] = [];
  for (const [rel, content] of [...files].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (!rel.startsWith('src/tinyforge/') && !(rel.endsWith('.ino') && !rel.includes('/'))) continue;
    if (!rel.endsWith('.cpp') && !rel.endsWith('.ino')) continue;
    units.push({ rel, arduino: rel.endsWith('.ino') || /^\s*#\s*include\s*<Arduino\.h>/m.test(content), weightsOnly: basename(rel) === 'tinyforge_weights.cpp' });
  }
  const floatEdgeFunctions = new Set<string>();
  for (const k of FLOAT_EDGE_KERNELS) {
    const text = files.get(`src/tinyforge/${k}`);
    if (!text) continue;
    for (const m of text.matchAll(/^static\s+inline\s+[^(\n=;]*?\b(tf_\w+)\s*\(/gm)) floatEdgeFunctions.add(m[1]!);
  }
  return { sketch, units, files, floatEdgeFunctions };
}

function compileArgs(t: Target, p: Project, u: Unit, out: string, extra: string[] = []): string[] {
  const args = [...t.flags, ...COMMON, u.weightsOnly ? '-O0' : '-O2', ...extra];
  if (u.arduino) args.push(`-I${ARDUINO_STUB}`);
  if (u.rel.endsWith('.ino')) args.push('-x', 'c++', '-include', 'Arduino.h');
  args.push('-c', join(p.sketch, u.rel), '-o', out);
  return args;
}

/** Undefined symbols of an object. */
async function undefinedSymbols(t: Target, obj: string): Promise<string[]> {
  const out = await tool(t.nm, ['-u', '--format=posix', obj]);
  return out.split('\n').map((l) => l.trim().split(/\s+/)[0]!).filter(Boolean);
}

/** Defined symbols and their nm type letters. */
async function definedSymbols(t: Target, obj: string): Promise<{ name: string; type: string }[]> {
  const out = await tool(t.nm, ['--defined-only', '--format=posix', obj]);
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 2)
    .map((f) => ({ name: f[0]!, type: f[1]! }));
}

/**
 * Float helper calls per function of an object compiled with
 * -ffunction-sections: relocations of section .rel.text.<mangled> -> the
 * demangled function.
 */
async function floatCallsByFunction(obj: string): Promise<Map<string, string[]>> {
  const out = await tool(READELF, ['-rW', obj]);
  const bySection = new Map<string, Set<string>>();
  let section = '';
  for (const line of out.split('\n')) {
    const head = /^Relocation section '\.rela?(\.text(?:\.[^']*)?)'/.exec(line);
    if (head) {
      section = head[1]!;
      continue;
    }
    if (/^Relocation section/.test(line)) {
      section = '';
      continue;
    }
    if (!section) continue;
    const sym = line.trim().split(/\s+/)[4];
    if (sym && FLOAT_SYMBOL.test(sym)) {
      const set = bySection.get(section) ?? new Set<string>();
      set.add(sym);
      bySection.set(section, set);
    }
  }
  const result = new Map<string, string[]>();
  const sections = [...bySection.keys()];
  if (sections.length === 0) return result;
  // '.text' alone (code outside any function section) stays as is; c++filt prints unmangled names unchanged.
  const mangled = sections.map((s) => s.replace(/^\.text\.?/, '') || '.text');
  const demangled = (await tool(CXXFILT, mangled)).split('\n');
  sections.forEach((s, i) => result.set(demangled[i] || mangled[i]!, [...bySection.get(s)!].sort()));
  return result;
}

/** The function's plain name from a demangled signature: `void tf_dequantize<signed char, 8, 3>(...)` -> tf_dequantize. */
function baseName(demangled: string): string {
  const head = demangled.split('(')[0]!.split('<')[0]!.trim();
  return head.split(/\s+/).pop()!.split('::').pop()!;
}

async function checkModel(name: string, modelPath: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyforge-port-'));
  const problems: string[] = [];
  try {
    const p = await generate(modelPath, dir);
    for (const core of ['src/tinyforge/tinyforge_model.cpp', 'src/tinyforge/tinyforge_weights.cpp', 'src/tinyforge/tinyforge_validate.cpp']) {
      const u = p.units.find((x) => x.rel === core);
      if (!u) problems.push(`${core} is missing from the project`);
      else if (u.arduino) problems.push(`${core} includes <Arduino.h>: the portable core must not`);
    }
    const jobs: Promise<void>[] = [];
    for (const t of TARGETS) {
      const objDir = join(dir, 'obj', t.id);
      mkdirSync(objDir, { recursive: true });
      for (const u of p.units) {
        jobs.push(
          withSlot(async () => {
            const obj = join(objDir, `${basename(u.rel).replace(/\.(cpp|ino)$/, '')}.o`);
            const t0 = Date.now();
            try {
              await tool(t.cxx, compileArgs(t, p, u, obj));
            } catch (e) {
              problems.push(`[${t.id}] ${u.rel} does not compile warning-free:\n${(e as Error).message}`);
              return;
            } finally {
              account(t.id, Date.now() - t0);
              if (u.weightsOnly) account('weights (all targets)', Date.now() - t0);
            }
            for (const s of await undefinedSymbols(t, obj)) if (HEAP_SYMBOL.test(s)) problems.push(`[${t.id}] ${u.rel} uses the heap or exceptions: references ${s}`);
            if (u.weightsOnly) {
              for (const s of await definedSymbols(t, obj)) if (s.type !== 'R' && s.type !== 'r' && s.type !== 'n') problems.push(`[${t.id}] ${u.rel}: ${s.name} is not read-only data (nm type ${s.type}); weights must be const data in flash`);
            }
            if (t === M0 && /tinyforge_validate\.cpp$/.test(u.rel)) {
              for (const s of await undefinedSymbols(t, obj)) if (FLOAT_SYMBOL.test(s)) problems.push(`[${t.id}] ${u.rel} does float arithmetic: references ${s}`);
            }
          }),
        );
      }
    }
    // Float only in the float-edge kernels: the model at -O0 with one section per function.
    const model = p.units.find((u) => u.rel === 'src/tinyforge/tinyforge_model.cpp');
    if (model) {
      jobs.push(
        withSlot(async () => {
          const obj = join(dir, 'obj', 'm0plus-O0-sections.o');
          const t0 = Date.now();
          try {
            await tool(M0.cxx, compileArgs(M0, p, model, obj, ['-O0', '-ffunction-sections']));
          } catch (e) {
            problems.push(`[${M0.id} -O0] ${model.rel} does not compile warning-free:\n${(e as Error).message}`);
            return;
          } finally {
            account('float check (-O0)', Date.now() - t0);
          }
          for (const [fn, syms] of await floatCallsByFunction(obj)) {
            const allowed = p.floatEdgeFunctions.has(baseName(fn)) && /\bfloat\b/.test(fn);
            if (!allowed) problems.push(`[${M0.id}] float arithmetic outside the float-edge kernels (${FLOAT_EDGE_KERNELS.join(', ')}): ${fn} calls ${syms.join(', ')}`);
          }
        }),
      );
    }
    await Promise.all(jobs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(problems, `${name}:\n${problems.join('\n')}`).toEqual([]);
}

function models(): { name: string; path: string }[] {
  const golden = GOLDEN ? listGoldenCases().filter((c) => c.group === 'model').map((c) => ({ name: c.name, path: c.modelPath })) : [];
  return [...golden, { name: 'examples/gesture_int8', path: join(ROOT, 'examples', 'gesture_int8.tflite') }];
}

describe.runIf(HAVE)(`generated sources compile warning-free for ${TARGETS.map((t) => t.id).join(', ')}`, () => {
  afterAll(() => {
    const rows = [...cpuSeconds].map(([k, s]) => `${k} ${s.toFixed(1)} s`);
    if (rows.length) console.log(`portability: compiler wall time per target (${slots} jobs at once): ${rows.join(', ')}`);
  });

  describe.concurrent('models', () => {
    for (const m of models()) {
      it(`${m.name}: compiles on every target, no heap, float only in the float-edge kernels`, () => checkModel(m.name, m.path), 10 * MINUTES);
    }
  });

  it('the float check sees float arithmetic (a model with QUANTIZE / DEQUANTIZE of float tensors is flagged only inside quantize.h)', async () => {
    // Guard against a check that passes because it sees nothing: tiny-ad-autoencoder-floatio quantizes its
    // float input and dequantizes its output, so its -O0 object must call float helpers, from those kernels only.
    const c = GOLDEN ? listGoldenCases().find((x) => x.name === 'tiny-ad-autoencoder-floatio') : undefined;
    if (!c) return;
    const dir = mkdtempSync(join(tmpdir(), 'tinyforge-port-float-'));
    try {
      const p = await generate(c.modelPath, dir);
      const u = p.units.find((x) => x.rel === 'src/tinyforge/tinyforge_model.cpp')!;
      const obj = join(dir, 'm.o');
      await withSlot(() => tool(M0.cxx, compileArgs(M0, p, u, obj, ['-O0', '-ffunction-sections'])));
      const calls = await floatCallsByFunction(obj);
      const names = [...calls.keys()].map(baseName).sort();
      expect(names).toContain('tf_quantize_from_float');
      expect(names).toContain('tf_dequantize');
      for (const n of names) expect(p.floatEdgeFunctions.has(n), n).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 5 * MINUTES);
});
