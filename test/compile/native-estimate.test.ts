/**
 * The native engine's estimates against its own linked firmware: every golden
 * real model (and the example model) is generated and built for mps2-an386
 * (arm-none-eabi-gcc), and the estimate's flash (ELF text + data) and static
 * RAM (ELF data + bss; the stack comes on top and is not in the ELF) must be
 * within 3 % of the ELF — the bound sim/estimate/memory.ts documents. The
 * latency table (latency.ts M4_NATIVE) is checked against the instructions of
 * one inference under QEMU, within its documented in-sample bound.
 *
 * A failure after a change to the emitters, kernels or templates means the
 * tables are stale: `npx tsx scripts/fit-native.ts` refits them and prints
 * what to paste. Builds and runs come from the shared cache
 * (generator/toolchain/build-cache.ts), so this file mostly reads ELFs that
 * test/compile/emulate.test.ts or an earlier run already built.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ARM_TOOLS } from '../../generator/toolchain/emulate.js';
import { estimate } from '../../sim/estimate/index.js';
import { NATIVE_CALIBRATED_CORES } from '../../sim/estimate/memory.js';
import { M4_NATIVE } from '../../sim/estimate/latency.js';
import { resolveBoard } from '../../lib/boards.js';
import { loadModel } from '../../lib/load.js';
import { requireGolden } from '../golden/cases.js';
import { BOARD, buildFirmware, firmwareCases, missingNativeOps, runFirmware, type FirmwareBuild } from './native-samples.js';
import { requireToolchain } from './toolchain.js';

/** Documented bounds (memory.ts and latency.ts headers). */
const MEMORY_BOUND = 0.03;
const INSTRUCTION_BOUND = 0.15;
const MINUTES = 60_000;

const HAVE = requireToolchain([...ARM_TOOLS]);
const HAVE_QEMU = HAVE && requireToolchain(['qemu-system-arm', 'gcc']);
const GOLDEN = requireGolden();
const cases = firmwareCases();
const REAL_MODELS = 18;

const pct = (e: number) => `${e >= 0 ? '+' : ''}${(e * 100).toFixed(2)}%`;
const lines: string[] = [];
const built = new Map<string, FirmwareBuild>();

describe.runIf(HAVE)('native estimate vs the linked ELF on mps2-an386 (flash and RAM within 3 %)', () => {
  afterAll(() => {
    if (lines.length) console.log(`native estimate vs ELF (mps2-an386)\n${'model'.padEnd(30)} ${'flash'.padStart(9)} ${'est'.padStart(9)} ${'error'.padStart(7)} | ${'RAM'.padStart(9)} ${'est'.padStart(9)} ${'error'.padStart(7)}\n${lines.join('\n')}`);
  });

  it('covers the example and every golden real model', () => {
    expect(cases[0]!.name).toBe('examples/gesture_int8');
    if (GOLDEN) expect(cases.filter((c) => c.golden).length).toBe(REAL_MODELS);
  });

  it('the emulated board is one the native tables were measured on', () => {
    expect(NATIVE_CALIBRATED_CORES).toContain(resolveBoard(BOARD).core);
  });

  for (const c of cases) {
    it(c.name, async () => {
      const model = await loadModel(c.modelPath);
      const missing = missingNativeOps(model);
      if (missing.length) {
        console.warn(`${c.name}: no native emitter yet for ${missing.join(', ')} (test/compile/emulate.test.ts lists it too)`);
        return;
      }
      const b = await buildFirmware(c);
      built.set(c.name, b);
      const est = estimate(b.model, BOARD, { engine: 'native', nativeProgram: b.project.program });
      const flash = est.memory.flash.total;
      const ram = est.memory.ram.total - est.memory.ram.stack - est.memory.ram.sensorBuffers;
      const ef = flash / b.flash - 1;
      const er = ram / b.ram - 1;
      lines.push(`${c.name.padEnd(30)} ${String(b.flash).padStart(9)} ${String(flash).padStart(9)} ${pct(ef).padStart(7)} | ${String(b.ram).padStart(9)} ${String(ram).padStart(9)} ${pct(er).padStart(7)}`);
      expect(est.calibrated, est.notes.join('; ')).toBe(true);
      // The arena the estimate reports is the one the firmware declares.
      expect(est.arenaBytes).toBe(b.project.program.arenaBytes);
      const hint = 'stale native tables? run `npx tsx scripts/fit-native.ts` and paste its tables into sim/estimate/memory.ts';
      expect(Math.abs(ef), `${c.name} flash: ELF ${b.flash} B, estimate ${flash} B (${pct(ef)}); ${hint}`).toBeLessThanOrEqual(MEMORY_BOUND);
      expect(Math.abs(er), `${c.name} RAM: ELF ${b.ram} B, estimate ${ram} B (${pct(er)}); ${hint}`).toBeLessThanOrEqual(MEMORY_BOUND);
    }, 20 * MINUTES);
  }

  it.runIf(HAVE_QEMU)(`instructions per inference: the native table within ${INSTRUCTION_BOUND * 100} % of QEMU's count on every model`, async () => {
    const rows: string[] = [];
    const bad: string[] = [];
    for (const c of cases) {
      const b = built.get(c.name);
      if (!b) continue;
      const r = await runFirmware(b);
      const est = estimate(b.model, BOARD, { engine: 'native', nativeProgram: b.project.program });
      const e = est.totals.instructions / r.instructions - 1;
      rows.push(`${c.name.padEnd(30)} ${String(r.instructions).padStart(12)} ${String(Math.round(est.totals.instructions)).padStart(12)} ${pct(e).padStart(8)}`);
      if (Math.abs(e) > INSTRUCTION_BOUND) bad.push(`${c.name} ${pct(e)}`);
    }
    console.log(`${M4_NATIVE.id} vs QEMU (vector 000)\n${rows.join('\n')}`);
    expect(rows.length).toBeGreaterThan(0);
    expect(bad, 'stale native instruction table? run `npx tsx scripts/fit-native.ts` and paste M4_NATIVE into sim/estimate/latency.ts').toEqual([]);
  }, 30 * MINUTES);
});
