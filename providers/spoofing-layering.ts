import { BID, SIDE_NAME } from '../core/book.ts';

// Spoofing's LAYERING test (SPEC §8): which recent flickers form a group, and the record of one.
// Pure functions of the flickers, kept apart from the per-event work of spoofing.ts.

/** A resolved FLICKER, kept a few seconds for the layering test. */
export interface Flicker {
  side: number; p: number; dq: number; cancelled: number; tAdd: number; tCancel: number;
  mAdd: number; dAdd: number; life: number; score: number; oppAtAdd: number;
}

/**
 * Returns the largest group of recent flickers on f's side, at distinct prices, that contains f,
 * whose add times span at most `addUs`, cancel times at most `cancelUs`, and whose orders all
 * rested at once (every add before every cancel). The last rule is ours, not SPEC's: without
 * it one order walked from price to price (cancel and re-add in one update, as a market maker
 * requotes) counts as layering; on the 2024-07-18 USDⓈ-M capture one such 35 BTC order made
 * over a thousand LAYERING records in 8 minutes.
 */
export function findLayering(all: readonly Flicker[], f: Flicker, addUs: number, cancelUs: number): Flicker[] {
  // f cancelled last, so a cancel within cancelUs of f's keeps every pair within cancelUs.
  const near: Flicker[] = [];
  for (const g of all) {
    if (g.side !== f.side || f.tCancel - g.tCancel > cancelUs || Math.abs(g.tAdd - f.tAdd) > addUs) continue;
    // One flicker per price: `all` is in cancel order, so the latest one wins.
    const j = near.findIndex((h) => h.p === g.p);
    if (j >= 0) near[j] = g;
    else near.push(g);
  }
  near.sort((a, b) => a.tAdd - b.tAdd || a.p - b.p);
  // Try each add time as the group's last add: members added within addUs before it and still
  // resting then.
  let best: Flicker[] = [];
  for (const last of near) {
    const at = last.tAdd;
    if (at < f.tAdd || at - f.tAdd > addUs) continue;
    const members = near.filter((g) => g.tAdd <= at && g.tAdd >= at - addUs && g.tCancel > at);
    if (members.length > best.length) best = members;
  }
  return best;
}

/**
 * Returns the LAYERING_SUSPECT payload of a group (sorted by add time) at mid `m`, with
 * `oppNow` the cumulative taker volume that benefits the group's side now.
 */
export function layeringPayload(group: readonly Flicker[], m: number, oppNow: number): object {
  const n = group.length;
  const first = group[0];
  const side = first.side;
  let added = 0, cancelled = 0, life = 0, dist = 0, score = 0;
  for (const g of group) {
    added += g.dq;
    cancelled += g.cancelled;
    life += g.life;
    dist += g.dAdd;
    score += g.score;
  }
  // The group's mid move and opposite taker volume run from its first add, so overlapping
  // lives are not counted twice.
  return {
    side: SIDE_NAME[side], prices: group.map((g) => g.p).sort((a, b) => (side === BID ? b - a : a - b)),
    added_btc: added, cancelled_btc: cancelled, life_ms: life / n, distance_bps: dist / n, mid_move_bps: (1e4 * (m - first.mAdd)) / first.mAdd,
    opp_taker_btc: oppNow - first.oppAtAdd, score: score / n,
  };
}
