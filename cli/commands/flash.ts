/** `tinyforge flash MODEL|DIR --board ID [--port P] [--arduino-cli PATH] [--out DIR] [--no-install] [--no-upload] [--json]`. */
import { flashFirmware, type FlashReport, type SizeRow } from '../../lib/flash.js';
import { UsageError } from '../../lib/errors.js';
import { bytes, color, table } from '../format.js';
import { createProgress } from '../progress.js';

export interface FlashFlags {
  board?: string | boolean;
  port?: string | boolean;
  arduinoCli?: string | boolean;
  out?: string | boolean;
  force?: boolean;
  sensor?: string | boolean;
  install?: boolean;
  upload?: boolean;
  buildProperty?: string | string[];
  json?: boolean;
}

export default async function flash(target: string, opts: FlashFlags): Promise<number> {
  const str = (v: unknown, flag: string, example: string): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') throw new UsageError('bad-flag', `${flag} needs a value`, `e.g. ${flag} ${example}`);
    return v;
  };
  const board = str(opts.board, '--board', 'ID');
  if (!board) throw new UsageError('missing-board', 'flash needs a board: --board ID or --board path/to/board.json', 'pass --board with one of the ids in boards/ (e.g. --board nano33ble-sense-rev2) or the path of your own board file');
  const buildProperties = opts.buildProperty === undefined ? [] : ([] as unknown[]).concat(opts.buildProperty).map(String);
  for (const p of buildProperties) if (!/^[A-Za-z0-9_.-]+=/.test(p)) throw new UsageError('bad-flag', `--build-property expects KEY=VALUE, got ${JSON.stringify(p)}`, 'e.g. --build-property build.extra_flags=-DFOO');
  const progress = createProgress();
  const report = await flashFirmware({
    target,
    board,
    port: str(opts.port, '--port', '/dev/ttyACM0'),
    arduinoCli: str(opts.arduinoCli, '--arduino-cli', '/usr/local/bin/arduino-cli'),
    outDir: str(opts.out, '--out', 'fw/'),
    force: opts.force,
    sensor: str(opts.sensor, '--sensor', 'imu'),
    install: opts.install !== false,
    upload: opts.upload !== false,
    buildProperties,
    progress,
  }).finally(() => progress.close());
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${render(report)}\n`);
  return 0;
}

const cell = (n: number | null) => (n === null ? '-' : `${n} B`);

function sizeTable(rows: readonly SizeRow[]): string {
  return table(
    ['', 'compiled', 'estimate', 'limit', 'used'],
    rows.map((r) => [
      r.memory === 'flash' ? 'flash' : 'RAM',
      cell(r.compiledBytes),
      cell(r.estimateBytes),
      cell(r.limitBytes),
      r.usedFraction === null ? '-' : `${(r.usedFraction * 100).toFixed(1)}%`,
    ]),
    ['l', 'r', 'r', 'r', 'r'],
  );
}

function render(r: FlashReport): string {
  const lines: string[] = [];
  const what = r.upload ? `${color.green('✓')} flashed ${r.board.id} (${r.board.fqbn}) on ${r.upload.newPort ?? r.upload.port}${r.port?.detected ? ' (detected)' : ''}` : `${color.green('✓')} compiled for ${r.board.id} (${r.board.fqbn}); not uploaded (--no-upload)`;
  lines.push(what);
  lines.push(`  arduino-cli ${r.arduinoCli.version}, core ${r.core.id} ${r.core.version}${r.core.installed ? ' (installed now)' : ''}${r.libraries.installed.length ? `, installed ${r.libraries.installed.join(', ')}` : ''}`);
  if (r.compile.usedLibraries.length) lines.push(`  libraries: ${r.compile.usedLibraries.map((l) => `${l.name}${l.version ? ` ${l.version}` : ''}`).join(', ')}`);
  lines.push('');
  lines.push(sizeTable(r.sizes));
  const off = r.sizes.filter((s) => s.compiledBytes !== null && s.estimateBytes !== null && s.compiledBytes > 0);
  if (off.length) lines.push(`  estimate vs compiled: ${off.map((s) => `${s.memory === 'flash' ? 'flash' : 'RAM'} ${bytes(s.estimateBytes!)} vs ${bytes(s.compiledBytes!)} (${fmtDelta(s.estimateBytes! / s.compiledBytes! - 1)})`).join(', ')}`);
  const warnings = r.compile.diagnostics.filter((d) => /warn/i.test(d.severity)).length;
  if (warnings) lines.push(`  ${warnings} compiler warning${warnings === 1 ? '' : 's'}`);
  for (const n of r.notes) lines.push(color.dim(`  note: ${n}`));
  return lines.join('\n');
}

const fmtDelta = (f: number) => `${f >= 0 ? '+' : ''}${(f * 100).toFixed(1)}%`;
