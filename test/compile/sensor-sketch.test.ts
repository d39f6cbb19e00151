/**
 * `generate --sensor KIND` for every board whose data lists that sensor with
 * a capture HAL: the whole sketch (model, front end, always-on loop, the
 * board's HAL, the app) is generated and every translation unit compiled with
 * -Wall -Wextra -Werror against stub Arduino headers (test/compile/fixtures/arduino:
 * the real cores and sensor libraries are not installed here, so this proves
 * our code and the documented library signatures, not the libraries). ARM
 * boards use arm-none-eabi-g++ with the board's own flags; others the host g++.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { writeModel } from '../../sim/parse/writer.js';
import { loadModel, parseModel } from '../../lib/load.js';
import type { Model } from '../../sim/ir/types.js';
import { listBoards, resolveBoard } from '../../lib/boards.js';
import { renderFirmware } from '../../lib/generate.js';
import type { PipelineFile } from '../../lib/pipeline.js';
import { writeProject } from '../../generator/output.js';
import { requireToolchain } from './toolchain.js';

const HAVE = requireToolchain(['g++', 'arm-none-eabi-g++']);
const STUBS = fileURLToPath(new URL('./fixtures/arduino', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../examples/gesture_int8.tflite', import.meta.url));

/** int8 input -> average pool -> 4 classes: small enough to compile fast, shaped like a spectrogram or a picture. */
function poolModel(name: string, h: number, w: number, c: number, fh: number, fw: number): Model {
  const oh = h / fh;
  const ow = w / fw;
  const q = { scale: [0.05], zeroPoint: [-10] };
  return parseModel(
    writeModel({
      tensors: [
        { name: 'in', shape: [1, h, w, c], dtype: 'int8', quantization: q },
        { name: 'pooled', shape: [1, oh, ow, c], dtype: 'int8', quantization: q },
        { name: 'scores', shape: [1, oh * ow * c], dtype: 'int8', quantization: q },
      ],
      operators: [
        { op: 'AVERAGE_POOL_2D', inputs: [0], outputs: [1], options: { padding: 'VALID', strideW: fw, strideH: fh, filterWidth: fw, filterHeight: fh, activation: 'NONE' } },
        { op: 'RESHAPE', inputs: [1], outputs: [2], options: { newShape: [1, oh * ow * c] } },
      ],
      inputs: [0],
      outputs: [2],
    }),
    `${name}.tflite`,
  );
}

const PIPELINES: Record<string, { model: () => Promise<Model>; pipeline: PipelineFile }> = {
  imu: { model: () => loadModel(EXAMPLE), pipeline: { sensor: 'imu', sampleRateHz: 50, labels: ['idle', 'shake', 'circle', 'tap'] } },
  adc: { model: () => loadModel(EXAMPLE), pipeline: { sensor: 'adc', pins: ['A0', 'A1', 'A2'], sampleRateHz: 100, scale: [0.001] } },
  microphone: { model: async () => poolModel('kws_like', 49, 40, 1, 49, 10), pipeline: { sensor: 'microphone', audio: { melBins: 40 } } },
  camera: { model: async () => poolModel('vision_like', 24, 24, 1, 12, 12), pipeline: { sensor: 'camera' } },
};

const cases = listBoards().flatMap((id) => {
  const b = resolveBoard(id);
  return b.sensors.filter((s) => s.hal && s.hal !== 'emulated' && PIPELINES[s.kind]).map((s) => ({ board: id, kind: s.kind }));
});

describe.skipIf(!HAVE)('generate --sensor: every board x sensor it has compiles (stub Arduino headers)', () => {
  it('covers every capture kind on some board', () => {
    expect(new Set(cases.map((c) => c.kind))).toEqual(new Set(['imu', 'adc', 'microphone', 'camera']));
  });

  it.each(cases)('$board --sensor $kind', async ({ board, kind }) => {
    const b = resolveBoard(board);
    const { model, pipeline } = PIPELINES[kind]!;
    // Camera frames come from the board's sensor facts (the HAL supports those sizes).
    const frames = (b.sensors.find((s) => s.kind === kind)!.facts as { frames?: { width: number; height: number; formats?: string[] }[] }).frames;
    const desc: PipelineFile = kind === 'camera' && frames?.length ? { ...pipeline, image: { frame: { width: frames[0]!.width, height: frames[0]!.height, format: 'grayscale' } } } : pipeline;
    const project = await renderFirmware(await model(), { board: b, sensor: kind, pipeline: desc });
    const root = mkdtempSync(join(tmpdir(), `tinyforge-sketch-${board}-${kind}-`));
    try {
      await writeProject(join(root, 'p'), project.files);
      const src = join(root, 'p', project.name, 'src', 'tinyforge');
      const arm = b.toolchain.compiler === 'arm-none-eabi-gcc';
      const cxx = arm ? 'arm-none-eabi-g++' : 'g++';
      const flags = [...(arm ? b.toolchain.cflags : []), '-std=gnu++11', '-Os', '-Wall', '-Wextra', '-Werror', '-fno-exceptions', '-fno-rtti', '-DARDUINO=10819', `-I${STUBS}`, `-I${src}`, '-c', '-o', '/dev/null'];
      const units = readdirSync(src).filter((f) => f.endsWith('.cpp'));
      expect(units).toContain('tf_hal_sensor.cpp');
      for (const u of units) {
        const r = await execa(cxx, [...flags, join(src, u)], { reject: false });
        expect(r.exitCode, `${u}:\n${r.stderr}`).toBe(0);
      }
      const ino = join(root, 'p', project.name, `${project.name}.ino`);
      const r = await execa(cxx, [...flags, '-x', 'c++', ino], { reject: false });
      expect(r.exitCode, r.stderr).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});
