// Fixed-capacity ring buffers over plain arrays, so they snapshot as plain data.

export interface Ring {
  buf: number[];
  head: number;
  size: number;
  cap: number;
}

export function ringNew(cap: number): Ring {
  return { buf: new Array<number>(cap).fill(0), head: 0, size: 0, cap };
}

/** Pushes `x`; returns the value pushed out, or NaN when the ring was not full. */
export function ringPush(r: Ring, x: number): number {
  let out = NaN;
  if (r.size === r.cap) out = r.buf[r.head];
  else r.size++;
  r.buf[r.head] = x;
  r.head = r.head + 1 === r.cap ? 0 : r.head + 1;
  return out;
}

/** Returns the i-th oldest value (0 = oldest). */
export function ringAt(r: Ring, i: number): number {
  const start = r.size === r.cap ? r.head : 0;
  let k = start + i;
  if (k >= r.cap) k -= r.cap;
  return r.buf[k];
}

/** Returns the values oldest first (a copy). */
export function ringValues(r: Ring): number[] {
  const out = new Array<number>(r.size);
  for (let i = 0; i < r.size; i++) out[i] = ringAt(r, i);
  return out;
}

/** Mean over the ring in oldest-first order (a fixed summation order). */
export function ringMean(r: Ring): number {
  let s = 0;
  for (let i = 0; i < r.size; i++) s += ringAt(r, i);
  return s / r.size;
}

/** Sample standard deviation (ddof=1), two-pass, oldest-first. */
export function ringSd(r: Ring): number {
  if (r.size < 2) return NaN;
  const m = ringMean(r);
  let s = 0;
  for (let i = 0; i < r.size; i++) {
    const d = ringAt(r, i) - m;
    s += d * d;
  }
  return Math.sqrt(s / (r.size - 1));
}
