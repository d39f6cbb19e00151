/**
 * RESHAPE / SQUEEZE / EXPAND_DIMS: the planner aliases output and input, so
 * nothing runs; when they were not aliased (e.g. a graph input reshaped into a
 * graph output), the bytes are copied.
 */
import type { OpEmitter } from '../types.js';

export const reshapeEmitter: OpEmitter = {
  ops: ['RESHAPE', 'SQUEEZE', 'EXPAND_DIMS'],
  emit(ctx) {
    const input = ctx.input(0);
    const output = ctx.output(0);
    if (!input) return ctx.unsupported('input 0 is missing');
    const src = ctx.ptr(input.index, 'uint8_t');
    const dst = ctx.ptr(output.index, 'uint8_t');
    if (src === dst) return `// aliased with its input: nothing to do`;
    ctx.kernel('copy');
    return `tf_copy_bytes(${dst}, ${src}, ${output.bytes});`;
  },
};
