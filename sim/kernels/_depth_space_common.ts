/**
 * Shared Prepare for SPACE_TO_DEPTH and DEPTH_TO_SPACE (tensorflow/lite/micro/
 * kernels/space_to_depth.cc, depth_to_space.cc, reference *_to_*.h): 4-D NHWC
 * float32 or int8 tensors, raw moves of channel runs between a block of
 * pixels and the channel axis. Channel index inside a block pixel (dy, dx) is
 * (dy * block + dx) * small_depth + d.
 */
import type { PrepareContext } from './types.js';
import { expectShape, planFromMap, wordView, type CopyPlan } from './_copy_common.js';

export function prepareDepthSpace(ctx: PrepareContext, toDepth: boolean): CopyPlan {
  const input = ctx.input(0);
  const output = ctx.output(0);
  if (!input) ctx.unsupported('input 0 is missing');
  if (input.dtype !== 'float32' && input.dtype !== 'int8') ctx.unsupported(`${input.dtype} input is not supported (TFLM handles float32 and int8)`);
  if (output.dtype !== input.dtype) ctx.unsupported(`output type ${output.dtype} differs from input type ${input.dtype}`);
  if (input.shape.length !== 4) ctx.unsupported(`input rank ${input.shape.length} (must be 4-D NHWC)`);
  const bs = (ctx.op.options as { blockSize: number }).blockSize;
  if (!(bs > 0)) ctx.unsupported(`block size ${bs} must be positive`);
  const [n, h, w, c] = input.shape as [number, number, number, number];
  let outShape: number[];
  if (toDepth) {
    if (h % bs !== 0 || w % bs !== 0) ctx.unsupported(`input ${h}x${w} is not divisible by block size ${bs}`);
    outShape = [n, h / bs, w / bs, c * bs * bs];
  } else {
    if (c % (bs * bs) !== 0) ctx.unsupported(`input depth ${c} is not divisible by block size² ${bs * bs}`);
    outShape = [n, h * bs, w * bs, c / (bs * bs)];
  }
  expectShape(ctx, output, outShape);
  const [, oh, ow, od] = outShape as [number, number, number, number];
  const map = new Int32Array(output.elements);
  let e = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        for (let d = 0; d < od; d++) {
          let iy: number, ix: number, id: number;
          if (toDepth) {
            const k = Math.floor(d / c);
            id = d - k * c;
            iy = y * bs + Math.floor(k / bs);
            ix = x * bs + (k % bs);
          } else {
            id = d + ((y % bs) * bs + (x % bs)) * od;
            iy = Math.floor(y / bs);
            ix = Math.floor(x / bs);
          }
          map[e++] = ((b * h + iy) * w + ix) * c + id;
        }
      }
    }
  }
  return planFromMap(wordView(ctx, input), wordView(ctx, output), map);
}
