/** `tinyforge generate MODEL --board ID --out DIR [--engine native|tflm] [--sensor KIND] [--force]`. */
import { loadModel } from '../../lib/load.js';
import { generateFirmware } from '../../lib/generate.js';
import { UsageError } from '../../lib/errors.js';
import { color } from '../format.js';

export interface GenerateCliOptions {
  board?: string;
  out?: string;
  engine?: string;
  sensor?: string;
  pipeline?: string;
  force?: boolean;
  name?: string;
  period?: number | string;
}

export default async function generate(path: string, opts: GenerateCliOptions): Promise<number> {
  if (!opts.board) throw new UsageError('missing-flag', '--board is required', 'e.g. --board nano33ble-sense-rev2 (see boards/ for the ids) or --board ./my-board.json');
  if (!opts.out) throw new UsageError('missing-flag', '--out is required', 'e.g. --out fw/');
  const engine = opts.engine ?? 'native';
  if (engine !== 'native' && engine !== 'tflm') throw new UsageError('bad-flag', `--engine ${opts.engine} is not an engine`, 'use --engine native (tinyforge\'s generated C++) or --engine tflm (TFLite Micro)');
  const model = await loadModel(path);
  // Every flag that changes the generated files, so the banner's command regenerates them (--out / --force do not).
  const command = [
    'tinyforge generate',
    path.split(/[\\/]/).pop(),
    `--board ${opts.board}`,
    `--engine ${engine}`,
    opts.sensor ? `--sensor ${opts.sensor}` : '',
    opts.pipeline ? `--pipeline ${opts.pipeline.split(/[\\/]/).pop()}` : '',
    opts.name !== undefined ? `--name ${opts.name}` : '',
    opts.period !== undefined ? `--period ${opts.period}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const periodMs = opts.period === undefined ? undefined : Number(opts.period);
  const r = await generateFirmware(model, {
    board: opts.board,
    outDir: opts.out,
    engine,
    sensor: opts.sensor,
    pipelineFile: opts.pipeline,
    force: opts.force,
    command,
    name: opts.name,
    periodMs,
  });
  const sizes = engine === 'tflm' ? `kTensorArenaSize ${r.arenaBytes} B, model ${r.constantBytes} B` : `arena ${r.arenaBytes} B, constants ${r.constantBytes} B`;
  process.stdout.write(`${color.green('✓')} wrote ${r.files.length} files to ${opts.out} (sketch ${r.name}/${r.name}.ino)\n  ${sizes}\n`);
  if (r.pipeline) {
    for (const line of r.pipeline.describe) process.stdout.write(`  ${line}\n`);
    const rate = Number(r.pipeline.inferenceRateHz.toPrecision(4));
    process.stdout.write(`  energy at this duty cycle: tinyforge analyze ${path.split(/[\\/]/).pop()} --board ${opts.board} --rate ${rate}\n`);
  }
  return 0;
}
