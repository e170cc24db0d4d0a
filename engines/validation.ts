import { sha256Hex } from '../core/canonical.ts';
import { KLINE_CLOSE_OFFSET_US } from '../core/event.ts';
import { US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND, isoUs } from '../core/time.ts';
import { boundsFor, type EngineParams } from './params.ts';
import { sessionsAt } from './session.ts';

// The validation layer (SPEC §16, seed "Confirmation Flow") as pure gates run in the seed's
// order: session, cooldown (with the engine's own position), stress, confirmation, dedup. Each
// gate returns null when the signal passes, or a rejection naming the value and the bound.
// Nothing here mutates: `commitAccepted` is the one writer of the gate book, called by the engine.

export type Gate = 'input' | 'session' | 'position' | 'cooldown' | 'stress' | 'confirmation' | 'dedup' | 'sizing';

/** A signal as generators publish it (SPEC §15), with the generator key taken from its topic kind. */
export interface SignalIn {
  /** Topic kind without `signal-`, e.g. `cse-compressionbreakout`: keys cooldowns and overrides. */
  key: string;
  generator: string;
  direction: 1 | -1;
  bar_open_us: number;
  close: number;
  score: number;
  components: Record<string, number>;
  params_hash: string;
}

export interface Verdict {
  signal_id: string;
  generator: string;
  direction: number;
  bar_open_us: number;
  score: number;
  accepted: boolean;
  gate: Gate | null;
  reason: string;
}

export interface Rejection {
  gate: Gate;
  reason: string;
}

/** Market readings at evaluation time; null means missing or stale. */
export interface MarketView {
  vpin_z: number | null;
  vol_ann_pct: number | null;
  vol_state: string | null;
  spread_z: number | null;
  s1btc_bps: number | null;
  /** Whether a VACUUM is active on each side, and when the last one there ended (µs, null if none). */
  vacuum_bid_active: boolean;
  vacuum_bid_end_us: number | null;
  vacuum_ask_active: boolean;
  vacuum_ask_end_us: number | null;
}

/** What the engine remembers for the gates; plain data, persisted with the engine (SPEC §17). */
export interface GateBook {
  /** Generator key to the data time (µs) until which its signals are rejected. */
  cooldowns: Record<string, number>;
  last_accept_us: number | null;
  /** Signal id to the data time (µs) it was processed. */
  processed_ids: Record<string, number>;
}

/** Why the engine cannot take a new signal now: it holds an order, a position, or cools down. */
export interface Busy {
  kind: 'pending' | 'position' | 'cooldown' | null;
  until_us: number | null;
}

/** Timing confirmation inputs (cpbc, flip): last Phase Timing per direction and the Kalman trend. */
export interface TimingView {
  required: boolean;
  long_us: number | null;
  short_us: number | null;
  kalman_trend: string | null;
}

/** Returns the SPEC §16 signal id: sha256(symbol|generator|direction|bar_open_ms|params_hash). */
export function signalId(symbol: string, s: { generator: string; direction: number; bar_open_us: number; params_hash: string }): string {
  const barOpenMs = Math.floor(s.bar_open_us / 1000);
  return sha256Hex(`${symbol}|${s.generator}|${s.direction}|${barOpenMs}|${s.params_hash}`);
}

/** Returns the close time of a signal's bar (the kline close event time, SPEC §0.1). */
export function barCloseUs(barOpenUs: number): number {
  return barOpenUs + KLINE_CLOSE_OFFSET_US;
}

/** Session gate: the bar close must lie in London or New York (SPEC §16). */
export function sessionGate(s: SignalIn, p: EngineParams): Rejection | null {
  if (!p.session_filter) return null;
  const close = barCloseUs(s.bar_open_us);
  if (sessionsAt(close, p.session_mode).length > 0) return null;
  return { gate: 'session', reason: `bar close ${isoUs(close)} outside London and New York sessions (${p.session_mode})` };
}

/** Cooldown gate: the engine's own position, its cooldown after an exit, the generator's cooldown, global spacing. */
export function cooldownGate(s: SignalIn, now: number, busy: Busy, book: GateBook, p: EngineParams): Rejection | null {
  if (busy.kind === 'position') return { gate: 'position', reason: 'engine holds a position' };
  if (busy.kind === 'pending') return { gate: 'position', reason: 'engine has a pending entry' };
  if (busy.kind === 'cooldown' && busy.until_us !== null && now < busy.until_us) {
    return { gate: 'cooldown', reason: `engine cooldown after exit until ${isoUs(busy.until_us)}` };
  }
  const until = own(book.cooldowns, s.key);
  if (until !== undefined && now < until) {
    return { gate: 'cooldown', reason: `${s.key} cooldown until ${isoUs(until)} (${minutes(until - now)} min left)` };
  }
  if (p.global_spacing_min !== null && book.last_accept_us !== null) {
    const next = book.last_accept_us + p.global_spacing_min * US_PER_MINUTE;
    if (now < next) return { gate: 'cooldown', reason: `global spacing ${p.global_spacing_min} min until ${isoUs(next)}` };
  }
  return null;
}

/** Stress gate: every bound of the generator's (possibly overridden) set must hold; missing data rejects. */
export function stressGate(s: SignalIn, now: number, m: MarketView, p: EngineParams): Rejection | null {
  const b = boundsFor(p, s.key);
  const reject = (reason: string): Rejection => ({ gate: 'stress', reason });
  if (b.vpin_z_max !== null) {
    if (m.vpin_z === null) return reject('vpin_z missing');
    if (m.vpin_z > b.vpin_z_max) return reject(`vpin_z ${m.vpin_z} > ${b.vpin_z_max}`);
  }
  if (b.vol_ann_pct_min !== null || b.vol_ann_pct_max !== null) {
    if (m.vol_ann_pct === null) return reject('vol_ann_pct missing');
    if (b.vol_ann_pct_min !== null && m.vol_ann_pct < b.vol_ann_pct_min) return reject(`vol_ann_pct ${m.vol_ann_pct} < ${b.vol_ann_pct_min}`);
    if (b.vol_ann_pct_max !== null && m.vol_ann_pct > b.vol_ann_pct_max) return reject(`vol_ann_pct ${m.vol_ann_pct} > ${b.vol_ann_pct_max}`);
  }
  if (b.require_vol_state) {
    if (m.vol_state === null) return reject('volatility state missing');
    if (m.vol_state === 'UNKNOWN') return reject('volatility state UNKNOWN');
  }
  if (b.spread_z_max !== null) {
    if (m.spread_z === null) return reject('spread z missing');
    if (m.spread_z > b.spread_z_max) return reject(`spread z ${m.spread_z} > ${b.spread_z_max}`);
  }
  if (b.s1btc_bps_max !== null) {
    if (m.s1btc_bps === null) return reject('s1btc_bps missing');
    if (m.s1btc_bps > b.s1btc_bps_max) return reject(`s1btc_bps ${m.s1btc_bps} > ${b.s1btc_bps_max}`);
  }
  if (b.vacuum_window_s !== null) return vacuumBound(s.direction, now, m, b.vacuum_window_s);
  return null;
}

/**
 * The entry side is the side a market order consumes: a LONG buys from the asks, a SHORT sells
 * into the bids, so a vacuum there means the fill walks through thin liquidity.
 */
function vacuumBound(d: 1 | -1, now: number, m: MarketView, windowS: number): Rejection | null {
  const side = d === 1 ? 'ASK' : 'BID';
  const active = d === 1 ? m.vacuum_ask_active : m.vacuum_bid_active;
  const end = d === 1 ? m.vacuum_ask_end_us : m.vacuum_bid_end_us;
  if (active) return { gate: 'stress', reason: `VACUUM active on ${side} (entry) side` };
  if (end !== null && now - end <= windowS * US_PER_SECOND) {
    return { gate: 'stress', reason: `VACUUM on ${side} (entry) side ended ${(now - end) / US_PER_SECOND} s ago <= ${windowS} s` };
  }
  return null;
}

/** Confirmation gate: score and component count (SPEC §16), then timing confirmation where required. */
export function confirmationGate(s: SignalIn, now: number, t: TimingView, p: EngineParams): Rejection | null {
  if (!(s.score >= p.score_min)) return { gate: 'confirmation', reason: `score ${s.score} < ${p.score_min}` };
  let strong = 0;
  for (const k in s.components) if (s.components[k] >= p.component_level) strong++;
  if (strong < p.components_min) {
    return { gate: 'confirmation', reason: `${strong} components >= ${p.component_level} < ${p.components_min}` };
  }
  return t.required ? timingGate(s, now, t, p) : null;
}

/**
 * Timing confirmation for breakout and inflection engines: a Phase Timing signal in the same
 * direction within `confirm_window_bars` bars, or the Kalman trend at the signal bar agreeing.
 */
function timingGate(s: SignalIn, now: number, t: TimingView, p: EngineParams): Rejection | null {
  const seen = s.direction === 1 ? t.long_us : t.short_us;
  if (seen !== null && now - seen <= p.confirm_window_bars * US_PER_MINUTE) return null;
  const want = s.direction === 1 ? 'UP' : 'DOWN';
  if (p.confirm_kalman && t.kalman_trend === want) return null;
  const pt = seen === null ? 'none' : `${(now - seen) / US_PER_MINUTE} bars ago`;
  const kf = p.confirm_kalman ? `, kalman trend ${t.kalman_trend ?? 'missing'} != ${want}` : '';
  return { gate: 'confirmation', reason: `no timing confirmation: phase timing ${pt} > ${p.confirm_window_bars} bars${kf}` };
}

/** Dedup gate: an id processed within `dedup_keep_h` of data time is a no-op. */
export function dedupGate(id: string, now: number, book: GateBook, p: EngineParams): Rejection | null {
  const seen = own(book.processed_ids, id);
  if (seen === undefined || now - seen > p.dedup_keep_h * US_PER_HOUR) return null;
  return { gate: 'dedup', reason: `signal_id ${id.slice(0, 12)} already processed at ${isoUs(seen)}` };
}

/** Runs the gates in order and returns the verdict (without changing anything). */
export function validate(
  s: SignalIn, id: string, now: number, busy: Busy, m: MarketView, t: TimingView, book: GateBook, p: EngineParams,
): Verdict {
  const r = sessionGate(s, p) ?? cooldownGate(s, now, busy, book, p) ?? stressGate(s, now, m, p)
    ?? confirmationGate(s, now, t, p) ?? dedupGate(id, now, book, p);
  return verdictOf(s, id, r);
}

/** Returns the verdict record of a signal and a rejection (null: accepted). */
export function verdictOf(s: Pick<SignalIn, 'generator' | 'direction' | 'bar_open_us' | 'score'>, id: string, r: Rejection | null): Verdict {
  return {
    signal_id: id, generator: s.generator, direction: s.direction, bar_open_us: s.bar_open_us, score: s.score,
    accepted: r === null, gate: r === null ? null : r.gate, reason: r === null ? 'accepted' : r.reason,
  };
}

/** Records an accepted signal: the generator's cooldown, the spacing clock and the processed id. */
export function commitAccepted(book: GateBook, key: string, id: string, now: number, p: EngineParams): void {
  book.cooldowns[key] = now + p.cooldown_min * US_PER_MINUTE;
  book.last_accept_us = now;
  book.processed_ids[id] = now;
}

/** Drops expired cooldowns and ids older than the dedup horizon; the result does not depend on key order. */
export function pruneBook(book: GateBook, now: number, p: EngineParams): void {
  for (const k of Object.keys(book.cooldowns)) if (book.cooldowns[k] <= now) delete book.cooldowns[k];
  const horizon = now - p.dedup_keep_h * US_PER_HOUR;
  for (const k of Object.keys(book.processed_ids)) if (book.processed_ids[k] < horizon) delete book.processed_ids[k];
}

function own(o: Record<string, number>, k: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
}

function minutes(us: number): number {
  return Math.round((us / US_PER_MINUTE) * 1000) / 1000;
}
