/**
 * Custom options of the TFLM signal-library ops: a FlexBuffers map.
 *
 * TFLM reads them with `tflite::FlexbufferWrapper` (micro/flatbuffer_utils.cc):
 * the map is viewed as the vector of its values and element i is read raw, as
 * a signed integer of the vector's byte width, whatever its type. The op code
 * hard-codes the index of each option, relying on the keys' alphabetical order
 * (e.g. SignalFilterBankSpectralSubtraction reads `num_channels` as element 4).
 *
 * We read the same element, and additionally check that its key is the one
 * the index stands for and that it is an int or bool stored in place. Where
 * those do not hold, TFLM would silently read some other option, an offset or
 * float bits; we refuse the model instead. Malformed bytes become
 * ctx.unsupported with the reader's message.
 */
import { FlexbuffersError, flexRoot, type FlexMap, type FlexRef } from '../../parse/flexbuffers.js';
import type { PrepareContext } from '../types.js';

export interface SignalOptions {
  /** Element `index` read like FlexbufferWrapper::ElementAsInt32, after checking its key. */
  int32(index: number, key: string): number;
  /** Element `index` read like FlexbufferWrapper::ElementAsBool. */
  bool(index: number, key: string): boolean;
  /** Lookup by key, like `flexbuffers::Map::operator[]` + AsInt32 (null when the key is missing). */
  int32ByKey(key: string): number | null;
}

/** Opens the op's custom options. Every failure goes through ctx.unsupported. */
export function signalOptions(ctx: PrepareContext): SignalOptions {
  const bytes = ctx.op.customOptions;
  const fail = (msg: string): never => ctx.unsupported(`custom options: ${msg}`, 'the model\'s custom options are malformed or not what TFLM\'s signal library writes; re-export the model');
  const guard = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof FlexbuffersError) return fail(e.message);
      throw e;
    }
  };
  if (!bytes || bytes.byteLength === 0) fail('missing (TFLM reads this op\'s parameters from a FlexBuffers map)');
  const map: FlexMap = guard(() => {
    const root = flexRoot(bytes!);
    if (root.typeName !== 'map') throw new FlexbuffersError(`root is ${root.typeName}, expected a map`);
    return root.asMap();
  });

  const element = (index: number, key: string): FlexRef => guard(() => {
    if (index >= map.length) throw new FlexbuffersError(`TFLM reads ${JSON.stringify(key)} as element ${index}, but the map has ${map.length} entries (${JSON.stringify(map.keys())})`);
    const k = map.key(index);
    if (k !== key) throw new FlexbuffersError(`TFLM reads element ${index} as ${JSON.stringify(key)}, but that element is ${JSON.stringify(k)} (keys: ${JSON.stringify(map.keys())})`);
    const v = map.value(index);
    if (!v.isInlineInteger) throw new FlexbuffersError(`${JSON.stringify(key)} is a ${v.typeName}; TFLM reads it in place as an integer, so only int and bool values are supported`);
    return v;
  });

  const toInt32 = (v: FlexRef, key: string): number => guard(() => {
    const x = v.asInt();
    // A uint whose top slot bit is set reads as negative in TFLM (ReadInt64 of the slot): ambiguous, refused.
    const slotBits = BigInt(8 * v.parentWidth);
    if (v.typeName === 'uint' && x >= 1n << (slotBits - 1n)) throw new FlexbuffersError(`${JSON.stringify(key)} = ${x} is stored as an unsigned ${v.parentWidth}-byte value that TFLM would read as negative`);
    if (x < -(2n ** 31n) || x >= 2n ** 31n) throw new FlexbuffersError(`${JSON.stringify(key)} = ${x} does not fit in int32 (TFLM would truncate it)`);
    return Number(x);
  });

  return {
    int32: (index, key) => toInt32(element(index, key), key),
    bool: (index, key) => guard(() => element(index, key).asBool()),
    int32ByKey: (key) => {
      const v = guard(() => map.get(key));
      if (!v) return null;
      if (!v.isInlineInteger) fail(`${JSON.stringify(key)} is a ${v.typeName}, expected an integer`);
      return toInt32(v, key);
    },
  };
}

/** Range check for an option or shape-derived value; `what` names it in the message. */
export function requireRange(ctx: PrepareContext, what: string, v: number, lo: number, hi: number, why: string): number {
  if (!(v >= lo && v <= hi)) ctx.unsupported(`${what} = ${v} is outside [${lo}, ${hi}] (${why})`);
  return v;
}

/** Rank check mirroring TF_LITE_ENSURE_EQ(NumDimensions(t), rank). */
export function requireRank(ctx: PrepareContext, what: string, shape: readonly number[], rank: number): void {
  if (shape.length !== rank) ctx.unsupported(`${what} must have rank ${rank}, got [${shape.join(', ')}]`);
}

/** Dtype check mirroring TF_LITE_ENSURE_TYPES_EQ. */
export function requireDtype(ctx: PrepareContext, what: string, dtype: string, want: string): void {
  if (dtype !== want) ctx.unsupported(`${what} must be ${want}, got ${dtype}`);
}

/** Exact input/output counts, as every signal op's Prepare checks them. */
export function requireCounts(ctx: PrepareContext, inputs: number, outputs: number): void {
  if (ctx.inputCount !== inputs || ctx.outputCount !== outputs) {
    ctx.unsupported(`expects ${inputs} input(s) and ${outputs} output(s), got ${ctx.inputCount} and ${ctx.outputCount}`);
  }
}
