import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boardsDir, resolveBoard, type ResolvedBoard } from '../../lib/boards.js';
import type { Model, Operator, Subgraph, Tensor } from '../../sim/ir/types.js';
import { estimate } from '../../sim/estimate/index.js';
import { energyUj, M4_CMSIS_NN, M4_NATIVE, M4_REFERENCE, powerBudget, type InstructionTable } from '../../sim/estimate/latency.js';
import { fitCodeSizes, fitInstructionTables, instructionResiduals, leaveOneOut } from '../../sim/estimate/fit.js';
import {
  codeSize, EMULATION_RUNTIME, NATIVE_APP_M4, NATIVE_CODE_M4, nativeCodeFeatures, nativeCodeSize, nativeConstantFlash, TFLM_CODE_CMSIS_NN, TFLM_CODE_REFERENCE, tryNativeProgram, type CodeSizeTable,
} from '../../sim/estimate/memory.js';
import { loadModel } from '../../lib/load.js';
import { OP_CLASSES } from '../../sim/estimate/work.js';
import { GOLDEN_DIR, goldenAvailable, requireGolden } from '../golden/cases.js';
import { goldenSamples } from '../golden/estimate-samples.js';

/** Documented bounds (sim/estimate/latency.ts and memory.ts headers). */
const INSTRUCTION_BOUND = { reference: 0.04, cmsisNn: 0.1 };
const CODE_SIZE_BOUND = 0.05;

/** A board file in a temp dir: a shipped one with edits (boards are data, tests make their own). */
function boardFile(from: string, edit: (b: any) => void): ResolvedBoard {
  const b = JSON.parse(readFileSync(join(boardsDir(), `${from}.json`), 'utf8'));
  delete b.$schema;
  edit(b);
  const dir = mkdtempSync(join(tmpdir(), 'tinyforge-est-'));
  const file = join(dir, `${b.id}.json`);
  writeFileSync(file, JSON.stringify(b));
  return resolveBoard(file);
}

const fig = (value: number | null) => ({ value, source: 'test' });

/** input[1,4] -> FULLY_CONNECTED (weights [2,4], bias [2]) -> output[1,2]: 8 MACs, 1000 model bytes. */
function tinyFcModel(): Model {
  const t = (index: number, shape: number[], dtype: Tensor['dtype'], data: Uint8Array | null): Tensor => {
    const elements = shape.reduce((a, b) => a * b, 1);
    const bytes = elements * (dtype === 'int32' ? 4 : 1);
    return { index, name: `t${index}`, shape, shapeSignature: null, dtype, quantization: { scale: [0.1], zeroPoint: [0], axis: 0 }, buffer: data ? index + 1 : 0, data, isVariable: false, elements, bytes, sparse: false };
  };
  const tensors = [t(0, [1, 4], 'int8', null), t(1, [2, 4], 'int8', new Uint8Array(8)), t(2, [2], 'int32', new Uint8Array(8)), t(3, [1, 2], 'int8', null)];
  const op: Operator = { index: 0, op: 'FULLY_CONNECTED', builtinCode: 9, customCode: null, version: 1, inputs: [0, 1, 2], outputs: [3], intermediates: [], optionsKind: 'Empty', options: {}, customOptions: null };
  const sg: Subgraph = { index: 0, name: 'main', tensors, operators: [op], inputs: [0], outputs: [3] };
  return { version: 3, description: '', subgraphs: [sg], operatorCodes: [], metadata: [], bytes: new Uint8Array(1000), sha256: '', source: null };
}

/** 1 MHz, CPI 1, 10 mW active, 0.1 mW asleep, a 3.0 V battery: numbers easy to do by hand. */
function handBoard(edit: (b: any) => void = () => {}): ResolvedBoard {
  return boardFile('nucleo-f401re', (b) => {
    b.id = 'hand-board';
    b.clockHz = fig(1_000_000);
    b.latency.cpi = fig(1);
    b.power = { activeMw: fig(10), sleepMw: fig(0.1), batteryVolts: fig(3.0) };
    b.arduinoCore = { flashBytes: fig(1000), ramBytes: fig(500), stackBytes: fig(4096), stackInBaseline: false };
    b.memory.maxTextBytes = fig(100_000);
    b.memory.maxDataBytes = fig(50_000);
    edit(b);
  });
}

describe('energy, duty cycle and battery arithmetic', () => {
  it('energyUj: mW x ms = uJ', () => {
    expect(energyUj(24, 158.5)).toBeCloseTo(3804, 6);
  });

  it('powerBudget by hand: 10 mW active, 0.1 mW asleep, 50 ms per inference at 2 Hz, 500 mAh at 3.7 V', () => {
    const p = powerBudget({ latencyMs: 50, activeMw: 10, sleepMw: 0.1, rateHz: 2, batteryMah: 500, batteryVolts: 3.7 });
    // duty = 2 x 0.050 = 0.1; average = 0.1 x 10 + 0.9 x 0.1 = 1.09 mW; 500 mAh x 3.7 V = 1850 mWh -> 1697.2477 h
    expect(p.dutyCycle).toBeCloseTo(0.1, 12);
    expect(p.averageMw).toBeCloseTo(1.09, 12);
    expect(p.batteryHours!).toBeCloseTo(1697.2477, 3);
    expect(p.batteryDays!).toBeCloseTo(70.71865, 4);
  });

  it('an unsustainable rate and an unknown sleep power are said', () => {
    const p = powerBudget({ latencyMs: 400, activeMw: 20, sleepMw: null, rateHz: 5, batteryVolts: 3.7 });
    expect(p.dutyCycle).toBeCloseTo(2, 12);
    expect(p.averageMw).toBeCloseTo(20, 12);
    expect(p.batteryHours).toBeNull();
    expect(p.notes.join(' ')).toContain('2.50 Hz');
    expect(p.notes.join(' ')).toContain('unknown');
  });

  it('estimate() end to end on a hand-made board and model', () => {
    const r = estimate(tinyFcModel(), handBoard(), { engine: 'tflm', rateHz: 100, batteryMah: 1000, tflmArenaBytes: 2000 });
    // FC: perOp 1029 + 2.141 x 8 MACs = 1046.128 instructions; CPI 1 at 1 MHz -> 1.046128 ms
    expect(r.layers).toHaveLength(1);
    expect(r.layers[0]!.macs).toBe(8);
    expect(r.layers[0]!.instructions).toBeCloseTo(1046.128, 9);
    expect(r.latencyMs).toBeCloseTo(1.046128, 9);
    // 10 mW x 1.046128 ms
    expect(r.energyUj!).toBeCloseTo(10.46128, 9);
    // duty 100 x 1.046128 ms = 0.1046128; 0.1046128 x 10 + 0.8953872 x 0.1 = 1.13566672 mW; 3000 mWh / that
    expect(r.power!.dutyCycle).toBeCloseTo(0.1046128, 12);
    expect(r.power!.averageMw).toBeCloseTo(1.13566672, 9);
    expect(r.power!.batteryHours!).toBeCloseTo(2641.6201, 3);
    // flash = 1000 model + (19975 base + 17773 FULLY_CONNECTED) + 1000 core
    expect(r.flashBytes).toBe(39748);
    // RAM = 2000 arena + 1024 TFLM statics + 500 core + 2048 stack (not part of this core's baseline)
    expect(r.ramBytes).toBe(5572);
    expect(r.arenaBytes).toBe(2000);
    expect(r.fits).toBe(true);
    expect(r.calibrated).toBe(true);
  });

  it('fit problems say which memory, by how much, and what to try', () => {
    const r = estimate(tinyFcModel(), handBoard((b) => {
      b.memory.maxTextBytes = fig(39000);
      b.memory.maxDataBytes = fig(5000);
    }), { engine: 'tflm', tflmArenaBytes: 2000 });
    expect(r.fits).toBe(false);
    const flash = r.fitProblems.find((p) => p.memory === 'flash')!;
    const ram = r.fitProblems.find((p) => p.memory === 'ram')!;
    expect(flash.overBytes).toBe(748);
    expect(ram.overBytes).toBe(572);
    expect(flash.hint).toContain("engine 'native'");
    expect(ram.hint).toContain('arena');
  });

  it('a fixed core stack smaller than Invoke() needs is a fit problem', () => {
    const r = estimate(tinyFcModel(), handBoard((b) => {
      b.arduinoCore.stackInBaseline = true;
      b.arduinoCore.stackBytes = fig(1024);
    }), { engine: 'tflm', tflmArenaBytes: 2000 });
    expect(r.fitProblems.map((p) => p.memory)).toEqual(['stack']);
    // the stack is then part of the core's RAM, not added again
    expect(r.ramBytes).toBe(2000 + 1024 + 500);
  });

  it('native engine: calibrated on Cortex-M4F from the generated program, flagged elsewhere', async () => {
    const model = await loadModel(join(boardsDir(), '..', 'examples', 'gesture_int8.tflite'));
    const program = tryNativeProgram(model).program!;
    const r = estimate(model, handBoard(), { engine: 'native' });
    expect(r.calibrated).toBe(true);
    expect(r.instructionTable).toBe(M4_NATIVE.id);
    // The generator's own arrays (16-byte aligned) and arena plan, not the flatbuffer or a re-plan.
    expect(r.memory.flash.model).toBe(nativeConstantFlash(program));
    expect(r.memory.flash.model).toBeGreaterThanOrEqual(program.constantBytes);
    expect(r.memory.flash.code).toBe(Math.round(nativeCodeSize(NATIVE_CODE_M4, nativeCodeFeatures(program, model.subgraphs[0]!))));
    expect(r.arenaBytes).toBe(program.arenaBytes);
    expect(r.memory.ram.engineStatic).toBe(0);
    // A hand board is not emulated: its own core figures plus tinyforge's validation protocol.
    expect(r.memory.flash.core).toBe(1000 + NATIVE_APP_M4.flashBytes);
    expect(r.memory.ram.core).toBe(500 + NATIVE_APP_M4.ramBytes);
    const m0 = estimate(model, 'rp2040-pico', { engine: 'native' });
    expect(m0.calibrated).toBe(false);
    expect(m0.notes.join('\n')).toMatch(/measured on Cortex-M4F; on cortex-m0plus they are stand-ins/);
    // The emulated board: tinyforge's mps2 runtime replaces the golden TFLM harness figures.
    const emu = estimate(model, 'mps2-an386', { engine: 'native' });
    expect(emu.calibrated).toBe(true);
    expect(emu.memory.flash.core).toBe(EMULATION_RUNTIME.mps2!.flashBytes);
    expect(emu.memory.ram.core).toBe(EMULATION_RUNTIME.mps2!.ramBytes);
  });

  it('native engine: a model the generator cannot build is approximated and flagged', () => {
    // tinyFcModel's bias scale does not match input x weight scale: the generator (like TFLM) refuses it.
    const r = estimate(tinyFcModel(), handBoard(), { engine: 'native' });
    expect(r.calibrated).toBe(false);
    expect(r.memory.calibrated).toBe(false);
    expect(r.notes.join('\n')).toContain('bias scale');
    // weights 8 + bias 8 bytes only, no flatbuffer
    expect(r.memory.flash.model).toBe(16);
    // one FULLY_CONNECTED instance
    expect(r.memory.flash.code).toBe(Math.round(NATIVE_CODE_M4.base + NATIVE_CODE_M4.perOp + NATIVE_CODE_M4.perInstance.FULLY_CONNECTED!));
  });

  it('an operator the arena replay cannot size falls back to a flagged rough arena', () => {
    const m = tinyFcModel();
    const sg = m.subgraphs[0]!;
    const custom = { ...sg.operators[0]!, op: 'CUSTOM:Weird', customCode: 'Weird', inputs: [0], outputs: [3] };
    const r = estimate({ ...m, subgraphs: [{ ...sg, operators: [custom] }] }, handBoard(), { engine: 'tflm' });
    expect(r.memory.arenaSource).toContain('fallback');
    expect(r.notes.join(' ')).toContain('CUSTOM:Weird');
    expect(r.arenaBytes).toBeGreaterThan(0);
  });

  it('boards with unknown power give no energy but still a latency', () => {
    const r = estimate(tinyFcModel(), handBoard((b) => { b.power.activeMw = fig(null); }), { engine: 'tflm', rateHz: 1, tflmArenaBytes: 100 });
    expect(r.energyUj).toBeNull();
    expect(r.power).toBeUndefined();
    expect(r.latencyMs).toBeGreaterThan(0);
  });
});

const golden = requireGolden();
if (!golden) console.warn(`skipped: golden estimate checks need ${GOLDEN_DIR} (the shared golden data beside the checkout)`);

describe.skipIf(!golden)('estimate tables against the golden Cortex-M4 measurements', async () => {
  const samples = goldenAvailable() ? await goldenSamples() : { cases: [], instructions: [], codeSizes: [] };
  const pct = (e: number) => `${e >= 0 ? '+' : ''}${(e * 100).toFixed(1)}%`;

  it('has the 18 real models with tflm_cortex_m4 figures', () => {
    expect(samples.instructions.length).toBe(18);
  });

  it.each([
    ['reference', M4_REFERENCE],
    ['cmsisNn', M4_CMSIS_NN],
  ] as const)('%s instruction table: every golden model within the documented bound', (build, table: InstructionTable) => {
    const res = instructionResiduals(table, samples.instructions, build);
    const loo = leaveOneOut(samples.instructions)[build];
    console.log(`\n${table.id}: perOp ${table.perOp}; ${OP_CLASSES.map((c) => `${c} ${JSON.stringify(table.classes[c])}`).join('; ')}`);
    console.log('model'.padEnd(32), 'measured'.padStart(14), 'estimated'.padStart(14), 'error'.padStart(8), 'LOO'.padStart(9));
    res.forEach((r, i) => console.log(r.name.padEnd(32), String(r.observed).padStart(14), Math.round(r.predicted).toString().padStart(14), pct(r.error).padStart(8), pct(loo[i]!.error).padStart(9)));
    const bound = INSTRUCTION_BOUND[build];
    for (const r of res) expect(Math.abs(r.error), `${r.name}: ${pct(r.error)}`).toBeLessThanOrEqual(bound);
  });

  it('refitting from the golden data reproduces the shipped instruction tables', () => {
    const fit = fitInstructionTables(samples.instructions);
    const close = (shipped: number, fitted: number, what: string) => {
      expect(Math.abs(shipped - fitted), `${what}: shipped ${shipped}, fit ${fitted}`).toBeLessThanOrEqual(Math.max(0.01, 0.005 * Math.abs(fitted)));
    };
    for (const [shipped, fitted] of [[M4_REFERENCE, fit.reference], [M4_CMSIS_NN, fit.cmsisNn]] as const) {
      close(shipped.perOp, fitted.perOp, `${shipped.id} perOp`);
      for (const c of OP_CLASSES) for (const f of ['perMac', 'perOutput', 'perElement'] as const) close(shipped.classes[c][f], fitted.classes[c][f], `${shipped.id} ${c}.${f}`);
    }
  });

  it('TFLM code-size tables: within the documented bound and reproducible', () => {
    const fit = fitCodeSizes(samples.codeSizes);
    const check = (shipped: CodeSizeTable, fitted: CodeSizeTable) => {
      expect(Math.abs(shipped.base - fitted.base)).toBeLessThanOrEqual(1);
      expect(Math.abs(shipped.otherKind - fitted.otherKind)).toBeLessThanOrEqual(1);
      expect(Object.keys(shipped.perKind).sort()).toEqual(Object.keys(fitted.perKind).sort());
      for (const k of Object.keys(fitted.perKind)) expect(Math.abs(shipped.perKind[k]! - fitted.perKind[k]!), k).toBeLessThanOrEqual(1);
    };
    check(TFLM_CODE_REFERENCE, fit.reference);
    check(TFLM_CODE_CMSIS_NN, fit.cmsisNn);
    for (const s of samples.codeSizes) {
      const er = codeSize(TFLM_CODE_REFERENCE, s.kinds) / s.reference - 1;
      const ec = codeSize(TFLM_CODE_CMSIS_NN, s.kinds) / s.cmsisNn - 1;
      expect(Math.abs(er), `${s.name} reference ${pct(er)}`).toBeLessThanOrEqual(CODE_SIZE_BOUND);
      expect(Math.abs(ec), `${s.name} cmsis-nn ${pct(ec)}`).toBeLessThanOrEqual(CODE_SIZE_BOUND);
    }
  });

  it('whole-firmware flash on the CI board matches the golden ELF text within 6%', () => {
    const board = resolveBoard('mps2-an386');
    const lines: string[] = [];
    for (const c of samples.cases) {
      const r = estimate(c.model, board, { engine: 'tflm', tflmArenaBytes: c.m4.min_arena_bytes_cmsis_nn! });
      const measured = c.m4.elf_text_cmsis_nn! + c.m4.elf_data_cmsis_nn!;
      const e = r.flashBytes / measured - 1;
      lines.push(`${c.case.name.padEnd(32)} ${String(measured).padStart(9)} ${String(r.flashBytes).padStart(9)} ${pct(e).padStart(7)}`);
      expect(Math.abs(e), c.case.name).toBeLessThanOrEqual(0.06);
    }
    console.log(`\nflash on the CI board (ELF text+data vs estimate)\n${lines.join('\n')}`);
  });

  it('the TFLM arena of an estimate is the golden Cortex-M4 CMSIS-NN minimum (replay wired with arm32 + cmsis-nn)', () => {
    for (const c of samples.cases) {
      const r = estimate(c.model, resolveBoard('mps2-an386'), { engine: 'tflm' });
      expect(r.arenaBytes, c.case.name).toBe(c.m4.min_arena_bytes_cmsis_nn);
    }
  });

  it('ESP32 estimates say which parts are esp-nn stand-ins', () => {
    const c = samples.cases.find((x) => x.case.name === 'tiny-kws-dscnn')!;
    const r = estimate(c.model, resolveBoard('esp32-devkit'), { engine: 'tflm' });
    const notes = r.notes.join('\n');
    expect(notes).toContain('TFLM code size for esp-nn');
    expect(notes).toContain('TFLM arena for esp-nn');
    expect(notes).toContain('no esp-nn instruction table');
    expect(r.memory.arenaSource).toContain('int-enum32');
  });

  it('MLPerf Tiny: Cortex-M4 @120 MHz estimate against the published L4R5ZI figures', () => {
    // anchors.md §2: L4R5ZI M4@120 MHz, TFLM 2.3.1 + CMSIS-NN (MLPerf v0.5) and X-CUBE-AI 9.0 (v1.2), ms.
    const published: Record<string, { tflmV05: number; xcubeai: number }> = {
      'tiny-kws-dscnn': { tflmV05: 181.9, xcubeai: 43.2 },
      'tiny-vww-mobilenet': { tflmV05: 600.6, xcubeai: 88.9 },
      'tiny-ic-resnet8': { tflmV05: 704.2, xcubeai: 165.1 },
      'tiny-ad-autoencoder': { tflmV05: 10.1, xcubeai: 5.3 },
    };
    // An M4 board at 120 MHz: the shipped Nucleo-F401RE data (M4 CPI) with the L4R5ZI clock.
    const m4at120 = boardFile('nucleo-f401re', (b) => {
      b.id = 'cortex-m4-120mhz';
      b.clockHz = { value: 120_000_000, source: 'MLPerf Tiny reference platform L4R5ZI clock (anchors.md §2)' };
    });
    const rows = [`\nMLPerf Tiny on a Cortex-M4 @120 MHz, TFLM + CMSIS-NN, CPI ${m4at120.latency.cpi}`,
      `${'model'.padEnd(22)}${'estimate'.padStart(11)}${'v0.5 TFLM'.padStart(11)}${'X-CUBE-AI'.padStart(11)}${'est/v0.5'.padStart(10)}${'est/XCA'.padStart(9)}${'v0.5 cyc/instr'.padStart(16)}`];
    for (const [name, pub] of Object.entries(published)) {
      const c = samples.cases.find((x) => x.case.name === name)!;
      const r = estimate(c.model, m4at120, { engine: 'tflm' });
      const cyclesPerGoldenInstr = (pub.tflmV05 / 1000) * 120e6 / c.m4.instructions_cmsis_nn!;
      rows.push(`${name.padEnd(22)}${`${r.latencyMs.toFixed(1)} ms`.padStart(11)}${`${pub.tflmV05} ms`.padStart(11)}${`${pub.xcubeai} ms`.padStart(11)}${(r.latencyMs / pub.tflmV05).toFixed(2).padStart(10)}${(r.latencyMs / pub.xcubeai).toFixed(2).padStart(9)}${cyclesPerGoldenInstr.toFixed(2).padStart(16)}`);
      // Today's TFLM+CMSIS-NN must land between the 2020 TFLM and the vendor compiler.
      expect(r.latencyMs).toBeLessThan(pub.tflmV05);
      expect(r.latencyMs).toBeGreaterThan(pub.xcubeai);
    }
    console.log(rows.join('\n'));
  });
});
