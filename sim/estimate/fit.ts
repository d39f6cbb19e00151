/**
 * The calibration procedures behind the tables in latency.ts and memory.ts.
 * Pure: callers pass the golden samples (scripts/fit-estimates.ts reads them
 * from ../shared/golden and prints the tables; test/unit/estimate.test.ts
 * re-runs the fits to prove the shipped tables are what the data gives).
 *
 * Instruction fit. One row per (model, kernel build): the model's summed
 * features (op count, MACs / outputs / elements per op class) against its
 * executed-instruction count. Both builds are fitted jointly so the code that
 * is the same in both builds (the interpreter loop: `perOp`; TFLM's signal
 * library: `custom`) gets one shared value. Rows are divided by the observed
 * count, so the fit minimises squared *relative* error (models span 5e3 to
 * 2e10 instructions). Costs are non-negative (NNLS). Data movement
 * (`move.perElement`) is fixed a priori, not fitted: it is under 3% of every
 * golden model's instructions, so the data cannot pin it, and a fitted 0 would
 * make a PAD- or TRANSPOSE-heavy model free (see FIXED_PRIORS in latency.ts).
 *
 * Code-size fit. One row per (model, build): 1 (interpreter base) plus one
 * indicator per distinct builtin op kind the model registers. Kinds that occur
 * only in tflm-audio_preprocessor_int8 cannot be told apart and share one
 * "other kind" column (count of such kinds). A weak ridge row per kind
 * (weight 0.1, towards the median fitted kind size) spreads the size over kinds
 * that always appear together instead of giving one all of it and the rest 0.
 */
import { nnls } from './nnls.js';
import type { OpWork, OpClass } from './work.js';
import { OP_CLASSES } from './work.js';
import type { ClassCost, InstructionTable } from './latency.js';
import { FIXED_PRIORS, opInstructions } from './latency.js';
import type { CodeSizeTable, NativeCodeFeatures, NativeCodeTable } from './memory.js';
import { nativeCodeSize } from './memory.js';

export interface InstructionSample {
  readonly name: string;
  readonly work: readonly OpWork[];
  /** Executed instructions of one Invoke(), per kernel build. */
  readonly reference: number;
  readonly cmsisNn: number;
}

type Feature = 'perMac' | 'perOutput' | 'perElement';
/** The free parameters: (class, feature) per build, plus the shared ones. */
export const FITTED_PER_BUILD: readonly (readonly [OpClass, Feature])[] = [
  ['conv', 'perMac'], ['conv', 'perOutput'], ['dwconv', 'perMac'], ['fc', 'perMac'], ['fc', 'perOutput'],
  ['svdf', 'perMac'], ['lstm', 'perMac'], ['lstm', 'perOutput'], ['eltwise', 'perElement'],
];
export const FITTED_SHARED: readonly ('perOp' | readonly [OpClass, Feature])[] = ['perOp', ['custom', 'perElement']];

const featureValue = (w: OpWork, f: Feature) => (f === 'perMac' ? w.macs : f === 'perOutput' ? w.outputElements : w.elements);

function sum(work: readonly OpWork[], cls: OpClass, f: Feature): number {
  let s = 0;
  for (const w of work) if (w.cls === cls) s += featureValue(w, f);
  return s;
}

function fixedPart(work: readonly OpWork[]): number {
  let s = 0;
  for (const [cls, f, v] of FIXED_PRIORS) s += v * sum(work, cls, f);
  return s;
}

export interface InstructionFit {
  readonly reference: InstructionTable;
  readonly cmsisNn: InstructionTable;
}

export function fitInstructionTables(samples: readonly InstructionSample[]): InstructionFit {
  const shared = FITTED_SHARED.length;
  const per = FITTED_PER_BUILD.length;
  const A: number[][] = [];
  const b: number[] = [];
  for (const s of samples) {
    for (const build of [0, 1] as const) {
      const obs = build === 0 ? s.reference : s.cmsisNn;
      const row = new Array<number>(shared + 2 * per).fill(0);
      FITTED_SHARED.forEach((p, j) => (row[j] = p === 'perOp' ? s.work.length : sum(s.work, p[0], p[1])));
      FITTED_PER_BUILD.forEach(([c, f], j) => (row[shared + build * per + j] = sum(s.work, c, f)));
      A.push(row.map((v) => v / obs));
      b.push(1 - fixedPart(s.work) / obs);
    }
  }
  const x = nnls(A, b);
  const table = (build: 0 | 1, id: string): InstructionTable => {
    const classes = Object.fromEntries(OP_CLASSES.map((c) => [c, { perMac: 0, perOutput: 0, perElement: 0 }])) as Record<OpClass, { -readonly [K in keyof ClassCost]: number }>;
    for (const [c, f, v] of FIXED_PRIORS) classes[c][f] = v;
    let perOp = 0;
    FITTED_SHARED.forEach((p, j) => {
      if (p === 'perOp') perOp = x[j]!;
      else classes[p[0]][p[1]] = x[j]!;
    });
    FITTED_PER_BUILD.forEach(([c, f], j) => (classes[c][f] = x[shared + build * per + j]!));
    return { id, perOp, classes };
  };
  return { reference: table(0, 'cortex-m4/reference'), cmsisNn: table(1, 'cortex-m4/cmsis-nn') };
}

export interface ModelResidual {
  readonly name: string;
  readonly observed: number;
  readonly predicted: number;
  /** predicted / observed - 1 */
  readonly error: number;
}

export function instructionResiduals(table: InstructionTable, samples: readonly InstructionSample[], build: 'reference' | 'cmsisNn'): ModelResidual[] {
  return samples.map((s) => {
    const observed = build === 'reference' ? s.reference : s.cmsisNn;
    const predicted = s.work.reduce((t, w) => t + opInstructions(table, w), 0);
    return { name: s.name, observed, predicted, error: predicted / observed - 1 };
  });
}

/** Leave-one-model-out: refit without each model, predict it. The honest out-of-sample error. */
export function leaveOneOut(samples: readonly InstructionSample[]): { reference: ModelResidual[]; cmsisNn: ModelResidual[] } {
  const reference: ModelResidual[] = [];
  const cmsisNn: ModelResidual[] = [];
  for (const s of samples) {
    const fit = fitInstructionTables(samples.filter((q) => q !== s));
    reference.push(instructionResiduals(fit.reference, [s], 'reference')[0]!);
    cmsisNn.push(instructionResiduals(fit.cmsisNn, [s], 'cmsisNn')[0]!);
  }
  return { reference, cmsisNn };
}

// ---- code size ----

export interface CodeSizeSample {
  readonly name: string;
  /** Distinct op kinds the model registers ("CONV_2D", "CUSTOM:SignalRfft", ...). */
  readonly kinds: readonly string[];
  readonly reference: number;
  readonly cmsisNn: number;
}

export const CODE_RIDGE_WEIGHT = 0.1;

export function fitCodeSizes(samples: readonly CodeSizeSample[]): { reference: CodeSizeTable; cmsisNn: CodeSizeTable } {
  const seen = new Map<string, number>();
  for (const s of samples) for (const k of s.kinds) seen.set(k, (seen.get(k) ?? 0) + 1);
  // A kind seen in a single model cannot be separated from that model's other kinds.
  const cols = [...seen.keys()].filter((k) => seen.get(k)! > 1).sort();
  const single = new Set([...seen.keys()].filter((k) => seen.get(k) === 1));
  const row = (s: CodeSizeSample) => [1, ...cols.map((k) => (s.kinds.includes(k) ? 1 : 0)), s.kinds.filter((k) => single.has(k)).length];
  const fitOne = (obs: (s: CodeSizeSample) => number): CodeSizeTable => {
    const A = samples.map((s) => row(s).map((v) => v / obs(s)));
    const b = samples.map(() => 1);
    const x0 = nnls(A, b);
    const sizes = x0.slice(1, -1).filter((v) => v > 0).sort((p, q) => p - q);
    const mu = sizes[Math.floor(sizes.length / 2)] ?? 1;
    const n = cols.length + 2;
    const ridge = Array.from({ length: n - 1 }, (_, k) => Array.from({ length: n }, (__, j) => (j === k + 1 ? CODE_RIDGE_WEIGHT / mu : 0)));
    const x = nnls([...A, ...ridge], [...b, ...ridge.map(() => CODE_RIDGE_WEIGHT)]);
    return { base: x[0]!, perKind: Object.fromEntries(cols.map((k, i) => [k, x[i + 1]!])), otherKind: x[n - 1]! };
  };
  return { reference: fitOne((s) => s.reference), cmsisNn: fitOne((s) => s.cmsisNn) };
}

// ---- native engine (tinyforge's own firmware, measured on mps2-an386) ----

export interface NativeCodeSample {
  readonly name: string;
  readonly features: NativeCodeFeatures;
  /** Measured flash of the model code: ELF text + data - constant arrays - emulation runtime. */
  readonly code: number;
  /** Measured ELF text + data, the figure whose relative error the fit minimises. */
  readonly flash: number;
}

/**
 * Native code-size fit: one row per model, features [1, code-emitting ops,
 * distinct kernel instances per kind], target the measured model code, rows
 * divided by the model's whole flash so the fit minimises the relative error
 * of the flash estimate (the figure that is checked). Kinds seen in a single
 * model share the `otherInstance` column. NNLS.
 */
export function fitNativeCodeTable(samples: readonly NativeCodeSample[]): NativeCodeTable {
  const seen = new Map<string, number>();
  for (const s of samples) for (const k of Object.keys(s.features.instances)) seen.set(k, (seen.get(k) ?? 0) + 1);
  const cols = [...seen.keys()].filter((k) => seen.get(k)! > 1).sort();
  const row = (s: NativeCodeSample) => {
    const inst = s.features.instances;
    const other = Object.keys(inst).filter((k) => !cols.includes(k)).reduce((t, k) => t + inst[k]!, 0);
    return [1, s.features.ops, ...cols.map((k) => inst[k] ?? 0), other];
  };
  const x = nnls(samples.map((s) => row(s).map((v) => v / s.flash)), samples.map((s) => s.code / s.flash));
  return { base: x[0]!, perOp: x[1]!, perInstance: Object.fromEntries(cols.map((k, i) => [k, x[i + 2]!])), otherInstance: x[cols.length + 2]! };
}

export interface NativeInstructionSample {
  readonly name: string;
  readonly work: readonly OpWork[];
  /** Executed instructions of one tf_invoke(). */
  readonly instructions: number;
}

/** The native table's free parameters (everything else is 0: no golden model exercises it). */
export const NATIVE_FITTED: readonly ('perOp' | readonly [OpClass, Feature])[] = [
  'perOp',
  ['conv', 'perMac'], ['conv', 'perOutput'], ['dwconv', 'perMac'], ['dwconv', 'perOutput'], ['fc', 'perMac'], ['fc', 'perOutput'],
  ['svdf', 'perMac'], ['lstm', 'perMac'], ['lstm', 'perOutput'], ['eltwise', 'perElement'], ['move', 'perElement'], ['custom', 'perElement'],
];

/** Native instruction fit: as `fitInstructionTables`, one build, relative error, NNLS, no fixed priors. */
export function fitNativeInstructionTable(samples: readonly NativeInstructionSample[]): InstructionTable {
  const A = samples.map((s) => NATIVE_FITTED.map((p) => (p === 'perOp' ? s.work.length : sum(s.work, p[0], p[1])) / s.instructions));
  const x = nnls(A, samples.map(() => 1));
  const classes = Object.fromEntries(OP_CLASSES.map((c) => [c, { perMac: 0, perOutput: 0, perElement: 0 }])) as Record<OpClass, { -readonly [K in keyof ClassCost]: number }>;
  let perOp = 0;
  NATIVE_FITTED.forEach((p, j) => {
    if (p === 'perOp') perOp = x[j]!;
    else classes[p[0]][p[1]] = x[j]!;
  });
  return { id: 'cortex-m4/native', perOp, classes };
}

export function nativeInstructionResiduals(table: InstructionTable, samples: readonly NativeInstructionSample[]): ModelResidual[] {
  return samples.map((s) => {
    const predicted = s.work.reduce((t, w) => t + opInstructions(table, w), 0);
    return { name: s.name, observed: s.instructions, predicted, error: predicted / s.instructions - 1 };
  });
}

/** Leave-one-model-out errors of both native fits (refit without the model, predict it). */
export function nativeLeaveOneOut(code: readonly NativeCodeSample[], insns: readonly NativeInstructionSample[], runtimeAndWeights: (name: string) => number): { code: ModelResidual[]; instructions: ModelResidual[] } {
  const c = code.map((s) => {
    const t = fitNativeCodeTable(code.filter((q) => q !== s));
    const predicted = nativeCodeSize(t, s.features) + runtimeAndWeights(s.name);
    return { name: s.name, observed: s.flash, predicted, error: predicted / s.flash - 1 };
  });
  const i = insns.map((s) => nativeInstructionResiduals(fitNativeInstructionTable(insns.filter((q) => q !== s)), [s])[0]!);
  return { code: c, instructions: i };
}
