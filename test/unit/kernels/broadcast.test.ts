import { describe, it, expect } from 'vitest';
import { planBroadcast, type BroadcastPlan } from '../../../sim/kernels/_broadcast.js';

function plan(a: number[], b: number[], out: number[]): BroadcastPlan {
  const p = planBroadcast(a, b, out);
  if (typeof p === 'string') throw new Error(p);
  return p;
}

/** Expands a plan into the (a index, b index) pair of every output element. */
function pairs(p: BroadcastPlan): [number, number][] {
  const r: [number, number][] = [];
  for (let row = 0; row < p.rows; row++) {
    for (let i = 0; i < p.inner; i++) r.push([p.aOff[row]! + i * p.aStep, p.bOff[row]! + i * p.bStep]);
  }
  return r;
}

describe('planBroadcast', () => {
  it('same shapes: one contiguous row, not a broadcast', () => {
    const p = plan([1, 4, 4, 3], [1, 4, 4, 3], [1, 4, 4, 3]);
    expect([p.rows, p.inner, p.aStep, p.bStep, p.same, p.broadcast]).toEqual([1, 48, 1, 1, true, false]);
  });

  it('shapes equal after padding with leading 1s are not a broadcast (ProcessBroadcastShapes)', () => {
    const p = plan([4], [1, 4], [1, 4]);
    expect([p.rows, p.inner, p.same, p.broadcast]).toEqual([1, 4, true, false]);
  });

  it('per-channel operand: rows of C, the channel vector restarting each row', () => {
    const p = plan([1, 4, 4, 3], [1, 1, 1, 3], [1, 4, 4, 3]);
    expect([p.rows, p.inner, p.aStep, p.bStep, p.same, p.broadcast]).toEqual([16, 3, 1, 1, false, true]);
    expect([...p.aOff]).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39, 42, 45]);
    expect([...p.bOff]).toEqual(new Array(16).fill(0));
  });

  it('scalar operand (rank 1 of size 1, or rank 0): one row with step 0', () => {
    const p = plan([1, 5, 5, 2], [1], [1, 5, 5, 2]);
    expect([p.rows, p.inner, p.aStep, p.bStep]).toEqual([1, 50, 1, 0]);
    const q = plan([], [2, 3], [2, 3]);
    expect([q.rows, q.inner, q.aStep, q.bStep]).toEqual([1, 6, 0, 1]);
    const s = plan([], [], []);
    expect(pairs(s)).toEqual([[0, 0]]);
  });

  it('both operands broadcast on different axes: [2,1,3] x [4,1] -> [2,4,3]', () => {
    // out[i][j][k] pairs a[i][0][k] (index 3i + k) with b[j][0] (index j).
    const p = plan([2, 1, 3], [4, 1], [2, 4, 3]);
    const want: [number, number][] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) want.push([3 * i + k, j]);
    expect(pairs(p)).toEqual(want);
    expect([p.rows, p.inner, p.aStep, p.bStep]).toEqual([8, 3, 1, 0]);
  });

  it('inner broadcast with an outer contiguous run: [3,1] x [3,5] -> [3,5]', () => {
    const p = plan([3, 1], [3, 5], [3, 5]);
    expect([p.rows, p.inner, p.aStep, p.bStep]).toEqual([3, 5, 0, 1]);
    expect([...p.aOff]).toEqual([0, 1, 2]);
    expect([...p.bOff]).toEqual([0, 5, 10]);
  });

  it('5-D shapes fuse adjacent non-broadcast dimensions', () => {
    const p = plan([2, 3, 1, 4, 5], [2, 3, 6, 4, 5], [2, 3, 6, 4, 5]);
    // Innermost 4*5 = 20 contiguous in both; the 6-axis repeats a's block.
    expect([p.rows, p.inner, p.aStep, p.bStep]).toEqual([36, 20, 1, 1]);
    expect([...p.aOff.slice(0, 8)]).toEqual([0, 0, 0, 0, 0, 0, 20, 20]);
    expect([...p.bOff.slice(0, 3)]).toEqual([0, 20, 40]);
  });

  it('refuses shapes that do not broadcast to the output', () => {
    expect(typeof planBroadcast([2, 3], [3, 2], [2, 3])).toBe('string');
    expect(typeof planBroadcast([4], [4], [1])).toBe('string');
  });

  it('an empty output gives no rows', () => {
    const p = plan([0, 3], [1, 3], [0, 3]);
    expect(p.rows * p.inner).toBe(0);
  });
});
