import { describe, expect, it } from 'vitest';
import { findOverlap, planMemory } from '../../sim/plan/planner.js';
import type { Operator, Subgraph, Tensor } from '../../sim/ir/types.js';
import { listGoldenCases, requireGolden } from '../golden/cases.js';
import { loadModel } from '../../lib/load.js';

function tensor(index: number, bytes: number, extra: Partial<Tensor> = {}): Tensor {
  return { index, name: `t${index}`, shape: [bytes], shapeSignature: null, dtype: 'int8', quantization: null, buffer: 0, data: null, isVariable: false, elements: bytes, bytes, sparse: false, ...extra };
}
function op(index: number, name: string, inputs: number[], outputs: number[]): Operator {
  return { index, op: name, builtinCode: 0, customCode: null, version: 1, inputs, outputs, intermediates: [], optionsKind: 'Empty', options: {}, customOptions: null };
}
function graph(tensors: Tensor[], ops: Operator[], inputs: number[], outputs: number[]): Subgraph {
  return { index: 0, name: '', tensors, operators: ops, inputs, outputs };
}

/** A chain t0 -op0-> t1 -op1-> ... with the given sizes. */
function chain(sizes: number[], opName = 'CONV_2D'): Subgraph {
  const ts = sizes.map((s, i) => tensor(i, s));
  const ops = sizes.slice(1).map((_, k) => op(k, opName, [k], [k + 1]));
  return graph(ts, ops, [0], [sizes.length - 1]);
}

let seed = 12345;
const rnd = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};

describe('native memory planner', () => {
  it("pins offsets on a small chain", () => {
    const plan = planMemory(chain([96, 32, 64, 16]), { alignment: 16 });
    // Pair sums: 128, 96, 80 -> optimal arena 128.
    expect(plan.arenaBytes).toBe(128);
    expect(plan.lowerBound).toBe(128);
    expect(findOverlap(plan)).toBeNull();
    const off = [...plan.tensorOffsets.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    expect(off).toEqual([0, 96, 0, 64]);
  });

  it('is optimal (= lower bound) and overlap-free on random chains', () => {
    for (let trial = 0; trial < 300; trial++) {
      const len = 2 + rnd(12);
      const sizes = Array.from({ length: len }, () => 8 * (1 + rnd(200)));
      const plan = planMemory(chain(sizes), { alignment: 8, inPlace: false });
      expect(findOverlap(plan)).toBeNull();
      let best = 0;
      for (let i = 0; i + 1 < sizes.length; i++) best = Math.max(best, sizes[i]! + sizes[i + 1]!);
      expect(plan.arenaBytes, `sizes ${sizes}`).toBe(best);
    }
  });

  it('aliases reshapes and runs element-wise ops in place', () => {
    // t0 -CONV-> t1 -RESHAPE-> t2 -LOGISTIC-> t3
    const g = graph([tensor(0, 64), tensor(1, 256), tensor(2, 256), tensor(3, 256)], [op(0, 'CONV_2D', [0], [1]), op(1, 'RESHAPE', [1], [2]), op(2, 'LOGISTIC', [2], [3])], [0], [3]);
    const plan = planMemory(g, { alignment: 8 });
    expect(plan.tensorOffsets.get(1)).toBe(plan.tensorOffsets.get(2));
    expect(plan.tensorOffsets.get(2)).toBe(plan.tensorOffsets.get(3));
    expect(plan.arenaBytes).toBe(320);
    const noAlias = planMemory(g, { alignment: 8, aliasReshape: false, inPlace: false });
    expect(noAlias.arenaBytes).toBe(512);
  });

  it('never writes in place over a graph input or a tensor still needed later', () => {
    // residual: t0 (input) -> CONV -> t1; ADD(t0, t1) -> t2; MUL(t1, t2) -> t3
    const g = graph([tensor(0, 100), tensor(1, 100), tensor(2, 100), tensor(3, 100)], [op(0, 'CONV_2D', [0], [1]), op(1, 'ADD', [0, 1], [2]), op(2, 'MUL', [1, 2], [3])], [0], [3]);
    const plan = planMemory(g, { alignment: 4 });
    expect(findOverlap(plan)).toBeNull();
    expect(plan.tensorOffsets.get(2)).not.toBe(plan.tensorOffsets.get(0)); // graph input stays intact
    expect(plan.tensorOffsets.get(2)).not.toBe(plan.tensorOffsets.get(1)); // t1 is used again by MUL
  });

  it('places scratch buffers only during their op', () => {
    const plan = planMemory(chain([100, 100, 100]), { alignment: 4, scratch: [{ opIndex: 0, bytes: 40 }] });
    expect(findOverlap(plan)).toBeNull();
    expect(plan.arenaBytes).toBe(240);
  });
});

const have = requireGolden();
describe.runIf(have)('native planner on the golden real models', () => {
  it('never overlaps and never needs more than TFLM\'s planned head', async () => {
    for (const c of listGoldenCases().filter((x) => x.group === 'model')) {
      const model = await loadModel(c.modelPath);
      const plan = planMemory(model.subgraphs[0]!, { alignment: 16 });
      expect(findOverlap(plan), c.name).toBeNull();
      expect(plan.arenaBytes, c.name).toBeGreaterThanOrEqual(plan.lowerBound);
      expect(plan.arenaBytes, c.name).toBeLessThanOrEqual(c.meta.arena_used_bytes);
    }
  });
});
