/**
 * SPACE_TO_DEPTH. Mirrors tensorflow/lite/micro/kernels/space_to_depth.cc
 * (reference_ops::SpaceToDepth): each block x block patch of pixels becomes
 * one pixel with block² times the channels, patch pixel (dy, dx) at channel
 * offset (dy * block + dx) * in_depth. float32 and int8, raw copy; H and W
 * must be multiples of the block size. See _depth_space_common.ts.
 */
import type { Kernel } from './types.js';
import { runCopyPlan, type CopyPlan } from './_copy_common.js';
import { prepareDepthSpace } from './_depth_space_common.js';

export const spaceToDepthKernel: Kernel<CopyPlan> = {
  ops: ['SPACE_TO_DEPTH'],
  prepare: (ctx) => prepareDepthSpace(ctx, true),
  eval: runCopyPlan,
};
