/** Registry of native-engine op emitters: operator name -> emitter. One import per file. */
import type { OpEmitter } from '../types.js';
import { reshapeEmitter } from './reshape.js';

const EMITTERS: readonly OpEmitter[] = [
  reshapeEmitter,
];

const BY_OP = new Map<string, OpEmitter>();
for (const e of EMITTERS) for (const op of e.ops) BY_OP.set(op, e);

export function emitterFor(op: string): OpEmitter | undefined {
  return BY_OP.get(op);
}

export function nativeOps(): string[] {
  return [...BY_OP.keys()].sort();
}
