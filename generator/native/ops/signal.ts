/**
 * TFLM signal-library custom ops (CUSTOM:Signal*) -> kernels/signal_ops.h,
 * signal_rfft.h. Options, shapes and precomputed tables (kissfft plan and
 * twiddles, log correction table) come from the simulator's prepare
 * (sim/kernels/signal/*.ts, sim/math/kissfft_int16.ts, signal_math.ts).
 * SignalFilterBankSpectralSubtraction keeps its noise estimate in a
 * persistent state array that tf_reset() zeroes, like TFLM's Reset.
 * uint64 tensors (filter bank output) are addressed as uint64_t in the arena.
 */
import { signalEnergyKernel } from '../../../sim/kernels/signal/energy.js';
import { signalFftAutoScaleKernel } from '../../../sim/kernels/signal/fft_auto_scale.js';
import { signalFilterBankKernel } from '../../../sim/kernels/signal/filter_bank.js';
import { signalFilterBankLogKernel } from '../../../sim/kernels/signal/filter_bank_log.js';
import { signalFilterBankSpectralSubtractionKernel } from '../../../sim/kernels/signal/filter_bank_spectral_subtraction.js';
import { signalFilterBankSquareRootKernel } from '../../../sim/kernels/signal/filter_bank_square_root.js';
import { signalPcanKernel } from '../../../sim/kernels/signal/pcan.js';
import { signalRfftKernel } from '../../../sim/kernels/signal/rfft.js';
import { signalWindowKernel } from '../../../sim/kernels/signal/window.js';
import { LOG_LUT } from '../../../sim/math/signal_math.js';
import type { EmitContext, OpEmitter } from '../types.js';
import { targs } from './_sim_prepare.js';
import { simPrepare } from './_sim_prepare.js';

const u32 = (v: number) => `${v >>> 0}u`;
const in0 = (ctx: EmitContext, i: number) => ctx.input(i)!.index;
/** A uint64 tensor's data pointer (the CType set has no uint64). */
const u64 = (ctx: EmitContext, ti: number, constant = false) => `((${constant ? 'const ' : ''}uint64_t*)(${constant ? 'const ' : ''}void*)${ctx.ptr(ti, 'uint8_t')})`;

const EMIT: Record<string, (ctx: EmitContext) => string> = {
  'CUSTOM:SignalWindow': (ctx) => {
    const d = simPrepare(ctx, signalWindowKernel);
    return `tf_signal_window<${targs([d.input.length, d.weights.length, d.shift])}>(${ctx.ptr(in0(ctx, 0), 'int16_t')}, ${ctx.ptr(in0(ctx, 1), 'int16_t')}, ${ctx.ptr(ctx.output(0).index, 'int16_t')});`;
  },
  'CUSTOM:SignalFftAutoScale': (ctx) => {
    const d = simPrepare(ctx, signalFftAutoScaleKernel);
    return `tf_signal_fft_auto_scale<${d.output.length}>(${ctx.ptr(in0(ctx, 0), 'int16_t')}, ${ctx.ptr(ctx.output(0).index, 'int16_t')}, ${ctx.ptr(ctx.output(1).index, 'int32_t')});`;
  },
  'CUSTOM:SignalRfft': (ctx) => {
    const d = simPrepare(ctx, signalRfftKernel);
    const p = d.plan;
    ctx.kernel('signal_rfft');
    const stages = ctx.constant('stages', 'int32_t', p.stages.flatMap((s) => [s.p, s.m, s.fstride]));
    const perm = ctx.constant('perm', 'int32_t', p.perm);
    const twr = ctx.constant('twr', 'int16_t', p.twr);
    const twi = ctx.constant('twi', 'int16_t', p.twi);
    const stwr = p.stwr.length ? ctx.constant('stwr', 'int16_t', p.stwr) : '(const int16_t*)0';
    const stwi = p.stwi.length ? ctx.constant('stwi', 'int16_t', p.stwi) : '(const int16_t*)0';
    const t = targs([p.fftLength, d.inputLength, d.rows, p.stages.length]);
    return `tf_signal_rfft<${t}>(${ctx.ptr(in0(ctx, 0), 'int16_t')}, ${ctx.ptr(ctx.output(0).index, 'int16_t')}, ${stages}, ${perm}, ${twr}, ${twi}, ${stwr}, ${stwi}, ${ctx.scratch('int16_t')});`;
  },
  'CUSTOM:SignalEnergy': (ctx) => {
    const d = simPrepare(ctx, signalEnergyKernel);
    return `tf_signal_energy<${targs([d.output.length, d.start, d.end])}>(${ctx.ptr(in0(ctx, 0), 'int16_t')}, ${ctx.ptr(ctx.output(0).index, 'uint32_t')});`;
  },
  'CUSTOM:SignalFilterBank': (ctx) => {
    const d = simPrepare(ctx, signalFilterBankKernel);
    const p = (i: number) => ctx.ptr(in0(ctx, i), 'int16_t');
    return `tf_signal_filter_bank<${targs([d.numChannels, d.outChannels])}>(${ctx.ptr(in0(ctx, 0), 'uint32_t')}, ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${u64(ctx, ctx.output(0).index)});`;
  },
  'CUSTOM:SignalFilterBankSquareRoot': (ctx) => {
    const d = simPrepare(ctx, signalFilterBankSquareRootKernel);
    const input = ctx.input(0)!;
    return `tf_signal_filter_bank_sqrt<${d.channels}>(${u64(ctx, input.index, input.data !== null)}, ${ctx.ptr(in0(ctx, 1), 'int32_t')}, ${ctx.ptr(ctx.output(0).index, 'uint32_t')});`;
  },
  'CUSTOM:SignalFilterBankSpectralSubtraction': (ctx) => {
    const d = simPrepare(ctx, signalFilterBankSpectralSubtractionKernel);
    const n = d.noise.length;
    const noise = ctx.state('noise_estimate', 'uint32_t', n);
    const t = [
      String(n), u32(d.smoothing), u32(d.oneMinusSmoothing), u32(d.altSmoothing), u32(d.altOneMinusSmoothing), u32(d.minSignalRemaining),
      String(d.smoothingBits), String(d.spectralBits), d.clamping ? '1' : '0',
    ].join(', ');
    return `tf_signal_spectral_subtraction<${t}>(${ctx.ptr(in0(ctx, 0), 'uint32_t')}, ${ctx.ptr(ctx.output(0).index, 'uint32_t')}, ${ctx.ptr(ctx.output(1).index, 'uint32_t')}, ${noise});`;
  },
  'CUSTOM:SignalPCAN': (ctx) => {
    const d = simPrepare(ctx, signalPcanKernel);
    return `tf_signal_pcan<${targs([d.input.length, d.snrShift])}>(${ctx.ptr(in0(ctx, 0), 'uint32_t')}, ${ctx.ptr(in0(ctx, 1), 'uint32_t')}, ${ctx.ptr(in0(ctx, 2), 'int16_t')}, ${ctx.ptr(ctx.output(0).index, 'uint32_t')});`;
  },
  'CUSTOM:SignalFilterBankLog': (ctx) => {
    const d = simPrepare(ctx, signalFilterBankLogKernel);
    const lut = ctx.constant('log_lut', 'uint16_t', LOG_LUT);
    return `tf_signal_filter_bank_log<${d.input.length}, ${d.correctionBits}, ${u32(d.outputScale)}>(${ctx.ptr(in0(ctx, 0), 'uint32_t')}, ${ctx.ptr(ctx.output(0).index, 'int16_t')}, ${lut});`;
  },
};

export const signalEmitter: OpEmitter = {
  ops: Object.keys(EMIT),
  scratchBytes(sg, op) {
    if (op.op !== 'CUSTOM:SignalRfft') return 0;
    const out = sg.tensors[op.outputs[0]!];
    // 2 * (fft_length / 2) int16 for the complex work buffer; fft_length = output row - 2.
    return out && out.shape.length >= 1 ? 2 * (out.shape[out.shape.length - 1]! - 2) : 0;
  },
  emit(ctx) {
    ctx.kernel('signal_math');
    ctx.kernel('signal_ops');
    return EMIT[ctx.op.op]!(ctx);
  },
};
