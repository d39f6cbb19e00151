/**
 * SOFTMAX over the last dimension, quantized paths.
 * Mirrors tensorflow/lite/micro/kernels/softmax.cc + softmax_common.cc and
 * tensorflow/lite/kernels/internal/reference/softmax.h:
 * - int8 -> int8 / int8 -> int16: reference_ops::Softmax<int8, OutT>, gemmlowp
 *   exp in Q5.26, sum in Q12.19 (wrapping adds), GetReciprocal.
 * - int16 -> int16: reference_ops::SoftmaxInt16 with two 513-entry LUTs (exp on
 *   [-10, 0] and 1/(1+x) on [0, 1]) built in float32 by LUTPopulate<int16_t>.
 * Traps:
 * - int8 output must be exactly scale 1/256, zp -128 (float compare); the
 *   int16 outputs only need to be NEAR 1/65536 (zp -32768) or 1/32768 (zp 0).
 * - int8 prepare is PreprocessSoftmaxScaling in double, capped at 2^31 - 1,
 *   then QuantizeMultiplierGreaterThanOne, which aborts unless the real
 *   multiplier is > 1; diff_min = -floor(31·2^26 / 2^shift).
 * - int8 input: exp depends only on d = x - max in [-255, 0], so prepare
 *   tabulates it (0 where d < diff_min: such elements add nothing to the sum
 *   and output min either way, exactly as the reference's skip branch).
 * - SoftmaxInt16 uses the output row as scratch for the exp values.
 * - the final RoundingDivideByPOT exponent is TFLITE_CHECKed to lie in
 *   [0, 31]; for int8 output that fails when a row's sum of exps reaches 512
 *   (e.g. 512+ equal maxima): TFLM aborts, we throw.
 */
import { InferenceError } from '../../lib/errors.js';
import { INT16_MAX, INT16_MIN, f32, multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierGreaterThanOne, quantizeMultiplier, roundingDivideByPOT, saturatingRoundingDoublingHighMul, tfliteRound } from '../math/fixedpoint.js';
import { expOnNegativeValues, getReciprocal } from '../math/gemmlowp.js';
import type { Kernel, PrepareContext } from './types.js';

/** Q5.26 for the scaled input differences, Q12.19 for the sum of exps (reference softmax.h). */
const SCALED_DIFF_INTEGER_BITS = 5;
const ACCUMULATION_INTEGER_BITS = 12;
const LUT_SIZE = 513;

interface OpData {
  /** 'int8' / 'int16': output element type of the int8-input path; 'int16in': SoftmaxInt16. */
  path: 'int8' | 'int16' | 'int16in';
  input: Int8Array | Int16Array;
  output: Int8Array | Int16Array;
  /** Rows (all dims but the last) and row length (the last dim). */
  outerSize: number;
  depth: number;
  /** int8 input: beta·S_in·2^26 as multiplier + left shift (>= 0); int16 input: QM(S_in·beta/(10/65535)). */
  inputMultiplier: number;
  inputShift: number;
  /** int8 input: differences below this are treated as exp = 0 (output = min). */
  diffMin: number;
  /** int8 input: exp(d) in Q0.31 indexed by -d (0 for d < diff_min), and the same rescaled to Q12.19. */
  expTable: Int32Array;
  expTableQ12: Int32Array;
  /** Out parameter of getReciprocal. */
  bitsOut: Int32Array;
  /** int16 input: exp(x) on [-10, 0] and 1/(1+x) on [0, 1], 513 entries each. */
  expLut: Int16Array;
  oneOverOnePlusXLut: Int16Array;
}

/**
 * TFLite LUTPopulate<int16_t> (common.h, LUTPopulateInt16<float>): 512
 * samples of `transform` over the input range plus the end point, each
 * corrected by half the error of linear interpolation at the segment
 * midpoint. Every operation is float32 (f32 after each step).
 */
function lutPopulateInt16(inputScale: number, inputZeroPoint: number, outputScale: number, outputZeroPoint: number, transform: (v: number) => number, lut: Int16Array): void {
  const inputMin = f32(inputScale * (INT16_MIN - inputZeroPoint));
  const inputMax = f32(inputScale * (INT16_MAX - inputZeroPoint));
  const outputMin = f32(outputScale * (INT16_MIN - outputZeroPoint));
  const outputMax = f32(outputScale * (INT16_MAX - outputZeroPoint));
  const nbSteps = 512;
  const step = f32(f32(inputMax - inputMin) / nbSteps);
  const halfStep = f32(step / 2);
  const outputScalingInv = f32(65536 / f32(outputMax - outputMin));
  const clamp16 = (v: number) => Math.min(Math.max(v, INT16_MIN), INT16_MAX);
  for (let i = 0; i < nbSteps; i++) {
    const x = f32(inputMin + f32(i * step));
    const val = transform(x);
    const valMidpoint = transform(f32(x + halfStep));
    const valNext = transform(f32(inputMin + f32((i + 1) * step)));
    const sampleVal = tfliteRound(f32(val * outputScalingInv));
    const midpointInterpVal = tfliteRound(f32(f32(f32(valNext * outputScalingInv) + sampleVal) / 2));
    const midpointVal = tfliteRound(f32(valMidpoint * outputScalingInv));
    const midpointErr = midpointInterpVal - midpointVal;
    const bias = tfliteRound(f32(midpointErr / 2));
    lut[i] = clamp16(sampleVal - bias);
  }
  lut[nbSteps] = clamp16(tfliteRound(f32(transform(inputMax) * outputScalingInv)));
}

/** std::exp(float) and 1.0f / (1.0f + x), both float32. */
const expF32 = (v: number) => f32(Math.exp(v));
const oneOverOnePlusXF32 = (v: number) => f32(1 / f32(1 + v));

/** TFLite LUTLookup(int16, lut): 9-bit index, 7-bit linear interpolation; slope and result are int16. */
function lutLookup(value: number, lut: Int16Array): number {
  const index = 256 + (value >> 7);
  const base = lut[index]!;
  const slope = ((lut[index + 1]! - base) << 16) >> 16;
  return ((base + ((slope * (value & 0x7f) + 64) >> 7)) << 16) >> 16;
}

/** TF_LITE_ENSURE_NEAR on float params: |a - b| <= eps, evaluated in float32. */
function near(a: number, b: number, eps: number): boolean {
  return Math.abs(f32(a - b)) <= eps;
}

export const softmaxKernel: Kernel<OpData> = {
  ops: ['SOFTMAX'],
  prepare(ctx: PrepareContext) {
    const input = ctx.input(0);
    const output = ctx.output(0);
    if (!input) ctx.unsupported('input 0 is missing');
    if (input.shape.length < 1) ctx.unsupported('input must have at least one dimension');
    if (input.elements !== output.elements) ctx.unsupported(`input [${input.shape.join(', ')}] and output [${output.shape.join(', ')}] differ in size`);
    const inQ = input.quantization;
    const outQ = output.quantization;
    if (!inQ || !outQ) ctx.unsupported(`${input.dtype} -> ${output.dtype} softmax without quantization parameters is not supported`);
    // Without an options table TFLM's parser leaves the value-initialised beta = 0.
    const beta = (ctx.op.options as { beta?: number }).beta ?? 0;
    const sIn = inQ.scale[0]!;
    const zpOut = outQ.zeroPoint[0] ?? 0;
    const sOut = outQ.scale[0]!;
    const depth = input.shape[input.shape.length - 1]!;
    if (output.shape[output.shape.length - 1] !== depth) ctx.unsupported('input and output differ in the last dimension');
    const outerSize = depth === 0 ? 0 : input.elements / depth;

    const common = {
      outerSize,
      depth,
      expTable: new Int32Array(0),
      expTableQ12: new Int32Array(0),
      bitsOut: new Int32Array(1),
      expLut: new Int16Array(0),
      oneOverOnePlusXLut: new Int16Array(0),
      diffMin: 0,
    };

    if (input.dtype === 'int16') {
      if (output.dtype !== 'int16') ctx.unsupported(`int16 input needs an int16 output, got ${output.dtype}`);
      if ((inQ.zeroPoint[0] ?? 0) !== 0) ctx.unsupported(`int16 input zero point must be 0, got ${inQ.zeroPoint[0]}`);
      if (zpOut !== 0) ctx.unsupported(`int16 output zero point must be 0, got ${zpOut}`);
      if (!near(sOut, f32(1 / 32768), f32(0.001 * f32(1 / 32768)))) ctx.unsupported(`int16 output scale must be 1/32768, got ${sOut}`);
      const range = INT16_MAX - INT16_MIN;
      const expLut = new Int16Array(LUT_SIZE);
      const oneOverOnePlusXLut = new Int16Array(LUT_SIZE);
      lutPopulateInt16(f32(10 / range), INT16_MAX, f32(2 / range), 0, expF32, expLut);
      lutPopulateInt16(f32(1 / range), INT16_MIN, f32(2 / range), 0, oneOverOnePlusXF32, oneOverOnePlusXLut);
      // Scale differences so that [-65535, 0] covers [-10, 0]: double math.
      const { multiplier, shift } = quantizeMultiplier((sIn * beta) / (10.0 / 65535.0));
      return {
        ...common,
        path: 'int16in',
        input: ctx.int16(input),
        output: ctx.int16(output),
        inputMultiplier: multiplier,
        inputShift: shift,
        expLut,
        oneOverOnePlusXLut,
      };
    }

    if (input.dtype !== 'int8') ctx.unsupported(`${input.dtype} input is not supported (int8 or int16 only)`);
    if (output.dtype === 'int16') {
      if (zpOut !== -32768) ctx.unsupported(`int8 -> int16 softmax needs output zero point -32768, got ${zpOut}`);
      if (!near(sOut, f32(1 / 65536), f32(0.001 * f32(1 / 65536)))) ctx.unsupported(`int8 -> int16 softmax needs output scale 1/65536, got ${sOut}`);
    } else if (output.dtype === 'int8') {
      if (zpOut !== -128) ctx.unsupported(`int8 softmax needs output zero point -128, got ${zpOut}`);
      if (sOut !== 1 / 256) ctx.unsupported(`int8 softmax needs output scale exactly 1/256, got ${sOut}`);
    } else {
      ctx.unsupported(`int8 input with ${output.dtype} output is not supported`);
    }
    // PreprocessSoftmaxScaling (double build: cap at 2^31 - 1), then QuantizeMultiplierGreaterThanOne.
    const real = Math.min(beta * sIn * 2 ** (31 - SCALED_DIFF_INTEGER_BITS), 2147483647.0);
    if (!(real > 1)) ctx.unsupported(`beta * input scale * 2^26 = ${real} must be > 1 (TFLM aborts in QuantizeMultiplierGreaterThanOne)`);
    const { multiplier, shift } = quantizeMultiplier(real);
    if (shift < 0) ctx.unsupported(`negative input shift ${shift}`);
    // CalculateInputRadius(5, shift, 31), negated.
    const diffMin = -Math.floor((((1 << SCALED_DIFF_INTEGER_BITS) - 1) * 2 ** (31 - SCALED_DIFF_INTEGER_BITS)) / 2 ** shift);
    const expTable = new Int32Array(256);
    const expTableQ12 = new Int32Array(256);
    for (let k = 0; k < 256; k++) {
      const diff = -k;
      if (diff < diffMin) continue;
      // MultiplyByQuantizedMultiplierGreaterThanOne (diff·2^shift fits in int32 because |diff| <= radius), read as Q5.26.
      const e = expOnNegativeValues(multiplyByQuantizedMultiplierGreaterThanOne(diff, multiplier, shift), SCALED_DIFF_INTEGER_BITS);
      expTable[k] = e;
      // Rescale<12>: Q0.31 -> Q12.19.
      expTableQ12[k] = roundingDivideByPOT(e, ACCUMULATION_INTEGER_BITS);
    }
    return {
      ...common,
      path: output.dtype === 'int16' ? 'int16' : 'int8',
      input: ctx.int8(input),
      output: output.dtype === 'int16' ? ctx.int16(output) : ctx.int8(output),
      inputMultiplier: multiplier,
      inputShift: shift,
      diffMin,
      expTable,
      expTableQ12,
    };
  },
  eval(d) {
    if (d.path === 'int16in') evalInt16(d);
    else evalInt8(d);
  },
};

function evalInt8(d: OpData): void {
  const { input, output, outerSize, depth, expTable, expTableQ12, bitsOut } = d;
  const outMin = d.path === 'int16' ? INT16_MIN : -128;
  const outMax = d.path === 'int16' ? INT16_MAX : 127;
  const outBits = d.path === 'int16' ? 16 : 8;
  for (let row = 0, base = 0; row < outerSize; row++, base += depth) {
    let maxInRow = -128;
    for (let c = 0; c < depth; c++) if (input[base + c]! > maxInRow) maxInRow = input[base + c]!;
    // FixedPoint adds wrap.
    let sumOfExps = 0;
    for (let c = 0; c < depth; c++) sumOfExps = (sumOfExps + expTableQ12[maxInRow - input[base + c]!]!) | 0;
    const shiftedScale = getReciprocal(sumOfExps, ACCUMULATION_INTEGER_BITS, bitsOut);
    const exponent = bitsOut[0]! + 31 - outBits;
    if (exponent < 0 || exponent > 31) throw new InferenceError('softmax-overflow', `SOFTMAX: TFLM aborts here (TFLITE_CHECK 0 <= exponent <= 31 failed, exponent ${exponent}): the row's sum of exps is too large for the output type`, 'this input makes TFLM abort too; check the input range or the softmax input quantization');
    for (let c = 0; c < depth; c++) {
      // A skipped element (exp 0) lands on outMin here too.
      const y = roundingDivideByPOT(saturatingRoundingDoublingHighMul(shiftedScale, expTable[maxInRow - input[base + c]!]!), exponent) + outMin;
      output[base + c] = y > outMax ? outMax : y < outMin ? outMin : y;
    }
  }
}

function evalInt16(d: OpData): void {
  const { outerSize, depth, inputMultiplier, inputShift, expLut, oneOverOnePlusXLut } = d;
  const input = d.input as Int16Array;
  const output = d.output as Int16Array;
  for (let row = 0, base = 0; row < outerSize; row++, base += depth) {
    let maxInRow = INT16_MIN;
    for (let c = 0; c < depth; c++) if (input[base + c]! > maxInRow) maxInRow = input[base + c]!;
    // exp of each element (Q0.15) cached in the output row, as the reference does; sum in Q16.15.
    let sumOfExps = 0;
    for (let c = 0; c < depth; c++) {
      const scaled = multiplyByQuantizedMultiplier(input[base + c]! - maxInRow, inputMultiplier, inputShift);
      // Recentre [-65535, 0] to [-32768, 32767], saturating.
      let sym = scaled + 32767;
      sym = sym > INT16_MAX ? INT16_MAX : sym < INT16_MIN ? INT16_MIN : sym;
      const e = lutLookup(sym, expLut);
      output[base + c] = e;
      sumOfExps = (sumOfExps + e) | 0;
    }
    // 1/sum: normalise the sum to Q1.14-ish in 64 bits (positive here), then 1/(1+x) LUT on x = sum - 1.
    const headroomPlusOne = Math.clz32(sumOfExps);
    const shiftedSum = Math.floor((sumOfExps * 2 ** (headroomPlusOne - 1) + (1 << 13)) / 16384);
    let symShiftedSum = shiftedSum - ((1 << 15) + (1 << 16));
    symShiftedSum = symShiftedSum > INT16_MAX ? INT16_MAX : symShiftedSum < INT16_MIN ? INT16_MIN : symShiftedSum;
    const reciprocalQ015 = lutLookup(symShiftedSum, oneOverOnePlusXLut);
    const rightShift = 31 - headroomPlusOne;
    const divisor = 2 ** rightShift;
    const round = 2 ** (rightShift - 1);
    for (let c = 0; c < depth; c++) {
      // |exp · recip| < 2^30: exact in a double; the int64 shift is a floor division.
      const result = Math.floor((output[base + c]! * reciprocalQ015 + round) / divisor) | 0;
      output[base + c] = result < 0 ? 0 : result > INT16_MAX ? INT16_MAX : result;
    }
  }
}
