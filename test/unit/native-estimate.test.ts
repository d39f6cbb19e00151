/**
 * The pure parts of the native engine's calibration (no compiler needed):
 * reading a GNU ld map, the code-size features (distinct kernel instances),
 * the code-size arithmetic, the fits on synthetic data with known answers,
 * and the build cache's key. The calibration against real ELFs is
 * test/compile/native-estimate.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { linkerMapBreakdown, parseLinkerMap } from '../../generator/toolchain/linker-map.js';
import { buildKey } from '../../generator/toolchain/build-cache.js';
import type { GeneratedProject } from '../../generator/project.js';
import type { NativeProgram } from '../../generator/native/emit.js';
import { nativeCodeFeatures, nativeCodeSize, nativeConstantFlash, nativeOpSignature, nativeStateRam, type NativeCodeTable } from '../../sim/estimate/memory.js';
import { fitNativeCodeTable, fitNativeInstructionTable, nativeInstructionResiduals, type NativeCodeSample, type NativeInstructionSample } from '../../sim/estimate/fit.js';
import type { Subgraph } from '../../sim/ir/types.js';
import type { OpWork } from '../../sim/estimate/work.js';

// A hand-written map in GNU ld's layout: short input sections on one line,
// long names alone with address/size/file on the next, fill, archives,
// discarded sections before the memory map, and a debug section that must not count.
const MAP = `Discarded input sections

 .text          0x00000000        0x0 build/startup.o
 .text._Z9unusedv
                0x00000000       0x40 build/tinyforge_model.o

Memory Configuration

Linker script and memory map

.vectors        0x00000000       0xc0
 *(.vectors)
 .vectors       0x00000000       0xc0 build/startup.o
                0x00000000                tf_vector_table

.text           0x000000c0      0x150
 *(.text .text.*)
 .text.startup.main
                0x000000c0       0x20 build/tf_emu_main.o
                0x000000c0                main
 .text._Z9tf_invokev
                0x000000e0      0x100 build/tinyforge_model.o
                0x000000e0                tf_invoke()
 *fill*         0x000001e0        0x4 
 .text          0x000001e4       0x2c /usr/lib/arm-none-eabi/lib/thumb/v7e-m+fp/hard/libc_nano.a(lib_a-memcpy.o)
                0x000001e4                memcpy

.rodata         0x00000210       0x30
 .rodata.tf_inputs
                0x00000210       0x1c build/tinyforge_model.o
 .rodata        0x0000022c       0x14 /usr/lib/arm-none-eabi/lib/thumb/v7e-m+fp/hard/libc_nano.a(lib_a-impure.o)

.tf_weights     0x21000000      0x240
 *tinyforge_weights.o(.rodata .rodata.*)
 .rodata.tf_op0_weights_0
                0x21000000      0x238 build/tinyforge_weights.o
 *fill*         0x21000238        0x8 

.data           0x20000000       0x70 load address 0x00000240
 .data          0x20000000       0x64 /usr/lib/arm-none-eabi/lib/thumb/v7e-m+fp/hard/libc_nano.a(lib_a-impure.o)
 .data          0x20000064        0xc /usr/lib/arm-none-eabi/lib/thumb/v7e-m+fp/hard/librdimon_nano.a(rdimon-syscalls.o)

.bss            0x20000070      0x190 load address 0x000002b0
 .bss.line.1    0x20000070       0x60 build/startup.o
 .bss._ZL8tf_arena
                0x200000d0      0x120 build/tinyforge_model.o
 .bss           0x200001f0       0x10 /usr/lib/arm-none-eabi/lib/thumb/v7e-m+fp/hard/librdimon_nano.a(rdimon-syscalls.o)

.debug_info     0x00000000     0x9999
 .debug_info    0x00000000     0x9999 build/tinyforge_model.o
`;

describe('linker map breakdown', () => {
  it('finds every allocated input section, one-line and two-line, and skips discarded and debug ones', () => {
    const c = parseLinkerMap(MAP);
    expect(c.find((x) => x.input === '.text._Z9unusedv')).toBeUndefined();
    expect(c.find((x) => x.input === '.text._Z9tf_invokev')).toEqual({ section: '.text', input: '.text._Z9tf_invokev', size: 0x100, file: 'build/tinyforge_model.o' });
    expect(c.find((x) => x.input === '.text' && x.file.endsWith('(lib_a-memcpy.o)'))!.size).toBe(0x2c);
  });

  it('splits text, data and bss into weights, model and harness (fill goes with the object before it)', () => {
    const b = linkerMapBreakdown(MAP);
    // weights: 0x238 + 8 fill; model: invoke 0x100 + the 4 fill after it + tf_inputs 0x1c; harness: vectors 0xc0 + main 0x20 + memcpy 0x2c + impure 0x14
    expect(b.text).toEqual({ weights: 0x240, model: 0x120, harness: 0xc0 + 0x20 + 0x2c + 0x14 });
    expect(b.data).toEqual({ weights: 0, model: 0, harness: 0x70 });
    expect(b.bss).toEqual({ weights: 0, model: 0x120, harness: 0x70 });
    expect(b.harnessFiles['libc_nano.a']).toBe(0x2c + 0x14 + 0x64);
    expect(b.harnessFiles['librdimon_nano.a']).toBe(0xc);
    expect(b.harnessFiles['startup.o']).toBe(0xc0);
  });
});

const conv = (op: number, off: number, zp: number) =>
  `tf_conv2d<int8_t, int32_t, int8_t, 1, 8, 8, 4, 8, 8, 4, 1, 1, 4, 1, 1, 1, 1, 0, 0, ${zp}, -128, -128, 127>(((int8_t*)(tf_arena + ${off})), tf_op${op}_weights_0, tf_rq_packed{tf_op${op}_rq_1}, ((int8_t*)(tf_arena + ${off + 256})));`;

describe('native code-size features', () => {
  it('two uses of the same specialised kernel have one signature; other template arguments another; aliasing ops none', () => {
    expect(nativeOpSignature(conv(0, 0, -128))).toBe(nativeOpSignature(conv(7, 512, -128)));
    expect(nativeOpSignature(conv(0, 0, -128))).not.toBe(nativeOpSignature(conv(0, 0, 5)));
    expect(nativeOpSignature('// aliased with its input: nothing to do')).toBeNull();
    expect(nativeOpSignature('tf_copy_rows<uint32_t, 1, 5, 0, 0>(((uint32_t*)(tf_arena + 0)) + 0, ((const uint32_t*)tf_const_t3) + 0);'))
      .toBe(nativeOpSignature('tf_copy_rows<uint32_t, 1, 5, 0, 0>(((uint32_t*)(tf_arena + 64)) + 5, ((const uint32_t*)tf_const_t9) + 0);'));
  });

  const program = {
    ops: [
      { index: 0, op: 'CONV_2D', comment: '', code: conv(0, 0, -128) },
      { index: 1, op: 'CONV_2D', comment: '', code: conv(1, 256, -128) },
      { index: 2, op: 'CONV_2D', comment: '', code: conv(2, 0, 3) },
      { index: 3, op: 'RESHAPE', comment: '', code: '// aliased with its input: nothing to do' },
      { index: 4, op: 'SOFTMAX', comment: '', code: 'tf_softmax_s8<int8_t, 1, 10, 8, -128, 127>(((int8_t*)(tf_arena + 0)), tf_op4_exp_0, tf_op4_exp_q12_1, ((int8_t*)(tf_arena + 16)));' },
    ],
    constants: [
      { name: 'tf_op0_weights_0', ctype: 'int8_t', count: 17, lines: [], comment: '' },
      { name: 'tf_op4_exp_0', ctype: 'int32_t', count: 4, lines: [], comment: '' },
      { name: 'tf_const_t9', ctype: 'int8_t', count: 512, lines: [], comment: 'declared, used by no operator: the linker drops it' },
    ],
    inputs: [],
    outputs: [],
    state: [{ name: 's', ctype: 'int16_t', count: 9, fill: 0 }],
  } as unknown as NativeProgram;

  it('counts code-emitting ops and distinct instances per kind', () => {
    const f = nativeCodeFeatures(program, { operators: [] } as unknown as Subgraph);
    expect(f).toEqual({ ops: 4, instances: { CONV_2D: 2, SOFTMAX: 1 } });
  });

  it('without a program every op but the aliasing ones is its own instance', () => {
    const sg = { operators: ['CONV_2D', 'CONV_2D', 'RESHAPE', 'FULLY_CONNECTED'].map((op) => ({ op })) } as unknown as Subgraph;
    expect(nativeCodeFeatures(null, sg)).toEqual({ ops: 3, instances: { CONV_2D: 2, FULLY_CONNECTED: 1 } });
  });

  it('code size, constant flash and state RAM by hand', () => {
    const t: NativeCodeTable = { base: 100, perOp: 10, perInstance: { CONV_2D: 400 }, otherInstance: 50 };
    // 100 + 4 x 10 + 2 x 400 + 1 x 50 (SOFTMAX is not in the table)
    expect(nativeCodeSize(t, { ops: 4, instances: { CONV_2D: 2, SOFTMAX: 1 } })).toBe(990);
    // alignas(16): 17 -> 32, 16 -> 16; the unreferenced 512-byte array does not count
    expect(nativeConstantFlash(program)).toBe(48);
    // 18 -> 32
    expect(nativeStateRam(program)).toBe(32);
  });
});

describe('native fits recover known tables from synthetic data', () => {
  it('code size: base, per op and per-instance sizes of kinds seen in several models; a one-model kind goes to otherInstance', () => {
    const truth: NativeCodeTable = { base: 120, perOp: 30, perInstance: { CONV_2D: 420, FULLY_CONNECTED: 300, SOFTMAX: 640 }, otherInstance: 200 };
    const shapes: [number, Record<string, number>][] = [
      [3, { FULLY_CONNECTED: 3 }], [5, { CONV_2D: 2, SOFTMAX: 1, FULLY_CONNECTED: 1 }], [12, { CONV_2D: 9, SOFTMAX: 1, FULLY_CONNECTED: 1 }],
      [2, { SOFTMAX: 1, FULLY_CONNECTED: 1 }], [30, { CONV_2D: 14, SOFTMAX: 1, LOGISTIC: 1 }], [7, { CONV_2D: 4, FULLY_CONNECTED: 1 }],
    ];
    const samples: NativeCodeSample[] = shapes.map(([ops, instances], i) => {
      const code = nativeCodeSize(truth, { ops, instances });
      return { name: `m${i}`, features: { ops, instances }, code, flash: code + 20_000 };
    });
    const fit = fitNativeCodeTable(samples);
    expect(fit.base).toBeCloseTo(120, 3);
    expect(fit.perOp).toBeCloseTo(30, 3);
    for (const k of ['CONV_2D', 'FULLY_CONNECTED', 'SOFTMAX']) expect(fit.perInstance[k]).toBeCloseTo(truth.perInstance[k]!, 3);
    expect(fit.perInstance.LOGISTIC).toBeUndefined();
    expect(fit.otherInstance).toBeCloseTo(200, 3);
  });

  it('instructions: per-op and per-class costs, zero residuals on exact data', () => {
    const w = (cls: OpWork['cls'], macs: number, outputElements: number, elements: number): OpWork => ({ index: 0, op: cls, cls, macs, outputElements, inputElements: elements, elements });
    const cost = (x: OpWork[]) => x.reduce((s, o) => s + 50 + 1.5 * (o.cls === 'conv' ? o.macs : 0) + 60 * (o.cls === 'conv' ? o.outputElements : 0) + 2 * (o.cls === 'fc' ? o.macs : 0) + 40 * (o.cls === 'eltwise' ? o.elements : 0), 0);
    const models: OpWork[][] = [
      [w('conv', 10_000, 100, 100), w('fc', 500, 10, 10)],
      [w('conv', 90_000, 400, 400), w('eltwise', 0, 400, 400)],
      [w('fc', 2_000, 20, 20), w('fc', 300, 3, 3), w('eltwise', 0, 3, 3)],
      [w('conv', 5_000, 900, 900), w('conv', 40_000, 100, 100)],
      [w('eltwise', 0, 5_000, 5_000)],
      [w('fc', 64, 8, 8), w('fc', 64, 8, 8), w('fc', 64, 8, 8), w('fc', 64, 8, 8)],
      [w('conv', 1_000, 10, 10), w('eltwise', 0, 10, 10), w('eltwise', 0, 10, 10)],
    ];
    const samples: NativeInstructionSample[] = models.map((m, i) => ({ name: `m${i}`, work: m, instructions: cost(m) }));
    const t = fitNativeInstructionTable(samples);
    expect(t.perOp).toBeCloseTo(50, 2);
    expect(t.classes.conv.perMac).toBeCloseTo(1.5, 4);
    expect(t.classes.conv.perOutput).toBeCloseTo(60, 2);
    expect(t.classes.fc.perMac).toBeCloseTo(2, 4);
    expect(t.classes.eltwise.perElement).toBeCloseTo(40, 3);
    for (const r of nativeInstructionResiduals(t, samples)) expect(Math.abs(r.error)).toBeLessThan(1e-6);
  });
});

describe('build cache key', () => {
  const project = (files: [string, string][]) => ({ name: 'p', files: new Map(files), program: {} }) as unknown as GeneratedProject;
  it('ignores the banner command line, follows every other byte and the build options', async () => {
    const banner = (cmd: string) => `// Generated by tinyforge 0.1.0 -- do not edit; regenerate instead.\n// command: ${cmd}\n`;
    const a = await buildKey(project([['p/x.cpp', `${banner('tinyforge generate')}int x;\n`], ['p/emulation/Makefile', '# command: a\nall:\n']]));
    const b = await buildKey(project([['p/x.cpp', `${banner('test/compile/emulate tflm-hello')}int x;\n`], ['p/emulation/Makefile', '# command: b\nall:\n']]));
    const c = await buildKey(project([['p/x.cpp', `${banner('tinyforge generate')}int y;\n`], ['p/emulation/Makefile', '# command: a\nall:\n']]));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(await buildKey(project([['p/x.cpp', 'int x;\n']]), { defines: ['TINYFORGE_EMU_HANG'] })).not.toBe(await buildKey(project([['p/x.cpp', 'int x;\n']])));
  });
});
