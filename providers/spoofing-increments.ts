import { AssertionError } from '../core/assert.ts';
import { upperBound } from '../core/search.ts';

// The exact rolling quantile of spoofing's level increments (the last `cap` positive size
// changes), as plain typed arrays (they snapshot with structuredClone). Only max(floor, P99)
// with floor >= `cut` is ever asked for, so values below the cut (over 95 % of a day's
// ~5.7 million increments) are only counted: a push of one is a ring write and two compares.
// The values at or above the cut (a few hundred of the 10,000) are kept in one sorted
// Float64Array: an update is a binary search and a memmove of contiguous memory, a few cache
// lines, where the block arrays of rolling-quantile.ts chased one heap object per probe.
// Of the low values a type-7 quantile can only need the largest, and only when its rank falls
// exactly on it (for the P99, when just ~1 % of the window is at or above the cut; the bench
// day holds ~4 %). It is then found by scanning the ring, not kept in a monotonic deque (its
// pops cost more per push than everything else here, while the bench day never once needed its
// answer). A lower rank answers -Infinity, "some value below the cut"; the test compares every
// answer with a sorted copy of the window (test/providers/spoofing-increments.test.ts).

export interface IncrementWindow {
  cap: number;
  /** Values below this are counted, not sorted. */
  cut: number;
  size: number;
  /** Arrival order: the next slot to write, which holds the oldest value once the window is full. */
  head: number;
  ring: Float64Array;
  lowCount: number;
  /** The values at or above `cut`, ascending, in [0, highN). */
  high: Float64Array;
  highN: number;
}

/** Returns an empty window of `cap` values that sorts only the values at or above `cut`. */
export function incNew(cap: number, cut: number): IncrementWindow {
  if (!(Number.isInteger(cap) && cap >= 1)) throw new AssertionError(`increment window cap must be a positive integer, was ${cap}`);
  if (!Number.isFinite(cut)) throw new AssertionError(`increment window cut must be finite, was ${cut}`);
  return {
    cap, cut, size: 0, head: 0, ring: new Float64Array(cap), lowCount: 0, high: new Float64Array(cap), highN: 0,
  };
}

/** Adds `x`, evicting the oldest value when the window is full. */
export function incPush(w: IncrementWindow, x: number): void {
  if (!Number.isFinite(x)) throw new AssertionError(`increment must be finite, was ${x}`);
  const cut = w.cut;
  const ring = w.ring;
  const head = w.head;
  if (w.size === w.cap) {
    const old = ring[head];
    // A low value replacing a low value (the common case) leaves every count as it is.
    if (old < cut) {
      if (x >= cut) {
        w.lowCount--;
        insertHigh(w, x);
      }
    } else {
      removeHigh(w, old);
      if (x < cut) w.lowCount++;
      else insertHigh(w, x);
    }
  } else {
    w.size++;
    if (x < cut) w.lowCount++;
    else insertHigh(w, x);
  }
  ring[head] = x;
  w.head = head + 1 === w.cap ? 0 : head + 1;
}

/**
 * Returns the k-th smallest value (0-based). Below the cut only the largest low value is
 * known: smaller ranks return -Infinity, which stands for "some value below the cut".
 */
function kth(w: IncrementWindow, k: number): number {
  const low = w.lowCount;
  if (k < low) return k === low - 1 ? lowMax(w) : -Infinity;
  return w.high[k - low];
}

/**
 * Returns the type-7 quantile `q` in [0, 1] of the window (R's default), NaN when it is empty,
 * or -Infinity when it lies below the cut by more than the largest low value, so that
 * max(floor, Q) is exact for any floor >= cut. Same arithmetic as rolling-quantile.ts.
 */
export function incQuantile(w: IncrementWindow, q: number): number {
  const n = w.size;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const xlo = kth(w, lo);
  // rolling-quantile.ts also returns -Infinity here; it just looked xhi up first.
  if (lo + 1 >= n || h === lo || xlo === -Infinity) return xlo;
  return xlo + (h - lo) * (kth(w, lo + 1) - xlo);
}

/** Returns the share of the window's values that are <= x (SPEC §0.5 pct_rank), NaN when empty; x >= cut. */
export function incPctRank(w: IncrementWindow, x: number): number {
  if (!(x >= w.cut)) throw new AssertionError(`count below the cut ${w.cut} is not kept, was asked for ${x}`);
  return w.size === 0 ? NaN : (w.lowCount + upperBound(w.high, w.highN, x)) / w.size;
}

/** Returns the sorted values at or above the cut, ascending; a copy (tests read it). */
export function incSorted(w: IncrementWindow): number[] {
  return Array.from(w.high.subarray(0, w.highN));
}

/** The largest value below the cut in the window (-Infinity when there is none). */
function lowMax(w: IncrementWindow): number {
  const ring = w.ring;
  const cut = w.cut;
  // In arrival order (oldest at `head` once the window is full, at 0 before), and `>=` so the
  // latest of equal values wins, as in the deque it replaces: that tells -0 from 0.
  const n = w.size;
  const from = n === w.cap ? w.head : 0;
  let best = -Infinity;
  for (let j = from; j < n; j++) {
    const x = ring[j];
    if (x < cut && x >= best) best = x;
  }
  for (let j = 0; j < from; j++) {
    const x = ring[j];
    if (x < cut && x >= best) best = x;
  }
  return best;
}

function insertHigh(w: IncrementWindow, x: number): void {
  const a = w.high;
  const n = w.highN;
  const j = upperBound(a, n, x);
  if (j < n) a.copyWithin(j + 1, j, n);
  a[j] = x;
  w.highN = n + 1;
}

function removeHigh(w: IncrementWindow, x: number): void {
  const a = w.high;
  const n = w.highN;
  const j = upperBound(a, n, x) - 1;
  if (j < 0 || a[j] !== x) throw new AssertionError(`increment window lost the expiring value ${x}`);
  if (j < n - 1) a.copyWithin(j, j + 1, n);
  w.highN = n - 1;
}
