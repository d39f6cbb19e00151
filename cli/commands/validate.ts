/**
 * `tinyforge validate MODEL --board ID (--emulate [--semihosting] | --port P [--baud B])
 *  [--input FILE[,FILE...] ...] [--random N] [--seed S] [--timeout S] [--json] [--out DIR] [--keep]`.
 * Exit 0 when every output of every vector equals the simulator's byte for byte, 2 otherwise.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModel } from '../../lib/load.js';
import { UsageError } from '../../lib/errors.js';
import { randomInputVectors, validateModel, vectorsFromFiles, type InputVector } from '../../lib/validate.js';
import { bytes, color, count, safeText, table } from '../format.js';

export interface ValidateCliOptions {
  board?: string;
  emulate?: boolean;
  /** With --emulate: semihosting files instead of the serial protocol (fallback). */
  semihosting?: boolean;
  port?: string;
  baud?: number | string;
  input?: string | string[];
  random?: number | string;
  seed?: string;
  timeout?: number | string;
  json?: boolean;
  out?: string;
  keep?: boolean;
  wav?: string;
  csv?: string;
  image?: string;
  sensor?: string;
  pipeline?: string;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map(String).filter(Boolean);

export default async function validate(path: string, opts: ValidateCliOptions): Promise<number> {
  const recording = opts.wav ?? opts.csv ?? opts.image;
  if (recording !== undefined) return validateRecording(path, recording, opts);
  if (!opts.board) throw new UsageError('missing-flag', '--board is required', 'e.g. --board mps2-an386 --emulate, or --board nano33ble-sense-rev2 --port /dev/ttyACM0');
  if (!opts.emulate && !opts.port) throw new UsageError('missing-flag', 'validate needs --emulate (run under QEMU) or --port P (a board flashed with this model\'s firmware)', 'add --emulate (with an emulated board such as mps2-an386) or --port /dev/ttyACM0');
  if (opts.emulate && opts.port) throw new UsageError('bad-flag', '--emulate and --port exclude each other', 'use --emulate for the QEMU board, --port for a real board');
  if (opts.semihosting && !opts.emulate) throw new UsageError('bad-flag', '--semihosting only applies with --emulate', 'drop --semihosting, or add --emulate');
  const baud = opts.baud === undefined ? undefined : Number(opts.baud);
  if (baud !== undefined && (!Number.isInteger(baud) || baud <= 0)) throw new UsageError('bad-flag', `--baud must be a positive integer, got ${opts.baud}`, 'e.g. --baud 115200');
  const random = opts.random === undefined ? null : Number(opts.random);
  if (random !== null && (!Number.isInteger(random) || random < 0 || random > 10_000)) throw new UsageError('bad-flag', `--random must be an integer from 0 to 10000, got ${opts.random}`, 'e.g. --random 5');
  const timeout = opts.timeout === undefined ? undefined : Number(opts.timeout);
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout <= 0)) throw new UsageError('bad-flag', `--timeout must be a positive number of seconds, got ${opts.timeout}`, 'e.g. --timeout 300');

  const model = await loadModel(path);
  const vectors: InputVector[] = await vectorsFromFiles(model, list(opts.input));
  const nRandom = random ?? (vectors.length === 0 ? 3 : 0);
  vectors.push(...randomInputVectors(model, nRandom, opts.seed === undefined ? 'tinyforge-validate' : String(opts.seed)));

  const command = ['tinyforge validate', path.split(/[\\/]/).pop(), `--board ${opts.board}`, opts.port ? '--port' : '--emulate'].join(' ');
  const { report, deviceOutputs } = await validateModel(model, {
    board: opts.board,
    emulate: !!opts.emulate,
    transport: opts.semihosting ? 'semihosting' : 'serial',
    port: opts.port ? String(opts.port) : undefined,
    baudRate: baud,
    vectors,
    timeoutMs: timeout === undefined ? undefined : Math.round(timeout * 1000),
    keep: opts.keep,
    command,
  });

  if (opts.out) {
    for (let v = 0; v < deviceOutputs.length; v++) {
      const dir = join(opts.out, `vector-${v}`);
      await mkdir(dir, { recursive: true });
      for (let k = 0; k < deviceOutputs[v]!.length; k++) await writeFile(join(dir, `output-${k}.bin`), deviceOutputs[v]![k]!);
    }
  }

  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const rows = report.vectors.map((v) => {
      const bad = v.outputs.filter((o) => o.differing > 0);
      const detail = bad.length === 0
        ? color.green('exact')
        : color.red(bad.map((o) => `output ${o.index}: ${o.differing} differ${o.firstDifference ? ` (element ${o.firstDifference.element}: expected ${o.firstDifference.expected}, got ${o.firstDifference.got})` : ' (size)'}`).join('; '));
      return [String(v.index), safeText(v.label), v.instructions === null ? '-' : v.instructions.toLocaleString('en-US'), detail];
    });
    const showUs = report.vectors.some((v) => v.micros !== null) && report.latency.physical;
    const showCycles = report.vectors.some((v) => v.cycles !== null);
    const headers = ['vector', 'input', ...(report.mode === 'emulate' ? ['instructions'] : []), ...(showUs ? ['µs'] : []), ...(showCycles ? ['cycles'] : []), 'vs simulator'];
    const wide = rows.map((r, i) => {
      const v = report.vectors[i]!;
      return [r[0]!, r[1]!, ...(report.mode === 'emulate' ? [r[2]!] : []), ...(showUs ? [String(v.micros ?? '-')] : []), ...(showCycles ? [v.cycles === null ? '-' : v.cycles.toLocaleString('en-US')] : []), r[3]!];
    });
    process.stdout.write(`${table(headers, wide, headers.map((h) => (h === 'input' || h === 'vs simulator' ? 'l' : 'r')))}\n`);
    const fmt = (x: number | null, digits = 4) => (x === null ? '-' : Number.isInteger(x) ? String(x) : x.toPrecision(digits));
    const metricRows = report.metrics.map((m) => [String(m.index), `${(m.exactRate * 100).toFixed(1)} %`, `${m.maxAbsErrorQ} (${fmt(m.maxAbsError)})`, fmt(m.rmse), fmt(m.mae), fmt(m.l2r), fmt(m.cosine, 6)]);
    process.stdout.write(`${table(['output', 'exact', 'max abs err q (real)', 'rmse', 'mae', 'l2r', 'cos'], metricRows, ['r', 'r', 'r', 'r', 'r', 'r', 'r'])}\n`);
    const where = report.mode === 'port' ? `on ${report.board} (${report.port})` : `on ${report.board} (QEMU ${report.machine}, ${report.transport === 'serial' ? 'serial protocol over a pty' : 'semihosting files'})`;
    const lat = report.latency;
    const latencyLine = report.mode === 'port'
      ? `  latency: ${lat.measuredUs === null ? '-' : `${lat.measuredUs.toLocaleString('en-US')} µs`} measured (median)${lat.cycles !== null ? `, ${lat.cycles.toLocaleString('en-US')} cycles` : ''}; estimate ${lat.estimateUs === null ? '-' : `${Math.round(lat.estimateUs).toLocaleString('en-US')} µs`}${lat.estimateUs && lat.measuredUs ? ` (measured/estimate ${(lat.measuredUs / lat.estimateUs).toFixed(2)})` : ''}\n`
      : lat.instructions !== null
        ? `  instructions per inference: ${count(lat.instructions)} (median; exact counts above, not cycles); estimate ${lat.estimateInstructions === null ? '-' : count(lat.estimateInstructions)}\n`
        : '';
    const link = report.serial && report.serial.retries > 0 ? `  serial link: ${report.serial.retries} retr${report.serial.retries === 1 ? 'y' : 'ies'} (${report.serial.timeouts} timeouts, ${report.serial.badFrames} damaged frames, ${report.serial.naks} NAKs) — every result was CRC-checked\n` : '';
    process.stdout.write(
      `${report.exact === report.total ? color.green(`✓ ${report.exact}/${report.total} vectors byte-exact`) : color.red(`✗ ${report.exact}/${report.total} vectors byte-exact`)} ${where}\n` +
        latencyLine +
        link +
        (report.elf ? `  ELF: text ${bytes(report.elf.text)}, data ${bytes(report.elf.data)}, bss ${bytes(report.elf.bss)} (arena ${bytes(report.arenaBytes)})\n` : '') +
        (opts.out ? `  device outputs written to ${opts.out}/vector-<i>/output-<k>.bin\n` : '') +
        (report.projectDir ? `  project kept in ${report.projectDir}\n` : ''),
    );
  }
  return report.exact === report.total ? 0 : 2;
}

/** validate --emulate --wav/--csv/--image: the sensor path on the emulated board against the simulator. */
async function validateRecording(path: string, file: string, opts: ValidateCliOptions): Promise<number> {
  if (!opts.emulate) throw new UsageError('bad-flag', '--wav/--csv/--image replay a recording on the emulated board: they need --emulate', 'add --emulate (and --board mps2-an386 or leave --board out)');
  if ([opts.wav, opts.csv, opts.image].filter((v) => v !== undefined).length > 1) throw new UsageError('bad-flag', 'give one recording', 'use one of --wav, --csv, --image');
  const model = await loadModel(path);
  const { resolvePipeline } = await import('../../lib/pipeline.js');
  const { readRecordingFile } = await import('../../lib/recording.js');
  const { checkSensorOnEmulator } = await import('../../lib/validate-sensor.js');
  const pipeline = resolvePipeline(model, { sensor: opts.sensor, pipelineFile: opts.pipeline, discover: true });
  if (!pipeline) throw new UsageError('no-pipeline', 'no sensor pipeline for this recording', 'add --sensor KIND or a tinyforge.json beside the model');
  const rec = readRecordingFile(file, pipeline);
  const timeoutMs = opts.timeout === undefined ? undefined : Number(opts.timeout) * 1000;
  const r = await checkSensorOnEmulator(model, { board: opts.board, sensor: pipeline.sensor, pipelineFile: opts.pipeline ?? pipeline.file ?? undefined, recording: rec, timeoutMs, keep: opts.keep });
  const ok = r.firstDifference === null;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ok, sensor: r.pipeline.sensor, inferences: r.inferences, inputsEqual: r.inputsEqual, outputsEqual: r.outputsEqual, reportEqual: r.reportEqual, firstDifference: r.firstDifference, projectDir: r.projectDir, ms: r.ms }, null, 2)}\n`);
  } else {
    for (const line of r.pipeline.describe) process.stdout.write(`${color.dim(safeText(line, 200))}\n`);
    process.stdout.write(
      ok
        ? color.green(`✓ ${r.inferences} inferences on the emulated board: every input tensor, output and loop decision equals the simulator's, byte for byte\n`)
        : color.red(`✗ ${safeText(r.firstDifference ?? '', 300)}\n`),
    );
    if (r.projectDir) process.stdout.write(`project kept in ${r.projectDir}\n`);
  }
  return ok ? 0 : 2;
}
