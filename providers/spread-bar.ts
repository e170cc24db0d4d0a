import { ASK, BID, type BookView } from '../core/book.ts';
import type { Ctx } from '../core/component.ts';
import type { Kline } from '../core/event.ts';
import { ringPush, ringValues } from '../core/ring.ts';
import { US_PER_SECOND } from '../core/time.ts';
import { quantileSorted, rollSpread, walkVwap, zWindowPush, zWindowZ } from './spread-math.ts';
import type { SpreadParams, State } from './spread.ts';

// The spread provider's per-second samples and per-bar records (SPEC §9): the 1-s quoted and
// size-aware spreads with the zprev of S_1, SPREAD_WIDENING, and the SPREAD bar record. The
// per-event work (every trade and depth message) is in spread-events.ts.

/** Returns the mid of a usable book (valid, two-sided, bid < ask), or NaN. */
export function usableMid(book: BookView): number {
  if (book.status !== 'VALID') return Number.NaN;
  const b = book.bestBid();
  const a = book.bestAsk();
  return b < a ? (a + b) / 2 : Number.NaN;
}

/** Returns S_Q in bps at mid m, or NaN when either side lacks Q inside the coverage. */
function sizeSpread(book: BookView, q: number, m: number): number {
  const ask = walkBookVwap(book, ASK, q, book.maxAsk);
  const bid = walkBookVwap(book, BID, q, book.minBid);
  return (1e4 * (ask - bid)) / m;
}

/**
 * walkVwap over one side of the book's level views: plain typed-array reads. (Reading the levels
 * one call at a time boxed a double per call that V8 did not inline: ~90 MB a day.)
 */
function walkBookVwap(book: BookView, side: number, q: number, limit: number): number {
  return walkVwap(book.px[side], book.qty[side], q, side === ASK, limit);
}

/** Takes the 1-s sample: quoted spread, S_1 and S_10, and the z of S_1. */
export function onTick(s: State, now: number, book: BookView, ctx: Ctx<SpreadParams>): void {
  const m = usableMid(book);
  if (Number.isNaN(m)) {
    s.wideSince = NaN;
    s.wideSent = false;
    return;
  }
  if (s.n < ctx.params.samplesMax) s.samples[s.n++] = (1e4 * (book.bestAsk() - book.bestBid())) / m;
  else s.flags.samples = true;
  if (s.sizesStale) {
    s.sizeS1 = sizeSpread(book, 1, m);
    s.sizeS10 = sizeSpread(book, 10, m);
    s.sizesStale = false;
  }
  const s1 = s.sizeS1;
  const s10 = s.sizeS10;
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

/** Emits the bar's SPREAD record (the caller has closed the top-of-book state at `now`). */
export function onBar(s: State, now: number, k: Kline, ctx: Ctx<SpreadParams>): void {
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

