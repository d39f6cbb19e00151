/**
 * AVERAGE_POOL_2D, int8 and int16. Mirrors tensorflow/lite/micro/kernels/pooling.cc
 * (AverageEval) -> reference_integer_ops::AveragePool.
 *
 * Traps:
 * - The RAW stored values are summed (no zero point is subtracted: input and
 *   output share it) over the taps inside the image only; padding taps do not
 *   count in n.
 * - avg = sum > 0 ? (sum + n/2) / n : (sum - n/2) / n with C truncating
 *   division (n/2 truncated too), i.e. ties away from zero; then the
 *   activation clamp.
 * Prepare (quantization checks, padding, activation range) is in _pool_common.ts.
 */
import type { Kernel } from './types.js';
import { preparePool, type PoolData } from './_pool_common.js';

export const averagePool2dKernel: Kernel<PoolData> = {
  ops: ['AVERAGE_POOL_2D'],
  prepare: preparePool,
  eval(d) {
    const { input, output, batches, inH, inW, depth, outH, outW, strideH, strideW, filterH, filterW, padH, padW, actMin, actMax, acc } = d;
    const rowStride = inW * depth;
    let o = 0;
    for (let b = 0; b < batches; b++) {
      const batchBase = b * inH * rowStride;
      for (let oy = 0; oy < outH; oy++) {
        const y0 = oy * strideH - padH;
        const fy0 = y0 < 0 ? -y0 : 0;
        const fy1 = Math.min(filterH, inH - y0);
        for (let ox = 0; ox < outW; ox++) {
          const x0 = ox * strideW - padW;
          const fx0 = x0 < 0 ? -x0 : 0;
          const fx1 = Math.min(filterW, inW - x0);
          acc.fill(0);
          for (let fy = fy0; fy < fy1; fy++) {
            const rowBase = batchBase + (y0 + fy) * rowStride;
            for (let fx = fx0; fx < fx1; fx++) {
              const base = rowBase + (x0 + fx) * depth;
              for (let c = 0; c < depth; c++) acc[c] = (acc[c]! + input[base + c]!) | 0;
            }
          }
          const n = (fy1 - fy0) * (fx1 - fx0);
          const half = n >> 1;
          for (let c = 0; c < depth; c++) {
            const s = acc[c]!;
            // `| 0` truncates toward zero like C's int division (|s| < 2^31, exact quotient in a double).
            let v = s > 0 ? ((s + half) / n) | 0 : ((s - half) / n) | 0;
            if (v < actMin) v = actMin;
            else if (v > actMax) v = actMax;
            output[o++] = v;
          }
        }
      }
    }
  },
};
