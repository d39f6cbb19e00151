/**
 * The sensor HALs (templates/hal/<hal>.cpp.hbs, named by the board data):
 *
 *  1. For every shipped board and every sensor with a `hal`, the template is
 *     rendered from the board entry (header and facts) and compiled -c, with
 *     representative tf_sensor_params.h files for its kind (every frame size
 *     and format a camera lists, both rates and channel sets of an IMU...),
 *     by g++ and arm-none-eabi-g++ (Cortex-M4), -std=c++11 -Wall -Wextra
 *     -Werror -fno-exceptions -fno-rtti, against declarations-only stubs of
 *     the Arduino core and the sensor libraries (fixtures/arduino/*.h, written
 *     from the signatures in arduino-apis.md §2). The real cores and libraries
 *     were not available: these compiles prove that the HALs call the
 *     documented APIs with matching signatures and that the templates render
 *     to warning-free C++, not that they build or run on a board. The
 *     emulated board's HAL (the QEMU board) compiles without the stubs.
 *  2. Parameters a HAL cannot serve stop the build with its own #error.
 *  3. The HALs' own logic (sample clock, catch-up, ring, drops, IMU unit
 *     conversion and rounding, the PDM callback) runs on the host against a
 *     scripted fake core (fixtures/hal_fake_core.cpp) and is checked exactly.
 *
 * In CI (CI=true) a missing compiler is a failure; elsewhere the groups that
 * need it are skipped with a warning.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Handlebars from 'handlebars';
import { listBoards, resolveBoard, type BoardSensor } from '../../lib/boards.js';
import { requireToolchain } from './toolchain.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HAL_DIR = join(ROOT, 'templates', 'hal');
const STUBS = fileURLToPath(new URL('./fixtures/arduino', import.meta.url));
const FAKE_CORE = fileURLToPath(new URL('./fixtures/hal_fake_core.cpp', import.meta.url));
const FLAGS = ['-std=c++11', '-Wall', '-Wextra', '-Werror', '-fno-exceptions', '-fno-rtti'];
const COMPILERS = [
  { id: 'host', cxx: 'g++', flags: [] as string[] },
  { id: 'cortex-m4', cxx: 'arm-none-eabi-g++', flags: ['-mcpu=cortex-m4', '-mthumb'] },
];
const HAVE_HOST = requireToolchain(['g++']);
const HAVE_ARM = requireToolchain(['arm-none-eabi-g++']);
const IMU_CHANNELS = ['ax', 'ay', 'az', 'gx', 'gy', 'gz', 'mx', 'my', 'mz'];

const work = mkdtempSync(join(tmpdir(), 'tinyforge-hal-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// ---- rendering and parameters ----

/**
 * A HAL rendered from its board entry: the view is the entry's header and
 * facts (pins, chip, xclkHz...), as the generator is to pass them. Strict:
 * a variable the board data lacks is an error, not an empty string.
 */
function renderHal(sensor: BoardSensor): string {
  const text = readFileSync(join(HAL_DIR, `${sensor.hal}.cpp.hbs`), 'utf8');
  const view = { ...sensor.facts, header: sensor.header ?? '', part: sensor.part, kind: sensor.kind };
  return Handlebars.create().compile(text, { noEscape: true, strict: true })(view);
}

interface Params {
  rate?: number;
  channels?: number;
  channelMap?: number[];
  adcBits?: number;
  micGain?: number;
  camera?: { width: number; height: number; format: 'grayscale' | 'rgb565' | 'rgb888' | 'both'; fps: number };
}

/** A tf_sensor_params.h like the generator's (templates/sensor/tf_sensor.h lists the macros). */
function paramsHeader(p: Params): string {
  const l = ['#pragma once', '#include <stdint.h>'];
  if (p.rate !== undefined) {
    l.push(`#define TF_SENSOR_RATE_HZ ${p.rate}`, `#define TF_SENSOR_CHANNELS ${p.channels ?? 1}`, '#define TF_SENSOR_RING_SAMPLES 300');
  }
  if (p.channelMap) l.push('extern const uint8_t tf_sensor_channel_map[TF_SENSOR_CHANNELS];');
  if (p.adcBits !== undefined) l.push(`#define TF_ADC_RESOLUTION_BITS ${p.adcBits}`, 'extern const uint8_t tf_adc_pins[TF_SENSOR_CHANNELS];');
  if (p.micGain !== undefined) l.push(`#define TF_MIC_GAIN (${p.micGain})`);
  if (p.camera) {
    const c = p.camera;
    const bpp = c.format === 'grayscale' ? 1 : c.format === 'rgb888' ? 3 : 2;
    l.push(`#define TF_CAMERA_WIDTH ${c.width}`, `#define TF_CAMERA_HEIGHT ${c.height}`);
    if (c.format === 'grayscale' || c.format === 'both') l.push('#define TF_CAMERA_FORMAT_GRAYSCALE 1');
    if (c.format === 'rgb565' || c.format === 'both') l.push('#define TF_CAMERA_FORMAT_RGB565 1');
    if (c.format === 'rgb888') l.push('#define TF_CAMERA_FORMAT_RGB888 1');
    l.push(`#define TF_CAMERA_FRAME_BYTES (${c.width}*${c.height}*${bpp})`, `#define TF_CAMERA_FPS ${c.fps}`);
  }
  return `${l.join('\n')}\n`;
}

/** Representative parameter sets for a board sensor: every branch its HAL has for the facts the board lists. */
function paramSets(s: BoardSensor): { name: string; params: Params }[] {
  const f = s.facts as { rateHz?: number; channels?: string[]; gain?: { default: number }; defaultBits?: number; maxBits?: number; frames?: { width: number; height: number; formats: string[] }[]; fps?: number[] };
  switch (s.kind) {
    case 'imu': {
      const all = (f.channels ?? IMU_CHANNELS).map((c) => IMU_CHANNELS.indexOf(c));
      return [
        // The native rate as the board states it (99.84 is not an integer) and every channel.
        { name: `${f.rateHz ?? 100} Hz, ${all.length} ch`, params: { rate: f.rateHz ?? 100, channels: all.length, channelMap: all } },
        { name: '50 Hz, accel', params: { rate: 50, channels: 3, channelMap: [0, 1, 2] } },
      ];
    }
    case 'microphone':
      return [
        { name: 'default gain', params: { rate: f.rateHz ?? 16000, channels: 1, micGain: -1 } },
        { name: 'gain set', params: { rate: f.rateHz ?? 16000, channels: 1, micGain: f.gain?.default ?? 20 } },
      ];
    case 'adc':
      return [
        { name: 'default bits', params: { rate: 100, channels: 2, adcBits: f.defaultBits ?? 12 } },
        { name: 'most bits', params: { rate: 8000, channels: 1, adcBits: Math.min(f.maxBits ?? 12, 15) } },
      ];
    case 'camera': {
      const frames = f.frames ?? [{ width: 96, height: 96, formats: ['grayscale', 'rgb565'] }];
      return frames.flatMap((fr) =>
        fr.formats.flatMap((format) =>
          (f.fps ?? [1]).map((fps) => ({ name: `${fr.width}x${fr.height} ${format} ${fps} fps`, params: { camera: { width: fr.width, height: fr.height, format: format as 'grayscale' | 'rgb565', fps } } })),
        ),
      );
    }
    default:
      return [];
  }
}

// ---- compiling ----

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

/** A build folder: the rendered HAL as tf_hal_sensor.cpp, its params, tf_sensor.h and the shared HAL headers. */
function buildDir(source: string, params: string): string {
  const key = createHash('sha256').update(source).update('\0').update(params).digest('hex').slice(0, 16);
  const dir = join(work, key);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tf_hal_sensor.cpp'), source);
  writeFileSync(join(dir, 'tf_sensor_params.h'), params);
  copyFileSync(join(ROOT, 'templates', 'sensor', 'tf_sensor.h'), join(dir, 'tf_sensor.h'));
  for (const h of readdirSync(HAL_DIR).filter((f) => f.endsWith('.h'))) copyFileSync(join(HAL_DIR, h), join(dir, h));
  return dir;
}

/** Include path: the Arduino stubs, or for the emulated board its own headers (no Arduino at all). */
function includes(hal: string): string[] {
  return hal === 'emulated' ? [`-I${join(ROOT, 'templates', 'mps2')}`] : [`-I${STUBS}`];
}

async function compile(cxx: string, flags: string[], dir: string, hal: string): Promise<{ ok: boolean; output: string }> {
  return withSlot(async () => {
    try {
      await run(cxx, [...FLAGS, ...flags, ...includes(hal), `-I${dir}`, '-c', join(dir, 'tf_hal_sensor.cpp'), '-o', join(dir, `hal-${cxx}.o`)], { maxBuffer: 16 << 20 });
      return { ok: true, output: '' };
    } catch (e) {
      const err = e as { stderr?: string; stdout?: string; message: string };
      return { ok: false, output: `${err.stderr ?? ''}${err.stdout ?? ''}`.trim() || err.message };
    }
  });
}

// ---- the cases: every board sensor with a HAL ----

interface Case {
  board: string;
  sensor: BoardSensor;
  name: string;
  params: Params;
}
const CASES: Case[] = listBoards().flatMap((id) =>
  resolveBoard(id)
    .sensors.filter((s) => s.hal !== null)
    .flatMap((s) => paramSets(s).map((p) => ({ board: id, sensor: s, ...p }))),
);

describe('the board data names a HAL for what tinyforge captures', () => {
  it('has cases for every capture kind and every HAL template', () => {
    expect(new Set(CASES.map((c) => c.sensor.kind))).toEqual(new Set(['imu', 'microphone', 'adc', 'camera']));
    const templates = readdirSync(HAL_DIR).filter((f) => f.endsWith('.cpp.hbs')).map((f) => f.slice(0, -'.cpp.hbs'.length));
    expect(new Set(CASES.map((c) => c.sensor.hal))).toEqual(new Set(templates));
  });

  it('renders every board sensor without leftovers', () => {
    for (const c of CASES) {
      const src = renderHal(c.sensor);
      expect(src, `${c.board} ${c.sensor.kind}`).not.toMatch(/\{\{|\}\}|#include <>/);
    }
  });
});

for (const cc of COMPILERS) {
  const have = cc.id === 'host' ? HAVE_HOST : HAVE_ARM;
  describe.runIf(have)(`every board's HALs compile warning-free (${cc.id}, stub headers)`, () => {
    it.each(CASES.map((c) => [`${c.board} ${c.sensor.kind} ${c.sensor.hal}: ${c.name}`, c] as const))('%s', async (_name, c) => {
      const dir = buildDir(renderHal(c.sensor), paramsHeader(c.params));
      const r = await compile(cc.cxx, cc.flags, dir, c.sensor.hal!);
      expect(r.ok, r.output).toBe(true);
    });
  });
}

// ---- what a HAL cannot serve stops the build ----

function sensorWith(hal: string): BoardSensor {
  for (const id of listBoards()) for (const s of resolveBoard(id).sensors) if (s.hal === hal) return s;
  throw new Error(`no board uses HAL ${hal}`);
}
const REFUSED: { hal: string; why: string; params: Params; message: string }[] = [
  { hal: 'analog-read', why: '16-bit counts do not fit int16', params: { rate: 100, channels: 1, adcBits: 16 }, message: 'TF_ADC_RESOLUTION_BITS must be 1..15' },
  { hal: 'mbed-pdm', why: 'stereo', params: { rate: 16000, channels: 2, micGain: -1 }, message: 'captures one channel' },
  { hal: 'ov767x', why: 'a frame size the library lacks', params: { camera: { width: 96, height: 96, format: 'grayscale', fps: 1 } }, message: 'Arduino_OV767X frames are 176x144' },
  { hal: 'ov767x', why: 'a frame rate the library refuses', params: { camera: { width: 176, height: 144, format: 'grayscale', fps: 2 } }, message: 'TF_CAMERA_FPS must be 1 or 5' },
  { hal: 'ov767x', why: 'RGB888', params: { camera: { width: 160, height: 120, format: 'rgb888', fps: 1 } }, message: 'exactly one of TF_CAMERA_FORMAT_GRAYSCALE' },
  { hal: 'esp32-camera', why: 'a frame size the driver lacks', params: { camera: { width: 100, height: 100, format: 'grayscale', fps: 1 } }, message: 'esp32-camera: frames are 96x96' },
  { hal: 'esp32-camera', why: 'two formats at once', params: { camera: { width: 96, height: 96, format: 'both', fps: 1 } }, message: 'exactly one of TF_CAMERA_FORMAT_GRAYSCALE' },
];
describe.runIf(HAVE_HOST)('parameters a HAL cannot serve stop the build with its own message', () => {
  it.each(REFUSED.map((r) => [`${r.hal}: ${r.why}`, r] as const))('%s', async (_name, r) => {
    const dir = buildDir(renderHal(sensorWith(r.hal)), paramsHeader(r.params));
    const out = await compile('g++', [], dir, r.hal);
    expect(out.ok).toBe(false);
    expect(out.output).toContain(r.message);
  });
});

// ---- the HALs' logic on the host, against a scripted fake core ----

async function runFake(define: string, source: string, params: string): Promise<Record<string, string>> {
  const dir = buildDir(source, params);
  const exe = join(dir, `fake-${define}`);
  await run('g++', [...FLAGS, '-O1', `-D${define}`, `-I${STUBS}`, `-I${dir}`, join(dir, 'tf_hal_sensor.cpp'), FAKE_CORE, '-o', exe]);
  const { stdout } = await run(exe, []);
  const kv: Record<string, string> = {};
  for (const m of stdout.matchAll(/([a-z_0-9]+)=(\S*)/g)) kv[m[1]!] = m[2]!;
  return kv;
}
const num = (kv: Record<string, string>, k: string): number => {
  expect(kv[k], k).toBeDefined();
  return Number(kv[k]);
};

describe.runIf(HAVE_HOST)('HAL logic against a fake core (host)', () => {
  it('analog-read: paced at 119 Hz exactly across the micros() wrap; catch-up, full ring and long stalls are counted as dropped', async () => {
    const kv = await runFake('TF_FAKE_ADC', renderHal(sensorWith('analog-read')), paramsHeader({ rate: 119, channels: 2, adcBits: 12 }).replace('TF_SENSOR_RING_SAMPLES 300', 'TF_SENSOR_RING_SAMPLES 64'));
    expect(num(kv, 'bits')).toBe(12);
    // 10 s with the loop idling: every sample read exactly when due, none lost, the clock never drifts.
    expect(num(kv, 'run_samples')).toBe(num(kv, 'run_expected'));
    expect(num(kv, 'run_samples')).toBeGreaterThanOrEqual(1190);
    expect(num(kv, 'run_dropped')).toBe(0);
    expect(num(kv, 'max_late_us')).toBe(0);
    expect(num(kv, 'delays')).toBeGreaterThan(1000);  // it slept between samples
    // A 100 ms stall: the 11-12 periods that came due share one reading; all but one count as dropped.
    expect(num(kv, 'stall_samples')).toBe(num(kv, 'stall_expected'));
    expect(num(kv, 'stall_dropped')).toBe(num(kv, 'stall_samples') - 1);
    expect(num(kv, 'stall_reads')).toBe(1);
    // Sampling on while nobody reads: the ring keeps 64, the rest is dropped.
    expect(num(kv, 'full_samples')).toBe(64);
    expect(num(kv, 'full_dropped')).toBe(num(kv, 'full_due') - 64);
    // A 2 s stall (238 periods > the ring): one ring of repeats, the clock restarts, the rest dropped.
    expect(num(kv, 'long_samples')).toBe(64);
    expect(Math.abs(num(kv, 'long_dropped') - (num(kv, 'long_periods') - 1))).toBeLessThanOrEqual(1);
    // Then on time again.
    expect(num(kv, 'after_samples')).toBeGreaterThanOrEqual(118);
    expect(num(kv, 'after_samples')).toBeLessThanOrEqual(120);
    expect(num(kv, 'after_dropped')).toBe(0);
    expect(num(kv, 'in_order')).toBe(1);
  });

  it('mbed-pdm: the callback drains every buffer into a 300-sample ring (not a power of two); a full ring keeps the oldest', async () => {
    const kv = await runFake('TF_FAKE_PDM', renderHal(sensorWith('mbed-pdm')), paramsHeader({ rate: 16000, channels: 1, micGain: 35 }));
    expect(kv).toMatchObject({ channels: '1', rate: '16000', gain: '35', callback: '1' });
    expect(num(kv, 'stream_samples')).toBe(39 * 256 + 290);
    expect(num(kv, 'stream_dropped')).toBe(0);
    expect(num(kv, 'consecutive')).toBe(1);
    expect(num(kv, 'ring')).toBe(300);
    // 768 samples with no reader: 300 kept (the oldest), 468 dropped; the stream resumes after the gap.
    expect(num(kv, 'full_samples')).toBe(300 + 256);
    expect(num(kv, 'full_dropped')).toBe(768 - 300);
    expect(num(kv, 'kept_oldest')).toBe(1);
    expect(num(kv, 'resumed')).toBe(1);
    // The driver's buffer is always emptied (else the nRF52840 driver stops capturing).
    expect(num(kv, 'undrained')).toBe(0);
  });

  it('mbed-pdm: TF_MIC_GAIN -1 keeps the library default (setGain is not called)', async () => {
    const kv = await runFake('TF_FAKE_PDM', renderHal(sensorWith('mbed-pdm')), paramsHeader({ rate: 16000, channels: 1, micGain: -1 }));
    expect(kv.gain).toBe('-1000');  // the fake's "never set"
  });

  it('arduino-imu: units, clamping, half-away-from-zero rounding, channel order, and a magnetometer that repeats', async () => {
    const kv = await runFake('TF_FAKE_IMU', renderHal(sensorWith('arduino-imu')), paramsHeader({ rate: 119, channels: 9, channelMap: [] }).replace('TF_SENSOR_RING_SAMPLES 300', 'TF_SENSOR_RING_SAMPLES 16'));
    // Map ax az my gy mx mz gx ay gz; readings (fixtures/hal_fake_core.cpp): accel 0.0025 -0.0025 40 g,
    // gyro NaN 12.34 -0.05 deg/s, mag 25 -25.04 -4000 uT.
    const expected = '3,32767,-250,123,250,-32768,0,-3,-1';
    expect(kv.sample0).toBe(expected);
    expect(kv.sample1).toBe(expected);
    expect(kv.sample2).toBe(expected);
    // The magnetometer had one new reading (in begin); later samples repeat it without reading again.
    expect(num(kv, 'mag_reads')).toBe(1);
    expect(num(kv, 'accel_reads')).toBe(4);
    expect(num(kv, 'dropped')).toBe(0);
  });
});
