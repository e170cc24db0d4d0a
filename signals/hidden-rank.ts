import { ringNew, ringPush, type Ring } from '../core/ring.ts';
import type { HiddenEv } from './features.ts';

// A bounded window of hidden_lb values for pct_rank_7d (SPEC §15.3). One value per episode:
// an update (is_update) replaces its episode's value when that episode is among the newest
// entries, so a long episode with many updates does not crowd out the others. The window is
// bounded by count (the newest `cap` episodes) and by age (read time filter).

const UPDATE_LOOKBACK = 16;

export interface HiddenRank {
  vals: Ring;
  ts: Ring;
  /** Episode key: +episode_start_us for BID, -episode_start_us for ASK. */
  keys: Ring;
}

/** Returns an empty window holding at most `cap` episodes. */
export function hiddenRankNew(cap: number): HiddenRank {
  return { vals: ringNew(cap), ts: ringNew(cap), keys: ringNew(cap) };
}

function slot(r: Ring, i: number): number {
  const start = r.size === r.cap ? r.head : 0;
  return (start + i) % r.cap;
}

/** Adds a HIDDEN_LIQUIDITY record: a new episode is pushed, an update replaces its value. */
export function hiddenRankAdd(r: HiddenRank, h: HiddenEv): void {
  const key = h.side === 'BID' ? h.episodeUs : -h.episodeUs;
  if (h.isUpdate) {
    const stop = Math.max(0, r.keys.size - UPDATE_LOOKBACK);
    for (let i = r.keys.size - 1; i >= stop; i--) {
      const k = slot(r.keys, i);
      if (r.keys.buf[k] === key) {
        r.vals.buf[k] = h.hiddenLb;
        r.ts.buf[k] = h.ts;
        return;
      }
    }
  }
  ringPush(r.vals, h.hiddenLb);
  ringPush(r.ts, h.ts);
  ringPush(r.keys, key);
}

/** Returns the share of values since `sinceUs` that are <= x, or null when there are none. */
export function hiddenRankOf(r: HiddenRank, x: number, sinceUs: number): number | null {
  let n = 0;
  let k = 0;
  for (let i = 0; i < r.vals.size; i++) {
    const j = slot(r.vals, i);
    if (r.ts.buf[j] < sinceUs) continue;
    n++;
    if (r.vals.buf[j] <= x) k++;
  }
  return n === 0 ? null : k / n;
}
