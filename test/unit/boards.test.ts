import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { boardsDir, listBoards, resolveBoard } from '../../lib/boards.js';
import { BoardError } from '../../lib/errors.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REQUIRED = [
  'nano33ble-sense-rev1', 'nano33ble-sense-rev2', 'esp32-devkit', 'esp32-s3-devkit', 'rp2040-pico',
  'portenta-h7-m7', 'nucleo-f401re', 'xiao-nrf52840-sense', 'mps2-an386',
];

/** A copy of a shipped board file with one change, written to a temp dir; returns its path. */
function userBoard(edit: (b: any) => void, name = 'my-board.json'): string {
  const b = JSON.parse(readFileSync(join(boardsDir(), 'nano33ble-sense-rev2.json'), 'utf8'));
  delete b.$schema;
  b.id = 'my-board';
  edit(b);
  const dir = mkdtempSync(join(tmpdir(), 'tinyforge-board-'));
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(b, null, 2));
  return file;
}

function boardError(fn: () => unknown): BoardError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BoardError);
    return e as BoardError;
  }
  throw new Error('expected a BoardError');
}

describe('shipped boards', () => {
  it('ships at least the required boards, ids equal to file names', () => {
    const ids = listBoards();
    for (const id of REQUIRED) expect(ids).toContain(id);
    for (const id of ids) expect(resolveBoard(id).id).toBe(id);
  });

  it.each(REQUIRED)('%s validates and resolves to a frozen, defaulted board', (id) => {
    const b = resolveBoard(id);
    expect(Object.isFrozen(b)).toBe(true);
    expect(Object.isFrozen(b.memory)).toBe(true);
    expect(b.clockHz).toBeGreaterThan(0);
    expect(b.latency.cpi).toBeGreaterThan(0);
    expect(b.power.batteryVolts).toBeGreaterThan(0);
    expect(['cmsis-nn', 'esp-nn', 'reference']).toContain(b.tflm.kernels);
    if (b.memory.maxTextBytes !== null) expect(b.memory.maxTextBytes).toBeLessThanOrEqual(b.memory.flashBytes);
    if (b.memory.maxDataBytes !== null) expect(b.memory.maxDataBytes).toBeLessThanOrEqual(b.memory.ramBytes);
    // Every figure carries a source.
    for (const path of ['/clockHz', '/memory/flashBytes', '/memory/ramBytes', '/memory/maxTextBytes', '/memory/maxDataBytes',
      '/power/activeMw', '/power/sleepMw', '/power/batteryVolts', '/arduinoCore/flashBytes', '/arduinoCore/ramBytes',
      '/arduinoCore/stackBytes', '/latency/cpi', '/features', '/tflm', '/toolchain']) {
      expect(b.sources[path]?.source.length, `${id} ${path}`).toBeGreaterThan(3);
    }
    for (const s of b.sensors) expect(s.source.length).toBeGreaterThan(3);
  });

  it('resolves a board once (the same frozen object)', () => {
    expect(resolveBoard('esp32-devkit')).toBe(resolveBoard('esp32-devkit'));
  });

  it('the Cortex-M boards use cmsis-nn and the ESP32 boards esp-nn', () => {
    for (const id of listBoards()) {
      const b = resolveBoard(id);
      if (b.core.startsWith('cortex-m')) expect(b.tflm.kernels).toBe('cmsis-nn');
      if (b.core.startsWith('xtensa')) expect(b.tflm.kernels).toBe('esp-nn');
    }
  });

  it('finds <pkg>/boards from the built dist/ as well', () => {
    const dist = join(ROOT, 'dist', 'lib', 'boards.js');
    if (!existsSync(dist)) {
      console.warn('skipped: dist/lib/boards.js not built (npm run build; `npm test` builds it first)');
      return;
    }
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', `import { listBoards, resolveBoard } from ${JSON.stringify(dist)}; const ids = listBoards(); console.log(JSON.stringify({ ids, clock: resolveBoard(ids[0]).clockHz }));`], { encoding: 'utf8' });
    const got = JSON.parse(out);
    expect(got.ids).toEqual(listBoards());
    expect(got.clock).toBe(resolveBoard(listBoards()[0]!).clockHz);
  });
});

describe("a user's board file", () => {
  it('accepts a valid file by path, with defaults filled in', () => {
    const b = resolveBoard(userBoard((x) => { x.name = 'Mine'; }));
    expect(b.id).toBe('my-board');
    expect(b.name).toBe('Mine');
    expect(b.power.batteryVolts).toBe(3.7);
    expect(b.sources['/power/batteryVolts']!.estimate).toBe(true);
  });

  it('a wrong type names the file, the field and what was expected', () => {
    const file = userBoard((x) => { x.clockHz.value = '64MHz'; });
    const e = boardError(() => resolveBoard(file));
    expect(e.context.file).toBe(file);
    expect(e.context.field).toBe('/clockHz/value');
    expect(e.message).toContain(file);
    expect(e.message).toContain('/clockHz/value');
    expect(e.message).toContain('expected number');
    expect(e.message).toContain('"64MHz"');
  });

  it('a value out of the enum lists the allowed values', () => {
    const e = boardError(() => resolveBoard(userBoard((x) => { x.core = 'cortex-m5'; })));
    expect(e.context.field).toBe('/core');
    expect(e.message).toContain('cortex-m4f');
  });

  it('a missing field is named by its own path', () => {
    const e = boardError(() => resolveBoard(userBoard((x) => { delete x.memory.ramBytes; })));
    expect(e.context.field).toBe('/memory/ramBytes');
    expect(e.message).toContain('missing');
  });

  it('a figure without a source is refused', () => {
    const e = boardError(() => resolveBoard(userBoard((x) => { delete x.latency.cpi.source; })));
    expect(e.context.field).toBe('/latency/cpi/source');
  });

  it('a non-positive clock, an unknown field and bad JSON are refused', () => {
    expect(boardError(() => resolveBoard(userBoard((x) => { x.clockHz.value = 0; }))).context.field).toBe('/clockHz/value');
    expect(boardError(() => resolveBoard(userBoard((x) => { x.tflm.kernel = 'cmsis-nn'; }))).message).toContain('unknown field "kernel"');
    const dir = mkdtempSync(join(tmpdir(), 'tinyforge-board-'));
    writeFileSync(join(dir, 'broken.json'), '{ "id": ');
    expect(boardError(() => resolveBoard(join(dir, 'broken.json'))).code).toBe('board-json');
  });

  it('an unknown id lists the shipped ones; a missing path says so', () => {
    const e = boardError(() => resolveBoard('nano33'));
    expect(e.message).toContain('nano33ble-sense-rev2');
    expect(boardError(() => resolveBoard('./nope/board.json')).code).toBe('board-file-missing');
  });
});

describe('boards are data', () => {
  /** Every TypeScript/JavaScript source outside tests, node_modules, dist and scratch. */
  function sources(dir: string, out: string[] = []): string[] {
    for (const e of readdirSync(dir)) {
      if (['node_modules', 'dist', 'test', 'scratch', '.git', 'boards'].includes(e)) continue;
      const p = join(dir, e);
      if (statSync(p).isDirectory()) sources(p, out);
      else if (/\.(ts|js|mjs|hbs)$/.test(e)) out.push(p);
    }
    return out;
  }

  /** Source text without comments: the rule is about code paths, not documentation. */
  const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

  it('no source file names a board id in code or compares a board field to a literal', () => {
    const ids = listBoards();
    const offenders: string[] = [];
    for (const file of sources(ROOT)) {
      const text = code(readFileSync(file, 'utf8'));
      for (const id of ids) if (text.includes(`'${id}'`) || text.includes(`"${id}"`) || text.includes(`\`${id}\``)) offenders.push(`${relative(ROOT, file)}: ${id}`);
      if (/\b(board|b)\.(id|fqbn|mcu|name)\s*[!=]==?\s*['"`]/.test(text)) offenders.push(`${relative(ROOT, file)}: compares a board field to a literal`);
    }
    expect(offenders).toEqual([]);
  });
});
