import { z } from 'zod';
import { ASK, BID } from '../core/book.ts';
import { topicOf, type Component, type Ctx, type TradeRun } from '../core/component.ts';
import type { QxEvent, Trade } from '../core/event.ts';
import { US_PER_MS } from '../core/time.ts';
import { applyChange, copyEpisode, credit, episodePayload, inGrace, newEpisode, openEpisode, type Episode } from './hidden-liquidity-episode.ts';
import { rqNew, rqPush, rqQuantile, type RollingQuantile } from './rolling-quantile.ts';

// SPEC §7, hidden liquidity (icebergs): volume executed at a best level beyond everything ever
// shown there. One episode per side follows the best level p from the moment it becomes best
// until it has not been best for more than `graceMs` (a removal that is not restored in time
// counts as "not best"). E sums taker prints at p (taker SELLs hit the bid), R counts increases
// within tau_r of a print at p (refills), A sums the other increases (visible additions), and
// H = max(0, E - (D0 + A)) is a lower bound of the hidden volume.
//
// While the open episode is out of the top (grace), a second "next" slot follows the current
// best, so a level that takes over is credited from its first print; it is promoted when the
// grace ends, and dropped if the old level returns. Prints at other in-book prices (a sweep)
// wait until the next depth message: a level that becomes best there is credited with them,
// with D0 its quantity before that message. A print at a price absent from the book (and not
// an episode's price) is ignored and counted. An INVALID book or a resync aborts episodes.
// q_min is the P95 of 1-s top-of-book sizes (both sides pooled) over 24 h, or `qMinFixed`.

export const HiddenLiquidityParams = z.strictObject({
  kappa: z.number().nonnegative().default(0.5),
  tauRefillMs: z.number().positive().default(500),
  graceMs: z.number().positive().default(1000),
  qMinQuantile: z.number().min(0).max(1).default(0.95),
  /** Window of the 1-s top-of-book samples, seconds. */
  qMinWindowS: z.number().int().min(1).default(86_400),
  /** Seconds of samples before q_min is defined (no record before that). */
  qMinMinS: z.number().int().min(1).default(60),
  /** Seconds of samples before records are marked warm. */
  qMinWarmS: z.number().int().min(1).default(3_600),
  qMinFloor: z.number().nonnegative().default(0),
  qMinFixed: z.number().positive().nullable().default(null),
  /** Least time between two update records of one episode; its end always gets a final one. */
  updateGapMs: z.number().nonnegative().default(1000),
  /** Prints at in-book prices kept between two depth messages (a sweep's levels). */
  pendingMax: z.number().int().min(1).default(256),
});
export type HiddenLiquidityParams = z.infer<typeof HiddenLiquidityParams>;

interface State {
  trades: string;
  depth: string;
  /** Per side: [open, next] at index 2*side and 2*side+1. */
  eps: Episode[];
  /**
   * At or before the earliest notBestSince of an open episode out of the top (Infinity when
   * none), so the per-event expiry test is one compare until a grace can have run out.
   */
  graceFrom: number;
  epoch: number;
  /** Prints at in-book prices since the last depth message: side, price, qty, time; stride 4. */
  pend: number[];
  /** Per side, the largest size before this message at the side's new best (set per message). */
  oldAtBest: Float64Array;
  pendN: number;
  tob: RollingQuantile;
  /** q_min as of the last sample (NaN before enough samples); constant when fixed. */
  qMin: number;
  /** The sample window changed since q_min was last computed (computed lazily, on use). */
  qMinStale: boolean;
  /** Counters: prints at prices absent from the book, prints while it is not VALID, prints over
   * pendingMax, episodes aborted by an INVALID book or a resync. */
  tradesNotInBook: number; tradesNoBook: number; pendingDropped: number; aborted: number;
}

const TOB_BAND = 0.01;

export const hiddenLiquidity: Component<HiddenLiquidityParams, State> = {
  id: 'hidden-liquidity',
  layer: 'provider',
  inputs: ['raw-trades', 'depth', 'kline-1m', 'clock'],
  outputs: ['data-hidden-liquidity'],
  params: HiddenLiquidityParams,
  init: (p, symbol) => ({
    trades: topicOf('raw-trades', symbol),
    depth: topicOf('depth', symbol),
    eps: [newEpisode(), newEpisode(), newEpisode(), newEpisode()],
    graceFrom: Infinity,
    epoch: -1,
    pend: new Array<number>(4 * p.pendingMax).fill(0),
    oldAtBest: new Float64Array(2),
    pendN: 0,
    // Two samples (bid and ask size) per second; a fixed q_min needs no window. Only a band
    // of 1 % of the window around the asked rank is kept sorted (see rolling-quantile.ts).
    tob: rqNew(p.qMinFixed === null ? 2 * p.qMinWindowS : 1, { band: TOB_BAND }),
    qMin: p.qMinFixed ?? NaN,
    qMinStale: false,
    tradesNotInBook: 0, tradesNoBook: 0, pendingDropped: 0, aborted: 0,
  }),
  reduce(s: State, ev: QxEvent, ctx: Ctx<HiddenLiquidityParams>) {
    expire(s, ctx);
    const topic = ev.topic;
    if (topic === s.trades) onTrade(s, ev.payload as Trade, ctx);
    else if (topic === s.depth) onDepth(s, ctx);
    else if (topic === 'clock') onClock(s, ctx);
  },
  // Trades only credit or queue; an episode's grace running out (expire) may publish. Times are integer µs.
  tradesQuietUntil: (s: State, ctx: Ctx<HiddenLiquidityParams>) => s.graceFrom + ctx.params.graceMs * US_PER_MS + 1,
  reduceTrades(s: State, run: TradeRun, ctx: Ctx<HiddenLiquidityParams>) {
    for (let i = 0; i < run.length; i++) hiddenLiquidity.reduce(s, run.at(i), ctx);
  },
};

function onTrade(s: State, t: Trade, ctx: Ctx<HiddenLiquidityParams>): void {
  const book = ctx.book;
  if (book.status !== 'VALID') {
    s.tradesNoBook++;
    return;
  }
  // A taker SELL executes against the bid, a taker BUY against the ask.
  const side = t.isBuyerMaker ? BID : ASK;
  const price = t.price;
  const open = s.eps[2 * side];
  const next = s.eps[2 * side + 1];
  if (open.active && open.p === price) credit(open, t.qty, ctx.now);
  else if (next.active && next.p === price) credit(next, t.qty, ctx.now);
  else if (!(book.qtyAt(side, price) > 0)) s.tradesNotInBook++;
  else if (s.pendN >= ctx.params.pendingMax) s.pendingDropped++;
  else {
    // Waits for the next depth message (see the top of this file).
    const o = 4 * s.pendN++;
    s.pend[o] = side;
    s.pend[o + 1] = price;
    s.pend[o + 2] = t.qty;
    s.pend[o + 3] = ctx.now;
  }
}

function onDepth(s: State, ctx: Ctx<HiddenLiquidityParams>): void {
  const book = ctx.book;
  if (book.status !== 'VALID' || book.epoch !== s.epoch) {
    for (const ep of s.eps) {
      if (ep.active) s.aborted++;
      ep.active = false;
    }
    s.pendN = 0;
    s.epoch = book.epoch;
    if (book.status !== 'VALID') return;
  }
  const now = ctx.now;
  const tauUs = ctx.params.tauRefillMs * US_PER_MS;
  const bestBid = book.levels(BID) > 0 ? book.levelPx(BID, 0) : NaN;
  const bestAsk = book.levels(ASK) > 0 ? book.levelPx(ASK, 0) : NaN;
  // One pass over the changes does two jobs: it routes those at an episode's price to it, and
  // finds the largest quantity before this message at each side's new best price (D0 of an
  // episode that starts there). Most changes are at none of these six prices: six compares
  // skip them. NaN stands for an inactive episode or an empty side; it equals no price.
  const eps = s.eps;
  const p0 = eps[0].active ? eps[0].p : NaN;
  const p1 = eps[1].active ? eps[1].p : NaN;
  const p2 = eps[2].active ? eps[2].p : NaN;
  const p3 = eps[3].active ? eps[3].p : NaN;
  let bidOld = -Infinity;
  let askOld = -Infinity;
  const n = book.changeCount;
  const prices = book.changePx;
  for (let k = 0; k < n; k++) {
    const px = prices[k];
    if (px !== p0 && px !== p1 && px !== p2 && px !== p3 && px !== bestBid && px !== bestAsk) continue;
    const side = book.changeSide[k];
    const old = book.changeOld[k];
    if (side === BID) {
      if (px === bestBid && old > bidOld) bidOld = old;
    } else if (px === bestAsk && old > askOld) {
      askOld = old;
    }
    const open = eps[2 * side];
    const next = eps[2 * side + 1];
    const ep = open.active && open.p === px ? open : next.active && next.p === px ? next : null;
    if (ep !== null) applyChange(ep, old, book.changeNew[k], now, tauUs);
  }
  s.oldAtBest[BID] = bidOld;
  s.oldAtBest[ASK] = askOld;
  trackBest(s, ctx, BID);
  evaluate(s, ctx, BID);
  trackBest(s, ctx, ASK);
  evaluate(s, ctx, ASK);
  s.pendN = 0;
}

/**
 * Starts, suspends or resumes the side's episodes from the side's best level after the message
 * (NaN when the side is empty). No float arguments here or in start: V8 boxed them per call.
 */
function trackBest(s: State, ctx: Ctx<HiddenLiquidityParams>, side: number): void {
  const best = ctx.book.levels(side) > 0 ? ctx.book.levelPx(side, 0) : Number.NaN;
  const open = s.eps[2 * side];
  const next = s.eps[2 * side + 1];
  if (!open.active) {
    if (!Number.isNaN(best)) start(s, open, ctx, side);
    return;
  }
  if (open.p === best) {
    open.notBestSince = -1;
    next.active = false;
    return;
  }
  if (open.notBestSince < 0) {
    open.notBestSince = ctx.now;
    if (ctx.now < s.graceFrom) s.graceFrom = ctx.now;
  }
  if (Number.isNaN(best)) next.active = false;
  else if (!next.active || next.p !== best) start(s, next, ctx, side);
}

/** Opens an episode at the side's best level; D0 is its size before this message if larger. */
function start(s: State, ep: Episode, ctx: Ctx<HiddenLiquidityParams>, side: number): void {
  const shown = ctx.book.levelQty(side, 0);
  const old = s.oldAtBest[side];
  const p = ctx.book.levelPx(side, 0);
  openEpisode(ep, p, old > shown ? old : shown, ctx.now);
  const pend = s.pend;
  for (let i = 0; i < 4 * s.pendN; i += 4) {
    if (pend[i] === side && pend[i + 1] === p) credit(ep, pend[i + 2], pend[i + 3]);
  }
}

/** Ends episodes out of the top for longer than the grace; the side's next slot takes over. */
function expire(s: State, ctx: Ctx<HiddenLiquidityParams>): void {
  const now = ctx.now;
  const graceUs = ctx.params.graceMs * US_PER_MS;
  // Times are integer µs, so these differences are exact: no grace ends while the earliest has not.
  if (!(now - s.graceFrom > graceUs)) return;
  const eps = s.eps;
  for (let side = BID; side <= ASK; side++) {
    const open = eps[2 * side];
    if (!inGrace(open) || now - open.notBestSince <= graceUs) continue;
    // The final record of an emitted episode; none from a book that is no longer VALID.
    const changed = open.e !== open.emE || open.a !== open.emA || open.r !== open.emR;
    if (open.emitted && changed && ctx.book.status === 'VALID') publish(s, ctx, open, side, open.notBestSince, true);
    const next = eps[2 * side + 1];
    copyEpisode(open, next);
    next.active = false;
  }
  const bid = eps[2 * BID];
  const ask = eps[2 * ASK];
  s.graceFrom = Math.min(inGrace(bid) ? bid.notBestSince : Infinity, inGrace(ask) ? ask.notBestSince : Infinity);
}

/** Returns q_min, or NaN while too few samples exist. */
function qMin(s: State, p: HiddenLiquidityParams): number {
  if (p.qMinFixed !== null) return p.qMinFixed;
  if (s.tob.size < 2 * p.qMinMinS) return NaN;
  return Math.max(p.qMinFloor, rqQuantile(s.tob, p.qMinQuantile));
}

/** Publishes the open episode when its hidden lower bound passes the SPEC §7 test. */
function evaluate(s: State, ctx: Ctx<HiddenLiquidityParams>, side: number): void {
  const ep = s.eps[2 * side];
  if (!ep.active || ep.e === 0) return;
  const p = ctx.params;
  const h = ep.e - (ep.d0 + ep.a);
  if (h <= 0) return;
  if (s.qMinStale) {
    // Same value as computing it at every tick: the window only changes at ticks.
    s.qMin = qMin(s, p);
    s.qMinStale = false;
  }
  const q = s.qMin;
  if (Number.isNaN(q) || h < Math.max(q, p.kappa * ep.dmax)) return;
  // A refill, or a level still shown after the prints; below 2*q_min a refill is required,
  // which bounds false positives from 100 ms conflation.
  const displayed = ctx.book.qtyAt(side, ep.p) > 0;
  if (ep.r < 1 && (!displayed || h < 2 * q)) return;
  if (ep.emitted) {
    const changed = ep.e !== ep.emE || ep.a !== ep.emA || ep.r !== ep.emR;
    if (!changed || ctx.now - ep.lastEmitUs < p.updateGapMs * US_PER_MS) return;
  }
  publish(s, ctx, ep, side, ctx.now, ep.emitted);
}

function publish(s: State, ctx: Ctx<HiddenLiquidityParams>, ep: Episode, side: number, endUs: number, isUpdate: boolean): void {
  const p = ctx.params;
  const book = ctx.book;
  const best = book.levels(side) > 0 ? book.levelPx(side, 0) : NaN;
  const payload = episodePayload(ep, side, endUs, isUpdate, best);
  ep.emitted = true;
  ep.lastEmitUs = ctx.now;
  ep.emE = ep.e;
  ep.emA = ep.a;
  ep.emR = ep.r;
  ctx.emit('data-hidden-liquidity', 'HIDDEN_LIQUIDITY', payload, {
    window: { start_us: ep.startUs, end_us: ctx.now },
    warm: p.qMinFixed !== null || s.tob.size >= 2 * p.qMinWarmS,
  });
}

/** Samples both top-of-book sizes for q_min at each whole second. */
function onClock(s: State, ctx: Ctx<HiddenLiquidityParams>): void {
  const book = ctx.book;
  if (ctx.params.qMinFixed !== null || book.status !== 'VALID') return;
  if (book.levels(BID) > 0) rqPush(s.tob, book.levelQty(BID, 0));
  if (book.levels(ASK) > 0) rqPush(s.tob, book.levelQty(ASK, 0));
  s.qMinStale = true;
}
