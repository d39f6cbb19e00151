/**
 * `tinyforge monitor --port P [--baud B] [--json] [--count N] [--timeout S]`:
 * shows the always-on loop's results live (label, score, latency), with a
 * running latency summary at the end. Ctrl-C stops it. Exit 0.
 */
import { UsageError } from '../../lib/errors.js';
import { SerialLink, type SerialBinding } from '../../generator/serial/link.js';
import { monitorLink, type MonitorResult } from '../../generator/serial/monitor.js';
import { color } from '../format.js';

const fmtCount = (n: number) => n.toLocaleString('en-US');

export interface MonitorCliOptions {
  port?: string;
  baud?: number | string;
  json?: boolean;
  count?: number | string;
  timeout?: number | string;
}

/** Tests inject the binding (binding-mock) and the output. */
export interface MonitorDeps {
  binding?: SerialBinding;
  write?: (text: string) => void;
  signal?: AbortSignal;
}

export default async function monitor(opts: MonitorCliOptions, deps: MonitorDeps = {}): Promise<number> {
  if (!opts.port) throw new UsageError('missing-flag', '--port is required', 'e.g. tinyforge monitor --port /dev/ttyACM0');
  const baud = opts.baud === undefined ? 115200 : Number(opts.baud);
  if (!Number.isInteger(baud) || baud <= 0) throw new UsageError('bad-flag', `--baud must be a positive integer, got ${opts.baud}`, 'e.g. --baud 115200');
  const n = opts.count === undefined ? undefined : Number(opts.count);
  if (n !== undefined && (!Number.isInteger(n) || n <= 0)) throw new UsageError('bad-flag', `--count must be a positive integer, got ${opts.count}`, 'e.g. --count 10');
  const secs = opts.timeout === undefined ? undefined : Number(opts.timeout);
  if (secs !== undefined && (!Number.isFinite(secs) || secs <= 0)) throw new UsageError('bad-flag', `--timeout must be a positive number of seconds, got ${opts.timeout}`, 'e.g. --timeout 30');
  const write = deps.write ?? ((t: string) => void process.stdout.write(t));

  const link = await SerialLink.open(String(opts.port), { baudRate: baud, binding: deps.binding });
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  if (!deps.signal) process.once('SIGINT', onSigint);
  deps.signal?.addEventListener('abort', onSigint);
  const latencies: number[] = [];
  try {
    if (!opts.json) write(color.dim(`listening on ${opts.port} at ${baud} baud (Ctrl-C to stop)\n`));
    const summary = await monitorLink(link, {
      count: n,
      timeoutMs: secs === undefined ? undefined : secs * 1000,
      signal: abort.signal,
      onResult(r: MonitorResult) {
        if (r.us !== null) latencies.push(r.us);
        if (opts.json) {
          write(`${JSON.stringify({ time: new Date().toISOString(), label: r.label, score: r.score, us: r.us, ...(Object.keys(r.extra).length ? { extra: r.extra } : {}) })}\n`);
        } else {
          const score = r.score === null ? '' : `  score ${r.score.toFixed(4)}`;
          const us = r.us === null ? '' : `  latency ${fmtCount(r.us)} µs`;
          write(`label ${color.bold(String(r.label))}${score}${us}\n`);
        }
      },
      onText: opts.json ? undefined : (line) => write(color.dim(`${line}\n`)),
    });
    if (!opts.json) {
      const sorted = [...latencies].sort((a, b) => a - b);
      const med = sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : null;
      write(color.dim(`${summary.results} result(s)${med !== null ? `, latency median ${fmtCount(med)} µs, min ${fmtCount(sorted[0]!)} µs, max ${fmtCount(sorted[sorted.length - 1]!)} µs` : ''}\n`));
    }
    return 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await link.close();
  }
}
