import { admitInOrder } from '../core/bar-admission.ts';
import { z } from 'zod';
import type { Component, Ctx, TradeRun } from '../core/component.ts';
import type { Kline, QxEvent, Trade } from '../core/event.ts';
import { topicOf } from '../core/component.ts';
import { dayFloor, minuteFloor, US_PER_DAY, weekFloor } from '../core/time.ts';
import { dailyAnchor } from './session-anchors.ts';

// SPEC §14, Multi-VWAP: volume-weighted mean and volume-weighted sd of trade prices since each
// anchor (day 00:00 UTC, week Monday 00:00 UTC, London 08:00 Europe/London, New York 09:30
// America/New_York), updated per trade with the weighted Welford recurrence [W3]:
//   Wt += q; d = p - mu; mu += (q/Wt)*d; S += q*d*(p - mu);  VWAP = mu, sigma = sqrt(S/Wt).
// London and New York anchors occur every calendar day (crypto trades at weekends too).
// An anchor period the data entered late (first event in a later minute than the anchor)
// carries the flag PARTIAL and warm=false. Prices USDT, volumes BTC, times µs.

export const MultiVwapParams = z.strictObject({
  /** 'trade': per-trade Welford; 'bar': SPEC bar mode, price (h+l+c)/3 weighted by v. */
  mode: z.enum(['trade', 'bar']).default('trade'),
  londonOpenMinute: z.number().int().min(0).max(1439).default(8 * 60),
  newYorkOpenMinute: z.number().int().min(0).max(1439).default(9 * 60 + 30),
});
export type MultiVwapParams = z.infer<typeof MultiVwapParams>;

const ANCHORS = ['day', 'week', 'london', 'newyork'] as const;
type AnchorName = (typeof ANCHORS)[number];

interface AnchorState {
  name: AnchorName;
  anchor_us: number;
  next_us: number;
  w: number;
  mu: number;
  s: number;
  partial: boolean;
}

interface State {
  tradeTopic: string;
  klineTopic: string;
  anchors: AnchorState[];
  /** Minute of the first event seen: anchors before it are only partly covered. */
  startMinute: number;
  lastTs: number;
  orderViolations: number;
  orderFlag: boolean;
}

/** Returns the plain initial state of one anchor accumulator. */
function anchorNew(name: AnchorName): AnchorState {
  return { name, anchor_us: -Infinity, next_us: -Infinity, w: 0, mu: 0, s: 0, partial: false };
}

/**
 * Moves an anchor to the period that contains the event's time and clears its accumulator. The
 * time is s.lastTs, not an argument: V8 boxed a float argument of this rare call once per trade,
 * ahead of the loop that makes it (CONTRIBUTING.md, "Numbers on the hot path").
 */
function rollAnchor(a: AnchorState, s: State, p: MultiVwapParams): void {
  const ts = s.lastTs;
  const startMinute = s.startMinute;
  let anchor: number;
  let next: number;
  if (a.name === 'day') {
    anchor = dayFloor(ts);
    next = anchor + US_PER_DAY;
  } else if (a.name === 'week') {
    anchor = weekFloor(ts);
    next = anchor + 7 * US_PER_DAY;
  } else {
    const zone = a.name === 'london' ? 'Europe/London' : 'America/New_York';
    const d = dailyAnchor(zone, a.name === 'london' ? p.londonOpenMinute : p.newYorkOpenMinute, ts);
    anchor = d.anchor_us;
    next = d.next_us;
  }
  a.anchor_us = anchor;
  a.next_us = next;
  a.w = 0;
  a.mu = 0;
  a.s = 0;
  a.partial = startMinute > anchor;
}

/** Adds one weighted observation with the weighted Welford recurrence. */
export function welfordAdd(a: { w: number; mu: number; s: number }, p: number, q: number): void {
  a.w += q;
  const d = p - a.mu;
  a.mu += (q / a.w) * d;
  a.s += q * d * (p - a.mu);
}

function rollAll(s: State, ts: number, p: MultiVwapParams): void {
  const as = s.anchors;
  for (let i = 0; i < as.length; i++) if (ts >= as[i].next_us) rollAnchor(as[i], s, p);
}

function onTrade(s: State, ts: number, t: Trade, p: MultiVwapParams): void {
  rollAll(s, ts, p);
  if (p.mode !== 'trade' || !(t.qty > 0)) return;
  const as = s.anchors;
  for (let i = 0; i < as.length; i++) welfordAdd(as[i], t.price, t.qty);
}

/** Publishes every anchor at a bar close; the bar's time is s.lastTs (see rollAnchor). */
function onBar(s: State, k: Kline, ctx: Ctx<MultiVwapParams>): void {
  const ts = s.lastTs;
  const p = ctx.params;
  rollAll(s, ts, p);
  if (p.mode === 'bar' && k.v > 0) {
    const typical = (k.h + k.l + k.c) / 3;
    for (let i = 0; i < s.anchors.length; i++) welfordAdd(s.anchors[i], typical, k.v);
  }
  const flags = s.orderFlag ? ['ORDER_VIOLATION'] : [];
  s.orderFlag = false;
  for (let i = 0; i < s.anchors.length; i++) {
    const a = s.anchors[i];
    const f = a.partial ? [...flags, 'PARTIAL'] : flags;
    ctx.emit('data-multi-vwap', 'VWAP', vwapPayload(a, k), {
      warm: !a.partial, degraded: flags.length > 0, flags: f, window: { start_us: a.anchor_us, end_us: ts },
    });
  }
}

/** Returns the SPEC §14 record of one anchor at the close of bar `k`. */
export function vwapPayload(a: AnchorState, k: Kline) {
  const has = a.w > 0;
  const vwap = has ? a.mu : null;
  const sigma = has ? Math.sqrt(Math.max(a.s, 0) / a.w) : null;
  const band = (mult: number) => (vwap === null || sigma === null ? null : vwap + mult * sigma);
  return {
    bar_open_us: k.t,
    anchor: a.name,
    anchor_us: a.anchor_us,
    vwap,
    sigma,
    upper1: band(1),
    upper2: band(2),
    upper3: band(3),
    lower1: band(-1),
    lower2: band(-2),
    lower3: band(-3),
    dev_sigma: vwap !== null && sigma !== null && sigma > 0 ? (k.c - vwap) / sigma : null,
    volume_btc: a.w,
  };
}

export const multiVwap: Component<MultiVwapParams, State> = {
  id: 'multi-vwap',
  layer: 'provider',
  inputs: ['raw-trades', 'kline-1m'],
  outputs: ['data-multi-vwap'],
  params: MultiVwapParams,
  init: (_p, symbol) => ({
    tradeTopic: topicOf('raw-trades', symbol),
    klineTopic: topicOf('kline-1m', symbol),
    anchors: ANCHORS.map(anchorNew),
    startMinute: NaN,
    lastTs: -Infinity,
    orderViolations: 0,
    orderFlag: false,
  }),
  reduce(s: State, ev: QxEvent, ctx: Ctx<MultiVwapParams>) {
    // Inputs must arrive in time order (SPEC §0.2); an earlier one is rejected, never applied.
    if (!admitInOrder(s, ev.ts)) return;
    const isTrade = ev.topic === s.tradeTopic;
    if (Number.isNaN(s.startMinute)) s.startMinute = isTrade ? minuteFloor(ev.ts) : (ev.payload as Kline).t;
    if (isTrade) onTrade(s, ev.ts, ev.payload as Trade, ctx.params);
    else if (ev.topic === s.klineTopic) onBar(s, ev.payload as Kline, ctx);
  },
  // A trade only rolls anchors and adds to them: records come at bar closes.
  tradesQuietUntil: () => Infinity,
  reduceTrades(s: State, run: TradeRun, ctx: Ctx<MultiVwapParams>) {
    for (let i = 0; i < run.length; i++) multiVwap.reduce(s, run.at(i), ctx);
  },
};
