/**
 * npm run bench [-- --filter SUBSTR[,SUBSTR...]] [--runs N] [--json]
 *
 * Speed of the simulator on the golden real models (../shared/golden). A
 * benchmark, not a test: it prints figures, and ratios against a baseline
 * measured in the same run (bench/naive.ts: the MAC operators evaluated one
 * output element at a time the way TFLM's reference loops are written, every
 * other operator by the simulator's own kernel). Before timing, the bench
 * checks that the simulator reproduces every golden output of the case and
 * that the baseline's outputs equal the simulator's; a mismatch is reported
 * in the table and the exit code is 1.
 *
 * Per model: load (parse) and prepare (new Simulator) times, then
 * ms per inference (Simulator.invoke on vector 000) over --runs timed samples
 * after a warm-up (default 25; 5 for tflm-mobilenet_v2_pytorch). For models
 * faster than 2 ms an individual sample times a batch of back-to-back
 * inferences and reports the mean of the batch, so the clock's resolution
 * does not dominate. Each sample records wall time (median and min are
 * printed) and the process's CPU time (median printed): on a busy machine
 * wall time includes waiting for a CPU, CPU time does not, so MAC/s and the
 * ratio to the baseline use CPU time; on an idle machine the two agree. MACs
 * are those of sim/estimate/counts.ts.
 */
import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { listGoldenCases, readBytes, requireGolden, type GoldenCase } from '../test/golden/cases.js';
import { loadModel } from '../lib/load.js';
import { Simulator } from '../sim/interpreter.js';
import { opCounts } from '../sim/estimate/counts.js';
import type { Model } from '../sim/ir/types.js';
import type { TypedArray } from '../sim/kernels/types.js';
import { NaiveRunner } from './naive.js';

/** The models the issue names first, in this order; the other golden real models follow. */
const PRIORITY = [
  'tflm-person_detect', 'tflm-micro_speech', 'tiny-kws-dscnn', 'tiny-vww-mobilenet', 'tiny-ic-resnet8', 'tiny-ad-autoencoder',
  'tflm-micro_speech_lstm', 'tflm-mnist_lstm_int8', 'tflm-dtln_noise_suppression', 'tflm-keyword_scrambled',
];
/** Expensive models: fewer timed samples and baseline checks on fewer vectors. */
const HEAVY: Record<string, number> = { 'tflm-mobilenet_v2_pytorch': 5 };

interface Options {
  filters: string[];
  runs: number | null;
  json: boolean;
}

const USAGE = 'npm run bench -- [--filter SUBSTR[,SUBSTR...]] [--runs N] [--json]   (a bare SUBSTR works as --filter)';

function parseArgs(argv: string[]): Options {
  const o: Options = { filters: [], runs: null, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--json') o.json = true;
    else if (a === '--filter' || a.startsWith('--filter=')) o.filters.push(...value().split(',').filter(Boolean));
    else if (a === '--runs' || a.startsWith('--runs=')) {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error('--runs needs a positive integer');
      o.runs = n;
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (!a.startsWith('-')) o.filters.push(a);
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

interface Row {
  case: string;
  ops: number;
  macs: number;
  loadMs: number;
  prepareMs: number;
  runs: number;
  batch: number;
  /** Wall clock per inference: median and minimum of the samples. */
  medianMs: number;
  minMs: number;
  /** Process CPU time per inference, median of the samples. */
  cpuMs: number;
  /** MACs / cpuMs. */
  macsPerSec: number;
  goldenVectors: number;
  goldenOk: boolean;
  baseline: {
    medianMs: number;
    minMs: number;
    cpuMs: number;
    /** Baseline CPU time / simulator CPU time (per inference, medians). */
    speedup: number;
    naiveOps: number;
    naiveMacShare: number;
    vectorsChecked: number;
    equal: boolean;
  } | null;
  error?: string;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function inputsOf(c: GoldenCase, vectorIndex: number, sim: Simulator): TypedArray[] {
  const v = c.vectors[vectorIndex]!;
  return v.inputs.map((f, i) => {
    const buf = readBytes(c.dir, f).slice().buffer;
    switch (sim.inputs[i]!.dtype) {
      case 'int8': return new Int8Array(buf);
      case 'int16': return new Int16Array(buf);
      case 'int32': return new Int32Array(buf);
      case 'float32': return new Float32Array(buf);
      default: return new Uint8Array(buf);
    }
  });
}

const bytesOf = (a: TypedArray): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Times `fn` (one inference): warm-up, then `runs` samples. A sample is a batch
 * of `batch` calls, batch chosen so that one sample lasts at least 2 ms.
 */
function timeIt(fn: () => void, runs: number): { medianMs: number; minMs: number; cpuMedianMs: number; batch: number } {
  const t0 = performance.now();
  fn();
  const first = performance.now() - t0;
  // Warm-up: at least 3 calls and 300 ms (a single call for multi-second inferences).
  const warmStart = performance.now();
  for (let i = 0; i < 3 || performance.now() - warmStart < 300; i++) {
    fn();
    if (first > 1000) break;
  }
  let batch = 1;
  const probe = performance.now();
  fn();
  const one = performance.now() - probe;
  // At least 2 ms per sample (process.cpuUsage counts microseconds).
  if (one < 2) batch = Math.min(10000, Math.ceil(2 / Math.max(one, 0.001)));
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c = process.cpuUsage();
    const s = performance.now();
    for (let k = 0; k < batch; k++) fn();
    samples.push((performance.now() - s) / batch);
    const dc = process.cpuUsage(c);
    cpuSamples.push((dc.user + dc.system) / 1000 / batch);
  }
  return { medianMs: median(samples), minMs: Math.min(...samples), cpuMedianMs: median(cpuSamples), batch };
}

function modelMacs(model: Model): number {
  const sg = model.subgraphs[0]!;
  let macs = 0;
  for (const op of sg.operators) macs += opCounts(sg, op).macs;
  return macs;
}

async function benchCase(c: GoldenCase, opts: Options): Promise<Row> {
  const heavy = HEAVY[c.name];
  const runs = opts.runs ?? heavy ?? 25;
  const loadSamples: number[] = [];
  let model!: Model;
  for (let i = 0; i < (heavy ? 3 : 5); i++) {
    const t = performance.now();
    model = await loadModel(c.modelPath);
    loadSamples.push(performance.now() - t);
  }
  const prepSamples: number[] = [];
  let sim!: Simulator;
  for (let i = 0; i < (heavy ? 3 : 7); i++) {
    const t = performance.now();
    sim = new Simulator(model);
    prepSamples.push(performance.now() - t);
  }
  const sg = model.subgraphs[0]!;
  const row: Row = {
    case: c.name, ops: sg.operators.length, macs: modelMacs(model), loadMs: median(loadSamples), prepareMs: median(prepSamples),
    runs, batch: 1, medianMs: NaN, minMs: NaN, cpuMs: NaN, macsPerSec: NaN, goldenVectors: c.vectors.length, goldenOk: true, baseline: null,
  };

  // The simulator against the golden outputs (every vector, fresh state each).
  const vectorInputs = c.vectors.map((_, i) => inputsOf(c, i, sim));
  const simOutputs: Uint8Array[][] = [];
  c.vectors.forEach((v, i) => {
    sim.reset();
    const outs = sim.run(vectorInputs[i]!).map((a) => bytesOf(a).slice());
    simOutputs.push(outs);
    v.outputs.forEach((f, k) => {
      if (!sameBytes(outs[k]!, readBytes(c.dir, f))) row.goldenOk = false;
    });
  });

  // The baseline against the simulator.
  let naive: NaiveRunner | null = null;
  try {
    naive = new NaiveRunner(model);
  } catch (e) {
    row.error = `baseline cannot run: ${(e as Error).message}`;
  }
  let baselineEqual = true;
  const checkVectors = naive ? (heavy ? Math.min(2, c.vectors.length) : c.vectors.length) : 0;
  for (let i = 0; i < checkVectors; i++) {
    naive!.reset();
    const outs = naive!.invoke(vectorInputs[i]! as ArrayLike<number>[]);
    outs.forEach((a, k) => {
      if (!sameBytes(bytesOf(a), simOutputs[i]![k]!)) baselineEqual = false;
    });
  }

  // Timing on vector 000. State (SVDF / LSTM variables) carries over between runs, as in a streaming deployment.
  const inputs = vectorInputs[0]!;
  sim.reset();
  const t = timeIt(() => sim.invoke(inputs), runs);
  row.medianMs = t.medianMs;
  row.minMs = t.minMs;
  row.cpuMs = t.cpuMedianMs;
  row.batch = t.batch;
  row.macsPerSec = row.macs / (t.cpuMedianMs / 1000);
  if (naive) {
    naive.reset();
    const n = naive;
    const nb = timeIt(() => n.invoke(inputs as ArrayLike<number>[]), runs);
    row.baseline = {
      medianMs: nb.medianMs, minMs: nb.minMs, cpuMs: nb.cpuMedianMs, speedup: nb.cpuMedianMs / t.cpuMedianMs,
      naiveOps: n.naiveOps, naiveMacShare: n.naiveMacShare, vectorsChecked: checkVectors, equal: baselineEqual,
    };
  }
  return row;
}

function machine(): { nproc: number; cpu: string; node: string; platform: string } {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1]?.trim();
    const name = field('model name');
    if (name) cpu = `${name} (family ${field('cpu family') ?? '?'}, model ${field('model') ?? '?'})`;
  } catch { /* not Linux */ }
  return { nproc: cpus().length, cpu, node: process.version, platform: `${process.platform}-${process.arch}` };
}

const fmt = (x: number, digits = 3): string => {
  if (!Number.isFinite(x)) return '—';
  if (x >= 100) return x.toFixed(1);
  if (x >= 10) return x.toFixed(2);
  return x.toPrecision(digits);
};
const fmtMacs = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : `${n}`);
const fmtRate = (r: number): string => (!Number.isFinite(r) || r === 0 ? '—' : `${(r / 1e9).toFixed(2)} G`);

function markdown(rows: Row[]): string {
  const lines = [
    '| model | ops | MACs | load ms | prepare ms | median ms | min ms | CPU ms | MAC/s | runs×batch | baseline CPU ms | speed-up vs baseline | naive MAC share | checks |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const b = r.baseline;
    const checks = [
      r.goldenOk ? `golden ${r.goldenVectors}/${r.goldenVectors}` : 'GOLDEN MISMATCH',
      b ? (b.equal ? `baseline = sim (${b.vectorsChecked})` : 'BASELINE MISMATCH') : (r.error ?? 'no baseline'),
    ].join(', ');
    lines.push(`| ${r.case} | ${r.ops} | ${fmtMacs(r.macs)} | ${fmt(r.loadMs)} | ${fmt(r.prepareMs)} | ${fmt(r.medianMs)} | ${fmt(r.minMs)} | ${fmt(r.cpuMs)} | ${fmtRate(r.macsPerSec)} | ${r.runs}×${r.batch} | ${b ? fmt(b.cpuMs) : '—'} | ${b && b.naiveMacShare > 0 ? `${b.speedup.toFixed(1)}×` : '—'} | ${b ? `${Math.round(b.naiveMacShare * 100)}%` : '—'} | ${checks} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (!requireGolden()) {
    console.error('golden data not found (../shared/golden or $TINYFORGE_GOLDEN): nothing to benchmark');
    process.exit(2);
  }
  const all = listGoldenCases().filter((c) => c.group === 'model' && c.meta.kind !== 'must_reject');
  const rank = (n: string) => (PRIORITY.includes(n) ? PRIORITY.indexOf(n) : HEAVY[n] ? 1000 : 100);
  const cases = all
    .filter((c) => opts.filters.length === 0 || opts.filters.some((f) => c.name.includes(f)))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  if (cases.length === 0) {
    console.error(`no golden model matches ${opts.filters.join(', ')}`);
    process.exit(2);
  }
  const m = machine();
  const loadStart = loadavg()[0]!;
  if (!opts.json) {
    console.log(`machine: ${m.cpu}, ${m.nproc} CPUs, node ${m.node}, ${m.platform}`);
    console.log('baseline: bench/naive.ts (TFLM-style per-element loops for int8 CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, UNIDIRECTIONAL_SEQUENCE_LSTM; other ops = simulator kernels)\n');
  }
  const rows: Row[] = [];
  for (const c of cases) {
    if (!opts.json) process.stderr.write(`${c.name} ...\n`);
    try {
      rows.push(await benchCase(c, opts));
    } catch (e) {
      rows.push({
        case: c.name, ops: 0, macs: 0, loadMs: NaN, prepareMs: NaN, runs: 0, batch: 0, medianMs: NaN, minMs: NaN, cpuMs: NaN, macsPerSec: NaN,
        goldenVectors: c.vectors.length, goldenOk: false, baseline: null, error: (e as Error).message,
      });
    }
  }
  const loadEnd = loadavg()[0]!;
  if (opts.json) console.log(JSON.stringify({ machine: m, date: new Date().toISOString(), loadAverage1m: { start: loadStart, end: loadEnd }, rows }, null, 2));
  else {
    console.log(markdown(rows));
    console.log(`\n1-minute load average: ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end (${m.nproc} CPUs)`);
  }
  const bad = rows.some((r) => !r.goldenOk || (r.baseline && !r.baseline.equal) || r.error);
  process.exitCode = bad ? 1 : 0;
}

await main();
