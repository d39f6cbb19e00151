/**
 * The serial validation protocol against a real board: the same checks as
 * test/unit/serial/validate-port.test.ts (binding-mock), on hardware.
 * Needs TEST_PORT (e.g. /dev/ttyACM0) and the board flashed with the firmware
 * `tinyforge generate examples/gesture_int8.tflite --board $TEST_BOARD` made;
 * TEST_BOARD defaults to nano33ble-sense-rev2. Without TEST_PORT the test
 * skips itself, and its name says what it needs.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../lib/load.js';
import { randomInputVectors, validateModel } from '../../lib/validate.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PORT = process.env.TEST_PORT;
const BOARD = process.env.TEST_BOARD ?? 'nano33ble-sense-rev2';

describe('validate --port on hardware', () => {
  // The hardware group needs a board: without TEST_PORT it skips itself and says how to run it.
  it.skipIf(!PORT)(`${BOARD} on ${PORT ?? '(no board: set TEST_PORT=/dev/ttyACM0 and TEST_BOARD, with the board flashed with examples/gesture_int8 firmware)'}: every vector byte-exact, latency measured`, async () => {
    const model = await loadModel(join(ROOT, 'examples', 'gesture_int8.tflite'));
    const { report } = await validateModel(model, { board: BOARD, emulate: false, port: PORT, vectors: randomInputVectors(model, 10) });
    expect(report.exact).toBe(10);
    expect(report.latency.measuredUs).toBeGreaterThan(0);
    console.log(`${BOARD}: ${report.latency.measuredUs} µs measured, ${report.latency.estimateUs} µs estimated, cycles ${report.latency.cycles}, link ${JSON.stringify(report.serial)}`);
  }, 120_000);
});
