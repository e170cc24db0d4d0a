import { ringAt, ringNew, ringPush, type Ring } from '../core/ring.ts';

// Pure helpers of the spread provider (SPEC §9): book walking for the size-aware spread,
// percentiles, the Roll estimator and a rolling zprev window with O(1) updates.

/**
 * Returns the average price of filling `q` by walking one side best-first, stopping at levels
 * beyond `limit` (the snapshot coverage edge; NaN means no limit), or NaN when the depth
 * inside the coverage is short of `q`.
 */
export function walkVwap(px: ArrayLike<number>, qty: ArrayLike<number>, q: number, isAsk: boolean, limit: number): number {
  // `+q`: a loop variable that starts from an untyped parameter stays boxed in V8 (an
  // allocation per level walked).
  let rem = +q;
  let cost = 0;
  for (let i = 0; i < px.length && rem > 0; i++) {
    const p = px[i];
    if (isAsk ? p > limit : p < limit) break;
    const take = qty[i] < rem ? qty[i] : rem;
    cost += p * take;
    rem -= take;
  }
  // Quantities are decimal fractions, so a remainder of a few ulps means the size was met.
  return rem > q * 1e-12 ? NaN : cost / q;
}

/** Returns the p-quantile (0..1) of ascending `xs` by linear interpolation (R type 7, numpy default). */
export function quantileSorted(xs: readonly number[], p: number): number {
  const h = (xs.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, xs.length - 1);
  return xs[lo] + (h - lo) * (xs[hi] - xs[lo]);
}

/**
 * Returns the Roll spread 2*sqrt(-cov(dc_t, dc_{t-1})) of closes (oldest first), with the sample
 * covariance (ddof=1) of numpy's np.cov(dc[1:], dc[:-1]); null when it is not negative.
 */
export function rollSpread(closes: readonly number[]): number | null {
  const n = closes.length - 2;
  if (n < 2) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += closes[i + 2] - closes[i + 1];
    my += closes[i + 1] - closes[i];
  }
  mx /= n;
  my /= n;
  let cov = 0;
  for (let i = 0; i < n; i++) cov += (closes[i + 2] - closes[i + 1] - mx) * (closes[i + 1] - closes[i] - my);
  cov /= n - 1;
  return cov < 0 ? 2 * Math.sqrt(-cov) : null;
}

/**
 * A window of the last `cap` values with running sums of (x - k) and (x - k)^2 about a shift k.
 * The sums are rebuilt exactly from the ring every `cap` pushes (and k moved to the oldest
 * value), so rounding cannot accumulate. `mag` sums every squared term added or removed since
 * the rebuild: it bounds the rounding error of s2, so a variance within that error is
 * recomputed exactly (and a constant window gives exactly zero).
 */
export interface ZWindow {
  ring: Ring;
  k: number;
  s1: number;
  s2: number;
  mag: number;
  pushes: number;
}

export function zWindowNew(cap: number): ZWindow {
  return { ring: ringNew(cap), k: NaN, s1: 0, s2: 0, mag: 0, pushes: 0 };
}

/** Returns zprev(x) against the full window (x not included), or NaN when not full or sd = 0. */
export function zWindowZ(w: ZWindow, x: number): number {
  const r = w.ring;
  if (r.size < r.cap) return NaN;
  const n = r.size;
  const mean = w.k + w.s1 / n;
  // No nonzero deviation from k since the rebuild: every value equals k, the sd is exactly 0.
  if (w.mag === 0) return NaN;
  let v = (w.s2 - (w.s1 * w.s1) / n) / (n - 1);
  // Where the running sums' rounding (~1e-16 * mag) could exceed 1e-10 of the variance, use an
  // exact two-pass instead; that happens only for windows far flatter than their recent past.
  if (!(v * (n - 1) > 1e-6 * w.mag)) v = exactVariance(r);
  return v > 0 ? (x - mean) / Math.sqrt(v) : NaN;
}

/** Appends x, dropping the oldest value when full. */
export function zWindowPush(w: ZWindow, x: number): void {
  if (Number.isNaN(w.k)) w.k = x;
  const out = ringPush(w.ring, x);
  if (!Number.isNaN(out)) {
    const d = out - w.k;
    w.s1 -= d;
    w.s2 -= d * d;
    w.mag += d * d;
  }
  const d = x - w.k;
  w.s1 += d;
  w.s2 += d * d;
  w.mag += d * d;
  if (++w.pushes >= w.ring.cap) rebuild(w);
}

function rebuild(w: ZWindow): void {
  const r = w.ring;
  w.pushes = 0;
  w.k = ringAt(r, 0);
  w.s1 = 0;
  w.s2 = 0;
  for (let i = 0; i < r.size; i++) {
    const d = ringAt(r, i) - w.k;
    w.s1 += d;
    w.s2 += d * d;
  }
  w.mag = w.s2;
}

function exactVariance(r: Ring): number {
  let m = 0;
  for (let i = 0; i < r.size; i++) m += ringAt(r, i);
  m /= r.size;
  let s = 0;
  for (let i = 0; i < r.size; i++) {
    const d = ringAt(r, i) - m;
    s += d * d;
  }
  return s / (r.size - 1);
}
