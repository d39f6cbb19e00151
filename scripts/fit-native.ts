/**
 * Calibrates the native engine's estimates from its own firmware: generates,
 * builds (arm-none-eabi-gcc, mps2-an386) and runs under QEMU every golden real
 * model and the example model (builds and runs are cached, see
 * generator/toolchain/build-cache.ts), reads the ELF sizes and linker maps,
 * fits the native code-size table (memory.ts NATIVE_CODE_M4), the emulation
 * runtime (memory.ts EMULATION_RUNTIME.mps2) and the native instruction table
 * (latency.ts M4_NATIVE), and prints them with the per-model residuals and
 * leave-one-model-out errors in the form the headers of memory.ts and
 * latency.ts quote. Run it after a change to the emitters, the kernels or the
 * templates, paste the tables, then run test/compile/native-estimate.test.ts:
 *
 *   npx tsx scripts/fit-native.ts [--no-run] [--header]
 *
 * --no-run: sizes only (no QEMU, no instruction table); --header: also print
 * the code table and the residual tables laid out as the headers quote them.
 */
import { buildFirmware, firmwareCases, missingNativeOps, runFirmware, type FirmwareBuild } from '../test/compile/native-samples.js';
import { loadModel } from '../lib/load.js';
import {
  fitNativeCodeTable, fitNativeInstructionTable, nativeInstructionResiduals, nativeLeaveOneOut,
  type NativeCodeSample, type NativeInstructionSample,
} from '../sim/estimate/fit.js';
import { nativeCodeFeatures, nativeCodeSize, nativeConstantFlash, nativeStateRam } from '../sim/estimate/memory.js';
import { subgraphWork, OP_CLASSES } from '../sim/estimate/work.js';

const run = !process.argv.includes('--no-run');
const builds: FirmwareBuild[] = [];
const insns: NativeInstructionSample[] = [];
for (const c of firmwareCases()) {
  const missing = missingNativeOps(await loadModel(c.modelPath));
  if (missing.length) {
    console.log(`skipped ${c.name}: no native emitter for ${missing.join(', ')}`);
    continue;
  }
  const b = await buildFirmware(c);
  builds.push(b);
  if (run) {
    const r = await runFirmware(b);
    if (r.exact === false) console.log(`WARNING ${c.name}: outputs differ from TFLM's on vector 000`);
    insns.push({ name: c.name, work: subgraphWork(b.model.subgraphs[0]!), instructions: r.instructions });
  }
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const runtimeFlash = median(builds.map((b) => b.map.text.harness + b.map.data.harness));
const runtimeRam = median(builds.map((b) => b.map.data.harness + b.map.bss.harness));
const appOf = (b: FirmwareBuild, kinds: string[]) => b.map.contributions.filter((x) => /(^|\/)tinyforge_validate\.o$/.test(x.file) && kinds.some((k) => x.section === k || x.section.startsWith(`${k}.`))).reduce((t, x) => t + x.size, 0);
const appFlash = median(builds.map((b) => appOf(b, ['.text', '.rodata', '.data'])));
const appRam = median(builds.map((b) => appOf(b, ['.data', '.bss'])));
const weights = new Map(builds.map((b) => [b.case.name, nativeConstantFlash(b.project.program)]));
const samples: NativeCodeSample[] = builds.map((b) => ({
  name: b.case.name,
  features: nativeCodeFeatures(b.project.program, b.model.subgraphs[0]!),
  code: b.flash - weights.get(b.case.name)! - runtimeFlash,
  flash: b.flash,
}));
const table = fitNativeCodeTable(samples);
const pct = (e: number) => `${e >= 0 ? '+' : ''}${(e * 100).toFixed(2)}%`;
const r0 = (v: number) => Math.round(v);

console.log(`\nEMULATION_RUNTIME.mps2: flashBytes ${runtimeFlash}, ramBytes ${runtimeRam} (medians; harness text+data ${Math.min(...builds.map((b) => b.map.text.harness + b.map.data.harness))}..${Math.max(...builds.map((b) => b.map.text.harness + b.map.data.harness))}, data+bss ${Math.min(...builds.map((b) => b.map.data.harness + b.map.bss.harness))}..${Math.max(...builds.map((b) => b.map.data.harness + b.map.bss.harness))})`);
console.log(`NATIVE_APP_M4: flashBytes ${appFlash}, ramBytes ${appRam} (tinyforge_validate.o, medians)`);
console.log('\nNATIVE_CODE_M4 = {');
console.log(`  base: ${r0(table.base)},`);
console.log(`  perOp: ${r0(table.perOp)},`);
console.log(`  perInstance: { ${Object.entries(table.perInstance).map(([k, v]) => `${k}: ${r0(v)}`).join(', ')} },`);
console.log(`  otherInstance: ${r0(table.otherInstance)},`);
console.log('}');

const loo = nativeLeaveOneOut(samples, insns, (name) => weights.get(name)! + runtimeFlash);
console.log('\nflash and RAM: ELF vs estimate (model code = flash - constants - runtime)');
console.log(`${'model'.padEnd(30)} ${'flash'.padStart(9)} ${'est'.padStart(9)} ${'error'.padStart(7)} ${'LOO'.padStart(7)} | ${'RAM'.padStart(9)} ${'est'.padStart(9)} ${'error'.padStart(7)} | ${'weights'.padStart(9)} ${'code'.padStart(6)} ${'est'.padStart(6)} ${'runtime'.padStart(7)}  instances`);
builds.forEach((b, i) => {
  const s = samples[i]!;
  const code = nativeCodeSize(table, s.features);
  const flash = weights.get(b.case.name)! + r0(code) + runtimeFlash;
  const ram = b.project.program.arenaBytes + nativeStateRam(b.project.program) + runtimeRam;
  console.log(`${b.case.name.padEnd(30)} ${String(b.flash).padStart(9)} ${String(flash).padStart(9)} ${pct(flash / b.flash - 1).padStart(7)} ${pct(loo.code[i]!.error).padStart(7)} | ${String(b.ram).padStart(9)} ${String(ram).padStart(9)} ${pct(ram / b.ram - 1).padStart(7)} | ${String(weights.get(b.case.name)).padStart(9)} ${String(b.map.text.model).padStart(6)} ${String(r0(code)).padStart(6)} ${String(b.map.text.harness + b.map.data.harness).padStart(7)}  ops ${s.features.ops} ${JSON.stringify(s.features.instances)}`);
});

if (run) {
  const t = fitNativeInstructionTable(insns);
  const p4 = (v: number) => (v === 0 ? '0' : Number(v.toPrecision(4)).toString());
  console.log('\nM4_NATIVE = {');
  console.log(`  perOp: ${p4(t.perOp)},`);
  for (const c of OP_CLASSES) console.log(`  ${c}: cost(${p4(t.classes[c].perMac)}, ${p4(t.classes[c].perOutput)}, ${p4(t.classes[c].perElement)}),`);
  console.log('}');
  console.log('\ninstructions: measured vs fitted, leave-one-out');
  nativeInstructionResiduals(t, insns).forEach((r, i) => console.log(`${r.name.padEnd(30)} ${String(r.observed).padStart(12)} ${String(r0(r.predicted)).padStart(12)} ${pct(r.error).padStart(8)} ${pct(loo.instructions[i]!.error).padStart(9)}`));
}

// --header: the same figures laid out as the header comments of memory.ts and latency.ts quote them.
if (process.argv.includes('--header')) {
  const short: Record<string, string> = {
    CONV_2D: 'CONV', DEPTHWISE_CONV_2D: 'DWCONV', FULLY_CONNECTED: 'FC', ADD: 'ADD', AVERAGE_POOL_2D: 'AVGPOOL', QUANTIZE: 'QUANT', SOFTMAX: 'SOFTMAX', SVDF: 'SVDF', UNIDIRECTIONAL_SEQUENCE_LSTM: 'LSTM',
  };
  const kinds = Object.keys(table.perInstance);
  const cells = [['base', r0(table.base)], ['perOp', r0(table.perOp)], ...kinds.map((k) => [short[k] ?? k, r0(table.perInstance[k]!)]), ['other', r0(table.otherInstance)]] as const;
  console.log('\n--- memory.ts header ---');
  console.log(` *   bytes  ${cells.map(([h, v]) => String(h).padStart(Math.max(String(h).length, String(v).length))).join('  ')}`);
  console.log(` *          ${cells.map(([h, v]) => String(v).padStart(Math.max(String(h).length, String(v).length))).join('  ')}`);
  console.log(' *');
  console.log(` *   model                          flash (ELF)   error     LOO |  RAM (ELF)   error`);
  builds.forEach((b, i) => {
    const s = samples[i]!;
    const flash = weights.get(b.case.name)! + r0(nativeCodeSize(table, s.features)) + runtimeFlash;
    const ram = b.project.program.arenaBytes + nativeStateRam(b.project.program) + runtimeRam;
    console.log(` *   ${b.case.name.padEnd(30)} ${String(b.flash).padStart(11)} ${pct(flash / b.flash - 1).padStart(7)} ${pct(loo.code[i]!.error).padStart(7)} | ${String(b.ram).padStart(10)} ${pct(ram / b.ram - 1).padStart(7)}`);
  });
  if (run) {
    const t = fitNativeInstructionTable(insns);
    const res = nativeInstructionResiduals(t, insns);
    console.log('\n--- latency.ts header ---');
    console.log(` *   model                          measured      fit      LOO`);
    res.forEach((r, i) => console.log(` *   ${r.name.padEnd(30)} ${String(r.observed).padStart(11)} ${pct(r.error).padStart(8)} ${pct(loo.instructions[i]!.error).padStart(8)}`));
  }
}
