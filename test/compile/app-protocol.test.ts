/**
 * The app's validation protocol (templates/arduino/tinyforge_validate.*) is
 * portable C++: here it is compiled for the host with a stub HAL (stdin in,
 * stdout out, a fake microsecond clock), warning-free, and driven with frames
 * made by the host-side codec (lib/validate-protocol.ts). It is also compiled
 * for the Cortex-M cores the boards use.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { writeModel } from '../../sim/parse/writer.js';
import { parseModel } from '../../lib/load.js';
import { renderProject } from '../../generator/project.js';
import { writeProject } from '../../generator/output.js';
import { Simulator } from '../../sim/interpreter.js';
import { crc32, encodeFrame, ERR, FRAME, FrameReader, inferPayload, joinBytes, loadPayload, parseHello, parseInferReply, parseLoadReply, parseReadReply, readPayload, type Frame } from '../../lib/validate-protocol.js';
import { requireToolchain } from './toolchain.js';

const HAVE_HOST = requireToolchain(['g++']);
const HAVE_ARM = requireToolchain(['arm-none-eabi-g++']);

/** Two inputs of different dtypes, each reshaped into an output: the firmware's copy kernel. */
function twoTensorModel() {
  const bytes = writeModel({
    tensors: [
      { name: 'a', shape: [1, 2, 3], dtype: 'int8', quantization: { scale: [0.5], zeroPoint: [3] } },
      { name: 'b', shape: [1, 5], dtype: 'int16', quantization: { scale: [0.25], zeroPoint: [0] } },
      { name: 'a_flat', shape: [1, 6], dtype: 'int8', quantization: { scale: [0.5], zeroPoint: [3] } },
      { name: 'b_flat', shape: [5], dtype: 'int16', quantization: { scale: [0.25], zeroPoint: [0] } },
    ],
    operators: [
      { op: 'RESHAPE', inputs: [0], outputs: [2], options: { newShape: [1, 6] } },
      { op: 'RESHAPE', inputs: [1], outputs: [3], options: { newShape: [5] } },
    ],
    inputs: [0, 1],
    outputs: [2, 3],
  });
  return parseModel(bytes, 'two_tensors.tflite');
}

const HOST_MAIN = `// Test harness: the validation protocol with a stub HAL on stdin/stdout.
#include <stdio.h>
#include <stdint.h>
#include "tinyforge_validate.h"

static uint8_t g_in[1 << 20];
static size_t g_len, g_pos;
static uint32_t g_clock;

int tf_hal_read_byte(void) { return g_pos < g_len ? (int)g_in[g_pos++] : -1; }
void tf_hal_write(const uint8_t* data, uint32_t n) { fwrite(data, 1, n, stdout); }
uint32_t tf_hal_micros(void) { g_clock += 3u; return g_clock; }
void tf_hal_invoke_begin(void) {}
void tf_hal_invoke_end(void) {}

int main(void) {
  g_len = fread(g_in, 1, sizeof g_in, stdin);
  tf_validate_init();
  const int frames = tf_validate_poll();
  fflush(stdout);
  fprintf(stderr, "frames=%d busy=%d quit=%d\\n", frames, tf_validate_busy(), tf_validate_quit_requested());
  return 0;
}
`;

describe.runIf(HAVE_HOST)('validation protocol on the host (stub HAL)', () => {
  const model = twoTensorModel();
  let dir = '';
  let exe = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tinyforge-proto-'));
    const project = renderProject(model, { board: { id: 'host' } });
    await writeProject(join(dir, 'p'), project.files);
    const src = join(dir, 'p', project.name, 'src', 'tinyforge');
    writeFileSync(join(dir, 'host_main.cpp'), HOST_MAIN);
    exe = join(dir, 'harness');
    const r = await execa('g++', ['-std=c++11', '-O2', '-Wall', '-Wextra', '-Werror', '-Wshadow', '-fno-exceptions', '-fno-rtti', `-I${src}`,
      join(src, 'tinyforge_validate.cpp'), join(src, 'tinyforge_model.cpp'), join(src, 'tinyforge_weights.cpp'), join(dir, 'host_main.cpp'), '-o', exe], { reject: false });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function exchange(stream: Uint8Array): Promise<{ frames: Frame[]; handled: number; quit: number; reader: FrameReader }> {
    const r = await execa(exe, [], { input: Buffer.from(stream), encoding: 'buffer', reject: false });
    expect(r.exitCode).toBe(0);
    const reader = new FrameReader();
    const frames = reader.push(new Uint8Array(r.stdout));
    const handled = Number(/frames=(\d+)/.exec(Buffer.from(r.stderr).toString())![1]);
    const quit = Number(/quit=(\d+)/.exec(Buffer.from(r.stderr).toString())![1]);
    return { frames, handled, quit, reader };
  }

  it('crc32 matches the zlib check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new TextEncoder().encode('6789'), crc32(new TextEncoder().encode('12345')))).toBe(0xcbf43926);
  });

  it('answers HELLO with the model hash and tensor layout, LOAD / INFER / READ with the simulator\'s outputs; rejects bad frames', async () => {
    const sim = new Simulator(model);
    const a1 = new Int8Array([1, -2, 3, -4, 5, 127]);
    const b1 = new Int16Array([1000, -1000, 32767, -32768, 7]);
    const a2 = new Int8Array([-128, 0, 9, 8, 7, 6]);
    const b2 = new Int16Array([5, 4, 3, 2, 1]);
    const raw = (x: ArrayBufferView) => new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    const in1 = joinBytes([raw(a1), raw(b1)]);
    const in2 = joinBytes([raw(a2), raw(b2)]);
    const corrupted = encodeFrame(FRAME.LOAD, 9, loadPayload(0, in2));
    corrupted[12] ^= 0x40;
    const stream = Buffer.concat([
      Buffer.from('tf result label=1 score=0.5 us=52\r\n'), // text the always-on loop printed before
      encodeFrame(FRAME.HELLO, 1),
      encodeFrame(FRAME.LOAD, 2, loadPayload(0, in1.subarray(0, 7))), // two chunks
      encodeFrame(FRAME.LOAD, 3, loadPayload(7, in1.subarray(7))),
      encodeFrame(FRAME.INFER, 4, inferPayload(crc32(in1))),
      encodeFrame(FRAME.INFER, 4, inferPayload(crc32(in1))), // resent: answered from the cache
      encodeFrame(FRAME.READ, 5, readPayload(0, 16)),
      corrupted, // 6th reply: ERROR crc
      encodeFrame(FRAME.INFER, 10, inferPayload(crc32(in2))), // inputs still in1: ERROR input crc
      encodeFrame(FRAME.LOAD, 11, loadPayload(10, in2)), // past the end: ERROR range
      encodeFrame(FRAME.LOAD, 12, loadPayload(0, new Uint8Array(5000))), // longer than a chunk: ERROR length at once
      encodeFrame(0x33, 13),
      Buffer.from([0xa5, 0x00, 0xa5]), // a false start
      encodeFrame(FRAME.LOAD, 14, loadPayload(0, in2)),
      encodeFrame(FRAME.INFER, 15, inferPayload(crc32(in2))),
      encodeFrame(FRAME.READ, 16, readPayload(3, 13)),
      encodeFrame(FRAME.READ, 17, readPayload(10, 7)), // past the end: ERROR range
      encodeFrame(FRAME.HELLO, 18, new Uint8Array([1, 2])), // ERROR length
      encodeFrame(FRAME.QUIT, 19),
    ]);
    const { frames, handled, quit } = await exchange(new Uint8Array(stream));
    const E = FRAME.ERROR;
    expect(frames.map((f) => [f.type, f.seq])).toEqual([
      [FRAME.HELLO_OK, 1], [FRAME.LOAD_OK, 2], [FRAME.LOAD_OK, 3], [FRAME.INFER_OK, 4], [FRAME.INFER_OK, 4], [FRAME.READ_OK, 5],
      [E, 9], [E, 10], [E, 11], [E, 12], [E, 13], [FRAME.LOAD_OK, 14], [FRAME.INFER_OK, 15], [FRAME.READ_OK, 16], [E, 17], [E, 18], [FRAME.QUIT_OK, 19],
    ]);
    expect(frames.filter((f) => f.type === E).map((f) => [...f.payload])).toEqual([
      [ERR.CRC, FRAME.LOAD], [ERR.INPUT_CRC, FRAME.INFER], [ERR.RANGE, FRAME.LOAD], [ERR.LENGTH, FRAME.LOAD], [ERR.TYPE, 0x33], [ERR.RANGE, FRAME.READ], [ERR.LENGTH, FRAME.HELLO],
    ]);
    expect(handled).toBe(12);
    expect(quit).toBe(1);

    const hello = parseHello(frames[0]!.payload);
    expect(hello.version).toBe(2);
    expect(hello.sha256).toBe(model.sha256);
    expect(hello.arenaBytes).toBeGreaterThan(0);
    expect(hello.maxChunk).toBe(1024);
    expect(hello.hasCycleCounter).toBe(false); // the host build has no DWT
    expect(hello.inputs).toEqual([
      { dtype: 0, shape: [1, 2, 3], bytes: 6, elements: 6, scale: 0.5, zeroPoint: 3 },
      { dtype: 2, shape: [1, 5], bytes: 10, elements: 5, scale: 0.25, zeroPoint: 0 },
    ]);
    expect(hello.outputs.map((o) => [o.dtype, o.shape, o.bytes, o.elements])).toEqual([[0, [1, 6], 6, 6], [2, [5], 10, 5]]);
    expect(parseLoadReply(frames[2]!.payload)).toEqual({ offset: 7, length: 9 });

    const want = (a: Int8Array, b: Int16Array) => {
      sim.reset();
      return joinBytes(sim.run([a, b]).map(raw));
    };
    const infer1 = parseInferReply(frames[3]!.payload);
    expect(frames[4]!.payload).toEqual(frames[3]!.payload);
    expect(infer1.micros).toBeGreaterThan(0);
    expect(infer1.cycles).toBe(0);
    expect(infer1.outputBytes).toBe(16);
    expect(infer1.outputCrc).toBe(crc32(want(a1, b1)));
    expect(parseReadReply(frames[5]!.payload)).toEqual({ offset: 0, data: want(a1, b1) });
    expect(parseInferReply(frames[12]!.payload).outputCrc).toBe(crc32(want(a2, b2)));
    expect(parseReadReply(frames[13]!.payload)).toEqual({ offset: 3, data: want(a2, b2).subarray(3) });
  });

  it('a frame cut short leaves the parser busy and is not answered', async () => {
    const hello = encodeFrame(FRAME.HELLO, 0);
    const r = await execa(exe, [], { input: Buffer.from(hello.subarray(0, 5)), encoding: 'buffer', reject: false });
    expect(Buffer.from(r.stderr).toString()).toContain('busy=1');
    expect(r.stdout.length).toBe(0);
  });
});

describe.runIf(HAVE_ARM)('validation protocol for the Cortex-M cores', () => {
  it.each([
    ['cortex-m4f', ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16']],
    ['cortex-m0plus', ['-mcpu=cortex-m0plus', '-mthumb']],
    ['cortex-m7', ['-mcpu=cortex-m7', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv5-d16']],
  ])('compiles warning-free for %s', async (_core, cpu) => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyforge-proto-arm-'));
    try {
      const project = renderProject(twoTensorModel(), { board: { id: 'host' } });
      await writeProject(join(dir, 'p'), project.files);
      const src = join(dir, 'p', project.name, 'src', 'tinyforge');
      const r = await execa('arm-none-eabi-g++', [...cpu, '-std=c++11', '-Os', '-Wall', '-Wextra', '-Werror', '-fno-exceptions', '-fno-rtti', `-I${src}`, '-c', join(src, 'tinyforge_validate.cpp'), '-o', join(dir, 'v.o')], { reject: false });
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
