import { AssertionError, assert } from '../core/assert.ts';
import { lowerBound, upperBound } from '../core/search.ts';
import { insertSorted, removeSorted } from './sorted-blocks.ts';

// An exact rolling quantile over the last `cap` values, as plain data (it snapshots with
// structuredClone). The window's values are kept sorted, split into consecutive sorted blocks
// (concatenated, they are the sorted window), and a ring holds arrival order so the expiring
// value is found and removed by binary search. One flat sorted array costs a memmove of the
// whole window per update (~1 µs at 10,000 values); blocks of about 2*sqrt(cap) values make an
// update O(sqrt(cap)) without allocation, except when a block splits or merges.
//
// Optional `band` (a share of the window, e.g. 0.01): only the values in a band around the
// ranks last asked for are sorted; those below and above it are only counted. A read outside
// the band (or of a band grown far past its size) rebuilds it from the ring by one sort, so
// every answer stays exact. For one quantile of a large window (hidden liquidity's P95 of
// 172,800 samples) a push is then a ring write and two compares instead of a block update,
// whose probes miss the cache in replay; on the bench day the band is built once, at the first
// read, and never rebuilt.
//
// Quantiles follow R's default type 7 (numpy's 'linear'): h = (n-1)q,
// Q = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).

export interface RollingQuantile {
  cap: number;
  /** Largest block length before a split; blocks below a quarter of it merge with a neighbour. */
  blockMax: number;
  ring: Float64Array;
  head: number;
  size: number;
  /** Non-empty sorted blocks; every value of block i is <= every value of block i+1. */
  blocks: number[][];
  /** Values below this are counted, not sorted (a band's lower edge; -Infinity without one). */
  lowCut: number;
  lowCount: number;
  /** Values above this are counted, not sorted (a band's upper edge; +Infinity without one). */
  highCut: number;
  highCount: number;
  /** Share of the window sorted on each side of the asked rank; null: every value is sorted. */
  band: number | null;
  /** Number of sorted values right after the band was last rebuilt. */
  bandBase: number;
}

export interface RollingQuantileOptions {
  blockMax?: number;
  band?: number | null;
}

/** Least number of ranks a band keeps sorted on each side of the asked rank. */
const BAND_MIN = 32;

/** Returns an empty window of `cap` values; `blockMax` defaults to about 2*sqrt(cap). */
export function rqNew(cap: number, options: RollingQuantileOptions = {}): RollingQuantile {
  // Measured: at 172,800 values, 2*sqrt(cap) = 831 costs 1.1 µs a push, 64 costs 0.36 µs.
  const blockMax = options.blockMax ?? Math.min(64, Math.max(8, Math.round(2 * Math.sqrt(cap))));
  const band = options.band ?? null;
  assert(Number.isInteger(cap) && cap >= 1, `rolling quantile cap must be a positive integer, was ${cap}`);
  assert(Number.isInteger(blockMax) && blockMax >= 4, `rolling quantile blockMax must be an integer >= 4, was ${blockMax}`);
  assert(band === null || (band > 0 && band < 1), `rolling quantile band must be in (0, 1) or null, was ${band}`);
  const r: RollingQuantile = {
    cap, blockMax, ring: new Float64Array(cap), head: 0, size: 0, blocks: [],
    lowCut: -Infinity, lowCount: 0, highCut: Infinity, highCount: 0, band, bandBase: 0,
  };
  rqClear(r);
  return r;
}

/** Adds `x`, evicting the oldest value when the window is full. */
export function rqPush(r: RollingQuantile, x: number): void {
  // A plain test, not assert(): its message template would be built on every call of a hot path.
  if (!Number.isFinite(x)) throw new AssertionError(`rolling quantile value must be finite, was ${x}`);
  // Without a band the cuts are -Infinity and +Infinity: every value is sorted.
  if (r.size === r.cap) {
    const old = r.ring[r.head];
    if (old < r.lowCut) r.lowCount--;
    else if (old > r.highCut) r.highCount--;
    else removeSorted(r.blocks, r.blockMax, old);
  } else {
    r.size++;
  }
  if (x < r.lowCut) r.lowCount++;
  else if (x > r.highCut) r.highCount++;
  else insertSorted(r.blocks, r.blockMax, x);
  r.ring[r.head] = x;
  r.head = r.head + 1 === r.cap ? 0 : r.head + 1;
}

/** Empties the window. */
export function rqClear(r: RollingQuantile): void {
  r.head = 0;
  r.size = 0;
  r.blocks = [];
  r.lowCount = 0;
  r.highCount = 0;
  r.highCut = Infinity;
  // An empty band above everything: values are only counted until the first read builds it.
  r.lowCut = r.band !== null ? Infinity : -Infinity;
  r.bandBase = 0;
}

/** Returns the k-th smallest value (0-based) of the window. */
export function rqKth(r: RollingQuantile, k: number): number {
  if (!(k >= 0 && k < r.size)) throw new AssertionError(`rank must be in [0, ${r.size}), was ${k}`);
  if (r.band !== null) ensureBand(r, k, k);
  return kthSorted(r, k);
}

/** Returns the type-7 quantile `q` in [0, 1] of the window, NaN when it is empty. */
export function rqQuantile(r: RollingQuantile, q: number): number {
  if (r.size === 0) return NaN;
  const h = (r.size - 1) * q;
  const lo = Math.floor(h);
  if (!(lo >= 0 && lo < r.size)) throw new AssertionError(`quantile must be in [0, 1], was ${q}`);
  if (r.band !== null) ensureBand(r, lo, Math.min(lo + 1, r.size - 1));
  const xlo = kthSorted(r, lo);
  if (lo + 1 >= r.size || h === lo) return xlo;
  const xhi = kthSorted(r, lo + 1);
  return xlo + (h - lo) * (xhi - xlo);
}

/** Returns how many values of the window are <= x. */
export function rqCountLE(r: RollingQuantile, x: number): number {
  // Inside the band (everywhere without one) the counts answer; elsewhere the ring does.
  if (!(x >= r.lowCut && x < r.highCut)) return countRing(r, x);
  const blocks = r.blocks;
  let n = r.lowCount;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    if (b[b.length - 1] <= x) n += b.length;
    else return n + upperBound(b, b.length, x);
  }
  return n;
}

/** Returns the share of the window's values that are <= x (SPEC §0.5 pct_rank), NaN when empty. */
export function rqPctRank(r: RollingQuantile, x: number): number {
  return r.size === 0 ? NaN : rqCountLE(r, x) / r.size;
}

/** Returns the sorted values (all of them, or a band's), ascending; a copy. */
export function rqSorted(r: RollingQuantile): number[] {
  const out: number[] = [];
  for (const b of r.blocks) for (const x of b) out.push(x);
  return out;
}

/** The k-th smallest value from the counts and the sorted blocks. */
function kthSorted(r: RollingQuantile, k: number): number {
  // A band holds the asked ranks (ensureBand), so k >= lowCount.
  k -= r.lowCount;
  const blocks = r.blocks;
  const n = r.size - r.lowCount - r.highCount;
  if (2 * k < n) {
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i];
      if (k < b.length) return b[k];
      k -= b.length;
    }
  } else {
    let fromEnd = n - 1 - k;
    for (let i = blocks.length - 1; i >= 0; i--) {
      const b = blocks[i];
      if (fromEnd < b.length) return b[b.length - 1 - fromEnd];
      fromEnd -= b.length;
    }
  }
  throw new AssertionError('rolling quantile block lengths do not add up to the window size');
}

function countRing(r: RollingQuantile, x: number): number {
  let n = 0;
  for (let j = 0; j < r.size; j++) if (r.ring[j] <= x) n++;
  return n;
}

/**
 * Makes ranks lo..hi sorted values of the band, rebuilding it around them when they lie
 * outside it, or when it has grown to twice its size at the last rebuild and to four times
 * its margin (ties can make a fresh band wide: it is then not rebuilt again for that).
 */
function ensureBand(r: RollingQuantile, lo: number, hi: number): void {
  const w = Math.max(BAND_MIN, Math.ceil(r.size * (r.band as number)));
  const sorted = r.size - r.lowCount - r.highCount;
  if (lo >= r.lowCount && hi < r.size - r.highCount && sorted <= Math.max(4 * w, 2 * r.bandBase)) return;
  const v = r.ring.slice(0, r.size).sort();
  const lowCut = v[Math.max(0, lo - w)];
  const highCut = v[Math.min(r.size - 1, hi + w)];
  const from = lowerBound(v, v.length, lowCut);
  const to = upperBound(v, v.length, highCut);
  r.lowCut = lowCut;
  r.highCut = highCut;
  r.lowCount = from;
  r.highCount = r.size - to;
  r.bandBase = to - from;
  r.blocks = [];
  const step = Math.max(1, r.blockMax >> 1);
  for (let i = from; i < to; i += step) r.blocks.push(Array.from(v.subarray(i, Math.min(to, i + step))));
}
