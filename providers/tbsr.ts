import { admitToBar } from '../core/bar-admission.ts';
import { z } from 'zod';
import { topicOf, type Component, type Ctx, type TradeRun } from '../core/component.ts';
import { KLINE_CLOSE_OFFSET_US, type Kline, type QxEvent, type Trade } from '../core/event.ts';
import { ringAt, ringMean, ringNew, ringPush, ringSd, type Ring } from '../core/ring.ts';
import { US_PER_MINUTE, US_PER_MS, minuteFloor } from '../core/time.ts';

// SPEC §2, taker buy/sell ratio over the last W closed 1m bars (rolling, SPEC §0.6), W in {1, 5, 15}.
// Trades add taker-buy (B) and taker-sell (S) quantity to the accumulating bar in integer lots, so
// B_1m == V and S_1m == v - V hold exactly. The bar closes on its kline, or from trades at the
// minute boundary when the kline never comes (as in the CVD provider). Each window keeps rings of
// per-bar B and S with running integer sums (exact, so they never drift) and is silent until full.
// A one-sided window is saturated: tbsr and log_ratio are null and `saturated` names the side
// (SPEC §2; the SELL case mirrors the BUY case, so a consumer never takes ln(0)). z_log_ratio is
// zprev_240 over the window's previous defined log_ratio values: bars where log_ratio is null
// neither get a z nor enter the history.

export const TbsrParams = z.strictObject({
  /** Exchange lot size of the base asset (BTCUSDT spot: 0.00001). */
  stepSize: z.number().positive().default(0.00001),
  windows: z.array(z.number().int().min(1)).min(1).default(() => [1, 5, 15]),
  zWindow: z.number().int().min(2).default(240),
  /** Wait after the minute end before a bar without kline is closed from trades, ms. */
  graceMs: z.number().int().nonnegative().default(0),
});
export type TbsrParams = z.infer<typeof TbsrParams>;

interface WindowState {
  w: number;
  buy: Ring;
  sell: Ring;
  /** Per-bar data-quality bits (the BIT_* constants). */
  mask: Ring;
  /** Open times of the bars in the window, so the envelope window spans them even across gaps. */
  opens: Ring;
  sumB: number;
  sumS: number;
  /** Previous defined log_ratio values, for zprev. */
  hist: Ring;
}

export interface TbsrState {
  tradeTopic: string;
  klineTopic: string;
  lpu: number;
  open: boolean;
  barOpen: number;
  buy: number;
  sell: number;
  bits: number;
  lastClosed: number;
  lastTradeId: number;
  lastTs: number;
  started: boolean;
  partialBar: number;
  windows: WindowState[];
}

const BIT_GAP = 1;
const BIT_PARTIAL = 2;
const BIT_NO_KLINE = 4;
const BIT_MISMATCH = 8;
const BIT_ORDER = 16;
const FLAG_NAMES: ReadonlyArray<[number, string]> = [
  [BIT_PARTIAL, 'PARTIAL'], [BIT_NO_KLINE, 'NO_KLINE'], [BIT_MISMATCH, 'KLINE_MISMATCH'],
  [BIT_GAP, 'TRADE_GAP'], [BIT_ORDER, 'ORDER_VIOLATION'],
];
const TAG = 'tbsr-bar';

export const tbsr: Component<TbsrParams, TbsrState> = {
  id: 'tbsr',
  layer: 'provider',
  inputs: ['raw-trades', 'kline-1m'],
  outputs: ['data-tbsr'],
  params: TbsrParams,
  init: (p, symbol) => ({
    tradeTopic: topicOf('raw-trades', symbol),
    klineTopic: topicOf('kline-1m', symbol),
    lpu: Math.round(1 / p.stepSize),
    open: false, barOpen: -1, buy: 0, sell: 0, bits: 0,
    lastClosed: -1, lastTradeId: -1, lastTs: -1, started: false, partialBar: -1,
    windows: [...p.windows].sort((a, b) => a - b).map((w) => ({
      w, buy: ringNew(w), sell: ringNew(w), mask: ringNew(w), opens: ringNew(w), sumB: 0, sumS: 0, hist: ringNew(p.zWindow),
    })),
  }),
  reduce(s: TbsrState, ev: QxEvent, ctx: Ctx<TbsrParams>) {
    if (ev.topic === s.tradeTopic) onTrade(s, ev as QxEvent<Trade>, ctx);
    else if (ev.topic === s.klineTopic) onKline(s, ev as QxEvent<Kline>, ctx);
    else if (s.open && ev.ts >= s.barOpen + US_PER_MINUTE + ctx.params.graceMs * US_PER_MS) closeBar(s, ctx, null);
  },
  // A trade in the open bar's minute only adds to it; one in another minute opens a bar (records and a timer).
  tradesQuietUntil: (s: TbsrState) => (s.open ? s.barOpen + US_PER_MINUTE : -Infinity),
  reduceTrades(s: TbsrState, run: TradeRun, ctx: Ctx<TbsrParams>) {
    for (let i = 0; i < run.length; i++) onTrade(s, run.at(i), ctx);
  },
};

/** Admits an input by the shared bar rule (core/bar-admission.ts), counting an ORDER_VIOLATION. */
function admit(s: TbsrState, ts: number, barOpen: number): boolean {
  if (admitToBar(s, ts, barOpen)) return true;
  s.bits |= BIT_ORDER;
  return false;
}

function onTrade(s: TbsrState, ev: QxEvent<Trade>, ctx: Ctx<TbsrParams>): void {
  const t = ev.payload;
  if (t.id <= s.lastTradeId) return;
  const m = minuteFloor(ev.ts);
  if (!admit(s, ev.ts, m)) return;
  if (!s.open || m !== s.barOpen) openBar(s, m, ctx);
  if (s.lastTradeId >= 0 && t.id > s.lastTradeId + 1) s.bits |= BIT_GAP;
  s.lastTradeId = t.id;
  const lots = Math.round(t.qty * s.lpu);
  if (t.isBuyerMaker) s.sell += lots;
  else s.buy += lots;
}

function onKline(s: TbsrState, ev: QxEvent<Kline>, ctx: Ctx<TbsrParams>): void {
  const k = ev.payload;
  if (!admit(s, ev.ts, k.t)) return;
  if (!s.open || k.t !== s.barOpen) openBar(s, k.t, ctx);
  const matches = Math.round(k.V * s.lpu) === s.buy && Math.round(k.v * s.lpu) === s.buy + s.sell;
  if (!matches) s.bits |= s.barOpen === s.partialBar ? BIT_PARTIAL : BIT_MISMATCH;
  closeBar(s, ctx, k);
}

/** Starts the bar opening at `m`, closing an older one from trades first. */
function openBar(s: TbsrState, m: number, ctx: Ctx<TbsrParams>): void {
  if (s.open) closeBar(s, ctx, null);
  s.open = true;
  s.barOpen = m;
  s.buy = 0;
  s.sell = 0;
  s.bits &= BIT_ORDER;
  ctx.wakeAt(m + US_PER_MINUTE + ctx.params.graceMs * US_PER_MS, TAG);
}

/** Closes the accumulating bar and publishes one TBSR record per full window. */
function closeBar(s: TbsrState, ctx: Ctx<TbsrParams>, k: Kline | null): void {
  if (k === null) s.bits |= BIT_NO_KLINE | (s.barOpen === s.partialBar ? BIT_PARTIAL : 0);
  for (let i = 0; i < s.windows.length; i++) {
    const win = s.windows[i];
    const outB = ringPush(win.buy, s.buy);
    const outS = ringPush(win.sell, s.sell);
    ringPush(win.mask, s.bits);
    ringPush(win.opens, s.barOpen);
    win.sumB += s.buy - (Number.isNaN(outB) ? 0 : outB);
    win.sumS += s.sell - (Number.isNaN(outS) ? 0 : outS);
    if (win.buy.size === win.w) emitWindow(s, win, ctx);
  }
  s.bits = 0;
  s.open = false;
  s.lastClosed = s.barOpen;
}

function emitWindow(s: TbsrState, win: WindowState, ctx: Ctx<TbsrParams>): void {
  const b = win.sumB;
  const sl = win.sumS;
  const total = b + sl;
  const logRatio = b > 0 && sl > 0 ? Math.log(b / sl) : null;
  let zLog: number | null = null;
  if (logRatio !== null) {
    const h = win.hist;
    const sd = h.size === h.cap ? ringSd(h) : NaN;
    if (sd > 0) zLog = (logRatio - ringMean(h)) / sd;
    ringPush(h, logRatio);
  }
  let mask = 0;
  for (let j = 0; j < win.mask.size; j++) mask |= ringAt(win.mask, j);
  const flags: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if ((mask & bit) !== 0) flags.push(name);
  if (total === 0) flags.push('NO_VOLUME');
  ctx.emit('data-tbsr', 'TBSR', {
    bar_open_us: s.barOpen,
    window_m: win.w,
    buy_btc: b / s.lpu,
    sell_btc: sl / s.lpu,
    tbsr: logRatio === null ? null : b / sl,
    buy_share: total > 0 ? b / total : null,
    log_ratio: logRatio,
    z_log_ratio: zLog,
    saturated: b > 0 && sl === 0 ? 'BUY' : sl > 0 && b === 0 ? 'SELL' : null,
  }, {
    warm: true,
    degraded: (mask & (BIT_GAP | BIT_MISMATCH)) !== 0,
    flags,
    window: { start_us: ringAt(win.opens, 0), end_us: s.barOpen + KLINE_CLOSE_OFFSET_US },
  });
}
