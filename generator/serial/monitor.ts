/**
 * `tinyforge monitor`: the always-on loop's result lines from a board
 * (templates/arduino/tinyforge_app.cpp.hbs prints one per inference):
 *   tf result label=<int> score=<float> us=<int>
 * Fields are key=value pairs after "tf result", in any order; unknown keys
 * are kept, a missing score (older firmware) is null. Everything else on the
 * link (boot text, validation frames) is passed to onText or ignored.
 */
import type { ByteLink } from './link.js';

export interface MonitorResult {
  label: number;
  /** Dequantized score of the label (null when the firmware does not print it). */
  score: number | null;
  /** tf_invoke() time on the board, µs. */
  us: number | null;
  /** Any other key=value fields. */
  extra: Record<string, string>;
}

const PREFIX = /^\s*tf result\s+(.*)$/;

/** Parses one line; null when it is not a result line (or has no valid label). */
export function parseResultLine(line: string): MonitorResult | null {
  const m = PREFIX.exec(line.replace(/\r$/, ''));
  if (!m) return null;
  const fields: Record<string, string> = {};
  for (const part of m[1]!.trim().split(/\s+/)) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq)] = part.slice(eq + 1);
  }
  const int = (s: string | undefined) => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : null);
  const num = (s: string | undefined) => (s !== undefined && s !== '' && Number.isFinite(Number(s)) ? Number(s) : null);
  const label = int(fields.label);
  if (label === null) return null;
  const { label: _l, score, us, ...extra } = fields;
  return { label, score: num(score), us: int(us), extra };
}

export interface MonitorOptions {
  /** Stop after this many results. */
  count?: number;
  /** Stop after this long. */
  timeoutMs?: number;
  /** Stop when aborted (Ctrl-C). */
  signal?: AbortSignal;
  onResult(r: MonitorResult, line: string): void;
  /** Other printable lines. */
  onText?(line: string): void;
}

export interface MonitorSummary {
  results: number;
  /** Lines that were not results. */
  otherLines: number;
  reason: 'count' | 'timeout' | 'aborted';
}

/** Reads lines from the link until count / timeout / abort. */
export function monitorLink(link: ByteLink, opts: MonitorOptions): Promise<MonitorSummary> {
  return new Promise((resolve) => {
    let pending = '';
    let results = 0;
    let otherLines = 0;
    let done = false;
    const finish = (reason: MonitorSummary['reason']) => {
      if (done) return;
      done = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ results, otherLines, reason });
    };
    const onAbort = () => finish('aborted');
    const decoder = new TextDecoder('latin1');
    const unsubscribe = link.onData((bytes) => {
      if (done) return;
      pending += decoder.decode(bytes, { stream: true });
      let nl: number;
      while (!done && (nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).replace(/\r$/, '');
        pending = pending.slice(nl + 1);
        const r = parseResultLine(line);
        if (r) {
          results++;
          opts.onResult(r, line);
          if (opts.count !== undefined && results >= opts.count) finish('count');
        } else if (line.trim()) {
          otherLines++;
          // Frames and other binary bytes are not text worth showing.
          if (/^[\x20-\x7e\t]*$/.test(line)) opts.onText?.(line);
        }
      }
      // A line never ends (binary data): keep memory bounded.
      if (pending.length > 4096) pending = pending.slice(-1024);
    });
    const timer = opts.timeoutMs !== undefined ? setTimeout(() => finish('timeout'), opts.timeoutMs) : null;
    if (opts.signal?.aborted) finish('aborted');
    else opts.signal?.addEventListener('abort', onAbort);
  });
}
