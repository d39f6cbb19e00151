/**
 * DEPTH_TO_SPACE. Mirrors tensorflow/lite/micro/kernels/depth_to_space.cc
 * (reference_ops::DepthToSpace): the inverse of SPACE_TO_DEPTH; output pixel
 * (y, x) reads input pixel (y / block, x / block) at channel offset
 * ((y % block) * block + x % block) * out_depth. float32 and int8, raw copy;
 * the depth must be a multiple of block². See _depth_space_common.ts.
 */
import type { Kernel } from './types.js';
import { runCopyPlan, type CopyPlan } from './_copy_common.js';
import { prepareDepthSpace } from './_depth_space_common.js';

export const depthToSpaceKernel: Kernel<CopyPlan> = {
  ops: ['DEPTH_TO_SPACE'],
  prepare: (ctx) => prepareDepthSpace(ctx, false),
  eval: runCopyPlan,
};
