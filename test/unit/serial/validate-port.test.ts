/**
 * `validate --port` end to end over @serialport/binding-mock: a firmware
 * double backed by the simulator plays the board, so the report's exact
 * counts, X-CUBE-AI metrics, measured latency / cycles and the estimate are
 * checked without hardware (test/hardware runs the same against TEST_PORT).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MockBinding } from '@serialport/binding-mock';
import { parseModel } from '../../../lib/load.js';
import { writeModel } from '../../../sim/parse/writer.js';
import { Simulator } from '../../../sim/interpreter.js';
import { expectedFirmware, randomInputVectors, validateModel } from '../../../lib/validate.js';
import { SerialError, UsageError } from '../../../lib/errors.js';
import { deviceBinding, FakeDevice, Faults, rng, type FakeModel } from './fake-device.js';

const PATH = '/dev/ttyBOARD0';
beforeEach(() => MockBinding.createPort(PATH, { echo: false, record: false }));
afterEach(() => MockBinding.reset());

/** int8 [1,8] -> FULLY_CONNECTED-free: ADD of the input with itself, requantized. */
function model() {
  return parseModel(
    writeModel({
      tensors: [
        { name: 'x', shape: [1, 8], dtype: 'int8', quantization: { scale: [0.1], zeroPoint: [-5] } },
        { name: 'y', shape: [1, 8], dtype: 'int8', quantization: { scale: [0.2], zeroPoint: [3] } },
      ],
      operators: [{ op: 'ADD', inputs: [0, 0], outputs: [1], options: { activation: 'NONE' } }],
      inputs: [0],
      outputs: [1],
    }),
    'add8.tflite',
  );
}

function boardFor(m: ReturnType<typeof model>, wrongElement = -1): FakeModel {
  const want = expectedFirmware(m);
  const sim = new Simulator(m);
  return {
    sha256: want.sha256,
    inputs: want.inputs.map((t) => ({ ...t })),
    outputs: want.outputs.map((t) => ({ ...t })),
    compute(x) {
      sim.reset();
      const out = sim.run([new Int8Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength))])[0]!;
      const bytes = new Uint8Array(out.buffer.slice(0));
      if (wrongElement >= 0) bytes[wrongElement] = (bytes[wrongElement]! + 2) & 0xff; // off by 2 LSB
      return bytes;
    },
  };
}

const FAST = { timeoutMs: 40, inferTimeoutMs: 0, resyncMs: 10, baudRate: 1e8 };

describe('validate --port (binding-mock board)', () => {
  it('reports exact results, metrics, measured latency and cycles beside the estimate', async () => {
    const m = model();
    const device = new FakeDevice(boardFor(m), { cycles: 98_765 });
    const { report, deviceOutputs } = await validateModel(m, { board: 'nano33ble-sense-rev2', emulate: false, port: PATH, binding: deviceBinding(device), session: FAST, vectors: randomInputVectors(m, 5) });
    expect(report.mode).toBe('port');
    expect(report.port).toBe(PATH);
    expect(report.exact).toBe(5);
    expect(report.exactRate).toBe(1);
    expect(report.metrics).toEqual([{ index: 0, exactRate: 1, maxAbsErrorQ: 0, maxAbsError: 0, rmse: 0, mae: 0, l2r: 0, cosine: expect.closeTo(1, 9) }]);
    expect(report.latency).toMatchObject({ measuredUs: 1234, physical: true, cycles: 98_765, instructions: null });
    expect(report.latency.estimateUs).toBeGreaterThan(0);
    expect(report.elf).toBeNull();
    expect(report.serial!.retries).toBe(0);
    expect(deviceOutputs).toHaveLength(5);
    expect(device.quit).toBe(true);
  });

  it('a wrong output element shows in the exact rate and the metrics (never hidden by the link)', async () => {
    const m = model();
    const device = new FakeDevice(boardFor(m, 3));
    const faults = new Faults(rng(5), { flip: 0.003, drop: 0.003 });
    const { report } = await validateModel(m, { board: 'nano33ble-sense-rev2', emulate: false, port: PATH, binding: deviceBinding(device, faults), session: { ...FAST, attempts: 10 }, vectors: randomInputVectors(m, 4) });
    expect(report.exact).toBe(0);
    const [out] = report.metrics;
    expect(out!.exactRate).toBe(0);
    expect(out!.maxAbsErrorQ).toBeGreaterThan(0);
    expect(out!.maxAbsError).toBeCloseTo(out!.maxAbsErrorQ * 0.2, 6);
    expect(out!.rmse).toBeGreaterThan(0);
    expect(out!.l2r).toBeGreaterThan(0);
    expect(out!.cosine).toBeLessThan(1);
    expect(report.latency.cycles).toBeNull(); // no cycle counter announced
    for (const v of report.vectors) expect(v.outputs[0]!.firstDifference!.element).toBe(3);
  });

  it('refuses a board flashed with another model, and asks for a target', async () => {
    const m = model();
    const device = new FakeDevice({ ...boardFor(m), sha256: '00'.repeat(32) });
    await expect(validateModel(m, { board: 'nano33ble-sense-rev2', emulate: false, port: PATH, binding: deviceBinding(device), session: FAST, vectors: randomInputVectors(m, 1) })).rejects.toSatisfy((e: unknown) => e instanceof SerialError && e.code === 'model-mismatch');
    await expect(validateModel(m, { board: 'nano33ble-sense-rev2', emulate: false, vectors: randomInputVectors(m, 1) })).rejects.toBeInstanceOf(UsageError);
  });
});
