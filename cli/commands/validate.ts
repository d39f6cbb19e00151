/**
 * `tinyforge validate MODEL --board ID --emulate [--input FILE[,FILE...] ...] [--random N] [--seed S]
 *  [--timeout S] [--json] [--out DIR] [--keep]`.
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
  input?: string | string[];
  random?: number | string;
  seed?: string;
  timeout?: number | string;
  json?: boolean;
  out?: string;
  keep?: boolean;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map(String).filter(Boolean);

export default async function validate(path: string, opts: ValidateCliOptions): Promise<number> {
  if (!opts.board) throw new UsageError('missing-flag', '--board is required', 'e.g. --board mps2-an386 --emulate');
  if (!opts.emulate) throw new UsageError('missing-flag', 'validation on a real board over the serial link is not available yet; only --emulate is', 'add --emulate (with an emulated board such as mps2-an386)');
  const random = opts.random === undefined ? null : Number(opts.random);
  if (random !== null && (!Number.isInteger(random) || random < 0 || random > 10_000)) throw new UsageError('bad-flag', `--random must be an integer from 0 to 10000, got ${opts.random}`, 'e.g. --random 5');
  const timeout = opts.timeout === undefined ? undefined : Number(opts.timeout);
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout <= 0)) throw new UsageError('bad-flag', `--timeout must be a positive number of seconds, got ${opts.timeout}`, 'e.g. --timeout 300');

  const model = await loadModel(path);
  const vectors: InputVector[] = await vectorsFromFiles(model, list(opts.input));
  const nRandom = random ?? (vectors.length === 0 ? 3 : 0);
  vectors.push(...randomInputVectors(model, nRandom, opts.seed === undefined ? 'tinyforge-validate' : String(opts.seed)));

  const command = ['tinyforge validate', path.split(/[\\/]/).pop(), `--board ${opts.board}`, '--emulate'].join(' ');
  const { report, deviceOutputs } = await validateModel(model, {
    board: opts.board,
    emulate: true,
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
    process.stdout.write(`${table(['vector', 'input', 'instructions', 'vs simulator'], rows, ['r', 'l', 'r', 'l'])}\n`);
    const ins = report.instructions;
    const median = ins.length ? [...ins].sort((a, b) => a - b)[Math.floor((ins.length - 1) / 2)]! : null;
    process.stdout.write(
      `${report.exact === report.total ? color.green(`✓ ${report.exact}/${report.total} vectors byte-exact`) : color.red(`✗ ${report.exact}/${report.total} vectors byte-exact`)} on ${report.board} (QEMU ${report.machine})\n` +
        (median !== null ? `  instructions per inference: ${count(median)} (median; exact counts above, not cycles)\n` : '') +
        `  ELF: text ${bytes(report.elf.text)}, data ${bytes(report.elf.data)}, bss ${bytes(report.elf.bss)} (arena ${bytes(report.arenaBytes)})\n` +
        (opts.out ? `  device outputs written to ${opts.out}/vector-<i>/output-<k>.bin\n` : '') +
        (report.projectDir ? `  project kept in ${report.projectDir}\n` : ''),
    );
  }
  return report.exact === report.total ? 0 : 2;
}
