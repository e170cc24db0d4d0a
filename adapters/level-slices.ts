import { mustBeFinite } from './column-checks.ts';

// The depth levels of one message, copied from a batch's columns into reused buffers and handed
// out as views (adapters/stream-reader.ts fills a depth event with them).

/**
 * A reused buffer and one view of it per length. A depth message's levels are copied into the
 * buffer and handed out as the view of their length, so a message allocates nothing: a fresh
 * subarray per side and column was ~3.4M short-lived objects a day, most of the replay's
 * garbage. The views are valid until the next message, as the event is.
 */
export interface LevelSlices {
  buf: Float64Array;
  views: Float64Array[];
}

export function newSlices(): LevelSlices {
  return { buf: new Float64Array(64), views: [] };
}

/**
 * Copies levels [from, to) of a side's price and size columns into the two reused buffers and
 * checks them on the way (a price must be finite and positive, a size finite and non-negative;
 * NaN fails every compare). Returns false when one is not: the caller names it
 * (malformedLevel). Checked here, as the values pass, rather than in a pass over the batch:
 * that pass read the day's ~24M level values once more, from memory.
 */
export function copyLevels(ps: LevelSlices, qs: LevelSlices, px: Float64Array, qty: Float64Array, from: number, to: number): boolean {
  const n = to - from;
  if (n > ps.buf.length) grow(ps, n);
  if (n > qs.buf.length) grow(qs, n);
  const pb = ps.buf;
  const qb = qs.buf;
  let ok = true;
  for (let k = 0; k < n; k++) {
    const p = px[from + k];
    const q = qty[from + k];
    pb[k] = p;
    qb[k] = q;
    if (!(isPrice(p) && isSize(q))) ok = false;
  }
  return ok;
}

/** The first malformed level of [from, to), as `column 'bid_qty' must be ..., was -1`, or null. */
export function malformedLevel(side: 'bid' | 'ask', px: Float64Array, qty: Float64Array, from: number, to: number): string | null {
  for (let k = from; k < to; k++) {
    if (!isPrice(px[k])) return mustBeFinite(`${side}_px`, true, px[k]);
    if (!isSize(qty[k])) return mustBeFinite(`${side}_qty`, false, qty[k]);
  }
  return null;
}

/** A finite positive price (NaN fails every compare). */
function isPrice(p: number): boolean {
  return p > 0 && p < Infinity;
}

/** A finite non-negative size. */
function isSize(q: number): boolean {
  return q >= 0 && q < Infinity;
}

function grow(s: LevelSlices, n: number): void {
  s.buf = new Float64Array(Math.max(n, 2 * s.buf.length));
  s.views = [];
}

/** The view of the first `n` values of the buffer, made once per length. */
export function viewOf(s: LevelSlices, n: number): Float64Array {
  let view = s.views[n];
  if (view === undefined) {
    view = s.buf.subarray(0, n);
    s.views[n] = view;
  }
  return view;
}
