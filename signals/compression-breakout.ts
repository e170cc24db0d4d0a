import { z } from 'zod';
import type { Component, Ctx } from '../core/component.ts';
import type { QxEvent } from '../core/event.ts';
import { ringMean, ringNew, ringPush, ringAt, type Ring } from '../core/ring.ts';
import { featNew, featReduce, featTake, type Feat } from './features.ts';
import { atrNow, cur, dz, ringPctRank, tbsrAl } from './reads.ts';
import { draftNew, emitSignal, fmt, paramsHash, rampOf, rampRange, setComp, side, weight, type Draft } from './emit.ts';

// SPEC §15.1, Compression Breakout. BBW = 4*sd20/SMA20 of closes (population sd, as in
// TTR::BBands). A bar is compressed when pct_rank_1440(BBW) <= 0.10 and the volatility state is
// not HIGH_VOL; a run of at least 10 compressed bars defines a box (max high, min low of the
// run). The first close beyond box_high + 0.1*ATR14 (LONG) or box_low - 0.1*ATR14 (SHORT) within
// 5 bars after the run's last bar enters, once per box. The breakout bar is judged against the
// box of the bars before it, since a box that included it could never be closed beyond.

export const CompressionBreakoutParams = z.strictObject({
  bbBars: z.number().int().min(2).default(20),
  /** pct_rank window of BBW; the rank is used only once the window is full. */
  rankBars: z.number().int().min(1).default(1440),
  rankMax: z.number().min(0).max(1).default(0.10),
  minRunBars: z.number().int().min(1).default(10),
  breakoutAtr: z.number().min(0).default(0.1),
  maxBarsAfter: z.number().int().min(1).default(5),
  atrBars: z.number().int().min(1).default(14),
  vrRamp: rampRange(1, 3),
  /** tbsr_al saturates at this 5m taker buy/sell ratio. */
  tbsrRatio: z.number().gt(1).default(1.5),
  ofiRamp: rampRange(0, 2),
  dzRamp: rampRange(0, 2),
  weights: z.strictObject({
    vr: weight(0.25), tbsr: weight(0.2), ofi: weight(0.2), cvd: weight(0.2), va: weight(0.15),
  }).prefault({}),
});
export type CompressionBreakoutParams = z.infer<typeof CompressionBreakoutParams>;

const NAMES = ['vr', 'tbsr', 'ofi', 'cvd', 'va'] as const;
const KIND = 'signal-cse-compressionbreakout';

interface Run {
  len: number;
  hi: number;
  lo: number;
  startN: number;
  endN: number;
}

interface State {
  f: Feat;
  hash: string;
  closes: Ring;
  bbw: Ring;
  /** The current (or last) run of compressed bars; len 0 when the last bar was not compressed. */
  run: Run;
  /** The newest run of at least minRunBars, and whether it already gave its signal. */
  box: Run & { used: boolean };
}

export const compressionBreakout: Component<CompressionBreakoutParams, State> = {
  id: 'compression-breakout',
  layer: 'signal',
  inputs: ['kline-1m', 'data-cvd', 'data-tbsr', 'data-volume-ratio', 'data-l2-delta', 'data-volatility-state',
    'data-volume-profile'],
  outputs: [KIND],
  params: CompressionBreakoutParams,
  init: (p, symbol) => ({
    f: featNew(symbol, p.atrBars),
    hash: paramsHash(p),
    closes: ringNew(p.bbBars),
    bbw: ringNew(p.rankBars),
    run: { len: 0, hi: -Infinity, lo: Infinity, startN: 0, endN: 0 },
    box: { len: 0, hi: -Infinity, lo: Infinity, startN: 0, endN: 0, used: true },
  }),
  reduce(s: State, ev: QxEvent, ctx: Ctx<CompressionBreakoutParams>) {
    featReduce(s.f, ev, ctx.now);
  },
  settle(s: State, ctx: Ctx<CompressionBreakoutParams>) {
    if (!featTake(s.f)) return;
    const dr = entry(s, ctx.params);
    if (dr !== null) {
      score(s.f, ctx.params, dr);
      emitSignal(ctx, KIND, 'compression-breakout', s.f, s.hash, NAMES, ctx.params.weights, dr);
    }
    compressionUpdate(s, ctx.params);
  },
};

/** Returns the breakout of the armed box by this bar's close, or null. */
function entry(s: State, p: CompressionBreakoutParams): Draft | null {
  const f = s.f;
  const b = s.box;
  const after = f.n - b.endN;
  const atr = atrNow(f);
  if (b.used || b.len < p.minRunBars || after < 1 || after > p.maxBarsAfter || atr === null) return null;
  const hiThr = b.hi + p.breakoutAtr * atr;
  const loThr = b.lo - p.breakoutAtr * atr;
  const c = f.bar.c;
  const d = c > hiThr ? 1 : c < loThr ? -1 : 0;
  if (d === 0) return null;
  b.used = true;
  const edge = d > 0 ? `> box_high ${fmt(b.hi)} + ${fmt(p.breakoutAtr)}*ATR14 ${fmt(atr)} = ${fmt(hiThr)}`
    : `< box_low ${fmt(b.lo)} - ${fmt(p.breakoutAtr)}*ATR14 ${fmt(atr)} = ${fmt(loThr)}`;
  return draftNew(d, [
    `BBW pct_rank_${p.rankBars} <= ${fmt(p.rankMax)} for ${b.len} bars, box ${fmt(b.lo)}..${fmt(b.hi)}`,
    `${side(d)}: close ${fmt(c)} ${edge}, ${after} bar(s) after the run`,
  ]);
}

function score(f: Feat, p: CompressionBreakoutParams, dr: Draft): void {
  const d = dr.d;
  const ofi = cur(f, f.ofiZ);
  const zd = dz(f, d);
  setComp(dr, 'vr', rampOf(cur(f, f.vr), p.vrRamp));
  setComp(dr, 'tbsr', tbsrAl(f, d, p.tbsrRatio));
  setComp(dr, 'ofi', rampOf(ofi === null ? null : d * ofi, p.ofiRamp));
  setComp(dr, 'cvd', rampOf(zd, p.dzRamp));
  setComp(dr, 'va', valueAreaScore(f, d));
}

/** Returns 1 beyond the session VAH (LONG) or VAL (SHORT), 0.5 inside the value area, else 0. */
function valueAreaScore(f: Feat, d: number): number | null {
  const s = f.prof.session;
  if (s.t !== f.bar.t || s.vah === null || s.val === null) return null;
  const c = f.bar.c;
  if (d > 0 ? c > s.vah : c < s.val) return 1;
  return c >= s.val && c <= s.vah ? 0.5 : 0;
}

/** Adds this bar's BBW and extends, starts or ends the compressed run. */
function compressionUpdate(s: State, p: CompressionBreakoutParams): void {
  const f = s.f;
  ringPush(s.closes, f.bar.c);
  if (s.closes.size < s.closes.cap) return;
  const sma = ringMean(s.closes);
  let ss = 0;
  for (let i = 0; i < s.closes.size; i++) ss += (ringAt(s.closes, i) - sma) ** 2;
  const bbw = (4 * Math.sqrt(ss / s.closes.size)) / sma;
  ringPush(s.bbw, bbw);
  // UNKNOWN or a missing state is "not HIGH_VOL" (SPEC names only HIGH_VOL as a veto).
  const highVol = f.volState.t === f.bar.t && f.volState.state === 'HIGH_VOL';
  const compressed = s.bbw.size === s.bbw.cap && ringPctRank(s.bbw, bbw) <= p.rankMax && !highVol;
  const r = s.run;
  if (!compressed) {
    r.len = 0;
    return;
  }
  if (r.len > 0 && r.endN === f.n - 1) {
    r.len++;
    r.hi = Math.max(r.hi, f.bar.h);
    r.lo = Math.min(r.lo, f.bar.l);
  } else {
    r.len = 1; r.hi = f.bar.h; r.lo = f.bar.l; r.startN = f.n;
  }
  r.endN = f.n;
  if (r.len >= p.minRunBars) {
    const b = s.box;
    const same = b.startN === r.startN;
    b.len = r.len; b.hi = r.hi; b.lo = r.lo; b.startN = r.startN; b.endN = r.endN;
    b.used = same ? b.used : false;
  }
}
