/**
 * The in-run baseline of `npm run bench`: a deliberately naive evaluation of
 * the same graph, bit-exact with the simulator.
 *
 * The multiply-accumulate operators (int8 CONV_2D, DEPTHWISE_CONV_2D,
 * FULLY_CONNECTED with an int32 accumulator, and the int8
 * UNIDIRECTIONAL_SEQUENCE_LSTM) are evaluated the way TFLM's reference loops
 * are written: one output element at a time, bounds checked per filter tap,
 * the input offset added inside the inner loop, an int32 accumulator
 * (Math.imul + `| 0`), the bias added at the end and one
 * MultiplyByQuantizedMultiplier per element. No weight regrouping, no
 * zero-point folding, no blocking. Their quantization parameters, paddings and
 * shape checks come from the simulator's own prepare (that part is not timed
 * by the bench and is not what makes a kernel fast or slow).
 *
 * Every other operator (and any variant of the four above that is not listed,
 * e.g. int16 activations) runs the simulator's kernel, so the ratio against
 * this baseline measures the MAC kernels; `naiveMacShare` says how much of
 * the model's MACs went through a naive loop.
 *
 * Storage is planned as in sim/interpreter.ts: one typed array per
 * non-constant tensor, constants as views of the model bytes.
 */
import type { Model, Tensor } from '../sim/ir/types.js';
import type { Kernel, PrepareContext, TypedArray } from '../sim/kernels/types.js';
import { kernelFor } from '../sim/kernels/index.js';
import { arrayFor } from '../sim/interpreter.js';
import { conv2dKernel } from '../sim/kernels/conv_2d.js';
import { depthwiseConv2dKernel } from '../sim/kernels/depthwise_conv_2d.js';
import { fullyConnectedKernel } from '../sim/kernels/fully_connected.js';
import { unidirectionalSequenceLstmKernel } from '../sim/kernels/unidirectional_sequence_lstm.js';
import { multiplyByQuantizedMultiplier } from '../sim/math/fixedpoint.js';
import { logisticInt16, tanhInt16 } from '../sim/math/int16_activations.js';
import { opMacs } from '../sim/estimate/counts.js';

/** A naive kernel: prepare returns null when it does not cover the variant (the simulator's kernel runs instead). */
interface NaiveKernel<D> {
  prepare(ctx: PrepareContext): D | null;
  eval(d: D): void;
}

/** Fields of the simulator's CONV_2D / DEPTHWISE_CONV_2D OpData that the naive loops read. */
interface ConvPrepared {
  input: Int8Array | Int16Array;
  output: Int8Array | Int16Array;
  inputOffset: number;
  batches: number; inH: number; inW: number; inC: number;
  outH: number; outW: number; outC: number;
  filterH: number; filterW: number;
  strideH: number; strideW: number; dilationH: number; dilationW: number;
  padH: number; padW: number;
  rq: { multiplier: Int32Array; shift: Int32Array; outZp: number; actMin: number; actMax: number };
}

interface NaiveConv {
  p: ConvPrepared;
  input: Int8Array;
  output: Int8Array;
  filter: Int8Array;
  bias: Int32Array | null;
  filterC: number;
  perGroup: number;
  depthMultiplier: number;
}

function int8Conv(ctx: PrepareContext): { filter: Int8Array; bias: Int32Array | null } | null {
  const input = ctx.requiredInput(0);
  const filter = ctx.requiredInput(1);
  const bias = ctx.inputCount >= 3 ? ctx.input(2) : null;
  if (input.dtype !== 'int8' || filter.dtype !== 'int8' || !filter.data) return null;
  if (bias && (bias.dtype !== 'int32' || !bias.data)) return null;
  return { filter: ctx.int8(filter), bias: bias ? ctx.int32(bias) : null };
}

/** reference_integer_ops::ConvPerChannel, int8, written the way the reference is. */
const naiveConv2d: NaiveKernel<NaiveConv> = {
  prepare(ctx) {
    const raw = int8Conv(ctx);
    if (!raw) return null;
    const p = conv2dKernel.prepare(ctx) as unknown as ConvPrepared & { filterC: number; perGroup: number };
    return { p, input: p.input as Int8Array, output: p.output as Int8Array, filter: raw.filter, bias: raw.bias, filterC: p.filterC, perGroup: p.perGroup, depthMultiplier: 1 };
  },
  eval(d) {
    const { p, input, output, filter, bias, filterC, perGroup } = d;
    const { inputOffset, batches, inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, dilationH, dilationW, padH, padW } = p;
    const { multiplier, shift, outZp, actMin, actMax } = p.rq;
    for (let b = 0; b < batches; b++) {
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          for (let oc = 0; oc < outC; oc++) {
            const group = (oc / perGroup) | 0;
            let acc = 0;
            for (let fy = 0; fy < filterH; fy++) {
              const iy = oy * strideH - padH + dilationH * fy;
              for (let fx = 0; fx < filterW; fx++) {
                const ix = ox * strideW - padW + dilationW * fx;
                if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
                for (let ic = 0; ic < filterC; ic++) {
                  const x = input[((b * inH + iy) * inW + ix) * inC + group * filterC + ic]!;
                  const w = filter[((oc * filterH + fy) * filterW + fx) * filterC + ic]!;
                  acc = (acc + Math.imul(w, x + inputOffset)) | 0;
                }
              }
            }
            if (bias) acc = (acc + bias[oc]!) | 0;
            let v = multiplyByQuantizedMultiplier(acc, multiplier[oc]!, shift[oc]!) + outZp;
            if (v < actMin) v = actMin;
            if (v > actMax) v = actMax;
            output[((b * outH + oy) * outW + ox) * outC + oc] = v;
          }
        }
      }
    }
  },
};

/** reference_integer_ops::DepthwiseConvPerChannel, int8. */
const naiveDepthwise: NaiveKernel<NaiveConv> = {
  prepare(ctx) {
    const raw = int8Conv(ctx);
    if (!raw) return null;
    const p = depthwiseConv2dKernel.prepare(ctx) as unknown as ConvPrepared & { depthMultiplier: number };
    return { p, input: p.input as Int8Array, output: p.output as Int8Array, filter: raw.filter, bias: raw.bias, filterC: 1, perGroup: 1, depthMultiplier: p.depthMultiplier };
  },
  eval(d) {
    const { p, input, output, filter, bias, depthMultiplier } = d;
    const { inputOffset, batches, inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, dilationH, dilationW, padH, padW } = p;
    const { multiplier, shift, outZp, actMin, actMax } = p.rq;
    for (let b = 0; b < batches; b++) {
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          for (let ic = 0; ic < inC; ic++) {
            for (let m = 0; m < depthMultiplier; m++) {
              const oc = m + ic * depthMultiplier;
              let acc = 0;
              for (let fy = 0; fy < filterH; fy++) {
                const iy = oy * strideH - padH + dilationH * fy;
                for (let fx = 0; fx < filterW; fx++) {
                  const ix = ox * strideW - padW + dilationW * fx;
                  if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
                  const x = input[((b * inH + iy) * inW + ix) * inC + ic]!;
                  const w = filter[(fy * filterW + fx) * outC + oc]!;
                  acc = (acc + Math.imul(w, x + inputOffset)) | 0;
                }
              }
              if (bias) acc = (acc + bias[oc]!) | 0;
              let v = multiplyByQuantizedMultiplier(acc, multiplier[oc]!, shift[oc]!) + outZp;
              if (v < actMin) v = actMin;
              if (v > actMax) v = actMax;
              output[((b * outH + oy) * outW + ox) * outC + oc] = v;
            }
          }
        }
      }
    }
  },
};

/** Fields of the simulator's FULLY_CONNECTED OpData that the naive loop reads. */
interface FcPrepared {
  acc: number;
  input: Int8Array | Int16Array;
  filter: Int8Array;
  output: Int8Array | Int16Array;
  batches: number;
  depth: number;
  outDepth: number;
  inputOffset: number;
  outputZeroPoint: number;
  actMin: number;
  actMax: number;
  multiplier: Int32Array;
  shift: Int32Array;
  bias: Int32Array | BigInt64Array | null;
}

/** reference_integer_ops::FullyConnected(PerChannel), int8 x int8 -> int8 with an int32 accumulator. */
const naiveFullyConnected: NaiveKernel<FcPrepared> = {
  prepare(ctx) {
    const input = ctx.requiredInput(0);
    const filter = ctx.requiredInput(1);
    if (input.dtype !== 'int8' || filter.dtype !== 'int8') return null;
    const p = fullyConnectedKernel.prepare(ctx) as unknown as FcPrepared;
    if (p.bias instanceof BigInt64Array) return null;
    return p;
  },
  eval(d) {
    const input = d.input as Int8Array;
    const output = d.output as Int8Array;
    const bias = d.bias as Int32Array | null;
    const { filter, batches, depth, outDepth, inputOffset, outputZeroPoint, actMin, actMax, multiplier, shift } = d;
    for (let b = 0; b < batches; b++) {
      for (let oc = 0; oc < outDepth; oc++) {
        let acc = 0;
        for (let k = 0; k < depth; k++) {
          acc = (acc + Math.imul(filter[oc * depth + k]!, input[b * depth + k]! + inputOffset)) | 0;
        }
        if (bias) acc = (acc + bias[oc]!) | 0;
        let v = multiplyByQuantizedMultiplier(acc, multiplier[oc]!, shift[oc]!) + outputZeroPoint;
        if (v < actMin) v = actMin;
        if (v > actMax) v = actMax;
        output[b * outDepth + oc] = v;
      }
    }
  },
};

/** Fields of the simulator's LSTM OpData that the naive step reads. */
interface LstmPrepared {
  input: Int8Array; output: Int8Array; hidden: Int8Array; cell: Int16Array;
  nIn: number; nState: number; schedule: Int32Array;
  wx: Int8Array; wh: Int8Array;
  multX: Int32Array; shiftX: Int32Array; multH: Int32Array; shiftH: Int32Array;
  fcMult: number; fcShift: number; igMult: number; igShift: number; hMult: number; hShift: number; hZeroPoint: number;
  cellTanhMult: number; cellTanhShift: number; doClip: boolean; clip: number;
}

interface NaiveLstm {
  p: LstmPrepared;
  /** Raw gate biases, gates in TFLM's order forget, input, cell, output. */
  bias: Int32Array;
  inputOffset: number;
  hiddenOffset: number;
  /** Per-gate FC outputs (input FC, recurrent FC) and the gate values, int16. */
  gx: Int16Array;
  gh: Int16Array;
  gates: Int16Array;
  th: Int16Array;
}

/**
 * lstm_eval.h LstmStep, int8 x int8 -> int16 gates, one batch row per step:
 * each gate is two plain FullyConnected calls (input with its bias, recurrent
 * without) into int16, a saturating add, the int16 LUT activation; then the
 * cell and hidden updates element by element.
 */
const naiveLstm: NaiveKernel<NaiveLstm> = {
  prepare(ctx) {
    const p = unidirectionalSequenceLstmKernel.prepare(ctx) as unknown as LstmPrepared;
    const nState = p.nState;
    const bias = new Int32Array(4 * nState);
    [13, 12, 14, 15].forEach((slot, g) => bias.set(ctx.int32(ctx.requiredInput(slot)), g * nState));
    return {
      p,
      bias,
      inputOffset: -(ctx.requiredInput(0).quantization!.zeroPoint[0] ?? 0),
      hiddenOffset: -(ctx.requiredInput(18).quantization!.zeroPoint[0] ?? 0),
      gx: new Int16Array(4 * nState),
      gh: new Int16Array(4 * nState),
      gates: new Int16Array(4 * nState),
      th: new Int16Array(nState),
    };
  },
  eval(d) {
    const { p, bias, inputOffset, hiddenOffset, gx, gh, gates, th } = d;
    const { input, output, hidden, cell, nIn, nState, schedule, wx, wh } = p;
    for (let s = 0; s < schedule.length; s += 3) {
      const inOff = schedule[s]!;
      const stOff = schedule[s + 1]!;
      const outOff = schedule[s + 2]!;
      for (let g = 0; g < 4; g++) {
        for (let j = 0; j < nState; j++) {
          const row = g * nState + j;
          let acc = 0;
          for (let i = 0; i < nIn; i++) acc = (acc + Math.imul(wx[row * nIn + i]!, input[inOff + i]! + inputOffset)) | 0;
          acc = (acc + bias[row]!) | 0;
          let v = multiplyByQuantizedMultiplier(acc, p.multX[g]!, p.shiftX[g]!);
          gx[row] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
          acc = 0;
          for (let i = 0; i < nState; i++) acc = (acc + Math.imul(wh[row * nState + i]!, hidden[stOff + i]! + hiddenOffset)) | 0;
          v = multiplyByQuantizedMultiplier(acc, p.multH[g]!, p.shiftH[g]!);
          gh[row] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
        }
      }
      for (let r = 0; r < 4 * nState; r++) {
        const sum = gx[r]! + gh[r]!;
        gates[r] = sum > 32767 ? 32767 : sum < -32768 ? -32768 : sum;
      }
      logisticInt16(0, 0, 2 * nState, gates, gates, 0, 0);
      tanhInt16(0, 0, nState, gates, gates, 2 * nState, 2 * nState);
      logisticInt16(0, 0, nState, gates, gates, 3 * nState, 3 * nState);
      for (let j = 0; j < nState; j++) {
        let fc = multiplyByQuantizedMultiplier(gates[j]! * cell[stOff + j]!, p.fcMult, p.fcShift);
        fc = fc > 32767 ? 32767 : fc < -32768 ? -32768 : fc;
        let ig = multiplyByQuantizedMultiplier(gates[nState + j]! * gates[2 * nState + j]!, p.igMult, p.igShift);
        ig = ig > 32767 ? 32767 : ig < -32768 ? -32768 : ig;
        let c = fc + ig;
        c = c > 32767 ? 32767 : c < -32768 ? -32768 : c;
        if (p.doClip) c = c > p.clip ? p.clip : c < -p.clip ? -p.clip : c;
        cell[stOff + j] = c;
      }
      tanhInt16(p.cellTanhMult, p.cellTanhShift, nState, cell, th, stOff, 0);
      for (let j = 0; j < nState; j++) {
        let h = p.hZeroPoint + multiplyByQuantizedMultiplier(th[j]! * gates[3 * nState + j]!, p.hMult, p.hShift);
        h = h > 127 ? 127 : h < -128 ? -128 : h;
        hidden[stOff + j] = h;
        output[outOff + j] = h;
      }
    }
  },
};

const NAIVE: Record<string, NaiveKernel<any>> = {
  CONV_2D: naiveConv2d,
  DEPTHWISE_CONV_2D: naiveDepthwise,
  FULLY_CONNECTED: naiveFullyConnected,
  UNIDIRECTIONAL_SEQUENCE_LSTM: naiveLstm,
};

const ALIGN: Partial<Record<string, number>> = { int16: 2, uint16: 2, float16: 2, bfloat16: 2, int32: 4, uint32: 4, float32: 4, float64: 8, int64: 8, uint64: 8 };

interface Step {
  eval: (d: any) => void;
  data: unknown;
}

export class NaiveRunner {
  /** Operators run by a naive loop / by the simulator's kernel. */
  readonly naiveOps: number;
  readonly simOps: number;
  /** Fraction of the model's MACs (opMacs) executed by naive loops. */
  readonly naiveMacShare: number;
  private readonly steps: Step[] = [];
  private readonly resets: (() => void)[] = [];
  private readonly inputArrays: TypedArray[];
  private readonly outputArrays: TypedArray[];

  constructor(model: Model) {
    const sg = model.subgraphs[0]!;
    const tensors = sg.tensors;
    const storage: (TypedArray | null)[] = new Array(tensors.length).fill(null);
    const arrayOf = (t: Tensor): TypedArray => {
      let a = storage[t.index];
      if (a) return a;
      if (t.data) {
        const d = t.data;
        if (d.byteOffset % (ALIGN[t.dtype] ?? 1) === 0) a = arrayFor(t.dtype, d.buffer as ArrayBuffer, d.byteOffset, d.byteLength);
        else {
          const copy = new ArrayBuffer(d.byteLength);
          new Uint8Array(copy).set(d);
          a = arrayFor(t.dtype, copy, 0, d.byteLength);
        }
      } else {
        const bytes = Math.ceil(t.bytes);
        const arr = arrayFor(t.dtype, new ArrayBuffer(Math.max(0, bytes)), 0, bytes);
        a = arr;
        if (t.isVariable) {
          const fill = t.dtype === 'int8' && t.quantization ? t.quantization.zeroPoint[0]! : 0;
          this.resets.push(() => (arr as Int32Array).fill(fill));
        }
      }
      storage[t.index] = a;
      return a;
    };
    let naiveOps = 0;
    let naiveMacs = 0;
    let totalMacs = 0;
    for (const op of sg.operators) {
      const fail = (message: string): never => {
        throw new Error(`${op.op} (operator ${op.index}): ${message}`);
      };
      const typed = <T extends TypedArray>(C: abstract new (...a: any[]) => T) => (t: Tensor): T => {
        const a = arrayOf(t);
        if (!(a instanceof C)) fail(`tensor ${t.index} has the wrong type`);
        return a as T;
      };
      const ctx: PrepareContext = {
        model,
        subgraph: sg,
        op,
        inputCount: op.inputs.length,
        outputCount: op.outputs.length,
        input: (i) => {
          const ti = op.inputs[i];
          return ti === undefined || ti < 0 ? null : tensors[ti]!;
        },
        requiredInput: (i) => {
          const ti = op.inputs[i];
          if (ti === undefined || ti < 0) fail(`input ${i} is missing`);
          return tensors[ti!]!;
        },
        output: (i) => tensors[op.outputs[i]!]!,
        array: arrayOf,
        int8: typed(Int8Array),
        uint8: typed(Uint8Array),
        int16: typed(Int16Array),
        int32: typed(Int32Array),
        uint32: typed(Uint32Array),
        float32: typed(Float32Array),
        int64: typed(BigInt64Array),
        unsupported: (message) => fail(message),
      };
      const macs = opMacs(sg, op);
      totalMacs += macs;
      const naive = NAIVE[op.op];
      const data = naive ? naive.prepare(ctx) : null;
      if (naive && data !== null) {
        this.steps.push({ eval: naive.eval, data });
        naiveOps++;
        naiveMacs += macs;
        continue;
      }
      const kernel: Kernel | undefined = kernelFor(op.op);
      if (!kernel) fail('no kernel');
      const kd = kernel!.prepare(ctx);
      this.steps.push({ eval: kernel!.eval, data: kd });
      if (kernel!.reset) this.resets.push(() => kernel!.reset!(kd));
    }
    this.naiveOps = naiveOps;
    this.simOps = sg.operators.length - naiveOps;
    this.naiveMacShare = totalMacs > 0 ? naiveMacs / totalMacs : 0;
    this.inputArrays = sg.inputs.map((i) => arrayOf(tensors[i]!));
    this.outputArrays = sg.outputs.map((i) => arrayOf(tensors[i]!));
    this.reset();
  }

  reset(): void {
    for (const r of this.resets) r();
  }

  invoke(inputs: readonly ArrayLike<number>[]): readonly TypedArray[] {
    for (let i = 0; i < inputs.length; i++) (this.inputArrays[i] as Int32Array).set(inputs[i]!);
    for (const s of this.steps) s.eval(s.data);
    return this.outputArrays;
  }
}
