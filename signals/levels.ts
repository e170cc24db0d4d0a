import type { Feat } from './features.ts';

// The level set of SPEC §15: Lset = {session and previous POC/VAH/VAL; day and week VWAP;
// VWAP +-1 and +-2 sigma}. The sigma bands are those of the day VWAP (SPEC does not name the
// anchor; the day is the one every desk watches). Only values of the bar under evaluation are
// used, so a provider that fell silent contributes no stale level.

/** A named price level. */
export interface Level {
  name: string;
  px: number;
}

function add(out: Level[], name: string, px: number | null): void {
  if (px !== null && px > 0) out.push({ name, px });
}

/** Returns Lset for the bar under evaluation, in a fixed order. */
export function lset(f: Feat): Level[] {
  const out: Level[] = [];
  const t = f.bar.t;
  const s = f.prof.session;
  if (s.t === t) {
    add(out, 'session_poc', s.poc);
    add(out, 'session_vah', s.vah);
    add(out, 'session_val', s.val);
  }
  const p = f.prof.previous;
  if (p.t === t) {
    add(out, 'previous_poc', p.poc);
    add(out, 'previous_vah', p.vah);
    add(out, 'previous_val', p.val);
  }
  const d = f.vwap.day;
  if (d.t === t) {
    add(out, 'vwap_day', d.vwap);
    add(out, 'vwap_day_upper1', d.upper1);
    add(out, 'vwap_day_lower1', d.lower1);
    add(out, 'vwap_day_upper2', d.upper2);
    add(out, 'vwap_day_lower2', d.lower2);
  }
  const w = f.vwap.week;
  if (w.t === t) add(out, 'vwap_week', w.vwap);
  return out;
}

/** Returns the distance of `px` from level `l` in bps of the level. */
export function distBps(px: number, l: number): number {
  return (1e4 * Math.abs(px - l)) / l;
}

/** Returns how many levels lie within `bps` of `px`. */
export function countWithin(levels: readonly Level[], px: number, bps: number): number {
  let k = 0;
  for (const l of levels) if (distBps(px, l.px) <= bps) k++;
  return k;
}

/** Returns the level nearest to `px` (the first in Lset order on ties), or null when empty. */
export function nearest(levels: readonly Level[], px: number): Level | null {
  let best: Level | null = null;
  let bestD = Infinity;
  for (const l of levels) {
    const dd = distBps(px, l.px);
    if (dd < bestD) {
      best = l;
      bestD = dd;
    }
  }
  return best;
}
