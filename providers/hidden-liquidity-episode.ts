import { BID, SIDE_NAME } from '../core/book.ts';
import { withDoubleFields } from '../core/shape.ts';
import { US_PER_MS } from '../core/time.ts';

// One hidden-liquidity episode (SPEC §7) as plain data: its accounting of prints and level
// changes at its price, and its record. The episode flow (which level, when) is in
// hidden-liquidity.ts.

export interface Episode {
  active: boolean;
  /** The level's price and the episode's start (µs), then SPEC §7's D0, Dmax, E, A and R. */
  p: number; startUs: number; d0: number; dmax: number; e: number; a: number; r: number;
  /** Time of the last print at p, -1 before any. */
  lastTradeUs: number;
  /** When p stopped being best, -1 while it is best. */
  notBestSince: number;
  /** Whether a record was published, when, and the E, A, R it carried. */
  emitted: boolean; lastEmitUs: number; emE: number; emA: number; emR: number;
}

const EPISODE_NUMBERS = [
  'p', 'startUs', 'd0', 'dmax', 'e', 'a', 'r', 'lastTradeUs', 'notBestSince', 'lastEmitUs', 'emE', 'emA', 'emR',
] as const;

/** Returns an inactive episode (its number fields as doubles: core/shape.ts says why). */
export function newEpisode(): Episode {
  const ep: Episode = {
    active: false, p: 0, startUs: 0, lastTradeUs: -1, notBestSince: -1, emitted: false,
    d0: 0, dmax: 0, e: 0, a: 0, r: 0, lastEmitUs: 0, emE: 0, emA: 0, emR: 0,
  };
  return withDoubleFields(ep, EPISODE_NUMBERS);
}

/** Opens an episode at price p with starting depth d0; nothing executed, added or refilled yet. */
export function openEpisode(ep: Episode, p: number, d0: number, now: number): void {
  ep.active = true;
  ep.p = p;
  ep.startUs = now;
  ep.d0 = d0;
  ep.dmax = d0;
  ep.e = 0;
  ep.a = 0;
  ep.r = 0;
  ep.lastTradeUs = -1;
  ep.notBestSince = -1;
  ep.emitted = false;
}

/** Copies every field (what Object.assign did, without its generic per-key path). */
export function copyEpisode(to: Episode, from: Episode): void {
  to.active = from.active;
  to.p = from.p;
  to.startUs = from.startUs;
  to.d0 = from.d0;
  to.dmax = from.dmax;
  to.e = from.e;
  to.a = from.a;
  to.r = from.r;
  to.lastTradeUs = from.lastTradeUs;
  to.notBestSince = from.notBestSince;
  to.emitted = from.emitted;
  to.lastEmitUs = from.lastEmitUs;
  to.emE = from.emE;
  to.emA = from.emA;
  to.emR = from.emR;
}

/** Whether an active episode's level is out of the top (in its grace). */
export function inGrace(ep: Episode): boolean {
  return ep.active && ep.notBestSince >= 0;
}

/** Credits a print of `qty` at the episode's price at time `now` (E). */
export function credit(ep: Episode, qty: number, now: number): void {
  ep.e += qty;
  ep.lastTradeUs = now;
}

/** Credits one level change at the episode's price: a refill (R), a visible addition (A), Dmax. */
export function applyChange(ep: Episode, old: number, nw: number, now: number, tauUs: number): void {
  if (nw > old) {
    if (ep.lastTradeUs >= 0 && now - ep.lastTradeUs <= tauUs) ep.r++;
    else ep.a += nw - old;
  }
  if (nw > ep.dmax) ep.dmax = nw;
}

/**
 * Returns the HIDDEN_LIQUIDITY payload of an episode ending (so far) at `endUs`, with `best` the
 * side's best price now (NaN when the side is empty).
 */
export function episodePayload(ep: Episode, side: number, endUs: number, isUpdate: boolean, best: number): object {
  const base = ep.d0 + ep.a;
  // The level held when the side's best is still at or better than it (not traded through).
  const held = !Number.isNaN(best) && (side === BID ? best >= ep.p : best <= ep.p);
  return {
    side: SIDE_NAME[side],
    price: ep.p,
    executed_btc: ep.e,
    displayed_start_btc: ep.d0,
    visible_added_btc: ep.a,
    hidden_lb_btc: Math.max(0, ep.e - base),
    refills: ep.r,
    absorption: base > 0 ? ep.e / base : null,
    episode_start_us: ep.startUs,
    duration_ms: (endUs - ep.startUs) / US_PER_MS,
    price_held: held,
    is_update: isUpdate,
  };
}
