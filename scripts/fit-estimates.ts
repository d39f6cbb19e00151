/**
 * Re-runs the calibration of the estimate tables from ../shared/golden and
 * prints them, with per-model residuals and leave-one-out errors, in the form
 * the headers of sim/estimate/latency.ts and memory.ts quote. Run it after a
 * change to work.ts/counts.ts or to the golden set, then update the tables:
 *
 *   npx tsx scripts/fit-estimates.ts
 */
import { goldenSamples } from '../test/golden/estimate-samples.js';
import { fitCodeSizes, fitInstructionTables, instructionResiduals, leaveOneOut } from '../sim/estimate/fit.js';
import { OP_CLASSES } from '../sim/estimate/work.js';
import { codeSize, type CodeSizeTable } from '../sim/estimate/memory.js';

const { instructions, codeSizes } = await goldenSamples();
const fit = fitInstructionTables(instructions);
const loo = leaveOneOut(instructions);
const p4 = (v: number) => (v === 0 ? '0' : v.toPrecision(4));
const pct = (e: number) => `${e >= 0 ? '+' : ''}${(e * 100).toFixed(1)}%`;

console.log('instruction tables (reference | cmsis-nn)');
console.log(`  perOp ${p4(fit.reference.perOp)} | ${p4(fit.cmsisNn.perOp)}`);
for (const c of OP_CLASSES) {
  for (const f of ['perMac', 'perOutput', 'perElement'] as const) {
    const r = fit.reference.classes[c][f];
    const m = fit.cmsisNn.classes[c][f];
    if (r || m) console.log(`  ${c}.${f} ${p4(r)} | ${p4(m)}`);
  }
}
const ref = instructionResiduals(fit.reference, instructions, 'reference');
const cm = instructionResiduals(fit.cmsisNn, instructions, 'cmsisNn');
console.log('\nper-model error: reference fit, LOO | cmsis-nn fit, LOO');
ref.forEach((r, i) => console.log(`  ${r.name.padEnd(30)} ${pct(r.error).padStart(7)} ${pct(loo.reference[i]!.error).padStart(8)} | ${pct(cm[i]!.error).padStart(7)} ${pct(loo.cmsisNn[i]!.error).padStart(8)}`));

const cs = fitCodeSizes(codeSizes);
const show = (name: string, t: CodeSizeTable) =>
  console.log(`  ${name}: base ${Math.round(t.base)}, ${Object.entries(t.perKind).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}, other ${Math.round(t.otherKind)}`);
console.log('\ncode size tables');
show('reference', cs.reference);
show('cmsis-nn', cs.cmsisNn);
console.log('\ncode size error: reference | cmsis-nn');
for (const s of codeSizes) {
  console.log(`  ${s.name.padEnd(30)} ${pct(codeSize(cs.reference, s.kinds) / s.reference - 1).padStart(7)} | ${pct(codeSize(cs.cmsisNn, s.kinds) / s.cmsisNn - 1).padStart(7)}`);
}
