import { z } from 'zod';
import { assert } from '../core/assert.ts';
import { PARSE_ONCE, topicOf } from '../core/component.ts';
import { atrInit, type AtrState } from '../core/indicators.ts';
import { US_PER_MINUTE, isoUs } from '../core/time.ts';
import type { Regime } from './fills.ts';
import type { EngineParams } from './params.ts';
import { pruneBook } from './validation.ts';

// The engine's plain state and its state machine (seed "Execution Engine State"):
// LOADING → IDLE → EVALUATING → PENDING → EXECUTING → COOLDOWN → IDLE, SHUTDOWN from a waiting
// state. EVALUATING lasts only while one signal is judged. PENDING holds an accepted signal until
// the next bar opens; EXECUTING holds the order sent at that open and then the position; an exit
// starts COOLDOWN. The SPEC §17 persisted fields (pending, position, cooldowns, processed_ids,
// equity) are top-level keys; the rest (ATR, last market readings) is kept too so that a restart
// from the file continues exactly as the uninterrupted run.

export const STATUSES = ['LOADING', 'IDLE', 'EVALUATING', 'PENDING', 'EXECUTING', 'COOLDOWN', 'SHUTDOWN'] as const;
export type Status = (typeof STATUSES)[number];

const LEGAL: Record<Status, readonly Status[]> = {
  LOADING: ['IDLE', 'PENDING', 'EXECUTING', 'COOLDOWN', 'SHUTDOWN'],
  IDLE: ['EVALUATING', 'SHUTDOWN'],
  EVALUATING: ['IDLE', 'PENDING'],
  // A pending entry whose bars passed while the engine was down is dropped back to IDLE.
  PENDING: ['EXECUTING', 'IDLE', 'SHUTDOWN'],
  // An entry whose bars never came is cancelled back to IDLE.
  EXECUTING: ['COOLDOWN', 'IDLE', 'SHUTDOWN'],
  COOLDOWN: ['IDLE', 'SHUTDOWN'],
  SHUTDOWN: ['LOADING'],
};

/** Returns whether the state machine allows `from` → `to`. */
export function canMove(from: Status, to: Status): boolean {
  return LEGAL[from].includes(to);
}

const TRAIL_MAX = 32;

/** An accepted signal, and after the next bar open, its order and position. */
export interface Order {
  signal_id: string;
  command_id: string;
  trade_id: string;
  generator: string;
  d: 1 | -1;
  /** Open of the signal bar k, and of bar k+1 (when the order is sent). */
  signal_bar_us: number;
  due_us: number;
  qty: number;
  d_sl: number;
  regime: Regime;
  session: string;
  /** Reference price of the command: the signal close with entry slippage. */
  ref_px: number;
  /** Filled by the entry bar: its open time, E, SL, TP and the entry fee. */
  entry_bar_us: number | null;
  entry_px: number | null;
  sl: number | null;
  tp: number | null;
  fee_entry_usdt: number;
}

export interface MarketCache {
  vol_state: string | null;
  vol_state_us: number | null;
  vol_ann_pct: number | null;
  sigma_5m_usdt: number | null;
  garch_us: number | null;
  vpin_z: number | null;
  vpin_us: number | null;
  spread_z: number | null;
  s1btc_bps: number | null;
  spread_us: number | null;
  kalman_trend: string | null;
  kalman_us: number | null;
  vac_bid_active: boolean;
  vac_bid_seen_us: number | null;
  vac_bid_end_us: number | null;
  vac_ask_active: boolean;
  vac_ask_seen_us: number | null;
  vac_ask_end_us: number | null;
}

/** A signal copied out of its event, waiting for `settle`. */
export interface Buffered {
  key: string;
  confirmer: boolean;
  raw: Record<string, unknown>;
}

export interface Tape {
  /** Minute of the trades seen, the provisional entry-bar levels, and the first level crossed. */
  bar_us: number | null;
  prov_sl: number | null;
  prov_tp: number | null;
  first: 'SL' | 'TP' | null;
}

export interface EngineState {
  version: 1;
  id: string;
  status: Status;
  /** False before the first event, after a restore (until timers are re-armed) and after SHUTDOWN. */
  armed: boolean;
  topics: Record<'trades' | 'kline' | 'vol' | 'garch' | 'vpin' | 'spread' | 'vacuum' | 'kalman', string>;
  equity: number;
  pending: Order | null;
  position: Order | null;
  cooldown_until_us: number | null;
  cooldowns: Record<string, number>;
  last_accept_us: number | null;
  processed_ids: Record<string, number>;
  confirm_long_us: number | null;
  confirm_short_us: number | null;
  market: MarketCache;
  atr: AtrState;
  last_close: number | null;
  inbox: Buffered[];
  bar_closed: { t: number; c: number } | null;
  tape: Tape;
  trail: string[];
  n_trades: number;
}

/** Returns the fresh state of engine `id` (status LOADING until its first event). */
export function initEngineState(id: string, p: EngineParams, symbol: string): EngineState {
  const t = (kind: string) => topicOf(kind, symbol);
  return {
    version: 1, id, status: 'LOADING', armed: false,
    topics: {
      trades: t('raw-trades'), kline: t('kline-1m'), vol: t('data-volatility-state'),
      garch: t('data-garch-volatility-forecast-5min'), vpin: t('data-vpin-zscore'), spread: t('data-spread'),
      vacuum: t('data-liquidity-vacuum'), kalman: t('data-kalman'),
    },
    equity: p.equity0_usdt, pending: null, position: null, cooldown_until_us: null,
    cooldowns: {}, last_accept_us: null, processed_ids: {}, confirm_long_us: null, confirm_short_us: null,
    market: {
      vol_state: null, vol_state_us: null, vol_ann_pct: null, sigma_5m_usdt: null, garch_us: null,
      vpin_z: null, vpin_us: null, spread_z: null, s1btc_bps: null, spread_us: null, kalman_trend: null, kalman_us: null,
      vac_bid_active: false, vac_bid_seen_us: null, vac_bid_end_us: null,
      vac_ask_active: false, vac_ask_seen_us: null, vac_ask_end_us: null,
    },
    atr: atrInit(p.atr_period), last_close: null, inbox: [], bar_closed: null,
    tape: { bar_us: null, prov_sl: null, prov_tp: null, first: null },
    trail: [], n_trades: 0,
  };
}

/** Moves the state machine, asserting the transition is legal, and records it in the trail. */
export function move(s: EngineState, to: Status): void {
  assert(canMove(s.status, to), `engine '${s.id}': illegal transition ${s.status} → ${to}`);
  s.trail.push(`${s.status}>${to}`);
  if (s.trail.length > TRAIL_MAX) s.trail.shift();
  s.status = to;
}

/** Returns a copy of the state stopped gracefully (SHUTDOWN), ready to persist. */
export function shutdown(state: EngineState): EngineState {
  const s = structuredClone(state);
  move(s, 'SHUTDOWN');
  s.armed = false;
  return s;
}

const num = z.number();
const nnum = z.number().nullable();
/** ATR fields are NaN during warm-up (core/indicators.ts). */
const numOrNaN = z.union([z.number(), z.nan()]);
const OrderSchema = z.strictObject({
  signal_id: z.string(), command_id: z.string(), trade_id: z.string(), generator: z.string(),
  d: z.union([z.literal(1), z.literal(-1)]), signal_bar_us: num, due_us: num, qty: num.positive(), d_sl: num.positive(),
  regime: z.enum(['LOW', 'MEDIUM', 'HIGH']), session: z.string(), ref_px: num,
  entry_bar_us: nnum, entry_px: nnum, sl: nnum, tp: nnum, fee_entry_usdt: num,
});

/** The shape a persisted engine state must have; a file that parses but fails this is not used. */
export const EngineStateSchema = z.strictObject({
  version: z.literal(1), id: z.string(), status: z.enum(STATUSES), armed: z.boolean(),
  topics: z.record(z.string(), z.string()), equity: num, pending: OrderSchema.nullable(), position: OrderSchema.nullable(),
  cooldown_until_us: nnum, cooldowns: z.record(z.string(), num), last_accept_us: nnum,
  processed_ids: z.record(z.string(), num), confirm_long_us: nnum, confirm_short_us: nnum,
  market: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
  atr: z.strictObject({ n: num, prevClose: numOrNaN, trSum: num, trCount: num, atr: numOrNaN }), last_close: nnum,
  inbox: z.array(z.unknown()).max(0), bar_closed: z.null(),
  tape: z.strictObject({ bar_us: nnum, prov_sl: nnum, prov_tp: nnum, first: z.enum(['SL', 'TP']).nullable() }),
  trail: z.array(z.string()), n_trades: num,
});

/**
 * Returns a loaded state made ready to run at data time `now` (seed "State Recovery"): the
 * shape is checked, expired generator cooldowns and old processed ids are dropped, an entry whose
 * bars can no longer come is dropped, and the status is derived from what the state holds. The
 * engine re-arms its timers on its first event. Returns null state (with a note) when unusable,
 * including a state of another engine or symbol than `expected` names.
 */
export function restoreEngineState(
  loaded: unknown, now: number, p: EngineParams, expected: { id?: string; symbol?: string } = {},
): { state: EngineState | null; notes: string[] } {
  if (loaded === null || loaded === undefined) return { state: null, notes: ['no saved state: fresh start'] };
  const parsed = EngineStateSchema.safeParse(loaded, PARSE_ONCE);
  if (!parsed.success) return { state: null, notes: [`saved engine state is malformed: ${parsed.error.issues[0]?.message ?? 'unknown'}`] };
  const s = structuredClone(loaded) as EngineState;
  if (expected.id !== undefined && s.id !== expected.id) return { state: null, notes: [`saved state is for engine '${s.id}', expected '${expected.id}'`] };
  if (expected.symbol !== undefined && s.topics.kline !== topicOf('kline-1m', expected.symbol)) {
    return { state: null, notes: [`saved state reads ${s.topics.kline}, expected symbol ${expected.symbol}`] };
  }
  const notes: string[] = [];
  const before = Object.keys(s.cooldowns).length;
  pruneBook(s, now, p);
  const dropped = before - Object.keys(s.cooldowns).length;
  if (dropped > 0) notes.push(`${dropped} generator cooldown(s) expired before ${isoUs(now)}`);
  const deadline = (o: Order) => o.due_us + p.entry_cancel_delay_bars * US_PER_MINUTE;
  if (s.pending !== null && now >= deadline(s.pending)) {
    notes.push(`pending entry ${s.pending.signal_id.slice(0, 12)} expired (its bars passed)`);
    s.pending = null;
  }
  if (s.position !== null && s.position.entry_px === null && now >= deadline(s.position)) {
    notes.push(`unfilled order ${s.position.command_id.slice(0, 12)} expired (its bars passed)`);
    s.position = null;
  }
  if (s.cooldown_until_us !== null && s.cooldown_until_us <= now) s.cooldown_until_us = null;
  s.status = 'LOADING';
  const to: Status = s.position !== null ? 'EXECUTING' : s.pending !== null ? 'PENDING' : s.cooldown_until_us !== null ? 'COOLDOWN' : 'IDLE';
  move(s, to);
  s.armed = false;
  return { state: s, notes };
}
