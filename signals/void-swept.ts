import { z } from 'zod';
import type { Component, Ctx, TradeRun } from '../core/component.ts';
import { topicOf } from '../core/component.ts';
import type { QxEvent, Trade } from '../core/event.ts';
import { objectArray } from '../core/shape.ts';
import { US_PER_SECOND } from '../core/time.ts';
import { featNew, featReduce, featTake, type Feat } from './features.ts';
import { barDelta, dz, vacuumRatioSince } from './reads.ts';
import { draftNew, emitSignal, fmt, paramsHash, rampOf, rampRange, setComp, side, weight, type Draft } from './emit.ts';
import { sweepIdle, sweepTrade, voidsApply, voidsPrune, type Sweep, type VoidT } from './void-sweep.ts';

// SPEC §15.7, Void Swept. Setup: a VACUUM void [lo, hi] reported in the last 60 s. Sweep: trades
// cross at least 80% of it within 5 s, from P0 (the last trade at or behind the near edge) to
// the extreme X (the furthest print within 5 s of P0). Mode reclaim (default): within 3 bar
// closes a close retraces at least 50% of X - P0 with sign(D_t) = d = -sign(X - P0). Mode
// continuation: the opposite band refills to rho >= 0.5 (a VACUUM ratio reported since the
// sweep) and |c - X| <= 0.25*|X - P0|, d = sign(X - P0). Open choices: rho_after is the swept
// side's ratio in reclaim mode and the opposite side's in continuation mode; in continuation
// the retrace component scores the share held, ramp(1 - |c - X|/|X - P0|, .5, 1), since a
// continuation retraces at most 25% and ramp(retrace, .5, 1) would always be 0 there.

export const VoidSweptParams = z.strictObject({
  mode: z.enum(['reclaim', 'continuation']).default('reclaim'),
  setupSec: z.number().positive().default(60),
  sweepSec: z.number().positive().default(5),
  crossMin: z.number().min(0).max(1).default(0.8),
  maxBars: z.number().int().min(1).default(3),
  retraceMin: z.number().min(0).default(0.5),
  rhoMin: z.number().min(0).default(0.5),
  holdMax: z.number().min(0).default(0.25),
  hiddenBps: z.number().positive().default(5),
  voidsMax: z.number().int().min(1).default(8),
  speedRamp: rampRange(1, 10),
  retraceRamp: rampRange(0.5, 1),
  dzRamp: rampRange(0, 2),
  rhoRamp: rampRange(0.5, 1),
  weights: z.strictObject({
    speed: weight(0.15), retrace: weight(0.25), hidden: weight(0.2), cvd: weight(0.25), rho: weight(0.15),
  }).prefault({}),
});
export type VoidSweptParams = z.infer<typeof VoidSweptParams>;

const NAMES = ['speed', 'retrace', 'hidden', 'cvd', 'rho'] as const;
const KIND = 'signal-uso-voidswept';

interface State {
  f: Feat;
  hash: string;
  tradesTopic: string;
  voids: VoidT[];
  sweep: Sweep;
  last: { px: number; us: number };
}

export const voidSwept: Component<VoidSweptParams, State> = {
  id: 'void-swept',
  layer: 'signal',
  inputs: ['raw-trades', 'kline-1m', 'data-liquidity-vacuum', 'data-hidden-liquidity', 'data-cvd'],
  outputs: [KIND],
  params: VoidSweptParams,
  init: (p, symbol) => ({
    f: featNew(symbol), hash: paramsHash(p), tradesTopic: topicOf('raw-trades', symbol), voids: objectArray(),
    sweep: {
      active: false, dir: 1, p0: 0, x: 0, startUs: 0, detectUs: 0, lo: 0, hi: 0, widthBps: 0, band: 0, voidSide: 'ASK', bars: 0,
    },
    last: { px: NaN, us: -Infinity },
  }),
  reduce(s: State, ev: QxEvent, ctx: Ctx<VoidSweptParams>) {
    const p = ctx.params;
    if (ev.topic === s.tradesTopic) {
      sweepTrade(s.voids, s.sweep, s.last, (ev.payload as Trade).price, ev.ts, p);
      return;
    }
    const o = featReduce(s.f, ev, ctx.now);
    if (o !== null && o.type === 'VACUUM') voidsApply(s.voids, s.last, o.payload, ctx.now, p);
  },
  settle,

  // A trade only moves the sweep tracking; settle does nothing until a bar start is pending.
  tradesQuietUntil: (s: State) => (s.f.pending ? -Infinity : Infinity),
  reduceTrades(s: State, run: TradeRun, ctx: Ctx<VoidSweptParams>) {
    // Runs come only while no bar is pending, so settle has nothing to do in them; and while no
    // void or sweep can take a trade, the run's last trade is all that sweepTrade would keep.
    if (sweepIdle(s.voids, s.sweep, run.at(0).ts, ctx.params)) {
      const ev = run.at(run.length - 1);
      s.last.px = ev.payload.price;
      s.last.us = ev.ts;
      return;
    }
    for (let i = 0; i < run.length; i++) {
      const ev = run.at(i);
      sweepTrade(s.voids, s.sweep, s.last, ev.payload.price, ev.ts, ctx.params);
    }
  },
};

function settle(s: State, ctx: Ctx<VoidSweptParams>): void {
  const f = s.f;
  if (!featTake(f)) return;
  const p = ctx.params;
  voidsPrune(s.voids, ctx.now - p.setupSec * US_PER_SECOND);
  const sw = s.sweep;
  if (!sw.active || sw.detectUs > ctx.now) return;
  sw.bars++;
  const dr = p.mode === 'reclaim' ? reclaim(f, sw, p) : continuation(f, sw, p);
  if (dr !== null) {
    score(f, sw, p, dr);
    emitSignal(ctx, KIND, 'void-swept', f, s.hash, NAMES, p.weights, dr);
    sw.active = false;
  } else if (sw.bars >= p.maxBars) {
    sw.active = false;
  }
}

function sweepReason(sw: Sweep): string {
  const secs = (sw.detectUs - sw.startUs) / US_PER_SECOND;
  return `swept ${sw.voidSide} void ${fmt(sw.lo)}..${fmt(sw.hi)} (${fmt(sw.widthBps)} bps, band ${sw.band} bps)`
    + ` from P0 ${fmt(sw.p0)} to X ${fmt(sw.x)} in ${fmt(secs)} s`;
}

function reclaim(f: Feat, sw: Sweep, p: VoidSweptParams): Draft | null {
  const c = f.bar.c;
  const retrace = (sw.x - c) / (sw.x - sw.p0);
  const d = -sw.dir as 1 | -1;
  const D = barDelta(f);
  if (!(retrace >= p.retraceMin) || Math.sign(D) !== d) return null;
  return draftNew(d, [
    sweepReason(sw),
    `${side(d)}: close ${fmt(c)} retraced ${fmt(retrace)} of X - P0 (>= ${fmt(p.retraceMin)}),`
      + ` ${sw.bars} bar(s) after the sweep`,
    `bar delta ${fmt(D)} BTC agrees with ${side(d)}`,
  ]);
}

function continuation(f: Feat, sw: Sweep, p: VoidSweptParams): Draft | null {
  const c = f.bar.c;
  const opp = sw.voidSide === 'ASK' ? 'BID' : 'ASK';
  const rho = vacuumRatioSince(f, opp, sw.band, sw.startUs);
  const held = Math.abs(c - sw.x) / Math.abs(sw.x - sw.p0);
  if (rho === null || rho < p.rhoMin || !(held <= p.holdMax)) return null;
  const d = sw.dir;
  return draftNew(d, [
    sweepReason(sw),
    `${side(d)}: opposite ${opp} band refilled to rho ${fmt(rho)} (>= ${fmt(p.rhoMin)})`,
    `close ${fmt(c)} within ${fmt(held)} of X - P0 from X (<= ${fmt(p.holdMax)}), ${sw.bars} bar(s) after the sweep`,
  ]);
}

function score(f: Feat, sw: Sweep, p: VoidSweptParams, dr: Draft): void {
  const c = f.bar.c;
  const move = sw.x - sw.p0;
  const secs = (sw.detectUs - sw.startUs) / US_PER_SECOND;
  const rhoSide = p.mode === 'reclaim' ? sw.voidSide : sw.voidSide === 'ASK' ? 'BID' : 'ASK';
  const retrace = p.mode === 'reclaim' ? (sw.x - c) / move : 1 - Math.abs(c - sw.x) / Math.abs(move);
  setComp(dr, 'speed', rampOf(sw.widthBps / secs, p.speedRamp));
  setComp(dr, 'retrace', rampOf(retrace, p.retraceRamp));
  setComp(dr, 'hidden', hiddenAtX(f, sw, p) ? 1 : 0);
  setComp(dr, 'cvd', rampOf(dz(f, dr.d), p.dzRamp));
  setComp(dr, 'rho', rampOf(vacuumRatioSince(f, rhoSide, sw.band, sw.startUs), p.rhoRamp));
}

/** Returns whether HIDDEN_LIQUIDITY against the sweep (ASK for an up-sweep) appeared near X since it began. */
function hiddenAtX(f: Feat, sw: Sweep, p: VoidSweptParams): boolean {
  const want = sw.dir > 0 ? 'ASK' : 'BID';
  for (let i = f.hidden.length - 1; i >= 0; i--) {
    const h = f.hidden[i];
    if (h.ts < sw.startUs) break;
    if (h.side === want && (1e4 * Math.abs(h.price - sw.x)) / sw.x <= p.hiddenBps) return true;
  }
  return false;
}
