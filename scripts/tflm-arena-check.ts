/**
 * Developer tool: the TFLM arena replay (sim/estimate/tflm_arena.ts) against
 * the golden figures.
 *   npx tsx scripts/tflm-arena-check.ts [substring ...]   (no argument: every case)
 * Prints every mismatch (x86-64 reference for all cases with figures; Cortex-M4
 * reference and CMSIS-NN for the real models), then a markdown table of the
 * real models on Cortex-M4 with CMSIS-NN.
 */
import { listGoldenCases } from '../test/golden/cases.js';
import { loadModel } from '../lib/load.js';
import { tflmArena } from '../sim/estimate/tflm_arena.js';

const filters = process.argv.slice(2);
const cases = listGoldenCases().filter((c) => c.group !== 'rejected' && typeof c.meta.arena_used_bytes === 'number' && (filters.length === 0 || filters.some((f) => c.name.includes(f))));
const pair = (ours: number, theirs: number) => (ours === theirs ? `${ours}` : `${ours} (TFLM ${theirs})`);
let exact = 0;
const table: string[] = [];
for (const c of cases) {
  const model = await loadModel(c.modelPath);
  const x = tflmArena(model, { abi: 'x86_64', kernels: 'reference' });
  const rows = [`x86-64 used ${pair(x.arenaUsedBytes, c.meta.arena_used_bytes)} min ${pair(x.minArenaBytes, c.meta.min_arena_bytes)}`];
  let ok = x.arenaUsedBytes === c.meta.arena_used_bytes && x.minArenaBytes === c.meta.min_arena_bytes;
  const m4 = c.meta.tflm_cortex_m4;
  if (m4) {
    const ref = tflmArena(model, { abi: 'arm32', kernels: 'reference' });
    const cm = tflmArena(model, { abi: 'arm32', kernels: 'cmsis-nn' });
    rows.push(`M4 ref used ${pair(ref.arenaUsedBytes, m4.arena_used_bytes)} min ${pair(ref.minArenaBytes, m4.min_arena_bytes)}`);
    rows.push(`M4 CMSIS-NN used ${pair(cm.arenaUsedBytes, m4.arena_used_bytes_cmsis_nn)} min ${pair(cm.minArenaBytes, m4.min_arena_bytes_cmsis_nn)}`);
    ok &&= ref.arenaUsedBytes === m4.arena_used_bytes && ref.minArenaBytes === m4.min_arena_bytes && cm.arenaUsedBytes === m4.arena_used_bytes_cmsis_nn && cm.minArenaBytes === m4.min_arena_bytes_cmsis_nn;
    table.push(`| ${c.name} | ${cm.arenaUsedBytes} / ${m4.arena_used_bytes_cmsis_nn} | ${cm.minArenaBytes} / ${m4.min_arena_bytes_cmsis_nn} | ${cm.recommendedArenaBytes} | ${cm.persistentBytes} + ${cm.planBytes} |`);
  }
  if (ok) exact++;
  else console.log(`DIFF ${c.name}: ${rows.join('; ')}`);
}
console.log(`${exact} of ${cases.length} cases exact`);
if (table.length > 0) {
  console.log('\n| case (Cortex-M4, CMSIS-NN) | arena_used ours / TFLM | min ours / TFLM | recommended | persistent + plan |');
  console.log('|---|---|---|---|---|');
  for (const r of table) console.log(r);
}
