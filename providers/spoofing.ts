import { z } from 'zod';
import { ASK, BID, SIDE_NAME, type BookView } from '../core/book.ts';
import { topicOf, type Component, type Ctx, type TradeRun } from '../core/component.ts';
import type { Kline, QxEvent, Trade } from '../core/event.ts';
import { ramp } from '../core/math.ts';
import { US_PER_MINUTE, US_PER_MS } from '../core/time.ts';
import { withDoubleFields } from '../core/shape.ts';
import { incNew, incPctRank, incPush, incQuantile, type IncrementWindow } from './spoofing-increments.ts';
import { findLayering, layeringPayload, type Flicker } from './spoofing-layering.ts';

// SPEC §8, spoofing, a heuristic: L2 data has no order ids, so this flags spoof-like "flicker"
// liquidity, not a legal finding. A candidate is a large level increase (>= the rolling P99 of
// the last 10,000 positive increments, at least 2 BTC) 3..30 bps from the mid, outside the top
// two levels. Later decreases at its price are split into executed (prints at the price since
// the last decrease) and cancelled. FLICKER when >= 80 % is cancelled with <= 10 % executed
// within tau_max; GENUINE (dropped silently, counted) when more than 10 % executes, the price
// comes within 3 bps, or the level is still there at tau_max (checked lazily on the next event,
// which gives the same result as a timer since a cancel can only arrive with an event).
// Three or more flickers on one side at distinct prices whose adds and cancels each fall within
// 2 s, and which rested together (see findLayering), make a LAYERING_SUSPECT, checked once per
// side and message. An INVALID book (crossed, gap) or a resync drops every candidate.

export const SpoofingParams = z.strictObject({
  distMinBps: z.number().nonnegative().default(3),
  distMaxBps: z.number().positive().default(30),
  /** Levels at the top of a side that never hold a candidate. */
  topLevels: z.number().int().nonnegative().default(2),
  incQuantile: z.number().min(0).max(1).default(0.99),
  incWindow: z.number().int().min(1).default(10_000),
  incFloorBtc: z.number().positive().default(2),
  tauMaxMs: z.number().positive().default(5_000),
  cancelShare: z.number().positive().default(0.8),
  execShare: z.number().nonnegative().default(0.1),
  dmRampBps: z.number().positive().default(2),
  oppRamp: z.number().positive().default(0.5),
  layerMin: z.number().int().min(2).default(3),
  layerAddMs: z.number().nonnegative().default(2_000),
  layerCancelMs: z.number().nonnegative().default(2_000),
  pressureMinutes: z.number().int().min(1).default(5),
  candidatesMax: z.number().int().min(1).default(256),
});
export type SpoofingParams = z.infer<typeof SpoofingParams>;

interface Candidate {
  /** Side, price, added size, add time (µs), mid and distance (bps) at the add. */
  side: number; p: number; dq: number; tAdd: number; mAdd: number; dAdd: number;
  /** pct_rank of dq among the increments at the add (current included). */
  rank: number;
  /** Executed and cancelled so far; `pending` = prints at p since the last decrease. */
  executed: number; pending: number; cancelled: number;
  /** Cumulative taker volume that benefits the spoofer (BUYs for a bid), at the add. */
  oppAtAdd: number;
}

interface State {
  trades: string;
  depth: string;
  kline: string;
  epoch: number;
  inc: IncrementWindow;
  cands: Candidate[];
  flickers: Flicker[];
  /** Cumulative taker volume by taker side: [BUY, SELL]. */
  cumTaker: number[];
  /** Flicker contributions to the pressure: time, side, score*added_btc. */
  press: number[][];
  /** Counters: candidates resolved GENUINE, dropped by a resync or INVALID book, records published. */
  genuine: number; dropped: number; flickerCount: number; layeringCount: number;
}

const KIND = 'data-spoofing';
/** A candidate's number fields beyond its side (core/shape.ts says why). */
const CANDIDATE_NUMBERS = ['p', 'dq', 'tAdd', 'mAdd', 'dAdd', 'rank', 'executed', 'pending', 'cancelled', 'oppAtAdd'] as const;

export const spoofing: Component<SpoofingParams, State> = {
  id: 'spoofing',
  layer: 'provider',
  inputs: ['raw-trades', 'depth', 'kline-1m'],
  outputs: [KIND],
  params: SpoofingParams,
  init: (p, symbol) => ({
    trades: topicOf('raw-trades', symbol),
    depth: topicOf('depth', symbol),
    kline: topicOf('kline-1m', symbol),
    epoch: -1,
    // Increments below the floor can never pass max(floor, P99): they are only counted.
    inc: incNew(p.incWindow, p.incFloorBtc),
    cands: [],
    flickers: [],
    cumTaker: [0, 0],
    press: [],
    genuine: 0, dropped: 0, flickerCount: 0, layeringCount: 0,
  }),
  reduce(s: State, ev: QxEvent, ctx: Ctx<SpoofingParams>) {
    expire(s, ctx);
    const topic = ev.topic;
    if (topic === s.trades) onTrade(s, ev.payload as Trade, ctx);
    else if (topic === s.depth) onDepth(s, ctx);
    else if (topic === s.kline) onBar(s, ev.payload as Kline, ctx);
  },
  // On a trade, expire and onTrade only count and drop candidates: never a record or a timer.
  tradesQuietUntil: () => Infinity,
  reduceTrades(s: State, run: TradeRun, ctx: Ctx<SpoofingParams>) {
    for (let i = 0; i < run.length; i++) spoofing.reduce(s, run.at(i), ctx);
  },
};

/** Candidates still unresolved after tau_max are GENUINE: the level stayed. */
function expire(s: State, ctx: Ctx<SpoofingParams>): void {
  const cands = s.cands;
  if (cands.length === 0) return;
  const now = ctx.now;
  const tauUs = ctx.params.tauMaxMs * US_PER_MS;
  // Candidates are appended at ctx.now, which never goes back, so they are in add order:
  // none has expired while the oldest has not.
  if (now - cands[0].tAdd <= tauUs) return;
  for (let i = cands.length - 1; i >= 0; i--) {
    if (now - cands[i].tAdd > tauUs) drop(s, i);
  }
}

function drop(s: State, i: number): void {
  s.cands.splice(i, 1);
  s.genuine++;
}

function onTrade(s: State, t: Trade, ctx: Ctx<SpoofingParams>): void {
  // Taker SELLs (buyer is maker) hit bids; taker BUYs lift asks.
  const sell = t.isBuyerMaker;
  const qty = t.qty;
  s.cumTaker[sell ? 1 : 0] += qty;
  const cands = s.cands;
  if (cands.length === 0) return;
  const hit = sell ? BID : ASK;
  const price = t.price;
  const share = ctx.params.execShare;
  for (let i = cands.length - 1; i >= 0; i--) {
    const c = cands[i];
    if (c.side !== hit || c.p !== price) continue;
    c.executed += qty;
    c.pending += qty;
    if (c.executed > share * c.dq) drop(s, i);
  }
}

function onDepth(s: State, ctx: Ctx<SpoofingParams>): void {
  const book = ctx.book;
  const m = book.mid();
  // A one-sided book has no mid, so no distance or mid move to judge by: like an unsynced
  // book, it takes no increments and drops the candidates.
  const usable = book.status === 'VALID' && !Number.isNaN(m);
  if (!usable || book.epoch !== s.epoch) {
    s.dropped += s.cands.length;
    s.cands.length = 0;
    s.epoch = book.epoch;
    if (!usable) return;
  }
  const p = ctx.params;
  // The newest flicker of each side in this message: layering is checked once per side after
  // all changes, so cancels in one message make one group.
  let lastBid: Flicker | null = null;
  let lastAsk: Flicker | null = null;
  const n = book.changeCount;
  const sides = book.changeSide;
  const prices = book.changePx;
  const olds = book.changeOld;
  const news = book.changeNew;
  const floor = p.incFloorBtc;
  const inc = s.inc;
  const cands = s.cands;
  // Most increments are below the floor (which is the window's cut) and replace a value below
  // it in a full window: that only writes the ring (see incPush), done here with the ring
  // position in a local. Every other increment syncs it and takes the general path.
  const ring = inc.ring;
  const cap = inc.cap;
  let head = inc.head;
  for (let k = 0; k < n; k++) {
    const dq = news[k] - olds[k];
    if (dq > 0) {
      if (dq < floor && inc.size === cap && ring[head] < floor) {
        ring[head] = dq;
        head = head + 1 === cap ? 0 : head + 1;
        continue;
      }
      inc.head = head;
      if (dq < floor) incPush(inc, dq);
      else onIncrease(s, book, sides[k], prices[k], dq, m, ctx);
      head = inc.head;
    } else if (cands.length > 0) {
      const side = sides[k];
      const f = onDecrease(s, side, prices[k], -dq, news[k], m, ctx);
      if (f !== null && side === BID) lastBid = f;
      else if (f !== null) lastAsk = f;
    }
  }
  inc.head = head;
  if (lastBid !== null) checkLayering(s, lastBid, m, ctx);
  if (lastAsk !== null) checkLayering(s, lastAsk, m, ctx);
  // The price reaching a candidate (within distMinBps of the mid) makes it GENUINE.
  for (let i = cands.length - 1; i >= 0; i--) {
    if ((1e4 * Math.abs(cands[i].p - m)) / m < p.distMinBps) drop(s, i);
  }
}

/** Counts an increment of at least the floor, and makes it a candidate when it passes the tests. */
function onIncrease(s: State, book: BookView, side: number, px: number, dq: number, m: number, ctx: Ctx<SpoofingParams>): void {
  const p = ctx.params;
  // Where first (cheap), then the threshold max(floor, P99) from the increments before this one
  // (the floor alone while there are none): the quantile is looked up only for an increment
  // that could become a candidate.
  const pass = s.cands.length < p.candidatesMax && placedAsSpoof(book, side, px, m, p)
    && (s.inc.size === 0 || dq >= incQuantile(s.inc, p.incQuantile));
  incPush(s.inc, dq);
  if (!pass) return;
  for (const c of s.cands) if (c.side === side && c.p === px) return;
  s.cands.push(withDoubleFields({
    side, p: px, dq, tAdd: ctx.now, mAdd: m, dAdd: (1e4 * Math.abs(px - m)) / m, rank: incPctRank(s.inc, dq),
    executed: 0, pending: 0, cancelled: 0, oppAtAdd: s.cumTaker[side === BID ? 0 : 1],
  }, CANDIDATE_NUMBERS));
}

/** Whether a level lies in the candidate distance band and outside the top levels of its side. */
function placedAsSpoof(book: BookView, side: number, px: number, m: number, p: SpoofingParams): boolean {
  const d = (1e4 * Math.abs(px - m)) / m;
  if (d < p.distMinBps || d > p.distMaxBps) return false;
  const t = p.topLevels;
  if (t <= 0) return true;
  // levelPx, not the book's px views, which it would rebuild (allocating) after every change.
  if (book.levels(side) <= t) return false;
  const edge = book.levelPx(side, t - 1);
  return side === BID ? px < edge : px > edge;
}

/** Splits a decrease at a candidate's price; returns the FLICKER it completes, if any. */
function onDecrease(s: State, side: number, px: number, dec: number, left: number, m: number, ctx: Ctx<SpoofingParams>): Flicker | null {
  const p = ctx.params;
  for (let i = s.cands.length - 1; i >= 0; i--) {
    const c = s.cands[i];
    if (c.side !== side || c.p !== px) continue;
    c.cancelled += Math.max(0, dec - c.pending);
    c.pending = 0;
    if (c.cancelled >= p.cancelShare * c.dq && c.executed <= p.execShare * c.dq) {
      s.cands.splice(i, 1);
      return flicker(s, c, m, ctx);
    }
    if (left === 0) drop(s, i);
    return null;
  }
  return null;
}

/** Publishes a FLICKER as SPOOF_SUSPECT and keeps it for the layering test. */
function flicker(s: State, c: Candidate, m: number, ctx: Ctx<SpoofingParams>): Flicker {
  const p = ctx.params;
  const life = (ctx.now - c.tAdd) / US_PER_MS;
  const dm = (1e4 * (m - c.mAdd)) / c.mAdd;
  const dir = c.side === BID ? 1 : -1;
  const opp = s.cumTaker[c.side === BID ? 0 : 1] - c.oppAtAdd;
  const score = 0.25 * c.rank + 0.25 * (1 - life / p.tauMaxMs) + 0.25 * ramp(dir * dm, 0, p.dmRampBps) + 0.25 * ramp(opp / c.dq, 0, p.oppRamp);
  s.flickerCount++;
  ctx.emit(KIND, 'SPOOF_SUSPECT', {
    side: SIDE_NAME[c.side], prices: [c.p], added_btc: c.dq, cancelled_btc: c.cancelled, life_ms: life,
    distance_bps: c.dAdd, mid_move_bps: dm, opp_taker_btc: opp, score,
  }, { warm: warm(s), window: { start_us: c.tAdd, end_us: ctx.now } });
  s.press.push([ctx.now, c.side, score * c.dq]);
  const f: Flicker = {
    side: c.side, p: c.p, dq: c.dq, cancelled: c.cancelled, tAdd: c.tAdd, tCancel: ctx.now, mAdd: c.mAdd,
    dAdd: c.dAdd, life, score, oppAtAdd: c.oppAtAdd,
  };
  const keepFrom = ctx.now - Math.max(p.layerCancelMs, p.layerAddMs + p.tauMaxMs) * US_PER_MS;
  s.flickers = s.flickers.filter((g) => g.tCancel >= keepFrom);
  s.flickers.push(f);
  return f;
}

function checkLayering(s: State, f: Flicker, m: number, ctx: Ctx<SpoofingParams>): void {
  const p = ctx.params;
  const group = findLayering(s.flickers, f, p.layerAddMs * US_PER_MS, p.layerCancelMs * US_PER_MS);
  if (group.length < p.layerMin) return;
  // The group comes sorted by add time.
  const first = group[0];
  s.layeringCount++;
  const payload = layeringPayload(group, m, s.cumTaker[first.side === BID ? 0 : 1]);
  ctx.emit(KIND, 'LAYERING_SUSPECT', payload, { warm: warm(s), window: { start_us: first.tAdd, end_us: ctx.now } });
}

/** Per bar: the sum of score*added_btc of the last `pressureMinutes` of flickers, per side. */
function onBar(s: State, k: Kline, ctx: Ctx<SpoofingParams>): void {
  const from = ctx.now - ctx.params.pressureMinutes * US_PER_MINUTE;
  s.press = s.press.filter((e) => e[0] > from);
  const sum = [0, 0];
  for (const e of s.press) sum[e[1]] += e[2];
  const payload = { bar_open_us: k.t, spoof_pressure_bid: sum[BID], spoof_pressure_ask: sum[ASK] };
  ctx.emit(KIND, 'SPOOF_PRESSURE', payload, { warm: warm(s), window: { start_us: from, end_us: ctx.now } });
}

/** Records are warm once the increment window is full. */
const warm = (s: State): boolean => s.inc.size === s.inc.cap;
