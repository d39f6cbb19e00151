import { describe, it, expect } from 'vitest';
import { builder, encode } from 'flatbuffers/mjs/flexbuffers.js';
import { FlexbuffersError, FlexType, flexRoot, type FlexRef } from '../../sim/parse/flexbuffers.js';

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));

/** SignalFilterBankSpectralSubtraction's custom options in the golden audio preprocessor (2-byte map). */
const SPECTRAL_SUBTRACTION = hex(
  '616c7465726e6174655f6f6e655f6d696e75735f736d6f6f7468696e6700616c7465726e6174655f736d6f6f7468696e6700636c616d70696e67006d696e5f7369676e616c5f72656d61696e696e67006e756d5f6368616e6e656c73006f6e655f6d696e75735f736d6f6f7468696e6700736d6f6f7468696e6700736d6f6f7468696e675f6269747300737065637472616c5f7375627472616374696f6e5f626974730009a588756d594d3a3123090001000900293cd703000033032800673e99010a000e000505690505050505051b2501',
);
/** SignalWindow's: {shift: 12}, 1-byte map. */
const WINDOW = hex('73686966740001070101010c04022401');

describe('flexbuffers reader: well-formed buffers', () => {
  it('reads the golden spectral-subtraction options (keys in order, ints and a bool)', () => {
    const m = flexRoot(SPECTRAL_SUBTRACTION).asMap();
    expect(m.keys()).toEqual([
      'alternate_one_minus_smoothing', 'alternate_smoothing', 'clamping', 'min_signal_remaining', 'num_channels',
      'one_minus_smoothing', 'smoothing', 'smoothing_bits', 'spectral_subtraction_bits',
    ]);
    const values = m.keys().map((_, i) => m.value(i).asInt());
    expect(values).toEqual([15401n, 983n, 0n, 819n, 40n, 15975n, 409n, 10n, 14n]);
    expect(m.value(2).type).toBe(FlexType.BOOL);
    expect(m.value(2).asBool()).toBe(false);
    expect(m.value(0).parentWidth).toBe(2);
    expect(m.get('num_channels')!.asInt()).toBe(40n);
    expect(m.get('nope')).toBeNull();
  });

  it('reads the golden window options', () => {
    const root = flexRoot(WINDOW);
    expect(root.typeName).toBe('map');
    const m = root.asMap();
    expect(m.length).toBe(1);
    expect(m.key(0)).toBe('shift');
    expect(m.value(0).asInt()).toBe(12n);
    expect(m.value(0).isInlineInteger).toBe(true);
  });

  it('round-trips what the flexbuffers builder writes, at every width', () => {
    const obj = { a: -1, b: 200, c: -40000, d: 3_000_000_000, e: -(2 ** 40), f: true, g: 'hi', h: [1, 'x', false], j: { k: 7 } };
    const m = flexRoot(encode(obj)).asMap();
    expect(m.keys()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'j']);
    expect(m.get('a')!.asInt()).toBe(-1n);
    expect(m.get('b')!.asInt()).toBe(200n);
    expect(m.get('c')!.asInt()).toBe(-40000n);
    expect(m.get('d')!.asInt()).toBe(3_000_000_000n);
    expect(m.get('e')!.asInt()).toBe(-(2n ** 40n));
    expect(m.get('f')!.asBool()).toBe(true);
    expect(m.get('g')!.asString()).toBe('hi');
    const v = m.get('h')!.asVector();
    expect(v.length).toBe(3);
    expect(v.get(0).asInt()).toBe(1n);
    expect(v.get(1).asString()).toBe('x');
    expect(v.get(2).asBool()).toBe(false);
    // (The npm builder writes a float32 into wider slots, so floats are checked in a map of their own.)
    expect(flexRoot(encode({ i: 1.5 })).asMap().get('i')!.asFloat()).toBe(1.5);
    expect(m.get('j')!.asMap().get('k')!.asInt()).toBe(7n);
  });

  it('reads typed vectors, uints and indirect ints', () => {
    const b = builder();
    b.startMap();
    b.addKey('iv');
    b.startVector();
    b.addInt(1);
    b.addInt(-2);
    b.addInt(300);
    b.end();
    b.addKey('ind');
    b.addInt(-123456, true);
    b.addKey('u');
    b.addUInt(250);
    b.end();
    const m = flexRoot(b.finish()).asMap();
    const iv = m.get('iv')!;
    expect([FlexType.VECTOR_INT, FlexType.VECTOR_INT3, FlexType.VECTOR]).toContain(iv.type);
    const v = iv.asVector();
    expect([0, 1, 2].map((i) => v.get(i).asInt())).toEqual([1n, -2n, 300n]);
    const ind = m.get('ind')!;
    expect(ind.type).toBe(FlexType.INDIRECT_INT);
    expect(ind.isInlineInteger).toBe(false);
    expect(ind.asInt()).toBe(-123456n);
    const u = m.get('u')!;
    expect(u.type).toBe(FlexType.UINT);
    expect(u.asInt()).toBe(250n);
  });

  it('refuses to read a value as another type', () => {
    const m = flexRoot(encode({ s: 'text', n: 3 })).asMap();
    expect(() => m.get('s')!.asInt()).toThrow(FlexbuffersError);
    expect(() => m.get('s')!.asInt()).toThrow(/expected an integer, found string/);
    expect(() => m.get('n')!.asMap()).toThrow(/expected a map, found int/);
    expect(() => m.get('n')!.asString()).toThrow(FlexbuffersError);
    expect(() => m.values.get(5)).toThrow(/outside the 2 elements/);
  });
});

/** Touches everything reachable (bounded), so that any unchecked read would surface. */
function walk(r: FlexRef, depth = 0): void {
  if (depth > 4) return;
  const t = r.type;
  if (t === FlexType.MAP) {
    const m = r.asMap();
    for (let i = 0; i < Math.min(m.length, 16); i++) {
      m.key(i);
      walk(m.value(i), depth + 1);
    }
  } else if (t === FlexType.VECTOR || (t >= FlexType.VECTOR_INT && t <= FlexType.VECTOR_FLOAT4) || t === FlexType.VECTOR_BOOL) {
    const v = r.asVector();
    for (let i = 0; i < Math.min(v.length, 16); i++) walk(v.get(i), depth + 1);
  } else if (t === FlexType.INT || t === FlexType.UINT || t === FlexType.BOOL || t === FlexType.INDIRECT_INT || t === FlexType.INDIRECT_UINT) {
    r.asInt();
  } else if (t === FlexType.STRING || t === FlexType.KEY) {
    r.asString();
  } else if (t === FlexType.FLOAT || t === FlexType.INDIRECT_FLOAT) {
    r.asFloat();
  }
}

/** Runs `walk` and returns 'ok' or 'flexerror'; any other exception fails the test. */
function outcome(bytes: Uint8Array): 'ok' | 'flexerror' {
  try {
    walk(flexRoot(bytes));
    return 'ok';
  } catch (e) {
    if (e instanceof FlexbuffersError) return 'flexerror';
    throw e;
  }
}

describe('flexbuffers reader: malformed buffers give FlexbuffersError, never RangeError', () => {
  it('rejects too-short buffers and bad trailers with clear messages', () => {
    expect(() => flexRoot(new Uint8Array(0))).toThrow(/at least 3 bytes, got 0/);
    expect(() => flexRoot(hex('0001'))).toThrow(/at least 3 bytes/);
    expect(() => flexRoot(hex('00002403'))).toThrow(/invalid root width 3/);
    expect(() => flexRoot(hex('00002408'))).toThrow(/does not fit/);
    expect(() => flexRoot(hex('0000fc01'))).toThrow(/unknown value type 63/);
  });

  it('rejects an offset that points before the buffer', () => {
    // Root: a map (0x24) in a 1-byte slot holding offset 0x7f from byte 1.
    expect(() => flexRoot(hex('007f2401')).asMap()).toThrow(/points before the start/);
  });

  it('rejects a vector whose size runs past the end', () => {
    const b = WINDOW.slice();
    b[10] = 0xff; // the map's size byte
    expect(() => flexRoot(b).asMap()).toThrow(/lies outside/);
  });

  it('rejects a key with no terminating NUL', () => {
    // Root: a key (type 4 -> packed 0x10) in a 1-byte slot at byte 2, offset 1 -> the key starts at byte 1; no NUL follows.
    expect(() => flexRoot(hex('4141011001')).asString()).toThrow(/no terminating NUL/);
    // The same with a NUL in place reads fine.
    expect(flexRoot(hex('4100021001')).asString()).toBe('A');
  });

  it('rejects a map whose key count differs from its value count', () => {
    const b = WINDOW.slice();
    b[6] = 2; // the keys vector's size
    expect(() => flexRoot(b).asMap()).toThrow(/1 values but 2 keys/);
  });

  it('survives every truncation of a valid buffer', () => {
    for (const src of [SPECTRAL_SUBTRACTION, WINDOW, encode({ a: [1, 2, 'x'], b: { c: -5 }, d: 'str' })]) {
      for (let n = 0; n < src.length; n++) outcome(src.subarray(0, n));
    }
  });

  it('survives every single-byte change of a valid buffer', () => {
    let errors = 0;
    for (const src of [WINDOW, SPECTRAL_SUBTRACTION]) {
      for (let i = 0; i < src.length; i++) {
        for (const v of [0x00, 0x01, 0x02, 0x07, 0x08, 0x24, 0x25, 0x27, 0x7f, 0x80, 0xff, src[i]! ^ 0x10]) {
          const b = src.slice();
          b[i] = v;
          if (outcome(b) === 'flexerror') errors++;
        }
      }
    }
    // Many mutations still parse (they change a value); many must have been refused.
    expect(errors).toBeGreaterThan(100);
  });

  it('survives random buffers with plausible trailers', () => {
    let x = 0x12345678;
    const rand = () => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x >>> 16;
    };
    const widths = [1, 2, 4, 8];
    let parsed = 0;
    for (let k = 0; k < 3000; k++) {
      const n = 3 + (rand() % 48);
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = rand() & 0xff;
      b[n - 1] = widths[rand() & 3]!;
      // Mostly maps and vectors, at any width.
      b[n - 2] = (([FlexType.MAP, FlexType.VECTOR, FlexType.VECTOR_INT, FlexType.INT, FlexType.STRING][rand() % 5]!) << 2) | (rand() & 3);
      if (outcome(b) === 'ok') parsed++;
    }
    expect(parsed).toBeGreaterThan(0);
  });
});
