import { z } from 'zod';
import { ASK, BID, type BookView } from '../core/book.ts';
import { topicOf, type Component, type Ctx } from '../core/component.ts';
import type { Kline, QxEvent, Trade } from '../core/event.ts';
import { ramp } from '../core/math.ts';
import { US_PER_MINUTE, US_PER_MS } from '../core/time.ts';
import { rqNew, rqPctRank, rqPush, rqQuantile, type RollingQuantile } from './rolling-quantile.ts';

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

/** A resolved FLICKER, kept a few seconds for the layering test. */
interface Flicker {
  side: number; p: number; dq: number; cancelled: number; tAdd: number; tCancel: number;
  mAdd: number; dAdd: number; life: number; score: number; oppAtAdd: number;
}

interface State {
  trades: string;
  depth: string;
  kline: string;
  epoch: number;
  inc: RollingQuantile;
  cands: Candidate[];
  flickers: Flicker[];
  /** Cumulative taker volume by taker side: [BUY, SELL]. */
  cumTaker: number[];
  /** Flicker contributions to the pressure: time, side, score*added_btc. */
  press: number[][];
  /** Counters: candidates resolved GENUINE, dropped by a resync or INVALID book, records published. */
  genuine: number; dropped: number; flickerCount: number; layeringCount: number;
}

const SIDE_NAME = ['BID', 'ASK'] as const;
const KIND = 'data-spoofing';

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
    inc: rqNew(p.incWindow, { lowCut: p.incFloorBtc }),
    cands: [],
    flickers: [],
    cumTaker: [0, 0],
    press: [],
    genuine: 0, dropped: 0, flickerCount: 0, layeringCount: 0,
  }),
  reduce(s: State, ev: QxEvent, ctx: Ctx<SpoofingParams>) {
    expire(s, ctx);
    if (ev.topic === s.trades) onTrade(s, ev.payload as Trade, ctx);
    else if (ev.topic === s.depth) onDepth(s, ctx);
    else if (ev.topic === s.kline) onBar(s, ev.payload as Kline, ctx);
  },
};

/** Candidates still unresolved after tau_max are GENUINE: the level stayed. */
function expire(s: State, ctx: Ctx<SpoofingParams>): void {
  const tauUs = ctx.params.tauMaxMs * US_PER_MS;
  for (let i = s.cands.length - 1; i >= 0; i--) {
    if (ctx.now - s.cands[i].tAdd > tauUs) drop(s, i);
  }
}

function drop(s: State, i: number): void {
  s.cands.splice(i, 1);
  s.genuine++;
}

function onTrade(s: State, t: Trade, ctx: Ctx<SpoofingParams>): void {
  // Taker SELLs (buyer is maker) hit bids; taker BUYs lift asks.
  const hit = t.isBuyerMaker ? BID : ASK;
  s.cumTaker[t.isBuyerMaker ? 1 : 0] += t.qty;
  const share = ctx.params.execShare;
  for (let i = s.cands.length - 1; i >= 0; i--) {
    const c = s.cands[i];
    if (c.side !== hit || c.p !== t.price) continue;
    c.executed += t.qty;
    c.pending += t.qty;
    if (c.executed > share * c.dq) drop(s, i);
  }
}

function onDepth(s: State, ctx: Ctx<SpoofingParams>): void {
  const book = ctx.book;
  if (book.status !== 'VALID' || book.epoch !== s.epoch) {
    s.dropped += s.cands.length;
    s.cands.length = 0;
    s.epoch = book.epoch;
    if (book.status !== 'VALID') return;
  }
  const p = ctx.params;
  const m = book.mid();
  // The newest flicker of each side in this message: layering is checked once per side after
  // all changes, so cancels in one message make one group.
  let lastBid: Flicker | null = null;
  let lastAsk: Flicker | null = null;
  for (let k = 0; k < book.changeCount; k++) {
    const side = book.changeSide[k];
    const px = book.changePx[k];
    const dq = book.changeNew[k] - book.changeOld[k];
    if (dq > 0) {
      onIncrease(s, book, side, px, dq, m, ctx);
    } else if (s.cands.length > 0) {
      const f = onDecrease(s, side, px, -dq, book.changeNew[k], m, ctx);
      if (f !== null && side === BID) lastBid = f;
      else if (f !== null) lastAsk = f;
    }
  }
  if (lastBid !== null) checkLayering(s, lastBid, m, ctx);
  if (lastAsk !== null) checkLayering(s, lastAsk, m, ctx);
  // The price reaching a candidate (within distMinBps of the mid) makes it GENUINE.
  for (let i = s.cands.length - 1; i >= 0; i--) {
    if ((1e4 * Math.abs(s.cands[i].p - m)) / m < p.distMinBps) drop(s, i);
  }
}

function onIncrease(s: State, book: BookView, side: number, px: number, dq: number, m: number, ctx: Ctx<SpoofingParams>): void {
  const p = ctx.params;
  // Where and how large first (cheap), then the threshold max(floor, P99) from the increments
  // before this one (the floor alone while there are none): the quantile is looked up only for
  // an increment that could become a candidate.
  const pass = dq >= p.incFloorBtc && s.cands.length < p.candidatesMax && placedAsSpoof(book, side, px, m, p)
    && (s.inc.size === 0 || dq >= rqQuantile(s.inc, p.incQuantile));
  rqPush(s.inc, dq);
  if (!pass) return;
  for (const c of s.cands) if (c.side === side && c.p === px) return;
  s.cands.push({
    side, p: px, dq, tAdd: ctx.now, mAdd: m, dAdd: (1e4 * Math.abs(px - m)) / m, rank: rqPctRank(s.inc, dq),
    executed: 0, pending: 0, cancelled: 0, oppAtAdd: s.cumTaker[side === BID ? 0 : 1],
  });
}

/** Whether a level lies in the candidate distance band and outside the top levels of its side. */
function placedAsSpoof(book: BookView, side: number, px: number, m: number, p: SpoofingParams): boolean {
  const d = (1e4 * Math.abs(px - m)) / m;
  if (d < p.distMinBps || d > p.distMaxBps) return false;
  const lv = book.px[side];
  const t = p.topLevels;
  return t <= 0 || (lv.length > t && (side === BID ? px < lv[t - 1] : px > lv[t - 1]));
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
  if (group.length >= p.layerMin) layering(s, group, m, ctx);
}

/**
 * Returns the largest group of recent flickers on f's side, at distinct prices, that contains f,
 * whose add times span at most `addUs`, cancel times at most `cancelUs`, and whose orders all
 * rested at once (every add before every cancel). The last rule is ours, not SPEC's: without
 * it one order walked from price to price (cancel and re-add in one update, as a market maker
 * requotes) counts as layering; on the 2024-07-18 USDⓈ-M capture one such 35 BTC order made
 * over a thousand LAYERING records in 8 minutes.
 */
function findLayering(all: readonly Flicker[], f: Flicker, addUs: number, cancelUs: number): Flicker[] {
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

function layering(s: State, group: Flicker[], m: number, ctx: Ctx<SpoofingParams>): void {
  const n = group.length;
  // The group comes sorted by add time.
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
  s.layeringCount++;
  ctx.emit(KIND, 'LAYERING_SUSPECT', {
    side: SIDE_NAME[side], prices: group.map((g) => g.p).sort((a, b) => (side === BID ? b - a : a - b)),
    added_btc: added, cancelled_btc: cancelled, life_ms: life / n, distance_bps: dist / n, mid_move_bps: (1e4 * (m - first.mAdd)) / first.mAdd,
    opp_taker_btc: s.cumTaker[side === BID ? 0 : 1] - first.oppAtAdd, score: score / n,
  }, { warm: warm(s), window: { start_us: first.tAdd, end_us: ctx.now } });
}

/** Per bar: the sum of score*added_btc of the last `pressureMinutes` of flickers, per side. */
function onBar(s: State, k: Kline, ctx: Ctx<SpoofingParams>): void {
  const from = ctx.now - ctx.params.pressureMinutes * US_PER_MINUTE;
  s.press = s.press.filter((e) => e[0] > from);
  const sum = [0, 0];
  for (const e of s.press) sum[e[1]] += e[2];
  ctx.emit(KIND, 'SPOOF_PRESSURE', {
    bar_open_us: k.t, spoof_pressure_bid: sum[BID], spoof_pressure_ask: sum[ASK],
  }, { warm: warm(s), window: { start_us: from, end_us: ctx.now } });
}

/** Records are warm once the increment window is full. */
const warm = (s: State): boolean => s.inc.size === s.inc.cap;
