/**
 * Boards are data. `resolveBoard()` loads one board file (a shipped id from
 * <pkg>/boards, or the path of a user's own JSON file), checks it against
 * boards/board.schema.json with ajv, and returns a readonly, defaulted,
 * typed `ResolvedBoard` that every estimate and the generator take. Nothing
 * outside the board files may depend on which board it is: code reads the
 * fields (clock, memory, kernels, cpi, power), never the id.
 *
 * Board files carry every figure as {value, source, estimate?}; the resolved
 * board flattens them to plain numbers and keeps the provenance in `sources`,
 * keyed by the JSON path of the field (e.g. "/power/activeMw").
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { BoardError } from './errors.js';

export type CoreKind = 'cortex-m0plus' | 'cortex-m4f' | 'cortex-m7' | 'cortex-m33' | 'xtensa-lx6' | 'xtensa-lx7' | 'riscv32';
export type KernelSet = 'cmsis-nn' | 'esp-nn' | 'reference';
/** The TFLM API a board's library offers (generator/tflm/op-resolver.ts holds each one's MicroMutableOpResolver methods). */
export type TflmResolverApi = 'chirale-2.0.0' | 'esp-tflite-micro';
export type SensorKind = 'imu' | 'magnetometer' | 'microphone' | 'camera' | 'adc' | 'temperature' | 'humidity' | 'pressure' | 'light' | 'gesture' | 'proximity';

/** Where a figure comes from; `estimate` marks derived or assumed values. */
export interface Provenance {
  readonly source: string;
  readonly estimate: boolean;
  readonly note?: string;
}

export interface BoardSensor {
  readonly kind: SensorKind;
  readonly part: string;
  /** Library Manager name, or null when the core provides it. */
  readonly library: string | null;
  readonly header: string | null;
  readonly notes: string | null;
  readonly source: string;
  /** The HAL template (templates/hal/<hal>.cpp.hbs) that captures this sensor; null for sensors tinyforge does not capture. */
  readonly hal: string | null;
  /** Further facts of the sensor entry (e.g. rateHz, frames, pins), as in the board file. */
  readonly facts: Readonly<Record<string, unknown>>;
}

export interface ResolvedBoard {
  readonly id: string;
  readonly name: string;
  readonly fqbn: string | null;
  readonly mcu: string;
  readonly core: CoreKind;
  /** Absolute path of the file this board was read from. */
  readonly file: string;
  readonly clockHz: number;
  readonly memory: {
    readonly flashBytes: number;
    readonly ramBytes: number;
    /** arduino-cli text limit; null when unknown. */
    readonly maxTextBytes: number | null;
    /** arduino-cli data limit; null when unknown. */
    readonly maxDataBytes: number | null;
    /** Largest static allocation the linker accepts, when below maxDataBytes; else null. */
    readonly staticDataLimitBytes: number | null;
  };
  readonly features: { readonly dsp: boolean; readonly simd: boolean; readonly fpu: 'none' | 'sp' | 'dp' };
  readonly sensors: readonly BoardSensor[];
  readonly power: {
    /** null when unknown. */
    readonly activeMw: number | null;
    readonly sleepMw: number | null;
    readonly batteryVolts: number;
  };
  readonly arduinoCore: {
    readonly flashBytes: number;
    readonly ramBytes: number;
    readonly stackBytes: number;
    readonly stackInBaseline: boolean;
  };
  readonly tflm: {
    readonly library: string;
    readonly version: string | null;
    readonly install: string | null;
    readonly header: string | null;
    readonly kernels: KernelSet;
    /** Which op-resolver table `generate --engine tflm` uses; null when no Arduino TFLM library is known for the board. */
    readonly resolver: TflmResolverApi | null;
  };
  /** How arduino-cli installs and builds for this board (tinyforge flash); null when there is no fqbn. */
  readonly arduino: BoardArduino | null;
  readonly toolchain: { readonly compiler: string; readonly cflags: readonly string[] };
  readonly latency: { readonly cpi: number };
  /** Boards that run under an emulator (templates/<family>/ -> <project>/emulation/); null for real hardware. */
  readonly emulation: BoardEmulation | null;
  readonly notes: readonly string[];
  /** Provenance of every figure, keyed by JSON path ("/clockHz", "/memory/ramBytes", ...). */
  readonly sources: Readonly<Record<string, Provenance>>;
}

export interface BoardArduino {
  /** Platform for `arduino-cli core install`, e.g. 'esp32:esp32'. */
  readonly core: string;
  /** Package index of the core (--additional-urls); null when it is in arduino-cli's default index. */
  readonly boardManagerUrl: string | null;
  /** Library Manager names (NAME or NAME@VERSION) every sketch for this board needs. */
  readonly libraries: readonly string[];
  /** key=value pairs for `arduino-cli compile --build-property`. */
  readonly buildProperties: readonly string[];
}

export interface BoardEmulation {
  /** Template family under templates/ (e.g. 'mps2'). */
  readonly family: string;
  /** QEMU machine (-M), e.g. 'mps2-an386'. */
  readonly machine: string;
  /** QEMU system emulator binary, e.g. 'qemu-system-arm'. */
  readonly qemu: string;
}

/** Default battery voltage (one Li-ion/LiPo cell, nominal) when a board does not give one. */
export const DEFAULT_BATTERY_VOLTS = 3.7;

/** <pkg>/boards, found by walking up from this file (works from lib/ under tsx and from dist/lib/). */
export function boardsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'boards', 'board.schema.json')) && existsSync(join(dir, 'package.json'))) return join(dir, 'boards');
    const up = dirname(dir);
    if (up === dir) throw new BoardError('boards-missing', 'cannot find the boards/ folder of the tinyforge package', 'reinstall tinyforge: its package must ship boards/');
    dir = up;
  }
}

let validator: ValidateFunction | null = null;
function validate(): ValidateFunction {
  if (validator) return validator;
  const schema = JSON.parse(readFileSync(join(boardsDir(), 'board.schema.json'), 'utf8'));
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  validator = ajv.compile(schema);
  return validator;
}

/** Ids of the boards shipped in <pkg>/boards, sorted. */
export function listBoards(): string[] {
  return readdirSync(boardsDir())
    .filter((f) => f.endsWith('.json') && f !== 'board.schema.json')
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

const resolved = new Map<string, ResolvedBoard>();

/**
 * A board id from boards/ (the file name without .json) or the path of a
 * board JSON file. Throws BoardError naming the file and the JSON path of the
 * first wrong field.
 */
export function resolveBoard(idOrPath: string): ResolvedBoard {
  const isPath = idOrPath.endsWith('.json') || idOrPath.includes('/') || idOrPath.includes('\\');
  let file: string;
  if (isPath) {
    file = resolve(idOrPath);
    if (!existsSync(file)) {
      throw new BoardError('board-file-missing', `board file not found: ${idOrPath}`, 'pass a board id (tinyforge boards) or the path of a board JSON file', { file: idOrPath });
    }
  } else {
    const ids = listBoards();
    if (!ids.includes(idOrPath)) {
      throw new BoardError('unknown-board', `unknown board "${idOrPath}"; expected one of: ${ids.join(', ')}`, 'pass one of the listed ids, or the path of your own board JSON file (see boards/board.schema.json)', { board: idOrPath });
    }
    file = join(boardsDir(), `${idOrPath}.json`);
  }
  const cached = resolved.get(file);
  if (cached) return cached;

  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new BoardError('board-json', `board file ${file} is not valid JSON: ${(e as Error).message}`, 'fix the JSON syntax', { file });
  }
  const check = validate();
  if (!check(raw)) {
    const errors = check.errors ?? [];
    const err = pickError(errors);
    const missing = err.keyword === 'required' ? `/${String((err.params as { missingProperty: string }).missingProperty)}` : '';
    const field = `${err.instancePath}${missing}` || '/';
    const more = errors.length > 1 ? ` (${errors.length - 1} more schema error${errors.length > 2 ? 's' : ''})` : '';
    throw new BoardError(
      'board-invalid',
      `board file ${file}: field ${field} ${describe(err)}; got ${missing ? 'nothing' : preview(valueAt(raw, err.instancePath))}${more}`,
      'fix that field (boards/board.schema.json describes every field)',
      { file, field, board: typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : undefined },
    );
  }
  const board = deepFreeze(toResolved(raw as BoardFile, file));
  resolved.set(file, board);
  return board;
}

// ---- file shape (what the schema admits) ----

interface Figure {
  value: number | null;
  source: string;
  estimate?: boolean;
  note?: string;
}
interface BoardFile {
  id: string;
  name: string;
  fqbn: string | null;
  mcu: string;
  core: CoreKind;
  clockHz: Figure;
  memory: { flashBytes: Figure; ramBytes: Figure; maxTextBytes: Figure; maxDataBytes: Figure; staticDataLimitBytes?: Figure };
  features: { dsp: boolean; simd: boolean; fpu: 'none' | 'sp' | 'dp'; source: string; estimate?: boolean };
  sensors: { kind: SensorKind; part: string; library: string | null; header?: string; notes?: string; source: string; hal?: string; [fact: string]: unknown }[];
  power: { activeMw: Figure; sleepMw: Figure; batteryVolts?: Figure };
  arduinoCore: { flashBytes: Figure; ramBytes: Figure; stackBytes: Figure; stackInBaseline: boolean; notes?: string };
  tflm: { library: string; version?: string | null; install?: string | null; header?: string | null; kernels: KernelSet; resolver?: TflmResolverApi | null; notes?: string; source: string };
  arduino?: { core: string; boardManagerUrl: string | null; libraries?: string[]; buildProperties?: string[]; source: string };
  toolchain: { compiler: string; cflags: string[]; source: string };
  latency: { cpi: Figure };
  emulation?: { family: string; machine: string; qemu: string; source: string };
  notes?: string[];
}

function toResolved(b: BoardFile, file: string): ResolvedBoard {
  const sources: Record<string, Provenance> = {};
  const num = (path: string, f: Figure): number => {
    sources[path] = prov(f);
    return f.value as number;
  };
  const opt = (path: string, f: Figure | undefined): number | null => {
    if (!f) return null;
    sources[path] = prov(f);
    return f.value;
  };
  sources['/features'] = { source: b.features.source, estimate: b.features.estimate ?? false };
  sources['/tflm'] = { source: b.tflm.source, estimate: false };
  sources['/toolchain'] = { source: b.toolchain.source, estimate: false };
  if (b.arduino) sources['/arduino'] = { source: b.arduino.source, estimate: false };
  if (b.emulation) sources['/emulation'] = { source: b.emulation.source, estimate: false };
  const batteryVolts = b.power.batteryVolts
    ? num('/power/batteryVolts', b.power.batteryVolts)
    : (sources['/power/batteryVolts'] = { source: 'tinyforge default: one Li-ion/LiPo cell, 3.7 V nominal', estimate: true }, DEFAULT_BATTERY_VOLTS);
  return {
    id: b.id,
    name: b.name,
    fqbn: b.fqbn,
    mcu: b.mcu,
    core: b.core,
    file,
    clockHz: num('/clockHz', b.clockHz),
    memory: {
      flashBytes: num('/memory/flashBytes', b.memory.flashBytes),
      ramBytes: num('/memory/ramBytes', b.memory.ramBytes),
      maxTextBytes: opt('/memory/maxTextBytes', b.memory.maxTextBytes),
      maxDataBytes: opt('/memory/maxDataBytes', b.memory.maxDataBytes),
      staticDataLimitBytes: opt('/memory/staticDataLimitBytes', b.memory.staticDataLimitBytes),
    },
    features: { dsp: b.features.dsp, simd: b.features.simd, fpu: b.features.fpu },
    sensors: b.sensors.map(({ kind, part, library, header, notes, source, hal, ...facts }) => ({ kind, part, library, header: header ?? null, notes: notes ?? null, source, hal: hal ?? null, facts })),
    power: {
      activeMw: opt('/power/activeMw', b.power.activeMw),
      sleepMw: opt('/power/sleepMw', b.power.sleepMw),
      batteryVolts,
    },
    arduinoCore: {
      flashBytes: num('/arduinoCore/flashBytes', b.arduinoCore.flashBytes),
      ramBytes: num('/arduinoCore/ramBytes', b.arduinoCore.ramBytes),
      stackBytes: num('/arduinoCore/stackBytes', b.arduinoCore.stackBytes),
      stackInBaseline: b.arduinoCore.stackInBaseline,
    },
    tflm: {
      library: b.tflm.library,
      version: b.tflm.version ?? null,
      install: b.tflm.install ?? null,
      header: b.tflm.header ?? null,
      kernels: b.tflm.kernels,
      resolver: b.tflm.resolver ?? null,
    },
    arduino: b.fqbn === null
      ? null
      : {
          // Without an arduino section the core is the fqbn's packager:architecture, from the default index.
          core: b.arduino?.core ?? b.fqbn.split(':').slice(0, 2).join(':'),
          boardManagerUrl: b.arduino?.boardManagerUrl ?? null,
          libraries: [...(b.arduino?.libraries ?? [])],
          buildProperties: [...(b.arduino?.buildProperties ?? [])],
        },
    toolchain: { compiler: b.toolchain.compiler, cflags: [...b.toolchain.cflags] },
    latency: { cpi: num('/latency/cpi', b.latency.cpi) },
    emulation: b.emulation ? { family: b.emulation.family, machine: b.emulation.machine, qemu: b.emulation.qemu } : null,
    notes: b.notes ?? [],
    sources,
  };
}

const prov = (f: Figure): Provenance => (f.note ? { source: f.source, estimate: f.estimate ?? false, note: f.note } : { source: f.source, estimate: f.estimate ?? false });

/** The most specific error: deepest path first, then schema order. */
function pickError(errors: ErrorObject[]): ErrorObject {
  // `if`/`allOf` wrappers and enum-of-types noise say less than the leaf keyword.
  const useful = errors.filter((e) => e.keyword !== 'allOf' && e.keyword !== 'if');
  const list = useful.length ? useful : errors;
  return [...list].sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length)[0]!;
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return 'is missing (required)';
    case 'additionalProperties':
      return `has an unknown field "${String(p.additionalProperty)}"`;
    case 'enum':
      return `expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `expected ${String(p.type).replace(/,/g, ' or ')}`;
    case 'exclusiveMinimum':
      return `expected a number > ${String(p.limit)}`;
    case 'minimum':
      return `expected a number >= ${String(p.limit)}`;
    case 'pattern':
      return `expected a string matching ${String(p.pattern)}`;
    case 'minLength':
      return `expected a string of at least ${String(p.limit)} characters`;
    default:
      return `expected: ${e.message ?? e.keyword}`;
  }
}

function valueAt(root: unknown, pointer: string): unknown {
  if (!pointer) return root;
  let v: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function preview(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}
