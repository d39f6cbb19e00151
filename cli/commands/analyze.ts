/** `tinyforge analyze MODEL --board ID|PATH [--engine native|tflm] [--rate HZ] [--battery MAH] [--json] [--html FILE]`. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { loadModel } from '../../lib/load.js';
import { analyzeExitCode, analyzeModel, hintAlternatives, type AnalyzeReport, type Engine } from '../../lib/analyze.js';
import { UsageError, formatProblem } from '../../lib/errors.js';
import { maxRate, renderReportHtml } from '../../lib/report-html.js';
import { bytes, color, count, safeText, table } from '../format.js';

export interface AnalyzeFlags {
  board?: string | boolean;
  engine?: string | boolean;
  rate?: string | number | boolean;
  battery?: string | number | boolean;
  json?: boolean;
  html?: string | boolean;
  sensor?: string | boolean;
  pipeline?: string | boolean;
}

export default async function analyze(path: string, opts: AnalyzeFlags): Promise<number> {
  if (typeof opts.board !== 'string' || opts.board === '') {
    throw new UsageError('missing-board', 'analyze needs a board: --board ID or --board path/to/board.json', 'pass --board with one of the ids in boards/ (e.g. --board nano33ble-sense-rev2) or the path of your own board file');
  }
  const engine = opts.engine === undefined ? 'native' : String(opts.engine);
  const rateHz = numberFlag(opts.rate, '--rate', 'HZ');
  const batteryMah = numberFlag(opts.battery, '--battery', 'MAH');
  if (opts.html !== undefined && (typeof opts.html !== 'string' || opts.html === '')) {
    throw new UsageError('bad-flag', '--html needs a file name', 'pass e.g. --html report.html');
  }
  const model = await loadModel(path);
  const report = await analyzeModel(model, opts.board, { engine: engine as Engine, rateHz, batteryMah, sensor: typeof opts.sensor === 'string' ? opts.sensor : undefined, pipelineFile: typeof opts.pipeline === 'string' ? opts.pipeline : undefined });
  if (typeof opts.html === 'string') {
    const file = opts.html;
    // The report's folder is created like generate's --out is; an existing file is a report we wrote before.
    await mkdir(dirname(file), { recursive: true })
      .then(() => writeFile(file, renderReportHtml(report)))
      .catch((e: NodeJS.ErrnoException) => {
      throw new UsageError('cannot-write', `cannot write the HTML report to ${file}: ${e.code ?? e.message}`, 'pass --html a path in a writable folder', { file });
    });
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(`${render(report)}\n`);
    if (typeof opts.html === 'string') process.stdout.write(`\nHTML report: ${opts.html}\n`);
  }
  return analyzeExitCode(report);
}

function numberFlag(v: string | number | boolean | undefined, flag: string, meta: string): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n) || n <= 0) {
    throw new UsageError('bad-flag', `expected ${flag} ${meta} to be a positive number, got ${JSON.stringify(v)}`, `pass e.g. ${flag} 10`);
  }
  return n;
}

const pct = (f: number) => (Number.isFinite(f) ? `${(f * 100).toFixed(f >= 0.1 ? 0 : 1)}%` : '∞');
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n >= 0.1 ? n.toFixed(2) : n.toFixed(3));
const energy = (uj: number) => (uj >= 1000 ? `${(uj / 1000).toFixed(2)} mJ` : `${uj.toFixed(1)} µJ`);

function usage(used: number, limit: number): string {
  const f = limit > 0 ? used / limit : Infinity;
  const s = `${bytes(used)} of ${bytes(limit)} (${pct(f)})`;
  return f > 1 ? color.red(s) : f > 0.85 ? color.yellow(s) : s;
}

function render(r: AnalyzeReport): string {
  const out: string[] = [];
  const b = r.board;
  out.push(color.bold(safeText(r.model.path ?? '<bytes>', 120)) + `  ${bytes(r.model.bytes)}  sha256 ${r.model.sha256.slice(0, 16)}…`);
  out.push(`board ${safeText(b.id)} (${safeText(b.name)}, ${b.core} at ${(b.clockHz / 1e6).toFixed(0)} MHz, ${b.kernels} kernels)  engine ${r.engine}${r.calibrated ? '' : color.dim('  (not calibrated: see notes)')}`);
  out.push('');
  out.push(color.bold('Totals'));
  const L = b.limits;
  out.push(`  arena    ${usage(r.arenaBytes, L.arenaBytes)} free for it${r.engine === 'tflm' ? `  → kTensorArenaSize = ${r.arenaBytes}` : ''}`);
  out.push(`  RAM      ${usage(r.ramBytes, L.ramBytes)}`);
  out.push(`  flash    ${usage(r.flashBytes, L.flashBytes)}`);
  out.push(`  latency  ${ms(r.latencyMs)} ms per inference (${count(r.totals.cycles)} cycles, ${count(r.totals.macs)} MACs)`);
  out.push(`  energy   ${r.energyUj === null ? 'unknown (the board file has no active power)' : `${energy(r.energyUj)} per inference`}`);
  if (r.pipeline) {
    out.push(`sensor pipeline (${safeText(r.pipeline.sensor)}): ${r.pipeline.bufferBytes} B of capture buffers counted in RAM`);
    for (const line of r.pipeline.describe) out.push(`  ${safeText(line, 200)}`);
  }
  if (r.rateHz !== null) {
    if (r.power) {
      const p = r.power;
      const life = p.batteryDays === null ? '' : `, battery ${r.batteryMah} mAh lasts ${p.batteryDays >= 2 ? `${p.batteryDays.toFixed(1)} days` : `${(p.batteryHours ?? 0).toFixed(1)} h`}`;
      const avg = `average ${p.averageMw.toFixed(p.averageMw >= 10 ? 1 : 3)} mW${life}`;
      if (p.dutyCycle > 1) out.push(color.red(`  at ${r.rateHz} Hz: cannot keep up, one inference takes ${ms(r.latencyMs)} ms (at most ${maxRate(r.latencyMs)} Hz); running flat out: ${avg}`));
      else out.push(`  at ${r.rateHz} Hz: duty cycle ${pct(p.dutyCycle)}, ${avg}`);
    } else {
      out.push(`  at ${r.rateHz} Hz: no power figures (the board's active power is unknown)`);
    }
  }
  out.push('');
  out.push(color.bold('Layers'));
  out.push(
    table(
      ['#', 'op', 'MACs', 'params', 'act. bytes', 'est. cycles', 'ms'],
      [
        ...r.layers.map((l) => [l.index, safeText(l.op, 40), count(l.macs), count(l.params), l.activationBytes, count(l.cycles), ms(l.ms)]),
        ['', 'total', count(r.totals.macs), count(r.layers.reduce((s, l) => s + l.params, 0)), '', count(r.totals.cycles), ms(r.latencyMs)],
      ],
      ['r', 'l', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  out.push('');
  if (r.fits) {
    out.push(color.green(`✓ fits ${safeText(b.id)}`));
  } else {
    out.push(color.red(color.bold(`✗ does not fit ${safeText(b.id)}:`)));
    for (const f of r.fitProblems) {
      out.push(`  ${color.red(f.message)}`);
      const tries = hintAlternatives(f.hint);
      if (tries.length === 1) out.push(`    try: ${tries[0]}`);
      else for (const t of tries) out.push(`    - try ${t}`);
    }
  }
  if (r.problems.length > 0) {
    out.push(color.red(color.bold(`✗ unsupported: ${r.problems.length} problem(s) (the figures above are estimates for the model as it is):`)));
    for (const p of r.problems) out.push(formatProblem(p));
  }
  if (r.notes.length > 0) {
    out.push('');
    out.push(color.dim('notes:'));
    for (const n of r.notes) out.push(color.dim(`  - ${n}`));
  }
  return out.join('\n');
}
