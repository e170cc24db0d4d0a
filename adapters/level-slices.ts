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

/** Copies levels [from, to) of a side's price and size columns into the two reused buffers. */
export function copyLevels(ps: LevelSlices, qs: LevelSlices, px: Float64Array, qty: Float64Array, from: number, to: number): void {
  const n = to - from;
  if (n > ps.buf.length) grow(ps, n);
  if (n > qs.buf.length) grow(qs, n);
  const pb = ps.buf;
  const qb = qs.buf;
  for (let k = 0; k < n; k++) {
    pb[k] = px[from + k];
    qb[k] = qty[from + k];
  }
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
