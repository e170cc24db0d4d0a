import type { Out, QxEvent } from '../core/event.ts';
import { US_PER_SECOND } from '../core/time.ts';
import type { EngineState, MarketCache } from './engine-state.ts';
import type { EngineParams } from './params.ts';
import type { MarketView } from './validation.ts';

// The engine's copy of the market readings its gates and stops need (provider topics listed in
// the provider brief). Values are copied out of the events, never referenced. A reading older
// than `data_max_age_s` counts as missing, so a dead provider cannot keep a stale bound green.

/** Applies one provider record to the cache; returns false when the topic is not a market topic. */
export function applyMarket(s: EngineState, ev: QxEvent): boolean {
  const t = s.topics;
  const topic = ev.topic;
  const out = ev.payload as Out;
  const m = s.market;
  const x = out.payload as Record<string, unknown>;
  if (topic === t.vol) {
    m.vol_state = str(x.state);
    m.vol_state_us = ev.ts;
  } else if (topic === t.garch) {
    m.vol_ann_pct = numOrNull(x.vol_ann_pct);
    m.sigma_5m_usdt = numOrNull(x.sigma_5m_usdt);
    m.garch_us = ev.ts;
  } else if (topic === t.vpin) {
    if (out.type !== 'VPIN') return true;
    m.vpin_z = numOrNull(x.z);
    m.vpin_us = ev.ts;
  } else if (topic === t.spread) {
    m.spread_z = numOrNull(x.z);
    m.s1btc_bps = numOrNull(x.s1btc_bps);
    m.spread_us = ev.ts;
  } else if (topic === t.kalman) {
    m.kalman_trend = str(x.trend);
    m.kalman_us = ev.ts;
  } else if (topic === t.vacuum) {
    applyVacuum(m, x, ev.ts);
  } else {
    return false;
  }
  return true;
}

function applyVacuum(m: MarketCache, x: Record<string, unknown>, ts: number): void {
  const ended = x.state === 'END';
  if (x.side === 'BID') {
    m.vac_bid_active = !ended;
    m.vac_bid_seen_us = ts;
    if (ended) m.vac_bid_end_us = ts;
  } else if (x.side === 'ASK') {
    m.vac_ask_active = !ended;
    m.vac_ask_seen_us = ts;
    if (ended) m.vac_ask_end_us = ts;
  }
}

/** Returns the readings as the gates see them at `now`: stale readings become null. */
export function marketView(s: EngineState, now: number, p: EngineParams): MarketView {
  const m = s.market;
  const maxAge = p.data_max_age_s * US_PER_SECOND;
  const fresh = (at: number | null) => at !== null && now - at <= maxAge;
  const garch = fresh(m.garch_us);
  const spread = fresh(m.spread_us);
  // A vacuum whose provider fell silent is treated as having ended when it was last seen.
  const bidLive = m.vac_bid_active && fresh(m.vac_bid_seen_us);
  const askLive = m.vac_ask_active && fresh(m.vac_ask_seen_us);
  return {
    vpin_z: fresh(m.vpin_us) ? m.vpin_z : null,
    vol_ann_pct: garch ? m.vol_ann_pct : null,
    vol_state: fresh(m.vol_state_us) ? m.vol_state : null,
    spread_z: spread ? m.spread_z : null,
    s1btc_bps: spread ? m.s1btc_bps : null,
    vacuum_bid_active: bidLive,
    vacuum_bid_end_us: m.vac_bid_active && !bidLive ? m.vac_bid_seen_us : m.vac_bid_end_us,
    vacuum_ask_active: askLive,
    vacuum_ask_end_us: m.vac_ask_active && !askLive ? m.vac_ask_seen_us : m.vac_ask_end_us,
  };
}

/** Returns sigma_5m_usdt when fresh, else null. */
export function sigmaNow(s: EngineState, now: number, p: EngineParams): number | null {
  const at = s.market.garch_us;
  return at !== null && now - at <= p.data_max_age_s * US_PER_SECOND ? s.market.sigma_5m_usdt : null;
}

/** Returns the Kalman trend when fresh, else null. */
export function kalmanNow(s: EngineState, now: number, p: EngineParams): string | null {
  const at = s.market.kalman_us;
  return at !== null && now - at <= p.data_max_age_s * US_PER_SECOND ? s.market.kalman_trend : null;
}

function numOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
