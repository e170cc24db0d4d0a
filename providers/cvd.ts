import { admitToBar } from '../core/bar-admission.ts';
import { z } from 'zod';
import { topicOf, type Component, type Ctx, type TradeRun } from '../core/component.ts';
import { KLINE_CLOSE_OFFSET_US, type Kline, type QxEvent, type Trade } from '../core/event.ts';
import { emaInit, emaUpdate, type EmaState } from '../core/indicators.ts';
import { ringNew, ringPush, ringSd, type Ring } from '../core/ring.ts';
import { US_PER_MINUTE, US_PER_MS, dayFloor, minuteFloor } from '../core/time.ts';

// SPEC §1, cumulative volume delta. Each trade adds its signed quantity s (+q taker BUY, -q taker
// SELL) to the bar delta D and to cvd, both in integer lots (qty / stepSize, rounded), so sums are
// exact and D_k == 2*V_k - v_k holds to the lot. The 1m kline closes the bar; when it never comes,
// the bar is closed from trades at the minute boundary (a timer at open + 60 s + grace, or the
// first trade of a later minute, whichever comes first). cvd resets at 00:00 UTC.
// At each close ema_D = EMA_5(D) and theta = 0.5*sd(D over the previous 60 bars); the flip state
// (SPEC §0.6) starts at 0 on the first warm bar, leaves 0 silently, and emits DELTA_FLIP on each
// later change between +1 and -1. A zero sd (60 identical deltas) is degenerate: no flip is
// evaluated and sigma_delta_btc is null, so downstream Dz = d*D/sigma never divides by zero.

export const CvdParams = z.strictObject({
  /** Exchange lot size of the base asset (BTCUSDT spot: 0.00001). */
  stepSize: z.number().positive().default(0.00001),
  emaSpan: z.number().int().min(1).default(5),
  window: z.number().int().min(2).default(60),
  theta: z.number().nonnegative().default(0.5),
  /** Wait after the minute end before a bar without kline is closed from trades, ms. */
  graceMs: z.number().int().nonnegative().default(0),
});
export type CvdParams = z.infer<typeof CvdParams>;

export interface CvdState {
  tradeTopic: string;
  klineTopic: string;
  /** Lots per unit of base asset, 1/stepSize. */
  lpu: number;
  /** Whether a bar is accumulating, and its open time. */
  open: boolean;
  barOpen: number;
  /** Taker buy and sell lots of the accumulating bar. */
  buy: number;
  sell: number;
  /** Last trade price of the bar: the close when its kline is missing. */
  lastPx: number;
  /** Signed lots since the anchor. */
  cvd: number;
  anchorDay: number;
  lastClosed: number;
  lastTradeId: number;
  lastTs: number;
  /** A trade-id gap happened since the anchor (SPEC §0.2). */
  degraded: boolean;
  gapInBar: boolean;
  violations: number;
  /** Open time of the bar the data starts inside, or -1. */
  partialBar: number;
  started: boolean;
  ema: EmaState;
  /** D of the previous `window` bars, BTC. */
  deltas: Ring;
  flip: number;
}

const TAG = 'cvd-bar';

export const cvd: Component<CvdParams, CvdState> = {
  id: 'cvd',
  layer: 'provider',
  inputs: ['raw-trades', 'kline-1m'],
  outputs: ['data-cvd', 'event-cvd-deltaflip'],
  params: CvdParams,
  init: (p, symbol) => ({
    tradeTopic: topicOf('raw-trades', symbol),
    klineTopic: topicOf('kline-1m', symbol),
    lpu: Math.round(1 / p.stepSize),
    open: false, barOpen: -1, buy: 0, sell: 0, lastPx: NaN,
    cvd: 0, anchorDay: -1, lastClosed: -1, lastTradeId: -1, lastTs: -1,
    degraded: false, gapInBar: false, violations: 0, partialBar: -1, started: false,
    ema: emaInit(p.emaSpan), deltas: ringNew(p.window), flip: 0,
  }),
  reduce(s: CvdState, ev: QxEvent, ctx: Ctx<CvdParams>) {
    if (ev.topic === s.tradeTopic) onTrade(s, ev as QxEvent<Trade>, ctx);
    else if (ev.topic === s.klineTopic) onKline(s, ev as QxEvent<Kline>, ctx);
    else if (s.open && ev.ts >= s.barOpen + US_PER_MINUTE + ctx.params.graceMs * US_PER_MS) closeBar(s, ctx, null);
  },
  // A trade in the open bar's minute only adds to it; one in another minute opens a bar (a record and a timer).
  tradesQuietUntil: (s: CvdState) => (s.open ? s.barOpen + US_PER_MINUTE : -Infinity),
  reduceTrades(s: CvdState, run: TradeRun, ctx: Ctx<CvdParams>) {
    for (let i = 0; i < run.length; i++) onTrade(s, run.at(i), ctx);
  },
};

/** Admits an input by the shared bar rule (core/bar-admission.ts), counting an ORDER_VIOLATION. */
function admit(s: CvdState, ts: number, barOpen: number): boolean {
  if (admitToBar(s, ts, barOpen)) return true;
  s.violations++;
  return false;
}

function onTrade(s: CvdState, ev: QxEvent<Trade>, ctx: Ctx<CvdParams>): void {
  const t = ev.payload;
  if (t.id <= s.lastTradeId) return;
  const m = minuteFloor(ev.ts);
  if (!admit(s, ev.ts, m)) return;
  if (!s.open || m !== s.barOpen) openBar(s, m, ctx);
  if (s.lastTradeId >= 0 && t.id > s.lastTradeId + 1) {
    s.degraded = true;
    s.gapInBar = true;
  }
  s.lastTradeId = t.id;
  const lots = Math.round(t.qty * s.lpu);
  if (t.isBuyerMaker) {
    s.sell += lots;
    s.cvd -= lots;
  } else {
    s.buy += lots;
    s.cvd += lots;
  }
  s.lastPx = t.price;
}

function onKline(s: CvdState, ev: QxEvent<Kline>, ctx: Ctx<CvdParams>): void {
  const k = ev.payload;
  if (!admit(s, ev.ts, k.t)) return;
  if (!s.open || k.t !== s.barOpen) openBar(s, k.t, ctx);
  closeBar(s, ctx, k);
}

/** Starts the bar opening at `m`, closing an older one from trades and moving the day anchor. */
function openBar(s: CvdState, m: number, ctx: Ctx<CvdParams>): void {
  if (s.open) closeBar(s, ctx, null);
  const day = dayFloor(m);
  if (day !== s.anchorDay) {
    s.anchorDay = day;
    s.cvd = 0;
    s.degraded = false;
  }
  s.open = true;
  s.barOpen = m;
  s.buy = 0;
  s.sell = 0;
  s.lastPx = NaN;
  s.gapInBar = false;
  ctx.wakeAt(m + US_PER_MINUTE + ctx.params.graceMs * US_PER_MS, TAG);
}

/** Closes the accumulating bar: publishes CVD, then a DELTA_FLIP when the flip state changes. */
function closeBar(s: CvdState, ctx: Ctx<CvdParams>, k: Kline | null): void {
  const p = ctx.params;
  const lpu = s.lpu;
  const dBtc = (s.buy - s.sell) / lpu;
  const warm = s.deltas.size === s.deltas.cap;
  const sd = warm ? ringSd(s.deltas) : NaN;
  const sigma = sd > 0 ? sd : null;
  const ema = emaUpdate(s.ema, dBtc);
  const flags = barFlags(s, k);
  const degraded = s.degraded || flags.includes('KLINE_MISMATCH');
  const window = { start_us: s.barOpen, end_us: s.barOpen + KLINE_CLOSE_OFFSET_US };
  ctx.emit('data-cvd', 'CVD', {
    bar_open_us: s.barOpen,
    delta_btc: dBtc,
    cvd_btc: s.cvd / lpu,
    ema_delta_btc: ema,
    buy_btc: s.buy / lpu,
    sell_btc: s.sell / lpu,
    sigma_delta_btc: sigma,
  }, { warm, degraded, flags, window });
  if (sigma !== null) {
    const threshold = p.theta * sigma;
    let to = s.flip;
    if (ema > threshold && s.flip !== 1) to = 1;
    else if (ema < -threshold && s.flip !== -1) to = -1;
    if (to !== s.flip && s.flip !== 0) {
      ctx.emit('event-cvd-deltaflip', 'DELTA_FLIP', {
        from: s.flip, to, ema_delta_btc: ema, threshold_btc: threshold,
        strength: Math.abs(ema) / sigma, cvd_btc: s.cvd / lpu, close: k !== null ? k.c : s.lastPx,
      }, { warm, degraded, flags: flags.slice(), window: { ...window } });
    }
    s.flip = to;
  }
  ringPush(s.deltas, dBtc);
  s.open = false;
  s.lastClosed = s.barOpen;
}

/** Returns the data-quality flags of the closing bar (allocates; per-bar work). */
function barFlags(s: CvdState, k: Kline | null): string[] {
  const flags: string[] = [];
  const matches = k !== null && Math.round(k.V * s.lpu) === s.buy && Math.round(k.v * s.lpu) === s.buy + s.sell;
  if (k === null) flags.push('NO_KLINE');
  if (s.barOpen === s.partialBar && !matches) flags.push('PARTIAL');
  else if (k !== null && !matches) flags.push('KLINE_MISMATCH');
  if (s.gapInBar) flags.push('TRADE_GAP');
  if (s.violations > 0) flags.push('ORDER_VIOLATION');
  s.violations = 0;
  return flags;
}
