/**
 * npm run bench:firmware [-- --filter SUBSTR[,SUBSTR...]] [--no-run] [--json FILE]
 *
 * The firmware the native engine generates, measured on the emulated board
 * mps2-an386 (Cortex-M4F under qemu-system-arm): for every golden real model
 * (../shared/golden) and the example model, generate -> build with
 * arm-none-eabi-gcc (-O2) -> run golden vector 000 under QEMU with the
 * instruction-count plugin. Prints markdown tables:
 *
 * 1. speed: instructions of one tf_invoke() beside TFLM's one Invoke() of the
 *    same model on the same emulated core (golden meta `tflm_cortex_m4`:
 *    reference kernels and CMSIS-NN kernels), with ratios;
 * 2. memory: flash (ELF text + data) and static RAM (ELF data + bss) beside
 *    TFLM's (elf_text + elf_data of the reference build; elf_data + elf_bss +
 *    min_arena_bytes_cmsis_nn of the CMSIS-NN build, whose bss excludes the
 *    arena), the engine alone (weights + model code vs model_bytes +
 *    tflm_code_bytes_cmsis_nn: the runtimes around them differ), and the
 *    arenas;
 * 3. the native estimate (sim/estimate, engine native) against the measured
 *    flash, RAM and instructions, with the linker-map split of the flash.
 *
 * Instructions are exact executed-instruction counts, not cycles. Builds and
 * runs are cached (generator/toolchain/build-cache.ts; TINYFORGE_NO_BUILD_CACHE=1
 * rebuilds); vector 000's outputs are compared with TFLM's golden outputs and
 * a mismatch is flagged in the table and makes the exit status 1.
 */
import { writeFileSync } from 'node:fs';
import { estimate } from '../sim/estimate/index.js';
import { loadModel } from '../lib/load.js';
import { buildFirmware, firmwareCases, missingNativeOps, runFirmware, BOARD, type FirmwareBuild, type FirmwareRun } from '../test/compile/native-samples.js';

const USAGE = 'usage: npm run bench:firmware [-- --filter SUBSTR[,SUBSTR...]] [--no-run] [--json FILE]';

interface Options {
  filters: string[];
  run: boolean;
  json: string | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { filters: [], run: true, json: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--no-run') o.run = false;
    else if (a === '--json' || a.startsWith('--json=')) o.json = value();
    else if (a === '--filter' || a.startsWith('--filter=')) o.filters.push(...value().split(',').filter(Boolean));
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (!a.startsWith('-')) o.filters.push(a);
    else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  return o;
}

interface Row {
  model: string;
  skipped: string | null;
  native: {
    instructions: number | null;
    exact: boolean | null;
    flash: number;
    ram: number;
    arena: number;
    weights: number;
    code: number;
    runtime: number;
  } | null;
  estimate: { flash: number; ram: number; instructions: number; calibrated: boolean } | null;
  tflm: {
    instructionsReference: number;
    instructionsCmsisNn: number;
    flashReference: number;
    flashCmsisNn: number;
    ram: number;
    arena: number;
    engine: number;
  } | null;
}

const o = parseArgs(process.argv.slice(2));
const cases = firmwareCases().filter((c) => o.filters.length === 0 || o.filters.some((f) => c.name.includes(f)));
if (cases.length === 0) throw new Error(`no model matches ${o.filters.join(', ')}`);
const rows: Row[] = [];
for (const c of cases) {
  const model = await loadModel(c.modelPath);
  const missing = missingNativeOps(model);
  const g = c.golden?.meta.tflm_cortex_m4 as Record<string, number> | undefined;
  const tflm: Row['tflm'] = g
    ? {
        instructionsReference: g.instructions_reference!,
        instructionsCmsisNn: g.instructions_cmsis_nn!,
        flashReference: g.elf_text! + g.elf_data!,
        flashCmsisNn: g.elf_text_cmsis_nn! + g.elf_data_cmsis_nn!,
        ram: g.elf_data_cmsis_nn! + g.elf_bss_cmsis_nn! + g.min_arena_bytes_cmsis_nn!,
        arena: g.min_arena_bytes_cmsis_nn!,
        engine: g.model_bytes! + g.tflm_code_bytes_cmsis_nn!,
      }
    : null;
  if (missing.length) {
    rows.push({ model: c.name, skipped: `no native emitter for ${missing.join(', ')}`, native: null, estimate: null, tflm });
    process.stderr.write(`${c.name}: skipped (${missing.join(', ')})\n`);
    continue;
  }
  const t0 = performance.now();
  const b: FirmwareBuild = await buildFirmware(c);
  const run: FirmwareRun | null = o.run ? await runFirmware(b) : null;
  const est = estimate(b.model, BOARD, { engine: 'native', nativeProgram: b.project.program });
  rows.push({
    model: c.name,
    skipped: null,
    native: {
      instructions: run?.instructions ?? null,
      exact: run?.exact ?? null,
      flash: b.flash,
      ram: b.ram,
      arena: b.project.program.arenaBytes,
      weights: b.map.text.weights,
      code: b.map.text.model,
      runtime: b.map.text.harness + b.map.data.harness,
    },
    estimate: { flash: est.memory.flash.total, ram: est.memory.ram.total - est.memory.ram.stack - est.memory.ram.sensorBuffers, instructions: Math.round(est.totals.instructions), calibrated: est.calibrated },
    tflm,
  });
  process.stderr.write(`${c.name}: ${b.build.cached ? 'cached build' : `built in ${(b.build.buildMs / 1000).toFixed(1)} s`}${run ? `, ${run.cached ? 'cached run' : `ran in ${(run.ms / 1000).toFixed(1)} s`}` : ''} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
}

const n = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toLocaleString('en-US'));
const x = (a: number | null | undefined, b: number | null | undefined) => (a && b ? `${(a / b).toFixed(2)}x` : '-');
const pct = (est: number | undefined, meas: number | null | undefined) => (est === undefined || !meas ? '-' : `${est >= meas ? '+' : ''}${((est / meas - 1) * 100).toFixed(1)}%`);
const table = (head: string[], body: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const live = rows.filter((r) => r.native);

const out: string[] = [];
out.push(`Command: \`npm run bench:firmware${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` — ${BOARD} (Cortex-M4F, qemu-system-arm), arm-none-eabi-gcc -O2; TFLM figures: golden meta \`tflm_cortex_m4\` (TFLM 90b983c2, -Os core / -O2 kernels, same emulated core).`);
out.push('');
out.push('**Speed**: executed instructions of one inference (vector 000), not cycles.');
out.push('');
out.push(table(
  ['model', 'native', 'TFLM reference', 'TFLM CMSIS-NN', 'native / reference', 'native / CMSIS-NN', 'outputs = TFLM'],
  live.map((r) => [r.model, n(r.native!.instructions), n(r.tflm?.instructionsReference), n(r.tflm?.instructionsCmsisNn), x(r.native!.instructions, r.tflm?.instructionsReference), x(r.native!.instructions, r.tflm?.instructionsCmsisNn), r.native!.exact === null ? (o.run ? 'no golden' : 'not run') : r.native!.exact ? 'yes' : '**NO**']),
));
out.push('');
out.push('**Memory**, bytes. Flash = ELF text + data; RAM = ELF data + bss (static; the stack comes on top). TFLM: flash of the reference build, RAM of the CMSIS-NN build with its minimum arena. "Engine" = weights + model code (native) vs model_bytes + tflm_code_bytes_cmsis_nn (TFLM): the runtimes around them (native: tinyforge\'s mps2 harness; TFLM: the golden harness) differ.');
out.push('');
out.push(table(
  ['model', 'native flash', 'TFLM flash', 'ratio', 'native engine', 'TFLM engine', 'ratio', 'native RAM', 'TFLM RAM', 'ratio', 'native arena', 'TFLM arena', 'ratio'],
  live.map((r) => {
    const v = r.native!;
    const t = r.tflm;
    return [r.model, n(v.flash), n(t?.flashReference), x(v.flash, t?.flashReference), n(v.weights + v.code), n(t?.engine), x(v.weights + v.code, t?.engine), n(v.ram), n(t?.ram), x(v.ram, t?.ram), n(v.arena), n(t?.arena), x(v.arena, t?.arena)];
  }),
));
out.push('');
out.push(`**Estimate vs measured** (\`estimate(model, "${BOARD}", { engine: "native" })\`; RAM without the stack). Flash split from the linker map: weights (tinyforge_weights.o), model code (tinyforge_model.o), runtime (startup, emulation main, validation protocol, newlib-nano, semihosting).`);
out.push('');
out.push(table(
  ['model', 'flash', 'estimate', 'error', 'RAM', 'estimate', 'error', 'instructions', 'estimate', 'error', 'weights', 'model code', 'runtime'],
  live.map((r) => {
    const v = r.native!;
    const e = r.estimate!;
    return [r.model, n(v.flash), n(e.flash), pct(e.flash, v.flash), n(v.ram), n(e.ram), pct(e.ram, v.ram), n(v.instructions), n(e.instructions), pct(e.instructions, v.instructions), n(v.weights), n(v.code), n(v.runtime)];
  }),
));
for (const r of rows.filter((q) => q.skipped)) out.push(`\nskipped ${r.model}: ${r.skipped}`);
console.log(out.join('\n'));
if (o.json) writeFileSync(o.json, `${JSON.stringify(rows, null, 2)}\n`);
if (live.some((r) => r.native!.exact === false)) process.exitCode = 1;
