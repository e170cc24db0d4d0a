import { z } from 'zod';
import { BID, SIDE_NAME, type BookView } from '../core/book.ts';
import { topicOf, type Component, type Ctx } from '../core/component.ts';
import type { QxEvent } from '../core/event.ts';
import { withDoubleFields } from '../core/shape.ts';
import { US_PER_MS } from '../core/time.ts';
import { swNew, swPush, swQuantile, type SortedWindow } from './sorted-window.ts';
import { bandDepths, bandEdge } from './liquidity-vacuum-bands.ts';

// SPEC §10, liquidity vacuum: at each whole second (the clock tick fires before any input at or
// after that second, so it sees the book as of just before it), the depth within beta bps of
// the mid is sampled per side and band. Its baseline is the exact median of the previous 900
// samples; rho = depth/baseline. START when rho <= 0.35 for 3 consecutive samples, END when
// rho >= 0.50 (hysteresis), ONGOING once per bar close while active. A band reaching outside
// the snapshot coverage gives no sample (it would understate depth) and no event. A book
// INVALID for more than 1 s breaks every run; an active vacuum then ends with the flag
// BOOK_INVALID and no book values. START and ONGOING carry the flag ALL_BANDS when every band
// of the side went low at the same sample (a thinned side, not one band's dip after a fast
// move or a late dip inside a long vacuum of the wide band): on a synthetic btc-day it marked
// 8 of the 9 planted vacuums and 5 of 932 other STARTs. Voids are gaps of >= 10 ticks and
// >= 1 bp between consecutive levels inside the band (the last clipped at the band edge).

export const LiquidityVacuumParams = z.strictObject({
  bandsBps: z.array(z.number().positive()).min(1).default([5, 10, 25]),
  baselineSamples: z.number().int().min(1).default(900),
  /** Samples needed before a baseline exists; the record is warm once the window is full. */
  baselineMin: z.number().int().min(1).default(60),
  startRatio: z.number().nonnegative().default(0.35),
  endRatio: z.number().nonnegative().default(0.5),
  startRun: z.number().int().min(1).default(3),
  invalidBreakMs: z.number().nonnegative().default(1000),
  tickSize: z.number().positive().default(0.01),
  voidMinTicks: z.number().nonnegative().default(10),
  voidMinBps: z.number().nonnegative().default(1),
  voidsMax: z.number().int().min(0).default(3),
  /**
   * SPEC: a band outside the snapshot coverage gives no sample and no event. False samples it
   * anyway and reports coverage_ok=false: for data whose snapshot is the whole book (synthetic
   * days open with one full snapshot and then drift past its edge).
   */
  requireCoverage: z.boolean().default(true),
});
export type LiquidityVacuumParams = z.infer<typeof LiquidityVacuumParams>;

/** One (side, band) series. */
interface Track {
  side: number;
  band: number;
  base: SortedWindow;
  /** Consecutive samples with rho <= startRatio, and the time of the first of them. */
  run: number;
  runStart: number;
  active: boolean;
  startUs: number;
  /** The last sample: depth, baseline (NaN when none) and rho (NaN when undefined). */
  depth: number;
  baseline: number;
  ratio: number;
  /** Whether the band was inside the snapshot coverage at the last sample. */
  covered: boolean;
  /** The change made by the current tick's sample (NONE, START or END). */
  change: number;
  /** Band depth, edge price and end rank at this tick (liquidity-vacuum-bands.ts). */
  sampled: number;
  edge: number;
  end: number;
}

interface State {
  depth: string;
  kline: string;
  tracks: Track[];
  /** Per side, the indices of its tracks in ascending band order (bands are nested). */
  bySide: number[][];
  /** Since when the book has not been VALID, -1 while it is. */
  invalidSince: number;
  /**
   * A depth message came since the tracks' band depths were last summed. Without one the book
   * is the one they were summed on (only depth moves it), and so are its mid, edges and sums:
   * a quiet second (half of them on a thin book) reuses them instead of walking the book again.
   */
  bandsStale: boolean;
}

export interface Void {
  lo: number;
  hi: number;
  width_bps: number;
}

/** The track's number fields that hold prices, sizes or µs times (core/shape.ts says why). */
const TRACK_NUMBERS = ['band', 'runStart', 'startUs', 'depth', 'baseline', 'ratio', 'sampled', 'edge'] as const;

const NONE = 0;
const START = 1;
const END = 2;
const KIND = 'data-liquidity-vacuum';

export const liquidityVacuum: Component<LiquidityVacuumParams, State> = {
  id: 'liquidity-vacuum',
  layer: 'provider',
  inputs: ['depth', 'clock', 'kline-1m'],
  outputs: [KIND],
  params: LiquidityVacuumParams,
  init: (p, symbol) => ({
    depth: topicOf('depth', symbol),
    kline: topicOf('kline-1m', symbol),
    tracks: [0, 1].flatMap((side) => p.bandsBps.map((band) => withDoubleFields({
      side, band, base: swNew(p.baselineSamples), run: 0, runStart: 0, active: false, startUs: 0,
      depth: NaN, baseline: NaN, ratio: NaN, covered: false, change: NONE, sampled: 0, edge: 0, end: 0,
    }, TRACK_NUMBERS))),
    bySide: [0, 1].map((side) => p.bandsBps.map((band, i) => ({ band, i: side * p.bandsBps.length + i }))
      .sort((a, b) => a.band - b.band).map((x) => x.i)),
    invalidSince: -1,
    bandsStale: true,
  }),
  reduce(s: State, ev: QxEvent, ctx: Ctx<LiquidityVacuumParams>) {
    if (ev.topic === s.depth) {
      s.bandsStale = true;
      if (ctx.book.status === 'VALID') s.invalidSince = -1;
      else if (s.invalidSince < 0) s.invalidSince = ctx.now;
    } else if (ev.topic === 'clock') {
      onTick(s, ctx);
    } else if (ev.topic === s.kline) {
      for (const t of s.tracks) if (t.active) publish(s, t, 'ONGOING', ctx);
    }
  },
};

function onTick(s: State, ctx: Ctx<LiquidityVacuumParams>): void {
  const book = ctx.book;
  if (book.status !== 'VALID') {
    if (s.invalidSince < 0) s.invalidSince = ctx.now;
    if (ctx.now - s.invalidSince > ctx.params.invalidBreakMs * US_PER_MS) breakRuns(s, ctx);
    return;
  }
  const m = book.mid();
  // A one-sided book has no mid, so no band on either side: no sample, as outside the coverage
  // (an empty side is not a band of depth 0, nor the whole other side a band).
  if (Number.isNaN(m)) {
    for (const t of s.tracks) {
      t.covered = false;
      t.run = 0;
    }
    return;
  }
  if (s.bandsStale) {
    bandDepths(s.tracks, s.bySide, book, m);
    s.bandsStale = false;
  }
  // Sample every band first, so a record can say whether all bands of its side are low.
  for (const t of s.tracks) t.change = sample(t, book, ctx);
  for (const t of s.tracks) {
    if (t.change === START) publish(s, t, 'START', ctx);
    else if (t.change === END) publish(s, t, 'END', ctx);
  }
}

/** Takes one sample of a band; returns the state change it causes. */
function sample(t: Track, book: BookView, ctx: Ctx<LiquidityVacuumParams>): number {
  const p = ctx.params;
  const edge = t.edge;
  t.covered = t.side === BID ? edge >= book.minBid : edge <= book.maxAsk;
  if (!t.covered && p.requireCoverage) {
    t.run = 0;
    return NONE;
  }
  const d = t.sampled;
  const b = t.base.size >= p.baselineMin ? swQuantile(t.base, 0.5) : NaN;
  swPush(t.base, d);
  t.depth = d;
  t.baseline = b;
  t.ratio = b > 0 ? d / b : NaN;
  const rho = t.ratio;
  if (t.active) {
    if (!(rho >= p.endRatio)) return NONE;
    t.active = false;
    t.run = 0;
    return END;
  }
  if (!(rho <= p.startRatio)) {
    t.run = 0;
    return NONE;
  }
  if (t.run === 0) t.runStart = ctx.now;
  t.run++;
  if (t.run < p.startRun) return NONE;
  t.active = true;
  t.startUs = t.runStart;
  return START;
}

/** A book INVALID for too long breaks every run; an active vacuum ends without book values. */
function breakRuns(s: State, ctx: Ctx<LiquidityVacuumParams>): void {
  for (const t of s.tracks) {
    t.run = 0;
    if (!t.active) continue;
    t.active = false;
    ctx.emit(KIND, 'VACUUM', {
      side: SIDE_NAME[t.side], band_bps: t.band, depth_btc: null, baseline_btc: null, ratio: null, state: 'END',
      duration_ms: (ctx.now - t.startUs) / US_PER_MS, voids: [], coverage_ok: false, start_us: t.startUs,
    }, { warm: t.base.size === t.base.cap, flags: ['BOOK_INVALID'], window: { start_us: t.startUs, end_us: ctx.now } });
  }
}

function publish(s: State, t: Track, state: 'START' | 'ONGOING' | 'END', ctx: Ctx<LiquidityVacuumParams>): void {
  const p = ctx.params;
  const book = ctx.book;
  const voids = book.status === 'VALID' ? voidsOf(book, t, p) : [];
  ctx.emit(KIND, 'VACUUM', {
    side: SIDE_NAME[t.side],
    band_bps: t.band,
    depth_btc: t.depth,
    baseline_btc: Number.isNaN(t.baseline) ? null : t.baseline,
    ratio: Number.isNaN(t.ratio) ? null : t.ratio,
    state,
    duration_ms: (ctx.now - t.startUs) / US_PER_MS,
    voids,
    coverage_ok: t.covered,
    start_us: t.startUs,
  }, { warm: t.base.size === t.base.cap, flags: state !== 'END' && allBands(s, t) ? ['ALL_BANDS'] : [], window: { start_us: t.startUs, end_us: ctx.now } });
}

/** Whether every band of t's side is in a vacuum that started at the same sample as t's. */
function allBands(s: State, t: Track): boolean {
  for (const u of s.tracks) if (u.side === t.side && !(u.active && u.startUs === t.startUs)) return false;
  return true;
}

function voidsOf(book: BookView, t: Track, p: LiquidityVacuumParams): Void[] {
  return findVoids(book, t.side, book.mid(), t.band, p.tickSize, p.voidMinTicks, p.voidMinBps, p.voidsMax);
}

/**
 * Returns the widest gaps (at most `max`) between consecutive populated levels of a side inside
 * the band, each at least `minTicks` ticks and `minBps` bps wide; the gap after the last level
 * inside the band is clipped at the band edge. Ties go to the gap nearer the mid.
 */
export function findVoids(
  book: BookView, side: number, m: number, band: number, tick: number, minTicks: number, minBps: number, max: number,
): Void[] {
  const px = book.px[side];
  const edge = bandEdge(side, m, band);
  const bid = side === BID;
  const out: Void[] = [];
  for (let i = 0; i < px.length; i++) {
    const a = px[i];
    if (bid ? a < edge : a > edge) break;
    const next = i + 1 < px.length ? px[i + 1] : edge;
    const far = bid ? Math.max(next, edge) : Math.min(next, edge);
    const lo = bid ? far : a;
    const hi = bid ? a : far;
    const w = hi - lo;
    const bps = (1e4 * w) / m;
    // A relative slack absorbs the binary rounding of decimal prices (0.1 / 0.01 = 9.999...).
    if (w / tick >= minTicks - 1e-6 && bps >= minBps) out.push({ lo, hi, width_bps: bps });
  }
  out.sort((x, y) => y.width_bps - x.width_bps || (bid ? y.hi - x.hi : x.lo - y.lo));
  return out.slice(0, max);
}
