import { z } from 'zod';
import type { Component, Ctx } from '../core/component.ts';
import type { Kline, QxEvent, TimerPayload, Trade } from '../core/event.ts';
import type { BookView } from '../core/book.ts';
import { topicOf } from '../core/component.ts';
import { ringNew, ringPush, ringValues, type Ring } from '../core/ring.ts';
import { US_PER_SECOND } from '../core/time.ts';
import { pendingNew } from './spread-pending.ts';
import { costResolve, costTimer, costTrade, SPREAD_TIMER_TAG, type CostState } from './spread-costs.ts';
import { quantileSorted, rollSpread, walkVwap, zWindowNew, zWindowPush, zWindowZ, type ZWindow } from './spread-math.ts';

// SPEC §9, Spread Analysis [P1-P4], from the shared L2 book, trades and 1-s clock samples:
// - quoted spread S = a - b in bps of the mid; TWS weights each top-of-book state by how long
//   it lasted in virtual time; p50/p95/max are over the bar's 1-s samples;
// - S_Q (Q = 1, 10 BTC) at each 1-s sample: 1e4*(VWAPask(Q) - VWAPbid(Q))/m walking the book
//   inside the snapshot coverage, null with flag INSUFFICIENT_DEPTH when depth is short; the
//   bar reports the mean of its samples;
// - per trade ES = 2D(p - m-)/m-, RS = 2D(p - m5)/m-, PI = 2D(m5 - m-)/m- (bps), with m5 the
//   mid 5 s later in data time (spread-costs.ts says how it is read). A bar's eff/realized/
//   impact are volume-weighted over the trades whose 5-s horizon ended in it, so
//   eff = realized + impact holds per bar;
// - Roll over the last 60 closes; z = zprev_3600 of S_1 samples, TIGHT z <= -1, WIDE z >= 2;
//   SPREAD_WIDENING once per episode when z >= 3 has lasted 2 s (a second without a sample ends it).
// A crossed, locked, one-sided or unsynced book gives no sample and no ES.

export const SpreadParams = z.strictObject({
  horizonS: z.number().positive().default(5),
  zWindow: z.number().int().min(2).default(3600),
  tightZ: z.number().default(-1),
  wideZ: z.number().default(2),
  widenZ: z.number().default(3),
  widenS: z.number().nonnegative().default(2),
  rollCloses: z.number().int().min(4).default(60),
  pendingMax: z.number().int().min(1).default(100_000),
  samplesMax: z.number().int().min(60).default(3600),
});
export type SpreadParams = z.infer<typeof SpreadParams>;

interface State extends CostState {
  tradeTopic: string;
  depthTopic: string;
  klineTopic: string;
  /** Quoted spread (bps) of the current top-of-book state, NaN when there is none. */
  curBps: number;
  lastChange: number;
  sumSdt: number;
  sumDt: number;
  /** This bar's 1-s quoted-spread samples (the first n entries are live). */
  samples: number[];
  n: number;
  s1Sum: number;
  s1N: number;
  s10Sum: number;
  s10N: number;
  barZ: number | null;
  zw: ZWindow;
  wideSince: number;
  wideSent: boolean;
  closes: Ring;
  flags: { insufficient: boolean; overflow: boolean; unresolved: boolean; order: boolean; samples: boolean };
  lastTs: number;
  orderViolations: number;
}

function init(p: SpreadParams, symbol: string): State {
  return {
    tradeTopic: topicOf('raw-trades', symbol),
    depthTopic: topicOf('depth', symbol),
    klineTopic: topicOf('kline-1m', symbol),
    curBps: NaN,
    curMid: NaN,
    lastChange: -Infinity,
    sumSdt: 0,
    sumDt: 0,
    samples: [],
    n: 0,
    s1Sum: 0,
    s1N: 0,
    s10Sum: 0,
    s10N: 0,
    barZ: null,
    zw: zWindowNew(p.zWindow),
    wideSince: NaN,
    wideSent: false,
    pending: pendingNew(p.pendingMax),
    timerSet: false,
    timerFloor: -Infinity,
    esSum: 0,
    rsSum: 0,
    piSum: 0,
    qSum: 0,
    closes: ringNew(p.rollCloses),
    flags: { insufficient: false, overflow: false, unresolved: false, order: false, samples: false },
    lastTs: -Infinity,
    orderViolations: 0,
  };
}

/** Returns the mid of a usable book (valid, two-sided, bid < ask), or NaN. */
function usableMid(book: BookView): number {
  if (book.status !== 'VALID') return NaN;
  const b = book.bestBid();
  const a = book.bestAsk();
  return b < a ? (a + b) / 2 : NaN;
}

/** Closes the current top-of-book state at `now` into the time-weighted sums. */
function accumulate(s: State, now: number): void {
  if (!Number.isNaN(s.curBps) && now > s.lastChange) {
    const dt = now - s.lastChange;
    s.sumSdt += s.curBps * dt;
    s.sumDt += dt;
  }
  s.lastChange = now;
}

function onDepth(s: State, now: number, book: BookView): void {
  accumulate(s, now);
  const m = usableMid(book);
  s.curMid = m;
  s.curBps = Number.isNaN(m) ? NaN : (1e4 * (book.bestAsk() - book.bestBid())) / m;
}

/** Returns S_Q in bps at mid m, or NaN when either side lacks Q inside the coverage. */
function sizeSpread(book: BookView, q: number, m: number): number {
  const ask = walkVwap(book.px[1], book.qty[1], q, true, book.maxAsk);
  const bid = walkVwap(book.px[0], book.qty[0], q, false, book.minBid);
  return (1e4 * (ask - bid)) / m;
}

function onTick(s: State, now: number, book: BookView, ctx: Ctx<SpreadParams>): void {
  const m = usableMid(book);
  if (Number.isNaN(m)) {
    s.wideSince = NaN;
    s.wideSent = false;
    return;
  }
  if (s.n < ctx.params.samplesMax) s.samples[s.n++] = (1e4 * (book.bestAsk() - book.bestBid())) / m;
  else s.flags.samples = true;
  const s1 = sizeSpread(book, 1, m);
  const s10 = sizeSpread(book, 10, m);
  if (Number.isNaN(s10)) s.flags.insufficient = true;
  else {
    s.s10Sum += s10;
    s.s10N++;
  }
  if (Number.isNaN(s1)) {
    s.flags.insufficient = true;
    s.wideSince = NaN;
    s.wideSent = false;
    return;
  }
  s.s1Sum += s1;
  s.s1N++;
  const z = zWindowZ(s.zw, s1);
  zWindowPush(s.zw, s1);
  s.barZ = Number.isNaN(z) ? null : z;
  checkWidening(s, now, z, s1, ctx);
}

/** Emits SPREAD_WIDENING once per episode of z >= widenZ lasting widenS seconds. */
function checkWidening(s: State, now: number, z: number, s1: number, ctx: Ctx<SpreadParams>): void {
  const p = ctx.params;
  if (!(z >= p.widenZ)) {
    s.wideSince = NaN;
    s.wideSent = false;
    return;
  }
  if (Number.isNaN(s.wideSince)) s.wideSince = now;
  if (s.wideSent || now - s.wideSince < p.widenS * US_PER_SECOND) return;
  s.wideSent = true;
  ctx.emit('data-spread', 'SPREAD_WIDENING', { episode_start_us: s.wideSince, z, s1btc_bps: s1 },
    { window: { start_us: s.wideSince, end_us: now } });
}

function onBar(s: State, now: number, k: Kline, ctx: Ctx<SpreadParams>): void {
  accumulate(s, now);
  const p = ctx.params;
  ringPush(s.closes, k.c);
  const sorted = s.samples.slice(0, s.n).sort((a, b) => a - b);
  const z = s.barZ;
  const payload = {
    bar_open_us: k.t,
    tws_bps: s.sumDt > 0 ? s.sumSdt / s.sumDt : null,
    p50_bps: s.n > 0 ? quantileSorted(sorted, 0.5) : null,
    p95_bps: s.n > 0 ? quantileSorted(sorted, 0.95) : null,
    max_bps: s.n > 0 ? sorted[s.n - 1] : null,
    s1btc_bps: s.s1N > 0 ? s.s1Sum / s.s1N : null,
    s10btc_bps: s.s10N > 0 ? s.s10Sum / s.s10N : null,
    eff_bps_vw: s.qSum > 0 ? s.esSum / s.qSum : null,
    realized_bps_vw: s.qSum > 0 ? s.rsSum / s.qSum : null,
    impact_bps_vw: s.qSum > 0 ? s.piSum / s.qSum : null,
    roll_usdt: s.closes.size === s.closes.cap ? rollSpread(ringValues(s.closes)) : null,
    state: z === null ? 'NORMAL' : z <= p.tightZ ? 'TIGHT' : z >= p.wideZ ? 'WIDE' : 'NORMAL',
    z,
  };
  const f = s.flags;
  const flags: string[] = [];
  if (f.insufficient) flags.push('INSUFFICIENT_DEPTH');
  if (s.n === 0) flags.push('NO_BOOK');
  if (f.unresolved) flags.push('UNRESOLVED_TRADES');
  if (f.overflow) flags.push('PENDING_OVERFLOW');
  if (f.samples) flags.push('SAMPLES_DROPPED');
  if (f.order) flags.push('ORDER_VIOLATION');
  ctx.emit('data-spread', 'SPREAD', payload, {
    warm: z !== null, degraded: f.order || f.overflow, flags, window: { start_us: k.t, end_us: now },
  });
  resetBar(s);
}

function resetBar(s: State): void {
  s.sumSdt = 0;
  s.sumDt = 0;
  s.n = 0;
  s.s1Sum = 0;
  s.s1N = 0;
  s.s10Sum = 0;
  s.s10N = 0;
  s.barZ = null;
  s.esSum = 0;
  s.rsSum = 0;
  s.piSum = 0;
  s.qSum = 0;
  s.flags = { insufficient: false, overflow: false, unresolved: false, order: false, samples: false };
}

export const spread: Component<SpreadParams, State> = {
  id: 'spread',
  layer: 'provider',
  inputs: ['raw-trades', 'depth', 'clock', 'kline-1m'],
  outputs: ['data-spread'],
  params: SpreadParams,
  init,
  reduce(s: State, ev: QxEvent, ctx: Ctx<SpreadParams>) {
    // Inputs must arrive in time order (SPEC §0.2); an earlier one is rejected, never applied.
    if (ev.ts < s.lastTs) {
      s.orderViolations++;
      s.flags.order = true;
      // The runtime has applied a late depth message to the book all the same.
      if (ev.topic === s.depthTopic) s.curMid = usableMid(ctx.book);
      return;
    }
    s.lastTs = ev.ts;
    // curMid is still the mid before this event: depth updates it only below.
    if (s.pending.size > 0) costResolve(s, ev.ts, s.curMid);
    const topic = ev.topic;
    if (topic === s.tradeTopic) costTrade(s, ev.ts, ev.payload as Trade, ctx.params.horizonS * US_PER_SECOND, ctx);
    else if (topic === s.depthTopic) onDepth(s, ev.ts, ctx.book);
    else if (topic === 'clock') onTick(s, ev.ts, ctx.book, ctx);
    else if (topic === s.klineTopic) onBar(s, ev.ts, ev.payload as Kline, ctx);
    else if (topic === 'timer' && (ev.payload as TimerPayload).tag === SPREAD_TIMER_TAG) costTimer(s, ev.ts, ctx);
  },
};
