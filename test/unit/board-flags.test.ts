/**
 * A user's board file is data that reaches the generated Makefile (its
 * toolchain.cflags become CPU := ..., which make expands into the shell
 * commands it runs; the emulation fields name the QEMU binary and machine).
 * boards/board.schema.json admits only plain flags and names, and the
 * generator checks the same again for boards built in code, so a board file
 * cannot inject make or shell syntax. Valid flags reach the Makefile as they
 * are, and `make -n` shows them in the compile commands.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { boardsDir, listBoards, resolveBoard } from '../../lib/boards.js';
import { BoardError, GenerateError } from '../../lib/errors.js';
import { loadModel } from '../../lib/load.js';
import { renderFirmware } from '../../lib/generate.js';
import { renderProject, SAFE_FLAG } from '../../generator/project.js';
import { writeProject } from '../../generator/output.js';
import { requireToolchain } from '../compile/toolchain.js';

const MODEL = fileURLToPath(new URL('../../examples/gesture_int8.tflite', import.meta.url));
const PWNED = join(tmpdir(), 'tinyforge-board-pwned');
const HAVE_MAKE = requireToolchain(['make']);

const HOSTILE_FLAGS = [
  `-O2; touch ${PWNED}`,
  `-mcpu=$(shell touch ${PWNED})`,
  '-mcpu=${HOME}',
  `-m\`touch ${PWNED}\``,
  "-D'X'",
  '-DX="1"',
  '-DX=1 -DY=2',
  '-mthumb\nall:\n\ttouch /tmp/x',
  '-I/a#b',
  '-f|g',
  '-a&&b',
  '-a>b',
  '-x(y)',
  '--specs=x\\',
  '-',
  '--',
  '-=x',
  ' -mthumb',
  '-mthumb\t',
];

let seq = 0;
let boardDir: string | null = null;
afterAll(() => {
  if (boardDir) rmSync(boardDir, { recursive: true, force: true });
});
/** A copy of the emulated board file with one change, written to a fresh file (resolveBoard caches by path). */
function userBoard(edit: (b: any) => void): string {
  const b = JSON.parse(readFileSync(join(boardsDir(), 'mps2-an386.json'), 'utf8'));
  delete b.$schema;
  b.id = 'my-emu-board';
  edit(b);
  boardDir ??= mkdtempSync(join(tmpdir(), 'tinyforge-board-flags-'));
  const file = join(boardDir, `board-${seq++}.json`);
  writeFileSync(file, JSON.stringify(b, null, 2));
  return file;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return null;
}

describe('board toolchain flags cannot inject make or shell syntax', () => {
  it('the schema and the generator check the same flag pattern; every shipped board passes it', () => {
    const schema = JSON.parse(readFileSync(join(boardsDir(), 'board.schema.json'), 'utf8'));
    expect(schema.properties.toolchain.properties.cflags.items.pattern).toBe(SAFE_FLAG.source);
    for (const id of listBoards()) {
      const b = resolveBoard(id);
      for (const f of b.toolchain.cflags) expect(f, id).toMatch(SAFE_FLAG);
    }
  });

  it('a board file with a hostile flag, compiler or emulator name is refused, naming the field', () => {
    for (const flag of HOSTILE_FLAGS) {
      const file = userBoard((b) => (b.toolchain.cflags = ['-mcpu=cortex-m4', flag]));
      const e = thrown(() => resolveBoard(file));
      expect(e, JSON.stringify(flag)).toBeInstanceOf(BoardError);
      expect((e as BoardError).message).toContain('/toolchain/cflags/1');
    }
    for (const compiler of ['gcc; rm -rf ~', '/usr/bin/gcc', 'gcc -O2', '$(CC)', '']) {
      const e = thrown(() => resolveBoard(userBoard((b) => (b.toolchain.compiler = compiler))));
      expect(e, compiler).toBeInstanceOf(BoardError);
      expect((e as BoardError).message).toContain('/toolchain/compiler');
    }
    for (const [field, value] of [['qemu', 'qemu-system-arm; id'], ['machine', 'mps2 -kernel x'], ['family', '../../etc']] as const) {
      const e = thrown(() => resolveBoard(userBoard((b) => (b.emulation[field] = value))));
      expect(e, `${field} ${value}`).toBeInstanceOf(BoardError);
      expect((e as BoardError).message).toContain(`/emulation/${field}`);
    }
  });

  it('a board built in code (no schema) is checked by the generator too', async () => {
    const model = await loadModel(MODEL);
    const base = resolveBoard('mps2-an386');
    for (const flag of HOSTILE_FLAGS) {
      const board = { ...base, toolchain: { ...base.toolchain, cflags: ['-mthumb', flag] } };
      const e = thrown(() => renderProject(model, { board: board as never }));
      expect(e, JSON.stringify(flag)).toBeInstanceOf(GenerateError);
      expect((e as GenerateError).code).toBe('board-unsafe');
    }
    for (const [field, value] of [['qemu', 'qemu-system-arm;id'], ['machine', '$(x)'], ['family', '../native']] as const) {
      const board = { ...base, emulation: { ...base.emulation!, [field]: value } };
      const e = thrown(() => renderProject(model, { board: board as never }));
      expect(e, `${field} ${value}`).toBeInstanceOf(GenerateError);
    }
  });

  it.runIf(HAVE_MAKE)('valid flags of a user board reach the generated Makefile and the compile commands as they are', async () => {
    const flags = ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-DTF_USER_FLAG=1', '-fno-common', '--param=max-inline-insns-single=100'];
    const file = userBoard((b) => (b.toolchain.cflags = flags));
    const model = await loadModel(MODEL);
    const project = await renderFirmware(model, { board: file });
    const makefile = project.files.get(`${project.name}/emulation/Makefile`)!;
    expect(makefile).toContain(`CPU := ${flags.join(' ')}\n`);
    const dir = mkdtempSync(join(tmpdir(), 'tinyforge-board-make-'));
    try {
      await writeProject(join(dir, 'p'), project.files);
      const out = execFileSync('make', ['-n', '-C', join(dir, 'p', project.name, 'emulation')], { encoding: 'utf8' });
      const compile = out.split('\n').find((l) => l.includes('tinyforge_model.cpp'))!;
      expect(compile).toBeDefined();
      for (const f of flags) expect(compile.split(/\s+/)).toContain(f);
      expect(existsSync(PWNED)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
