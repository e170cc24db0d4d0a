import { z } from 'zod';
import type { Component, Ctx } from '../core/component.ts';
import type { QxEvent } from '../core/event.ts';
import { ramp } from '../core/math.ts';
import { dayFloor, US_PER_DAY, US_PER_MINUTE } from '../core/time.ts';
import { featNew, featReduce, featTake, type Feat } from './features.ts';
import { atrNow, cur, dz } from './reads.ts';
import { countWithin, distBps, lset, type Level } from './levels.ts';
import {
  draftNew, emitSignal, fmt, paramsHash, rampOf, rampRange, scoreOf, setComp, side, weight, type Draft,
} from './emit.ts';

// SPEC §15.5, Level Plays (rejection). Levels: Lset plus the previous UTC day's high and low. A
// bar touches a level when its range comes within 0.1*ATR14 of it; only the first touch within
// 60 bars counts (the window runs from the last counted touch). LONG: low <= l + 0.1*ATR,
// close >= l, lower wick (min(o,c) - low)/(high - low) >= 0.5; SHORT mirrors it. When several
// levels qualify on one bar, the best score wins (Lset order breaks ties).

export const LevelPlaysParams = z.strictObject({
  touchAtr: z.number().min(0).default(0.1),
  wickMin: z.number().min(0).max(1).default(0.5),
  touchBars: z.number().int().min(0).default(60),
  levelBps: z.number().positive().default(5),
  /** HIDDEN_LIQUIDITY counts when seen in this many bars up to the close (SPEC leaves it open). */
  hiddenBars: z.number().int().min(1).default(2),
  wickRamp: rampRange(0.5, 0.8),
  dzRamp: rampRange(0, 2),
  levelsRamp: rampRange(1, 3),
  vrRamp: rampRange(1, 2.5),
  weights: z.strictObject({
    wick: weight(0.25), cvd: weight(0.25), levels: weight(0.2), vr: weight(0.15), hidden: weight(0.15),
  }).prefault({}),
});
export type LevelPlaysParams = z.infer<typeof LevelPlaysParams>;

const NAMES = ['wick', 'cvd', 'levels', 'vr', 'hidden'] as const;
const KIND = 'signal-uso-levelplays';

interface State {
  f: Feat;
  hash: string;
  day: { day: number; hi: number; lo: number; prevHi: number | null; prevLo: number | null };
  /** Bar index of the last counted touch per level name (names are fixed, never iterated). */
  lastTouch: Record<string, number>;
}

export const levelPlays: Component<LevelPlaysParams, State> = {
  id: 'level-plays',
  layer: 'signal',
  inputs: ['kline-1m', 'data-volume-profile', 'data-multi-vwap', 'data-cvd', 'data-volume-ratio', 'data-hidden-liquidity'],
  outputs: [KIND],
  params: LevelPlaysParams,
  init: (p, symbol) => ({
    f: featNew(symbol), hash: paramsHash(p),
    day: { day: -Infinity, hi: -Infinity, lo: Infinity, prevHi: null, prevLo: null }, lastTouch: {},
  }),
  reduce(s: State, ev: QxEvent, ctx: Ctx<LevelPlaysParams>) {
    featReduce(s.f, ev, ctx.now);
  },
  settle(s: State, ctx: Ctx<LevelPlaysParams>) {
    const f = s.f;
    if (!featTake(f)) return;
    const p = ctx.params;
    const levels = dayUpdate(s);
    const atr = atrNow(f);
    if (atr === null) return;
    let best: Draft | null = null;
    for (const l of levels) {
      const dr = touch(s, p, l, levels, atr);
      if (dr === null) continue;
      if (best === null || scoreOf(NAMES, p.weights, dr.comps) > scoreOf(NAMES, p.weights, best.comps)) best = dr;
    }
    if (best !== null) emitSignal(ctx, KIND, 'level-plays', f, s.hash, NAMES, p.weights, best);
  },
};

/** Rolls the UTC day high/low with this bar; returns Lset plus the previous day's high and low. */
function dayUpdate(s: State): Level[] {
  const b = s.f.bar;
  const day = dayFloor(b.t);
  const dh = s.day;
  if (day !== dh.day) {
    const adjacent = day - dh.day === US_PER_DAY;
    dh.prevHi = adjacent ? dh.hi : null;
    dh.prevLo = adjacent ? dh.lo : null;
    dh.day = day; dh.hi = b.h; dh.lo = b.l;
  } else {
    dh.hi = Math.max(dh.hi, b.h);
    dh.lo = Math.min(dh.lo, b.l);
  }
  const levels = lset(s.f);
  if (dh.prevHi !== null) levels.push({ name: 'prev_day_high', px: dh.prevHi });
  if (dh.prevLo !== null) levels.push({ name: 'prev_day_low', px: dh.prevLo });
  return levels;
}

/** Returns the scored rejection of level `l` when this bar is its first touch, or null. */
function touch(s: State, p: LevelPlaysParams, l: Level, levels: Level[], atr: number): Draft | null {
  const f = s.f;
  const b = f.bar;
  const tol = p.touchAtr * atr;
  if (b.l > l.px + tol || b.h < l.px - tol) return null;
  const last = s.lastTouch[l.name];
  if (last !== undefined && f.n - last <= p.touchBars) return null;
  s.lastTouch[l.name] = f.n;
  const range = b.h - b.l;
  if (range <= 0) return null;
  const lower = (Math.min(b.o, b.c) - b.l) / range;
  const upper = (b.h - Math.max(b.o, b.c)) / range;
  const d = b.c >= l.px && lower >= p.wickMin ? 1 : b.c <= l.px && upper >= p.wickMin ? -1 : 0;
  if (d === 0) return null;
  const wick = d > 0 ? lower : upper;
  const dr = draftNew(d, [
    `${side(d)}: first touch of ${l.name} ${fmt(l.px)} in ${p.touchBars} bars`,
    d > 0 ? `low ${fmt(b.l)} <= level + ${fmt(p.touchAtr)}*ATR14 ${fmt(atr)}, close ${fmt(b.c)} >= level`
      : `high ${fmt(b.h)} >= level - ${fmt(p.touchAtr)}*ATR14 ${fmt(atr)}, close ${fmt(b.c)} <= level`,
    `${d > 0 ? 'lower' : 'upper'} wick ${fmt(wick)} of the range (>= ${fmt(p.wickMin)})`,
  ]);
  setComp(dr, 'wick', rampOf(wick, p.wickRamp));
  setComp(dr, 'cvd', rampOf(dz(f, d), p.dzRamp));
  setComp(dr, 'levels', ramp(countWithin(levels, l.px, p.levelBps), p.levelsRamp[0], p.levelsRamp[1]));
  setComp(dr, 'vr', rampOf(cur(f, f.vr), p.vrRamp));
  setComp(dr, 'hidden', hiddenNear(f, p, d, l.px) ? 1 : 0);
  return dr;
}

/** Returns whether HIDDEN_LIQUIDITY on side d (BID for LONG) was seen within levelBps of `px`. */
function hiddenNear(f: Feat, p: LevelPlaysParams, d: number, px: number): boolean {
  const since = f.bar.t - (p.hiddenBars - 1) * US_PER_MINUTE;
  const want = d > 0 ? 'BID' : 'ASK';
  for (let i = f.hidden.length - 1; i >= 0; i--) {
    const h = f.hidden[i];
    if (h.ts < since) break;
    if (h.side === want && distBps(h.price, px) <= p.levelBps) return true;
  }
  return false;
}
