import { z } from 'zod';
import type { Component, Ctx } from '../core/component.ts';
import type { QxEvent } from '../core/event.ts';
import { ramp } from '../core/math.ts';
import { ringNew, ringPush, type Ring } from '../core/ring.ts';
import { US_PER_DAY, US_PER_MINUTE } from '../core/time.ts';
import { featNew, featReduce, featTake, type Feat, type HiddenEv } from './features.ts';
import { dz, ringMedian } from './reads.ts';
import { countWithin, distBps, lset, nearest, type Level } from './levels.ts';
import { draftNew, emitSignal, fmt, paramsHash, rampOf, rampRange, setComp, side, weight, type Draft } from './emit.ts';
import { hiddenRankAdd, hiddenRankNew, hiddenRankOf, type HiddenRank } from './hidden-rank.ts';

// SPEC §15.3, Liquidity Fulcrum (topic signal-uso-ald): hidden liquidity that shows up at a
// known level and holds. Entry: a HIDDEN_LIQUIDITY record in the last 2 bars at price p within
// 5 bps of a level in Lset, and the bar closes on the held side (close > p for BID: LONG;
// close < p for ASK: SHORT). The newest qualifying record wins, and an episode enters once.

export const LiquidityFulcrumParams = z.strictObject({
  windowBars: z.number().int().min(1).default(2),
  levelBps: z.number().positive().default(5),
  /** pct_rank_7d of hidden_lb: bounded to this many episodes (the newest are kept). */
  rankDays: z.number().positive().default(7),
  rankCap: z.number().int().min(1).default(4096),
  /** Median of spoof pressure over this many bars (SPEC leaves the window open; one day). */
  spoofBars: z.number().int().min(1).default(1440),
  levelsRamp: rampRange(1, 3),
  dzRamp: rampRange(0, 2),
  spoofRamp: rampRange(1, 3),
  weights: z.strictObject({
    rank: weight(0.3), dist: weight(0.2), levels: weight(0.15), cvd: weight(0.2), spoof: weight(0.15),
  }).prefault({}),
});
export type LiquidityFulcrumParams = z.infer<typeof LiquidityFulcrumParams>;

const NAMES = ['rank', 'dist', 'levels', 'cvd', 'spoof'] as const;
const KIND = 'signal-uso-ald';
const USED_MAX = 16;

interface State {
  f: Feat;
  hash: string;
  rank: HiddenRank;
  spoofBid: Ring;
  spoofAsk: Ring;
  /** Keys of episodes that already entered (side sign times episode start), newest last. */
  used: number[];
}

export const liquidityFulcrum: Component<LiquidityFulcrumParams, State> = {
  id: 'liquidity-fulcrum',
  layer: 'signal',
  inputs: ['kline-1m', 'data-hidden-liquidity', 'data-volume-profile', 'data-multi-vwap', 'data-cvd', 'data-spoofing'],
  outputs: [KIND],
  params: LiquidityFulcrumParams,
  init: (p, symbol) => ({
    f: featNew(symbol), hash: paramsHash(p), rank: hiddenRankNew(p.rankCap),
    spoofBid: ringNew(p.spoofBars), spoofAsk: ringNew(p.spoofBars), used: [],
  }),
  reduce(s: State, ev: QxEvent, ctx: Ctx<LiquidityFulcrumParams>) {
    const h = s.f.hidden;
    const before = h.length > 0 ? h[h.length - 1] : null;
    featReduce(s.f, ev, ctx.now);
    // A record the store accepted is a new last entry; a malformed one changes nothing.
    if (h.length > 0 && h[h.length - 1] !== before) hiddenRankAdd(s.rank, h[h.length - 1]);
  },
  settle(s: State, ctx: Ctx<LiquidityFulcrumParams>) {
    const f = s.f;
    if (!featTake(f)) return;
    if (f.spoof.t === f.bar.t) {
      ringPush(s.spoofBid, f.spoof.bid);
      ringPush(s.spoofAsk, f.spoof.ask);
    }
    const levels = lset(f);
    const hit = entry(s, ctx.params, levels);
    if (hit === null) return;
    score(s, ctx, levels, hit.ev, hit.dr);
    emitSignal(ctx, KIND, 'liquidity-fulcrum', f, s.hash, NAMES, ctx.params.weights, hit.dr);
  },
};

function keyOf(h: HiddenEv): number {
  return h.side === 'BID' ? h.episodeUs : -h.episodeUs;
}

/** Returns the newest held HIDDEN_LIQUIDITY record near a level, or null. */
function entry(s: State, p: LiquidityFulcrumParams, levels: Level[]): { ev: HiddenEv; dr: Draft } | null {
  const f = s.f;
  if (levels.length === 0) return null;
  const since = f.bar.t - (p.windowBars - 1) * US_PER_MINUTE;
  const c = f.bar.c;
  for (let i = f.hidden.length - 1; i >= 0; i--) {
    const h = f.hidden[i];
    if (h.ts < since) break;
    if (s.used.includes(keyOf(h))) continue;
    const l = nearest(levels, h.price) as Level;
    const dist = distBps(h.price, l.px);
    const d = h.side === 'BID' ? (c > h.price ? 1 : 0) : (c < h.price ? -1 : 0);
    if (dist > p.levelBps || d === 0) continue;
    s.used.push(keyOf(h));
    if (s.used.length > USED_MAX) s.used.shift();
    return {
      ev: h,
      dr: draftNew(d, [
        `${side(d)}: HIDDEN_LIQUIDITY ${h.side} at ${fmt(h.price)}, hidden_lb ${fmt(h.hiddenLb)} BTC`,
        `${fmt(dist)} bps from ${l.name} ${fmt(l.px)} (<= ${fmt(p.levelBps)} bps)`,
        `close ${fmt(c)} ${d > 0 ? '>' : '<'} ${fmt(h.price)}: the level held`,
      ]),
    };
  }
  return null;
}

function score(s: State, ctx: Ctx<LiquidityFulcrumParams>, levels: Level[], h: HiddenEv, dr: Draft): void {
  const p = ctx.params;
  const f = s.f;
  const l = nearest(levels, h.price) as Level;
  setComp(dr, 'rank', hiddenRankOf(s.rank, h.hiddenLb, ctx.now - p.rankDays * US_PER_DAY));
  setComp(dr, 'dist', 1 - distBps(h.price, l.px) / p.levelBps);
  setComp(dr, 'levels', ramp(countWithin(levels, h.price, p.levelBps), p.levelsRamp[0], p.levelsRamp[1]));
  setComp(dr, 'cvd', rampOf(dz(f, dr.d), p.dzRamp));
  setComp(dr, 'spoof', spoofScore(s, h.side, p));
}

/** Returns 1 - ramp(pressure/median, 1, 3) of the held side; no pressure scores 1. */
function spoofScore(s: State, sideName: 'BID' | 'ASK', p: LiquidityFulcrumParams): number | null {
  const f = s.f;
  if (f.spoof.t !== f.bar.t) return null;
  const pressure = sideName === 'BID' ? f.spoof.bid : f.spoof.ask;
  if (pressure <= 0) return 1;
  const med = ringMedian(sideName === 'BID' ? s.spoofBid : s.spoofAsk);
  // A zero median with pressure present is an unbounded ratio: the component is 0.
  const ratio = med > 0 ? pressure / med : Infinity;
  return 1 - ramp(ratio, p.spoofRamp[0], p.spoofRamp[1]);
}
