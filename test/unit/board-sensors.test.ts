/**
 * Sensor entries of the board files: the capture HAL (templates/hal/<hal>.cpp.hbs)
 * and the facts it and the generator need (rates, channels, resolutions,
 * frame sizes, camera pins) are data, checked by boards/board.schema.json.
 * A HAL's template variables come from these facts, so the schema admits
 * only plain values there (integers for pins, enums for names).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boardsDir, listBoards, resolveBoard } from '../../lib/boards.js';
import { BoardError } from '../../lib/errors.js';

const HAL_DIR = join(boardsDir(), '..', 'templates', 'hal');
const CAPTURED = ['imu', 'microphone', 'adc', 'camera'];

const dir = mkdtempSync(join(tmpdir(), 'tinyforge-board-sensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let seq = 0;
/** A copy of a shipped board file with one change, in a fresh file (resolveBoard caches by path). */
function userBoard(from: string, edit: (b: any) => void): string {
  const b = JSON.parse(readFileSync(join(boardsDir(), `${from}.json`), 'utf8'));
  delete b.$schema;
  b.id = 'my-board';
  edit(b);
  const file = join(dir, `board-${seq++}.json`);
  writeFileSync(file, JSON.stringify(b, null, 2));
  return file;
}
function refused(file: string): BoardError {
  try {
    resolveBoard(file);
  } catch (e) {
    expect(e).toBeInstanceOf(BoardError);
    return e as BoardError;
  }
  throw new Error('expected a BoardError');
}
const sensorIndex = (from: string, kind: string): number => {
  const i = JSON.parse(readFileSync(join(boardsDir(), `${from}.json`), 'utf8')).sensors.findIndex((s: { kind: string }) => s.kind === kind);
  expect(i).toBeGreaterThanOrEqual(0);
  return i;
};

describe('shipped boards: sensors tinyforge captures name an existing HAL', () => {
  it('the schema lists exactly the HAL templates there are', () => {
    const schema = JSON.parse(readFileSync(join(boardsDir(), 'board.schema.json'), 'utf8'));
    const templates = readdirSync(HAL_DIR).filter((f) => f.endsWith('.cpp.hbs')).map((f) => f.slice(0, -'.cpp.hbs'.length));
    expect([...schema.properties.sensors.items.properties.hal.enum].sort()).toEqual(templates.sort());
  });

  it('every imu, microphone, adc and camera has a HAL whose template exists; facts reach BoardSensor.facts', () => {
    for (const id of listBoards()) {
      for (const s of resolveBoard(id).sensors) {
        if (!CAPTURED.includes(s.kind)) continue;
        expect(s.hal, `${id} ${s.kind}`).not.toBeNull();
        expect(existsSync(join(HAL_DIR, `${s.hal}.cpp.hbs`)), `${id} ${s.hal}`).toBe(true);
      }
    }
    const rev1 = resolveBoard('nano33ble-sense-rev1');
    expect(rev1.sensors.find((s) => s.kind === 'imu')!.facts.rateHz).toBe(119);
    expect(resolveBoard('nano33ble-sense-rev2').sensors.find((s) => s.kind === 'imu')!.facts.rateHz).toBe(99.84);
    expect(resolveBoard('xiao-nrf52840-sense').sensors.find((s) => s.kind === 'imu')!.facts.channels).toEqual(['ax', 'ay', 'az', 'gx', 'gy', 'gz']);
    const cam = rev1.sensors.find((s) => s.kind === 'camera')!;
    expect(cam).toMatchObject({ hal: 'ov767x', library: 'Arduino_OV767X', facts: { chip: 'OV7675', fps: [1, 5] } });
    expect(typeof cam.facts.requires).toBe('string');
    const esp = resolveBoard('esp32-cam').sensors.find((s) => s.kind === 'camera')!;
    expect(esp).toMatchObject({ hal: 'esp32-camera', header: 'esp_camera.h', library: null, facts: { xclkHz: 20000000, pins: { pwdn: 32, reset: -1, xclk: 0, sccbSda: 26, sccbScl: 27, d0: 5, pclk: 22 } } });
    for (const s of resolveBoard('mps2-an386').sensors) expect(s.hal).toBe('emulated');
    expect(new Set(resolveBoard('mps2-an386').sensors.map((s) => s.kind))).toEqual(new Set(CAPTURED));
  });
});

describe("a user's board file: sensor entries are checked", () => {
  it('an imu without a HAL is refused, naming the field', () => {
    const i = sensorIndex('nano33ble-sense-rev2', 'imu');
    const e = refused(userBoard('nano33ble-sense-rev2', (b) => delete b.sensors[i].hal));
    expect(e.context.field).toBe(`/sensors/${i}/hal`);
  });

  it('a HAL for another kind of sensor is refused', () => {
    const i = sensorIndex('nano33ble-sense-rev2', 'imu');
    const e = refused(userBoard('nano33ble-sense-rev2', (b) => (b.sensors[i].hal = 'mbed-pdm')));
    expect(e.message).toContain(`/sensors/${i}`);
  });

  it('an unknown HAL is refused with the list of known ones', () => {
    const i = sensorIndex('nano33ble-sense-rev2', 'microphone');
    const e = refused(userBoard('nano33ble-sense-rev2', (b) => (b.sensors[i].hal = '../../etc/passwd')));
    expect(e.context.field).toBe(`/sensors/${i}/hal`);
    expect(e.message).toContain('"mbed-pdm"');
  });

  it('a HAL without the facts it needs is refused (esp32-camera without pins, analog-read without bits)', () => {
    expect(refused(userBoard('esp32-cam', (b) => delete b.sensors[0].pins)).context.field).toBe('/sensors/0/pins');
    const a = sensorIndex('esp32-devkit', 'adc');
    expect(refused(userBoard('esp32-devkit', (b) => delete b.sensors[a].maxBits)).context.field).toBe(`/sensors/${a}/maxBits`);
  });

  it('values that reach generated C must be plain: pins are integers, the chip an enum, the header a file name', () => {
    const hostilePin = '32); system("x"';
    expect(refused(userBoard('esp32-cam', (b) => (b.sensors[0].pins.pwdn = hostilePin))).context.field).toBe('/sensors/0/pins/pwdn');
    const c = sensorIndex('nano33ble-sense-rev1', 'camera');
    const hostileChip = 'OV7675); evil(';
    expect(refused(userBoard('nano33ble-sense-rev1', (b) => (b.sensors[c].chip = hostileChip))).context.field).toBe(`/sensors/${c}/chip`);
    const m = sensorIndex('nano33ble-sense-rev1', 'microphone');
    for (const header of ['PDM.h>\n#include <evil.h', '"PDM.h"', 'PDM', '../PDM.h;']) {
      expect(refused(userBoard('nano33ble-sense-rev1', (b) => (b.sensors[m].header = header))).context.field, header).toBe(`/sensors/${m}/header`);
    }
  });

  it('a sensor tinyforge does not capture needs no HAL', () => {
    const file = userBoard('nano33ble-sense-rev1', (b) => b.sensors.push({ kind: 'light', part: 'LDR', library: null, source: 'a user board' }));
    expect(resolveBoard(file).sensors.at(-1)).toMatchObject({ kind: 'light', hal: null });
  });
});
