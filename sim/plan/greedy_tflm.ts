/**
 * TFLM's greedy memory planner, replayed byte for byte
 * (tensorflow/lite/micro/memory_planner/greedy_memory_planner.cc at the
 * TFLM commit the golden data was made with).
 *
 * Input: buffers in the order TFLM adds them (see sim/estimate/tflm_arena.ts:
 * tensors in subgraph/tensor-index order, then scratch buffers in request
 * order). Each buffer has a size (already rounded up to 16 by the caller, as
 * TFLM's CreatePlan does), an inclusive lifetime [first, last] in "allocation
 * scope" units, and optionally a fixed offline offset.
 *
 * Algorithm:
 * 1. Ordering. Offline buffers keep their add order and come first. Online
 *    buffers are written into the tail of the sort array from the back, so
 *    the array starts as the online buffers in REVERSE add order. That array
 *    is then bubble-sorted by size, descending, swapping only when the left
 *    size is strictly smaller: the sort is stable, so among equal sizes the
 *    later-added buffer comes first.
 * 2. Placement. The first buffer of the sorted order goes at offset 0 (or its
 *    offline offset). Each next buffer walks the already placed buffers in
 *    ascending offset order (a linked list; a new entry is inserted after all
 *    entries whose offset is <= its own, i.e. ties go behind), considering only
 *    those whose lifetime overlaps its own (inclusive on both ends). A running
 *    candidate offset starts at 0; before looking at the next overlapping
 *    buffer it is raised to the end (offset + size) of the previous overlapping
 *    buffer if that end is larger. The buffer is placed at the candidate as
 *    soon as the gap up to the next overlapping buffer's offset is >= its
 *    size, or when no overlapping buffer is left.
 * 3. The plan size is max(offset + size) over all buffers (0 when there are
 *    none).
 *
 * The planner itself needs PLANNER_BYTES_PER_BUFFER bytes of arena per buffer
 * while it runs (BufferRequirements 16 + two int arrays + ListEntry 12 + an
 * offsets int), the same on every ABI.
 */

/** Bytes of planner scratch per buffer: sizeof(BufferRequirements) + 4 + 4 + sizeof(ListEntry) + 4. */
export const PLANNER_BYTES_PER_BUFFER = 40;

export interface PlannerBuffer {
  /** Bytes; TFLM adds buffers already rounded up to the arena alignment (16). */
  readonly size: number;
  /** First allocation scope in which the buffer is live (inclusive). */
  readonly first: number;
  /** Last allocation scope in which the buffer is live (inclusive). */
  readonly last: number;
  /** Fixed offset from an offline plan; undefined (or -1) means the planner chooses. */
  readonly offlineOffset?: number;
}

export interface GreedyPlan {
  /** Offset of each buffer, in the order the buffers were given. */
  readonly offsets: number[];
  /** Bytes the plan needs: max(offset + size). */
  readonly size: number;
  /** The order in which buffers were placed (indices into the input). */
  readonly placementOrder: number[];
}

/** Whether two inclusive lifetimes overlap, exactly as DoesEntryOverlapInTime. */
export function lifetimesOverlap(a: { first: number; last: number }, b: { first: number; last: number }): boolean {
  return !(a.first > b.last || b.first > a.last);
}

export function planGreedyTflm(buffers: readonly PlannerBuffer[]): GreedyPlan {
  const n = buffers.length;
  const offsets = new Array<number>(n).fill(-1);
  if (n === 0) return { offsets, size: 0, placementOrder: [] };
  const isOffline = (b: PlannerBuffer) => b.offlineOffset !== undefined && b.offlineOffset !== -1;

  // 1. Sort order: offline buffers from the head in add order, online buffers
  // from the tail (so reversed), then a stable descending bubble sort of the
  // online part.
  const sizes = new Array<number>(n);
  const ids = new Array<number>(n);
  let fromTail = n;
  let fromHead = 0;
  for (let i = 0; i < n; i++) {
    const b = buffers[i]!;
    if (!isOffline(b)) {
      fromTail--;
      sizes[fromTail] = b.size;
      ids[fromTail] = i;
    } else {
      sizes[fromHead] = b.size;
      ids[fromHead] = i;
      offsets[i] = b.offlineOffset!;
      fromHead++;
    }
  }
  let swapped: boolean;
  do {
    swapped = false;
    for (let i = fromHead + 1; i < n; i++) {
      if (sizes[i - 1]! < sizes[i]!) {
        [sizes[i - 1], sizes[i]] = [sizes[i]!, sizes[i - 1]!];
        [ids[i - 1], ids[i]] = [ids[i]!, ids[i - 1]!];
        swapped = true;
      }
    }
  } while (swapped);

  // 2. Placement, with the placed buffers kept in a list sorted by offset.
  interface Entry { offset: number; id: number; next: Entry | null }
  const firstId = ids[0]!;
  if (!isOffline(buffers[firstId]!)) offsets[firstId] = 0;
  let head: Entry = { offset: offsets[firstId]!, id: firstId, next: null };

  const nextOverlapping = (start: Entry | null, want: PlannerBuffer): Entry | null => {
    let e: Entry | null = start === null ? head : start.next;
    while (e !== null) {
      if (lifetimesOverlap(buffers[e.id]!, want)) return e;
      e = e.next;
    }
    return null;
  };

  for (let i = 1; i < n; i++) {
    const id = ids[i]!;
    const want = buffers[id]!;
    let candidate = 0;
    if (!isOffline(want)) {
      let prior: Entry | null = null;
      for (;;) {
        const next = nextOverlapping(prior, want);
        if (prior !== null) {
          const priorEnd = prior.offset + buffers[prior.id]!.size;
          if (priorEnd > candidate) candidate = priorEnd;
        }
        if (next === null) break;
        if (next.offset - candidate >= want.size) break;
        prior = next;
      }
    } else {
      candidate = want.offlineOffset!;
    }
    offsets[id] = candidate;
    const entry: Entry = { offset: candidate, id, next: null };
    if (head.offset > candidate) {
      entry.next = head;
      head = entry;
    } else {
      let cur = head;
      while (cur.next !== null && cur.next.offset <= candidate) cur = cur.next;
      entry.next = cur.next;
      cur.next = entry;
    }
  }

  let size = 0;
  for (let i = 0; i < n; i++) size = Math.max(size, offsets[i]! + buffers[i]!.size);
  return { offsets, size, placementOrder: ids };
}
