import { ramp } from '../core/math.ts';
import { ringAt, type Ring } from '../core/ring.ts';
import { US_PER_MINUTE } from '../core/time.ts';
import type { BarVal, Feat, VwapRec } from './features.ts';

// Readers of the feature store for the bar under evaluation (SPEC §15 notation: Dz, tbsr_al,
// D_t), and the small ring statistics the generators share.

/** Returns the value of `b` when it belongs to the bar under evaluation, else null. */
export function cur(f: Feat, b: BarVal): number | null {
  return b.t === f.bar.t ? b.v : null;
}

/** Returns the ATR14 as of this bar's close, or null during warm-up. */
export function atrNow(f: Feat): number | null {
  return Number.isNaN(f.atr.atr) ? null : f.atr.atr;
}

/** Returns Dz = d*D_t/sigma_D from this bar's CVD record, or null. */
export function dz(f: Feat, d: number): number | null {
  const c = f.cvd;
  if (c.t !== f.bar.t || c.delta === null || c.sigma === null || c.sigma <= 0) return null;
  return (d * c.delta) / c.sigma;
}

/** Returns tbsr_al = ramp(d*ln(tbsr_5m), 0, ln ratio) (SPEC: ratio 1.5), or null when TBSR is missing. */
export function tbsrAl(f: Feat, d: number, ratio: number): number | null {
  const x = cur(f, f.logTbsr5);
  return x === null ? null : ramp(d * x, 0, Math.log(ratio));
}

/** Returns the bar delta D_t = 2V - v of the kline (exact, SPEC §1 reference check). */
export function barDelta(f: Feat): number {
  return 2 * f.bar.V - f.bar.v;
}

/** Returns the day-anchored VWAP record when it belongs to this bar, else null. */
export function vwapOf(f: Feat, anchor: 'day' | 'week' | 'london' | 'newyork'): VwapRec | null {
  const r = f.vwap[anchor];
  return r.t === f.bar.t ? r : null;
}

/**
 * Returns whether a VACUUM is active on `side` in any band. An active vacuum reports ONGOING
 * at every bar close, so one not heard of since the previous bar opened counts as gone.
 */
export function vacuumActive(f: Feat, side: 'BID' | 'ASK'): boolean {
  const since = f.bar.t - US_PER_MINUTE;
  for (const e of f.vac) if (e.side === side && e.active && e.ts >= since) return true;
  return false;
}

/** Returns the latest VACUUM ratio of (side, band) reported at or after `sinceUs`, or null. */
export function vacuumRatioSince(f: Feat, side: 'BID' | 'ASK', band: number, sinceUs: number): number | null {
  for (const e of f.vac) if (e.side === side && e.band === band && e.ts >= sinceUs) return e.ratio;
  return null;
}

/** Returns pct_rank over the ring (current value included by the caller). */
export function ringPctRank(r: Ring, x: number): number {
  let k = 0;
  for (let i = 0; i < r.size; i++) if (ringAt(r, i) <= x) k++;
  return k / r.size;
}

/** Returns the median of the ring's values (a sorted copy; per-bar work only). */
export function ringMedian(r: Ring): number {
  const xs: number[] = [];
  for (let i = 0; i < r.size; i++) xs.push(ringAt(r, i));
  xs.sort((a, b) => a - b);
  const m = xs.length >> 1;
  return xs.length % 2 === 1 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
}
