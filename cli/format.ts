/**
 * Terminal formatting shared by the commands: aligned tables, byte and count
 * units, colours only on a TTY (picocolors honours NO_COLOR / FORCE_COLOR).
 */
import pc from 'picocolors';

export const color = pc;

export function table(headers: string[], rows: (string | number)[][], align: ('l' | 'r')[] = []): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => visibleLength(r[i] ?? ''))));
  const fmt = (r: string[], head: boolean) =>
    r
      .map((c, i) => {
        const pad = ' '.repeat(Math.max(0, widths[i]! - visibleLength(c)));
        const s = align[i] === 'r' ? pad + c : c + pad;
        return head ? pc.bold(s) : s;
      })
      .join('  ')
      .trimEnd();
  return [fmt(cells[0]!, true), ...cells.slice(1).map((r) => fmt(r, false))].join('\n');
}

function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

export function count(n: number): string {
  if (n < 1e3) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} k`;
  if (n < 1e9) return `${(n / 1e6).toFixed(2)} M`;
  return `${(n / 1e9).toFixed(2)} G`;
}

export function shape(s: readonly number[]): string {
  return `[${s.join('x')}]`;
}

/** Model-supplied strings in terminal output: no control characters, bounded length. */
export function safeText(s: string, max = 48): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\x00-\x1f\x7f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
