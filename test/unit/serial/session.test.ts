/**
 * generator/serial over @serialport/binding-mock: the SerialLink + the
 * validation session against a firmware double (fake-device.ts), clean and
 * with injected faults. Retries recover what can be recovered, the rest
 * fails with a SerialError, and no wrong result is ever accepted.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MockBinding } from '@serialport/binding-mock';
import { SerialLink } from '../../../generator/serial/link.js';
import { ValidationSession, type SessionOptions } from '../../../generator/serial/session.js';
import { SerialError } from '../../../lib/errors.js';
import { joinBytes, splitBytes } from '../../../lib/validate-protocol.js';
import { deviceBinding, FakeDevice, Faults, MOCK, rng, toyModel, type FakeModel } from './fake-device.js';

const PATH = '/dev/ttyFAKE0';
// A pretend line fast enough that only timeoutMs counts.
const FAST: SessionOptions = { timeoutMs: 40, inferTimeoutMs: 0, resyncMs: 10, attempts: 6, chunkBytes: 48, baudRate: 1e8 };

beforeEach(() => MockBinding.createPort(PATH, { echo: false, record: false }));
afterEach(() => MockBinding.reset());

async function open(device: FakeDevice | null, faults?: Faults, opts: SessionOptions = FAST) {
  const link = await SerialLink.open(PATH, { binding: deviceBinding(device, faults) });
  return { link, session: new ValidationSession(link, opts) };
}

const randomInputs = (m: FakeModel, r: () => number) => m.inputs.map((t) => Uint8Array.from({ length: t.bytes }, () => Math.floor(r() * 256)));
const expected = (m: FakeModel, inputs: Uint8Array[]) => splitBytes(m.compute(joinBytes(inputs)), m.outputs.map((t) => t.bytes));

describe('SerialLink', () => {
  it('opens a port by path and refuses a missing one with a SerialError that says what to do', async () => {
    const link = await SerialLink.open(PATH, { binding: MOCK });
    expect(link.path).toBe(PATH);
    await link.close();
    const err = await SerialLink.open('/dev/ttyNOPE', { binding: MOCK }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SerialError);
    expect((err as SerialError).code).toBe('open-failed');
    expect((err as SerialError).message).toContain('/dev/ttyNOPE');
    expect((err as SerialError).hint).toBeTruthy();
  });
});

describe('validation session (clean link)', () => {
  it('handshakes, checks the model, runs inferences in chunks and reads the outputs back', async () => {
    const model = toyModel([100, 7], [130, 3]);
    const device = new FakeDevice(model, { maxChunk: 32, cycles: 4321 });
    const { link, session } = await open(device);
    const hello = await session.handshake();
    expect(hello.sha256).toBe(model.sha256);
    expect(hello.maxChunk).toBe(32);
    expect(hello.inputs.map((t) => t.shape)).toEqual([[1, 100], [1, 7]]);
    session.check(model);
    const r = rng(1);
    for (let v = 0; v < 3; v++) {
      const inputs = randomInputs(model, r);
      const got = await session.infer(inputs);
      expect(got.outputs).toEqual(expected(model, inputs));
      expect(got.micros).toBe(1234);
      expect(got.cycles).toBe(4321);
    }
    expect(device.invocations).toBe(3);
    expect(session.stats.retries).toBe(0);
    await session.quit();
    expect(device.quit).toBe(true);
    await link.close();
  });

  it('reports cycles as null when the counter reads 0 (QEMU)', async () => {
    const model = toyModel([4], [4]);
    const { link, session } = await open(new FakeDevice(model));
    await session.handshake();
    expect((await session.infer([new Uint8Array([1, 2, 3, 4])])).cycles).toBeNull();
    await link.close();
  });

  it('refuses firmware built from another model, or with another tensor layout', async () => {
    const model = toyModel([8], [4]);
    const other = toyModel([8], [4], 'cd'.repeat(32));
    let { link, session } = await open(new FakeDevice(other));
    await session.handshake();
    const err = (() => { try { session.check(model); return null; } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(SerialError);
    expect((err as SerialError).code).toBe('model-mismatch');
    expect((err as SerialError).message).toMatch(/another model.*abababab.*cdcdcdcd/);
    expect((err as SerialError).hint).toMatch(/generate.*flash/);
    await link.close();

    const relaid = { ...model, outputs: [{ ...model.outputs[0]!, zeroPoint: 0 }] };
    ({ link, session } = await open(new FakeDevice(relaid)));
    await session.handshake();
    expect(() => session.check(model)).toThrow(/output 0 is int8\[1x4\] 4 B scale 0.5 zp 0 on the firmware, expected .* zp -3/);
    await link.close();
  });

  it('a silent device fails with a clear SerialError after the retries', async () => {
    const { link, session } = await open(null);
    const t0 = performance.now();
    const err = await session.handshake().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SerialError);
    expect((err as SerialError).code).toBe('no-reply');
    expect((err as SerialError).message).toMatch(/did not answer HELLO correctly after 6 attempts \(no reply ×6\)/);
    expect((err as SerialError).hint).toMatch(/reset button/);
    expect(performance.now() - t0).toBeLessThan(2000);
    await link.close();
  });

  it('never accepts outputs that changed after the inference (end-to-end CRC)', async () => {
    const model = toyModel([16], [16]);
    const { link, session } = await open(new FakeDevice(model, { corruptOutputsAfterInfer: true }));
    await session.handshake();
    const err = await session.infer([new Uint8Array(16).fill(7)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SerialError);
    expect((err as SerialError).code).toBe('output-crc');
    await link.close();
  });
});

describe('validation session (injected faults)', () => {
  it.each([
    ['dropped bytes', { drop: 0.004 }],
    ['flipped bits', { flip: 0.004 }],
    ['truncated replies', { truncate: 0.1 }],
    ['lost requests', { lose: 0.1 }],
    ['noise between frames', { noise: 0.3 }],
  ])('recovers from %s', async (_name, rates) => {
    const model = toyModel([150], [90]);
    const device = new FakeDevice(model, { maxChunk: 40 });
    const faults = new Faults(rng(42), rates);
    const { link, session } = await open(device, faults, { ...FAST, attempts: 10 });
    await session.handshake();
    session.check(model);
    const r = rng(7);
    for (let v = 0; v < 4; v++) {
      const inputs = randomInputs(model, r);
      expect((await session.infer(inputs)).outputs).toEqual(expected(model, inputs));
    }
    expect(faults.injected).toBeGreaterThan(0);
    // Noise outside frames is skipped without a retry; the other faults need some.
    if (!('noise' in rates)) expect(session.stats.retries).toBeGreaterThan(0);
    // A resent INFER is answered from the cache: the model ran once per vector.
    expect(device.invocations).toBe(4);
    await link.close();
  });

  it('property: over many seeded fault patterns, every result is exact or a SerialError', async () => {
    let exact = 0;
    let failed = 0;
    const model = toyModel([70, 5], [33, 9]);
    for (let seed = 1; seed <= 60; seed++) {
      MockBinding.reset();
      MockBinding.createPort(PATH, { echo: false, record: false });
      const r = rng(seed * 7919);
      const heavy = seed % 5 === 0; // some patterns too hostile to get through
      const rates = { drop: r() * (heavy ? 0.2 : 0.006), flip: r() * (heavy ? 0.2 : 0.006), truncate: r() * 0.15, lose: r() * 0.15, noise: r() * 0.3 };
      const device = new FakeDevice(model, { maxChunk: 16 + Math.floor(r() * 48) });
      const { link, session } = await open(device, new Faults(rng(seed), rates), { ...FAST, timeoutMs: 25, resyncMs: 8, attempts: 4 });
      try {
        await session.handshake();
        session.check(model);
        for (let v = 0; v < 2; v++) {
          const inputs = randomInputs(model, r);
          const got = await session.infer(inputs);
          expect(got.outputs).toEqual(expected(model, inputs)); // never a wrong result
          exact++;
        }
      } catch (e) {
        if (!(e instanceof SerialError)) throw e;
        expect(e.message.length).toBeGreaterThan(10);
        expect(e.hint).toBeTruthy();
        failed++;
      } finally {
        await link.close();
      }
    }
    expect(exact).toBeGreaterThan(60);
    expect(failed).toBeGreaterThan(0);
  }, 60_000);
});
