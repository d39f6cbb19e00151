/**
 * MAX_POOL_2D, int8 and int16. Mirrors tensorflow/lite/micro/kernels/pooling.cc
 * (MaxEval) -> reference_integer_ops::MaxPool.
 *
 * Traps:
 * - The max over the taps inside the image only (padding never wins), starting
 *   from the type's lowest value, then the activation clamp. Raw values, no
 *   requantization (input and output share scale and zero point).
 * Prepare (quantization checks, padding, activation range) is in _pool_common.ts.
 */
import type { Kernel } from './types.js';
import { preparePool, type PoolData } from './_pool_common.js';

export const maxPool2dKernel: Kernel<PoolData> = {
  ops: ['MAX_POOL_2D'],
  prepare: preparePool,
  eval(d) {
    const { input, output, batches, inH, inW, depth, outH, outW, strideH, strideW, filterH, filterW, padH, padW, actMin, actMax, acc } = d;
    const lowest = input instanceof Int8Array ? -128 : -32768;
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
          acc.fill(lowest);
          for (let fy = fy0; fy < fy1; fy++) {
            const rowBase = batchBase + (y0 + fy) * rowStride;
            for (let fx = fx0; fx < fx1; fx++) {
              const base = rowBase + (x0 + fx) * depth;
              for (let c = 0; c < depth; c++) {
                const v = input[base + c]!;
                if (v > acc[c]!) acc[c] = v;
              }
            }
          }
          for (let c = 0; c < depth; c++) {
            let v = acc[c]!;
            if (v < actMin) v = actMin;
            else if (v > actMax) v = actMax;
            output[o++] = v;
          }
        }
      }
    }
  },
};
