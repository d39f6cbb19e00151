/** `tinyforge generate MODEL --board ID --out DIR [--engine native] [--sensor KIND] [--force]`. */
import { loadModel } from '../../lib/load.js';
import { generateFirmware } from '../../lib/generate.js';
import { UsageError } from '../../lib/errors.js';
import { color } from '../format.js';

export interface GenerateCliOptions {
  board?: string;
  out?: string;
  engine?: string;
  sensor?: string;
  force?: boolean;
  name?: string;
  period?: number | string;
}

export default async function generate(path: string, opts: GenerateCliOptions): Promise<number> {
  if (!opts.board) throw new UsageError('missing-flag', '--board is required', 'e.g. --board nano33ble-sense-rev2 (see boards/ for the ids) or --board ./my-board.json');
  if (!opts.out) throw new UsageError('missing-flag', '--out is required', 'e.g. --out fw/');
  const engine = (opts.engine ?? 'native') as 'native';
  if (engine !== 'native') throw new UsageError('bad-flag', `--engine ${opts.engine} is not available yet`, 'use --engine native');
  const model = await loadModel(path);
  const command = ['tinyforge generate', path.split(/[\\/]/).pop(), `--board ${opts.board}`, `--engine ${engine}`, opts.sensor ? `--sensor ${opts.sensor}` : ''].filter(Boolean).join(' ');
  const r = await generateFirmware(model, {
    board: opts.board,
    outDir: opts.out,
    engine,
    sensor: opts.sensor,
    force: opts.force,
    command,
    name: opts.name,
    periodMs: opts.period === undefined ? undefined : Number(opts.period),
  });
  process.stdout.write(`${color.green('✓')} wrote ${r.files.length} files to ${opts.out} (sketch ${r.name}/${r.name}.ino)\n  arena ${r.arenaBytes} B, constants ${r.constantBytes} B\n`);
  return 0;
}
