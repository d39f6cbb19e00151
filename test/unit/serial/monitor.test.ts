/**
 * `tinyforge monitor` over @serialport/binding-mock: the result-line parser,
 * and the command reading lines split at arbitrary points, mixed with boot
 * text and validation frames.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MockBinding, type MockPortBinding } from '@serialport/binding-mock';
import monitor from '../../../cli/commands/monitor.js';
import { parseResultLine } from '../../../generator/serial/monitor.js';
import { encodeFrame, FRAME } from '../../../lib/validate-protocol.js';
import { MOCK } from './fake-device.js';
import type { SerialBinding } from '../../../generator/serial/link.js';

const PATH = '/dev/ttyMON0';
beforeEach(() => MockBinding.createPort(PATH, { echo: false, record: false }));
afterEach(() => MockBinding.reset());

describe('parseResultLine', () => {
  it('reads label, score and latency, in any order, with or without score', () => {
    expect(parseResultLine('tf result label=3 score=0.8750 us=1234\r')).toEqual({ label: 3, score: 0.875, us: 1234, extra: {} });
    expect(parseResultLine('tf result us=52 label=1')).toEqual({ label: 1, score: null, us: 52, extra: {} });
    expect(parseResultLine('tf result label=0 score=-0.25 us=7 frame=12')).toEqual({ label: 0, score: -0.25, us: 7, extra: { frame: '12' } });
  });
  it('ignores other lines and results without a label', () => {
    expect(parseResultLine('booting')).toBeNull();
    expect(parseResultLine('tf result score=1 us=3')).toBeNull();
    expect(parseResultLine('tf result label=x us=3')).toBeNull();
  });
});

/** A binding whose port, once open, is handed to `onOpen` (to play the board's part). */
function boardBinding(onOpen: (port: MockPortBinding) => void): SerialBinding {
  return {
    ...MOCK,
    async open(options: Parameters<typeof MockBinding.open>[0]) {
      const port = await MockBinding.open(options);
      setImmediate(() => onOpen(port));
      return port;
    },
  } as unknown as SerialBinding;
}

describe('tinyforge monitor', () => {
  const stream = Buffer.concat([
    Buffer.from('tinyforge ready\r\ntf result label=1 sc'),
    Buffer.from('ore=0.5000 us=1500\r\n'),
    Buffer.from(encodeFrame(FRAME.QUIT_OK, 3)),
    Buffer.from('\r\ntf result label=2 score=0.9961 us=1400\r\ntf result label=2 score=0.9000 us=1600\r\ntf result label=0 score=0.1 us=1\r\n'),
  ]);
  const feed = (port: MockPortBinding) => {
    let o = 0;
    const step = () => {
      if (!port.isOpen || o >= stream.length) return;
      port.emitData(stream.subarray(o, o + 7));
      o += 7;
      setTimeout(step, 1);
    };
    step();
  };

  it('prints each result as it arrives and stops after --count, with a latency summary', async () => {
    let out = '';
    const code = await monitor({ port: PATH, count: 3 }, { binding: boardBinding(feed), write: (t) => (out += t), signal: new AbortController().signal });
    expect(code).toBe(0);
    const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).toContain('tinyforge ready');
    expect(plain).toContain('label 1  score 0.5000  latency 1,500 µs');
    expect(plain).toContain('label 2  score 0.9961  latency 1,400 µs');
    expect(plain).not.toContain('label 0');
    expect(plain).toMatch(/3 result\(s\), latency median 1,500 µs, min 1,400 µs, max 1,600 µs/);
  });

  it('--json prints one object per result; --timeout ends a silent port', async () => {
    let out = '';
    await monitor({ port: PATH, json: true, count: 2 }, { binding: boardBinding(feed), write: (t) => (out += t), signal: new AbortController().signal });
    const rows = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.label, r.score, r.us])).toEqual([[1, 0.5, 1500], [2, 0.9961, 1400]]);

    out = '';
    const t0 = performance.now();
    expect(await monitor({ port: PATH, timeout: 0.05 }, { binding: MOCK, write: (t) => (out += t), signal: new AbortController().signal })).toBe(0);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(out).toContain('0 result(s)');
  });

  it('a missing port is a SerialError with a hint', async () => {
    await expect(monitor({ port: '/dev/ttyNOPE' }, { binding: MOCK })).rejects.toMatchObject({ name: 'SerialError', code: 'open-failed' });
  });
});
