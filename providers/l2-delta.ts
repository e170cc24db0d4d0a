import { admitToBar } from '../core/bar-admission.ts';
import { z } from 'zod';
import { ASK, BID, type BookView } from '../core/book.ts';
import { topicOf, type Component, type Ctx } from '../core/component.ts';
import { KLINE_CLOSE_OFFSET_US, type Depth, type Kline, type QxEvent } from '../core/event.ts';
import { ringMean, ringNew, ringPush, ringSd, type Ring } from '../core/ring.ts';
import { withDoubleFields } from '../core/shape.ts';
import { US_PER_MINUTE, US_PER_MS, minuteFloor } from '../core/time.ts';
import { accumulate, savePrev, type OfiState } from './l2-delta.ofi.ts';

// SPEC §4, order-flow imbalance of Cont, Kukanov and Stoikov [C1] and its multi-level form [X1].
// For each depth message n, read from the shared book after the message was applied:
//   e_n = 1{b_n>=b_{n-1}} qb_n - 1{b_n<=b_{n-1}} qb_{n-1} - 1{a_n<=a_{n-1}} qa_n + 1{a_n>=a_{n-1}} qa_{n-1},
// per price-rank level j = 1..5 (level 1 is the classic OFI; the math is in l2-delta.ofi.ts).
// Sizes are integer lots, so bar sums are exact. The first diff after a (re)sync only sets prev
// (SPEC §0.6); a snapshot is a sync point, not a flow message; a book that is not VALID gives no
// e_n, forgets prev and flags the bar. Messages are binned by event time.
// AD_W is the time-weighted mean of (qb+qa)/2 over the part of the bar with a valid book.

export const L2DeltaParams = z.strictObject({
  /** Exchange lot size of the base asset (BTCUSDT spot: 0.00001). */
  stepSize: z.number().positive().default(0.00001),
  bandBps: z.number().positive().default(10),
  zWindow: z.number().int().min(2).default(60),
  /** Wait after the minute end before a bar without kline is closed, ms. */
  graceMs: z.number().int().nonnegative().default(0),
});
export type L2DeltaParams = z.infer<typeof L2DeltaParams>;

export interface L2DeltaState extends OfiState {
  depthTopic: string;
  klineTopic: string;
  epoch: number;
  hasPrev: boolean;
  open: boolean;
  barOpen: number;
  lastClosed: number;
  lastTs: number;
  started: boolean;
  partialBar: number;
  nMsgs: number;
  /** The book was INVALID at some point of the bar / at the last depth message. */
  invalidSeen: boolean;
  invalidNow: boolean;
  validSeen: boolean;
  violations: number;
  /** (qb+qa)/2 now (NaN while the book is not valid) and its time integral over the bar. */
  adValue: number;
  adLastTs: number;
  adIntegral: number;
  adDuration: number;
  /** Band depth per side at the bar start (NaN until known). */
  bandBid: number;
  bandAsk: number;
  /** OFI of the previous clean bars, BTC. */
  zHist: Ring;
}

const TAG = 'l2-delta-bar';
/** The state's time and amount fields (core/shape.ts says why). */
const STATE_NUMBERS = [
  'barOpen', 'lastClosed', 'lastTs', 'partialBar', 'adValue', 'adLastTs', 'adIntegral', 'adDuration', 'bandBid', 'bandAsk',
] as const;
/** Price-rank levels of the multi-level OFI (SPEC §4, the payload schema fixes 5). */
const LEVELS = 5;

export const l2Delta: Component<L2DeltaParams, L2DeltaState> = {
  id: 'l2-delta',
  layer: 'provider',
  inputs: ['depth', 'kline-1m'],
  outputs: ['data-l2-delta'],
  params: L2DeltaParams,
  init: (p, symbol) => withDoubleFields({
    depthTopic: topicOf('depth', symbol),
    klineTopic: topicOf('kline-1m', symbol),
    lpu: Math.round(1 / p.stepSize),
    epoch: -1, hasPrev: false,
    prevBidPx: zeros(LEVELS), prevBidQty: zeros(LEVELS), prevAskPx: zeros(LEVELS), prevAskQty: zeros(LEVELS),
    open: false, barOpen: -1, lastClosed: -1, lastTs: -1, started: false, partialBar: -1,
    ofi: zeros(LEVELS), nMsgs: 0, invalidSeen: false, invalidNow: false, validSeen: false, violations: 0,
    adValue: NaN, adLastTs: -1, adIntegral: 0, adDuration: 0, bandBid: NaN, bandAsk: NaN,
    zHist: ringNew(p.zWindow),
  }, STATE_NUMBERS),
  reduce(s: L2DeltaState, ev: QxEvent, ctx: Ctx<L2DeltaParams>) {
    if (ev.topic === s.depthTopic) onDepth(s, ev as QxEvent<Depth>, ctx);
    else if (ev.topic === s.klineTopic) onKline(s, ev as QxEvent<Kline>, ctx);
    else if (s.open && ev.ts >= s.barOpen + US_PER_MINUTE + ctx.params.graceMs * US_PER_MS) closeBar(s, ctx, false);
  },
};

function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}

/** Admits an input by the shared bar rule (core/bar-admission.ts), counting an ORDER_VIOLATION. */
function admit(s: L2DeltaState, ts: number, barOpen: number): boolean {
  if (admitToBar(s, ts, barOpen)) return true;
  s.violations++;
  return false;
}

function onDepth(s: L2DeltaState, ev: QxEvent<Depth>, ctx: Ctx<L2DeltaParams>): void {
  const ts = ev.ts;
  const m = minuteFloor(ts);
  if (!admit(s, ts, m)) return;
  if (!s.open || m !== s.barOpen) openBar(s, m, ctx);
  integrate(s, ts);
  const book = ctx.book;
  s.invalidNow = book.status === 'INVALID';
  if (book.status !== 'VALID') {
    if (s.invalidNow) s.invalidSeen = true;
    s.hasPrev = false;
    s.adValue = NaN;
    return;
  }
  s.validSeen = true;
  s.adValue = (book.bestBidQty() + book.bestAskQty()) / 2;
  if (Number.isNaN(s.bandBid)) {
    s.bandBid = book.bandDepth(BID, ctx.params.bandBps);
    s.bandAsk = book.bandDepth(ASK, ctx.params.bandBps);
  }
  if (ev.payload.snapshot || book.epoch !== s.epoch) {
    s.epoch = book.epoch;
    s.hasPrev = false;
    if (ev.payload.snapshot) return;
  }
  if (s.hasPrev && !book.firstAfterSync) accumulate(s, book);
  else savePrev(s, book);
  s.hasPrev = true;
  s.nMsgs++;
}

/** Adds the time since the last change, at the current (qb+qa)/2, to the AD integral. */
function integrate(s: L2DeltaState, to: number): void {
  if (to <= s.adLastTs) return;
  if (!Number.isNaN(s.adValue)) {
    s.adIntegral += s.adValue * (to - s.adLastTs);
    s.adDuration += to - s.adLastTs;
  }
  s.adLastTs = to;
}

function onKline(s: L2DeltaState, ev: QxEvent<Kline>, ctx: Ctx<L2DeltaParams>): void {
  const k = ev.payload;
  if (!admit(s, ev.ts, k.t)) return;
  if (!s.open || k.t !== s.barOpen) openBar(s, k.t, ctx);
  closeBar(s, ctx, true);
}

/** Starts the bar opening at `m`, closing an older one first. */
function openBar(s: L2DeltaState, m: number, ctx: Ctx<L2DeltaParams>): void {
  if (s.open) closeBar(s, ctx, false);
  s.open = true;
  s.barOpen = m;
  s.ofi.fill(0);
  s.nMsgs = 0;
  s.invalidSeen = s.invalidNow;
  s.validSeen = !Number.isNaN(s.adValue);
  s.adLastTs = Math.max(s.adLastTs, m);
  s.adIntegral = 0;
  s.adDuration = 0;
  ctx.wakeAt(m + US_PER_MINUTE + ctx.params.graceMs * US_PER_MS, TAG);
}

/** Closes the accumulating bar and publishes its L2_DELTA record (per-bar work, may allocate). */
function closeBar(s: L2DeltaState, ctx: Ctx<L2DeltaParams>, byKline: boolean): void {
  integrate(s, s.barOpen + US_PER_MINUTE);
  const book = ctx.book;
  const lpu = s.lpu;
  const has = s.validSeen;
  const ofi = has ? s.ofi[0] / lpu : null;
  const ad = s.adDuration > 0 ? s.adIntegral / s.adDuration : 0;
  const h = s.zHist;
  const sd = h.size === h.cap ? ringSd(h) : NaN;
  const ofiZ = ofi !== null && sd > 0 ? (ofi - ringMean(h)) / sd : null;
  const flags: string[] = [];
  if (!byKline) flags.push('NO_KLINE');
  if (s.barOpen === s.partialBar) flags.push('PARTIAL');
  if (s.invalidSeen) flags.push('BOOK_INVALID');
  if (s.violations > 0) flags.push('ORDER_VIOLATION');
  const band = closeBand(s, book, ctx.params.bandBps, flags);
  ctx.emit('data-l2-delta', 'L2_DELTA', {
    bar_open_us: s.barOpen,
    ofi_btc: ofi,
    ofi_norm: ofi !== null && ad > 0 ? ofi / ad : null,
    mlofi_btc: has ? s.ofi.map((x) => x / lpu) : null,
    ofi_z: ofiZ,
    depth_delta_bid_btc: band[0],
    depth_delta_ask_btc: band[1],
    n_msgs: s.nMsgs,
  }, {
    warm: h.size === h.cap,
    degraded: s.invalidSeen,
    flags,
    window: { start_us: s.barOpen, end_us: s.barOpen + KLINE_CLOSE_OFFSET_US },
  });
  if (ofi !== null && !s.invalidSeen) ringPush(h, ofi);
  s.violations = 0;
  s.open = false;
  s.lastClosed = s.barOpen;
}

/** Returns the band depth change per side since the bar start, and makes the end the next start. */
function closeBand(s: L2DeltaState, book: BookView, bps: number, flags: string[]): [number | null, number | null] {
  const mid = book.mid();
  // An unsynced or one-sided book (no mid) has no band: no change now, and none measured from here.
  if (book.status !== 'VALID' || Number.isNaN(mid)) {
    s.bandBid = NaN;
    s.bandAsk = NaN;
    return [null, null];
  }
  const bid = book.bandDepth(BID, bps);
  const ask = book.bandDepth(ASK, bps);
  if (mid * (1 - bps * 1e-4) < book.minBid || mid * (1 + bps * 1e-4) > book.maxAsk) flags.push('COVERAGE');
  const lpu = s.lpu;
  const dBid = Number.isNaN(s.bandBid) ? null : Math.round((bid - s.bandBid) * lpu) / lpu;
  const dAsk = Number.isNaN(s.bandAsk) ? null : Math.round((ask - s.bandAsk) * lpu) / lpu;
  s.bandBid = bid;
  s.bandAsk = ask;
  return [dBid, dAsk];
}
