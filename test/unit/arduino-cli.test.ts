/**
 * generator/toolchain/arduino-cli.ts and `tinyforge flash` against a fake
 * arduino-cli (test/fixtures/fake-arduino-cli/arduino-cli): the JSON shapes
 * and exit codes of the real one, steered by FAKE_ARDUINO_CLI_* variables,
 * recording every argv. No real arduino-cli or board is needed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  compileSketch,
  ensureCore,
  ensureLibraries,
  findArduinoCli,
  listPorts,
  parseBoardList,
  pickPort,
  uploadSketch,
  type ArduinoCli,
  type ProgressSink,
} from '../../generator/toolchain/arduino-cli.js';
import { resolveBoard } from '../../lib/boards.js';
import { ToolchainError, formatError } from '../../lib/errors.js';
import { flashFirmware } from '../../lib/flash.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FAKE = join(ROOT, 'test', 'fixtures', 'fake-arduino-cli', 'arduino-cli');
const BIN = join(ROOT, 'bin', 'tinyforge.js');
const MODEL = join(ROOT, 'examples', 'gesture_int8.tflite');
const ESP32_URL = 'https://espressif.github.io/arduino-esp32/package_esp32_index.json';

const nano = resolveBoard('nano33ble-sense-rev2');
const esp32 = resolveBoard('esp32-devkit');

interface Fake {
  env: NodeJS.ProcessEnv;
  log: string;
  dir: string;
  /** Every argv the fake received, in order. */
  calls(): string[][];
}

function fake(vars: Record<string, string> = {}, opts: { state?: boolean } = {}): Fake {
  const dir = mkdtempSync(join(tmpdir(), 'tinyforge-fake-cli-'));
  const log = join(dir, 'argv.jsonl');
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.TINYFORGE_ARDUINO_CLI;
  Object.assign(env, { FAKE_ARDUINO_CLI_LOG: log }, vars);
  if (opts.state) env.FAKE_ARDUINO_CLI_STATE = join(dir, 'state.json');
  return {
    env,
    log,
    dir,
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]) : []),
  };
}

/** A minimal sketch folder (NAME/NAME.ino) for compile and upload. */
function sketch(dir: string, name = 'blink'): string {
  const s = join(dir, name);
  mkdirSync(s, { recursive: true });
  writeFileSync(join(s, `${name}.ino`), 'void setup() {}\nvoid loop() {}\n');
  return s;
}

async function cliFor(f: Fake, progress?: ProgressSink): Promise<ArduinoCli> {
  return findArduinoCli({ path: FAKE, env: f.env, progress });
}

async function toolchainError(p: Promise<unknown> | (() => unknown)): Promise<ToolchainError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(ToolchainError);
    return e as ToolchainError;
  }
  throw new Error('expected a ToolchainError');
}

describe('finding arduino-cli and checking its version', () => {
  it('uses --arduino-cli PATH first and asks `version --json`', async () => {
    const f = fake();
    const cli = await cliFor(f);
    expect(cli).toMatchObject({ path: FAKE, from: '--arduino-cli', version: '1.1.1', jsonFlag: ['--json'] });
    expect(f.calls()).toEqual([['version', '--json']]);
  });

  it('then TINYFORGE_ARDUINO_CLI, then PATH', async () => {
    const f = fake();
    expect(await findArduinoCli({ env: { ...f.env, TINYFORGE_ARDUINO_CLI: FAKE } })).toMatchObject({ path: FAKE, from: 'TINYFORGE_ARDUINO_CLI' });
    const bin = join(f.dir, 'bin');
    mkdirSync(bin);
    symlinkSync(FAKE, join(bin, 'arduino-cli'));
    expect(await findArduinoCli({ env: { ...f.env, PATH: `${bin}:${process.env.PATH}` } })).toMatchObject({ path: join(bin, 'arduino-cli'), from: 'PATH' });
  });

  it('a missing arduino-cli says how to install it or point at it', async () => {
    const f = fake();
    const e = await toolchainError(findArduinoCli({ env: { ...f.env, PATH: f.dir } }));
    expect(e.code).toBe('arduino-cli-missing');
    expect(e.message).toMatch(/arduino-cli is not installed \(not found on PATH\)/);
    expect(e.hint).toMatch(/install\.sh \| sh/);
    expect(e.hint).toMatch(/--arduino-cli PATH.*TINYFORGE_ARDUINO_CLI/);
    const notExec = join(f.dir, 'arduino-cli');
    writeFileSync(notExec, '');
    chmodSync(notExec, 0o644);
    const e2 = await toolchainError(findArduinoCli({ path: notExec, env: f.env }));
    expect(e2.message).toBe(`--arduino-cli ${notExec} is not an executable file`);
  });

  it('before 1.0.0 falls back to `--format json`; below 0.19 refuses', async () => {
    const f = fake({ FAKE_ARDUINO_CLI_VERSION: '0.35.3' });
    const cli = await cliFor(f);
    expect(cli.jsonFlag).toEqual(['--format', 'json']);
    expect(f.calls()).toEqual([['version', '--json'], ['version', '--format', 'json']]);
    const e = await toolchainError(cliFor(fake({ FAKE_ARDUINO_CLI_VERSION: '0.18.3' })));
    expect(e.code).toBe('arduino-cli-too-old');
    expect(e.message).toMatch(/arduino-cli 0\.18\.3 .* is too old: expected 0\.19\.0 or newer/);
    expect(e.hint).toMatch(/arduino-cli upgrade/);
  });
});

describe('compile', () => {
  it('passes the fqbn, build properties, build path and --json; reads executable_sections_size', async () => {
    const f = fake();
    const events: string[] = [];
    const progress: ProgressSink = { start: (s) => events.push(`start ${s}`), done: (d) => events.push(`done ${d}`), fail: (d) => events.push(`fail ${d}`) };
    const cli = await cliFor(f, progress);
    const dir = sketch(f.dir);
    const build = join(f.dir, 'build');
    const r = await compileSketch(cli, nano, dir, { buildPath: build, buildProperties: ['build.extra_flags=-DTF_FLASH=1'] });
    expect(f.calls().at(-1)).toEqual(['compile', '--fqbn', 'arduino:mbed_nano:nano33ble', '--build-property', 'build.extra_flags=-DTF_FLASH=1', '--build-path', build, dir, '--json']);
    expect(r).toMatchObject({ fqbn: 'arduino:mbed_nano:nano33ble', buildPath: build, flashBytes: 123456, flashMaxBytes: 983040, ramBytes: 45678, ramMaxBytes: 262144, platform: { id: 'arduino:mbed_nano', version: '4.2.4' } });
    expect(r.sections.map((s) => s.name)).toEqual(['text', 'data']);
    expect(r.warnings).toEqual([]);
    expect(events).toEqual(['start compiling blink for arduino:mbed_nano:nano33ble', expect.stringMatching(/^done compiled for arduino:mbed_nano:nano33ble in .* s: flash 123456 B, RAM 45678 B$/)]);
  });

  it('uses the menu-qualified fqbn as written in the board file', async () => {
    const f = fake();
    await compileSketch(await cliFor(f), resolveBoard('nucleo-f401re'), sketch(f.dir));
    expect(f.calls().at(-1)!.slice(0, 3)).toEqual(['compile', '--fqbn', 'STMicroelectronics:stm32:Nucleo_64:pnum=NUCLEO_F401RE']);
  });

  it('a compiler error names the first error with file:line', async () => {
    const f = fake({ FAKE_ARDUINO_CLI_SCENARIO: 'compile-error' });
    const e = await toolchainError(compileSketch(await cliFor(f), nano, sketch(f.dir)));
    expect(e.code).toBe('compile-failed');
    expect(e.message).toMatch(/^compiling for arduino:mbed_nano:nano33ble failed: .*tinyforge_app\.cpp:12:3: 'tf_model_invoke' was not declared in this scope$/);
    expect(e.hint).toMatch(/^run `arduino-cli compile --fqbn arduino:mbed_nano:nano33ble .*blink` for the full compiler output/);
    expect(e.context.board).toBe('nano33ble-sense-rev2');
  });

  it('a missing core (platform not installed) says which core install to run, with the board-manager URL', async () => {
    const f = fake({ FAKE_ARDUINO_CLI_SCENARIO: 'missing-core' });
    const e = await toolchainError(compileSketch(await cliFor(f), esp32, sketch(f.dir)));
    expect(e.code).toBe('core-missing');
    expect(e.message).toBe('the esp32:esp32 core that builds esp32:esp32:esp32 is missing: it is not installed');
    expect(e.hint).toBe(`run \`arduino-cli core install esp32:esp32 --additional-urls ${ESP32_URL}\` (or let tinyforge flash install it: drop --no-install)`);
    // A core from the default index needs no URL.
    const e2 = await toolchainError(compileSketch(await cliFor(f), nano, sketch(f.dir)));
    expect(e2.hint).toMatch(/^run `arduino-cli core install arduino:mbed_nano` /);
  });

  it('a missing header names the library that provides it (board data)', async () => {
    const f = fake({ FAKE_ARDUINO_CLI_SCENARIO: 'missing-lib' });
    const e = await toolchainError(compileSketch(await cliFor(f), nano, sketch(f.dir)));
    expect(e.code).toBe('library-missing');
    expect(e.message).toBe('compiling for arduino:mbed_nano:nano33ble: header Chirale_TensorFlowLite.h was not found, so a library the sketch includes is not installed');
    expect(e.hint).toBe('run `arduino-cli lib install Chirale_TensorFLowLite@2.0.0`, then flash again');
    const f2 = fake({ FAKE_ARDUINO_CLI_SCENARIO: 'missing-lib', FAKE_ARDUINO_CLI_MISSING_HEADER: 'Unknown_Thing.h' });
    const e2 = await toolchainError(compileSketch(await cliFor(f2), nano, sketch(f2.dir)));
    expect(e2.hint).toBe('find the library that provides it with `arduino-cli lib search Unknown_Thing`, then run `arduino-cli lib install NAME`');
  });

  it('a sketch too big for the board points at analyze', async () => {
    const f = fake({ FAKE_ARDUINO_CLI_SCENARIO: 'too-big' });
    const e = await toolchainError(compileSketch(await cliFor(f), nano, sketch(f.dir)));
    expect(e.code).toBe('sketch-too-big');
    expect(e.message).toBe('the firmware does not fit the flash of arduino:mbed_nano:nano33ble: needs 987136 B, arduino:mbed_nano:nano33ble allows 983040 B');
    expect(e.hint).toMatch(/tinyforge analyze MODEL --board nano33ble-sense-rev2/);
  });

  it('a board without an fqbn cannot be compiled', async () => {
    const f = fake();
    const e = await toolchainError(compileSketch(await cliFor(f), resolveBoard('mps2-an386'), sketch(f.dir)));
    expect(e.code).toBe('no-fqbn');
    expect(e.hint).toBe('run it under its emulator instead: tinyforge validate MODEL --board mps2-an386 --emulate');
  });
});

describe('cores and libraries', () => {
  it('installs a missing third-party core with --additional-urls from the board file', async () => {
    const f = fake({ FAKE_ARDUINO_CLI_SCENARIO: 'missing-core' }, { state: true });
    const r = await ensureCore(await cliFor(f), esp32, { install: true });
    expect(r).toEqual({ core: 'esp32:esp32', version: '3.1.1', installed: true });
    expect(f.calls().slice(1)).toEqual([
      ['core', 'list', '--json'],
      ['core', 'install', 'esp32:esp32', '--additional-urls', ESP32_URL, '--json'],
      ['core', 'list', '--json'],
    ]);
    // Now installed: nothing more to do.
    expect(await ensureCore(await cliFor(f), esp32, { install: true })).toMatchObject({ installed: false });
  });

  it('with install false a missing core is an error naming the command', async () => {
    const f = fake({ FAKE_ARDUINO_CLI_SCENARIO: 'missing-core' });
    const e = await toolchainError(ensureCore(await cliFor(f), esp32, { install: false }));
    expect(e.code).toBe('core-missing');
    expect(e.hint).toContain(`arduino-cli core install esp32:esp32 --additional-urls ${ESP32_URL}`);
    expect(f.calls().map((c) => c.slice(0, 2).join(' '))).not.toContain('core install');
  });

  it('installs missing libraries by their Library Manager names; refuses with install false', async () => {
    const f = fake({ FAKE_ARDUINO_CLI_SCENARIO: 'missing-lib' }, { state: true });
    const cli = await cliFor(f);
    const e = await toolchainError(ensureLibraries(cli, ['Arduino_BMI270_BMM150'], { install: false, board: nano }));
    expect(e.code).toBe('library-missing');
    expect(e.message).toBe('library Arduino_BMI270_BMM150 is not installed (board nano33ble-sense-rev2 needs it)');
    expect(e.hint).toBe('run `arduino-cli lib install Arduino_BMI270_BMM150` (or let tinyforge flash install it: drop --no-install)');
    const r = await ensureLibraries(cli, ['Arduino_BMI270_BMM150', 'Chirale_TensorFLowLite@2.0.0'], { install: true, board: nano });
    expect(r.installed).toEqual(['Arduino_BMI270_BMM150', 'Chirale_TensorFLowLite@2.0.0']);
    expect(f.calls().at(-1)).toEqual(['lib', 'install', 'Arduino_BMI270_BMM150', 'Chirale_TensorFLowLite@2.0.0', '--json']);
    expect(await ensureLibraries(cli, ['Chirale_TensorFLowLite@2.0.0'], { install: true })).toEqual({ installed: [], present: ['Chirale_TensorFLowLite@2.0.0'] });
  });

  it('a library name the index does not know says how to find the right one', async () => {
    const f = fake({ FAKE_ARDUINO_CLI_SCENARIO: 'missing-lib' });
    const e = await toolchainError(ensureLibraries(await cliFor(f), ['Arduino_TensorFlowLite'], { install: true, board: nano }));
    expect(e.code).toBe('library-not-found');
    expect(e.message).toMatch(/^library Arduino_TensorFlowLite is not in the Library Manager index/);
    expect(e.hint).toMatch(/^run `arduino-cli lib update-index` and `arduino-cli lib search Arduino_TensorFlowLite`/);
  });
});

describe('board list and port detection', () => {
  it('finds the one port whose matching_boards has the board fqbn ({detected_ports} shape)', async () => {
    const f = fake();
    const ports = await listPorts(await cliFor(f));
    expect(f.calls().at(-1)).toEqual(['board', 'list', '--json']);
    expect(ports.map((p) => p.address)).toEqual(['/dev/ttyS0', '/dev/ttyACM0']);
    expect(pickPort(ports, nano).address).toBe('/dev/ttyACM0');
  });

  it('reads the pre-0.36 bare-array shape (and uses --format json there)', async () => {
    const f = fake({ FAKE_ARDUINO_CLI_SCENARIO: 'old-board-list-shape' });
    const ports = await listPorts(await cliFor(f));
    expect(f.calls().at(-1)).toEqual(['board', 'list', '--format', 'json']);
    expect(pickPort(ports, nano).address).toBe('/dev/ttyACM0');
  });

  it('reads the pre-0.19 {address, boards} shape and matches fqbns without menu options', () => {
    const ports = parseBoardList([{ address: '/dev/ttyACM3', protocol: 'serial', boards: [{ name: 'Nucleo', fqbn: 'STMicroelectronics:stm32:Nucleo_64' }] }]);
    expect(pickPort(ports, resolveBoard('nucleo-f401re')).address).toBe('/dev/ttyACM3');
  });

  it('no matching board: names what was found and suggests --port for an unnamed serial port', async () => {
    const f = fake({ FAKE_ARDUINO_CLI_SCENARIO: 'no-board' });
    const ports = await listPorts(await cliFor(f));
    const e = await toolchainError(() => pickPort(ports, esp32));
    expect(e.code).toBe('no-board');
    expect(e.message).toBe('no connected board matches esp32:esp32:esp32: arduino-cli board list found /dev/ttyS0 (unknown board), /dev/ttyUSB0 (unknown board)');
    expect(e.hint).toMatch(/^if the board is on one of those ports .* pass it: --port \/dev\/ttyS0; otherwise connect it by USB and run `arduino-cli board list`$/);
    const e2 = await toolchainError(() => pickPort([], esp32));
    expect(e2.message).toBe('no connected board matches esp32:esp32:esp32: arduino-cli board list found no ports');
    expect(e2.hint).toMatch(/connect the board by USB/);
  });

  it('several matching boards: asks for --port', async () => {
    const f = fake({ FAKE_ARDUINO_CLI_SCENARIO: 'two-boards' });
    const e = await toolchainError(async () => pickPort(await listPorts(await cliFor(f)), nano));
    expect(e.code).toBe('several-boards');
    expect(e.message).toBe('2 connected boards match arduino:mbed_nano:nano33ble: /dev/ttyACM0, /dev/ttyACM1; expected one');
    expect(e.hint).toBe('pick one: --port /dev/ttyACM0');
  });
});

describe('upload', () => {
  it('passes -p PORT --fqbn and the build folder', async () => {
    const f = fake();
    const cli = await cliFor(f);
    const dir = sketch(f.dir);
    const build = join(f.dir, 'build');
    await compileSketch(cli, nano, dir, { buildPath: build });
    const r = await uploadSketch(cli, nano, dir, '/dev/ttyACM0', { inputDir: build });
    expect(r.port).toBe('/dev/ttyACM0');
    expect(f.calls().at(-1)).toEqual(['upload', '-p', '/dev/ttyACM0', '--fqbn', 'arduino:mbed_nano:nano33ble', '--input-dir', build, dir, '--json']);
  });

  it('a failed upload shows the uploader output and what to check', async () => {
    const f = fake({ FAKE_ARDUINO_CLI_SCENARIO: 'upload-error' });
    const e = await toolchainError(uploadSketch(await cliFor(f), nano, sketch(f.dir), '/dev/ttyACM0'));
    expect(e.code).toBe('upload-failed');
    expect(e.message).toBe('uploading to arduino:mbed_nano:nano33ble on /dev/ttyACM0 failed: Failed uploading: uploading error: exit status 1\nNo device found on /dev/ttyACM0');
    expect(e.hint).toMatch(/^check that \/dev\/ttyACM0 is the board .*no serial monitor holds it open.*then run `arduino-cli upload -p \/dev\/ttyACM0 --fqbn arduino:mbed_nano:nano33ble /);
  });
});

describe('arduino-cli exit codes', () => {
  const cases: [number, string, RegExp][] = [
    [3, 'arduino-cli-config', /^run `arduino-cli config init`/],
    [5, 'arduino-cli-network', /^check the network connection and proxy .* `arduino-cli core update-index` and retry `arduino-cli compile --fqbn/],
    [6, 'arduino-cli-core-config', /directories\.data and directories\.downloads in `arduino-cli config dump`/],
    [7, 'arduino-cli-bad-argument', /^check the board's fqbn \(arduino:mbed_nano:nano33ble in .*nano33ble-sense-rev2\.json\) with `arduino-cli board listall`/],
    [10, 'arduino-cli-inventory', /directories\.data in `arduino-cli config dump` is writable/],
    [11, 'upload-programmer', /^list them with `arduino-cli board details -b arduino:mbed_nano:nano33ble` and run `arduino-cli compile .* -P PROGRAMMER`$/],
    [9, 'arduino-cli-failed', /^run `arduino-cli compile --fqbn .*` by hand to see its full output$/],
  ];
  it.each(cases)('exit code %i -> %s', async (code, errCode, hint) => {
    const f = fake({ FAKE_ARDUINO_CLI_EXIT_CODE: String(code), FAKE_ARDUINO_CLI_EXIT_COMMAND: 'compile' });
    const e = await toolchainError(compileSketch(await cliFor(f), nano, sketch(f.dir)));
    expect(e.code).toBe(errCode);
    expect(e.message).toContain(`simulated failure of compile`);
    if (code !== 9) expect(e.message).toContain(`exit code ${code}`);
    expect(e.hint).toMatch(hint);
  });

  it('exit code 5 while installing a core, 11 while uploading', async () => {
    const f = fake({ FAKE_ARDUINO_CLI_SCENARIO: 'missing-core', FAKE_ARDUINO_CLI_EXIT_CODE: '5', FAKE_ARDUINO_CLI_EXIT_COMMAND: 'core install' });
    const e = await toolchainError(ensureCore(await cliFor(f), esp32, { install: true }));
    expect(e.code).toBe('arduino-cli-network');
    expect(e.hint).toContain(`retry \`arduino-cli core install esp32:esp32 --additional-urls ${ESP32_URL}\``);
    const f2 = fake({ FAKE_ARDUINO_CLI_EXIT_CODE: '11', FAKE_ARDUINO_CLI_EXIT_COMMAND: 'upload' });
    const e2 = await toolchainError(uploadSketch(await cliFor(f2), nano, sketch(f2.dir), '/dev/ttyACM0'));
    expect(e2.code).toBe('upload-programmer');
    expect(e2.hint).toMatch(/arduino-cli upload -p \/dev\/ttyACM0 --fqbn arduino:mbed_nano:nano33ble .* -P PROGRAMMER`$/);
  });

  it('errors format with the board and the hint', async () => {
    const f = fake({ FAKE_ARDUINO_CLI_SCENARIO: 'two-boards' });
    const e = await toolchainError(async () => pickPort(await listPorts(await cliFor(f)), nano));
    expect(formatError(e)).toBe('error: 2 connected boards match arduino:mbed_nano:nano33ble: /dev/ttyACM0, /dev/ttyACM1; expected one\n  at: board nano33ble-sense-rev2\n  hint: pick one: --port /dev/ttyACM0');
  });
});

describe('flashFirmware (library)', () => {
  it('model -> generate, core check, compile, detect port, upload; sizes beside the estimate', async () => {
    const f = fake();
    const out = join(f.dir, 'fw');
    const r = await flashFirmware({ target: MODEL, board: 'nano33ble-sense-rev2', arduinoCli: FAKE, env: f.env, outDir: out, buildProperties: ['build.extra_flags=-DX'] });
    const cmds = f.calls().map((c) => c.slice(0, c[0] === 'core' || c[0] === 'board' ? 2 : 1).join(' '));
    expect(cmds).toEqual(['version', 'core list', 'compile', 'board list', 'upload']);
    const sketchDir = join(out, 'gesture_int8');
    expect(existsSync(join(sketchDir, 'gesture_int8.ino'))).toBe(true);
    expect(f.calls()[2]).toEqual(['compile', '--fqbn', 'arduino:mbed_nano:nano33ble', '--build-property', 'build.extra_flags=-DX', '--build-path', r.compile.buildPath, sketchDir, '--json']);
    expect(f.calls()[4]).toEqual(['upload', '-p', '/dev/ttyACM0', '--fqbn', 'arduino:mbed_nano:nano33ble', '--input-dir', r.compile.buildPath, sketchDir, '--json']);
    expect(r.port).toEqual({ address: '/dev/ttyACM0', detected: true });
    expect(r.sizes[0]).toMatchObject({ memory: 'flash', compiledBytes: 123456, limitBytes: 983040 });
    expect(r.sizes[1]).toMatchObject({ memory: 'ram', compiledBytes: 45678, limitBytes: 262144 });
    expect(r.sizes[0]!.estimateBytes).toBe(r.estimate!.flashBytes);
    expect(r.estimate!.flashBytes).toBeGreaterThan(0);
  });

  it('a sensor adds its library; --no-install refuses to install it', async () => {
    const f = fake({ FAKE_ARDUINO_CLI_SCENARIO: 'missing-lib' });
    const e = await toolchainError(flashFirmware({ target: MODEL, board: 'nano33ble-sense-rev2', arduinoCli: FAKE, env: f.env, sensor: 'imu', install: false, upload: false }));
    expect(e.code).toBe('library-missing');
    expect(e.hint).toContain('arduino-cli lib install Arduino_BMI270_BMM150');
  });

  it('refuses a board without an fqbn before generating anything', async () => {
    const f = fake();
    const e = await toolchainError(flashFirmware({ target: MODEL, board: 'mps2-an386', arduinoCli: FAKE, env: f.env }));
    expect(e.code).toBe('no-fqbn');
    expect(f.calls()).toEqual([]);
  });
});

describe('tinyforge flash (built CLI)', () => {
  beforeAll(() => {
    // `npm run build` (tsc; skipped when dist/ is current).
    spawnSync(process.execPath, [join(ROOT, 'scripts', 'postinstall.mjs')], { cwd: ROOT, encoding: 'utf8' });
    expect(existsSync(join(ROOT, 'dist', 'cli', 'commands', 'flash.js'))).toBe(true);
  });

  function run(f: Fake, ...args: string[]) {
    return spawnSync(process.execPath, [BIN, 'flash', ...args], { encoding: 'utf8', cwd: ROOT, env: { ...f.env, NO_COLOR: '1', CI: '1' } });
  }

  it('prints the compile sizes beside the estimate and the limits', () => {
    const f = fake();
    const r = run(f, MODEL, '--board', 'nano33ble-sense-rev2', '--arduino-cli', FAKE);
    expect(r.stderr).toContain('✓ compiled for arduino:mbed_nano:nano33ble in');
    expect(r.stderr).toContain('✓ uploaded to /dev/ttyACM0');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('✓ flashed nano33ble-sense-rev2 (arduino:mbed_nano:nano33ble) on /dev/ttyACM0 (detected)');
    expect(lines[1]).toBe('  arduino-cli 1.1.1, core arduino:mbed_nano 4.2.4');
    const head = lines.findIndex((l) => /compiled\s+estimate\s+limit\s+used/.test(l));
    expect(head).toBeGreaterThan(0);
    expect(lines[head + 1]).toMatch(/^flash\s+123456 B\s+\d+ B\s+983040 B\s+12\.6%$/);
    expect(lines[head + 2]).toMatch(/^RAM\s+45678 B\s+\d+ B\s+262144 B\s+17\.4%$/);
  });

  it('--json prints the report; a sketch folder flashes without generating (no estimate)', () => {
    const f = fake({ TINYFORGE_ARDUINO_CLI: FAKE });
    const out = join(f.dir, 'fw');
    const gen = spawnSync(process.execPath, [BIN, 'generate', MODEL, '--board', 'esp32-devkit', '--out', out], { encoding: 'utf8', cwd: ROOT });
    expect(gen.status).toBe(0);
    const r = run(f, out, '--board', 'esp32-devkit', '--port', '/dev/ttyUSB0', '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ board: { id: 'esp32-devkit', fqbn: 'esp32:esp32:esp32' }, generated: false, estimate: null, port: { address: '/dev/ttyUSB0', detected: false }, arduinoCli: { path: FAKE, version: '1.1.1' } });
    expect(j.sizes).toEqual([
      { memory: 'flash', compiledBytes: 123456, estimateBytes: null, limitBytes: 1310720, usedFraction: 123456 / 1310720 },
      { memory: 'ram', compiledBytes: 45678, estimateBytes: null, limitBytes: 327680, usedFraction: 45678 / 327680 },
    ]);
    expect(f.calls().map((c) => c[0])).not.toContain('board');
  });

  it('errors go to stderr with the hint, exit code 2', () => {
    const f = fake({ FAKE_ARDUINO_CLI_SCENARIO: 'missing-core' });
    const r = run(f, MODEL, '--board', 'esp32-devkit', '--arduino-cli', FAKE, '--no-install');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error: the esp32:esp32 core that builds esp32:esp32:esp32 is missing: it is not installed\n  at: board esp32-devkit\n');
    expect(r.stderr).toContain(`  hint: run \`arduino-cli core install esp32:esp32 --additional-urls ${ESP32_URL}\``);
    const r2 = run(fake({ FAKE_ARDUINO_CLI_SCENARIO: 'two-boards' }), MODEL, '--board', 'nano33ble-sense-rev2', '--arduino-cli', FAKE);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain('hint: pick one: --port /dev/ttyACM0');
  });
});
