import { z } from 'zod';
import type { Component, Ctx } from '../core/component.ts';
import type { QxEvent } from '../core/event.ts';
import { ringAt, ringNew, ringPush, type Ring } from '../core/ring.ts';
import { featNew, featReduce, featTake, type Feat } from './features.ts';
import { barDelta, cur, dz, vacuumActive, vwapOf } from './reads.ts';
import { draftNew, emitSignal, fmt, paramsHash, rampOf, rampRange, setComp, side, weight, type Draft } from './emit.ts';

// SPEC §15.4, Volatility Stress (exhaustion reversal). A stress onset is the first bar of a run
// where all hold: vpin_z >= 2; vol_ann_pct/vol_ann_pct(t-60) >= 1.25 or the state became
// HIGH_VOL; |dev_sigma(day VWAP)| >= 2. The first later bar (within 30) with vpin_z <= 1 is the
// entry bar, whatever it brings: d = -sign(c - VWAP_day) and sign(D_t) = d must hold there.
// Open choices: "became HIGH_VOL" means HIGH_VOL entered within the last `highVolBars` bars;
// the score's |dev_sigma| is the peak over the stress, like its vpin_z.

export const VolatilityStressParams = z.strictObject({
  lookbackBars: z.number().int().min(1).default(30),
  vpinOnset: z.number().default(2),
  vpinEntry: z.number().default(1),
  volRatioMin: z.number().positive().default(1.25),
  volLagBars: z.number().int().min(1).default(60),
  highVolBars: z.number().int().min(1).default(30),
  devSigmaMin: z.number().min(0).default(2),
  vpinRamp: rampRange(2, 4),
  devRamp: rampRange(2, 3.5),
  dzRamp: rampRange(0, 2),
  spreadRamp: rampRange(1, 3),
  weights: z.strictObject({
    vpin: weight(0.2), dev: weight(0.25), cvd: weight(0.25), vacuum: weight(0.15), spread: weight(0.15),
  }).prefault({}),
});
export type VolatilityStressParams = z.infer<typeof VolatilityStressParams>;

const NAMES = ['vpin', 'dev', 'cvd', 'vacuum', 'spread'] as const;
const KIND = 'signal-cse-volatilitystress';

interface State {
  f: Feat;
  hash: string;
  /** vol_ann_pct per bar (NaN when missing), volLagBars+1 deep: oldest is t-60. */
  vol: Ring;
  /** All onset conditions held on the previous bar. */
  prevAll: boolean;
  /** The open stress episode: onset bar index (0 = none) and its peaks. */
  onsetN: number;
  peakVpin: number;
  peakDev: number;
}

export const volatilityStress: Component<VolatilityStressParams, State> = {
  id: 'volatility-stress',
  layer: 'signal',
  inputs: ['kline-1m', 'data-vpin-zscore', 'data-garch-volatility-forecast-5min', 'data-volatility-state',
    'data-multi-vwap', 'data-cvd', 'data-liquidity-vacuum', 'data-spread'],
  outputs: [KIND],
  params: VolatilityStressParams,
  init: (p, symbol) => ({
    f: featNew(symbol), hash: paramsHash(p), vol: ringNew(p.volLagBars + 1),
    prevAll: false, onsetN: 0, peakVpin: -Infinity, peakDev: -Infinity,
  }),
  reduce(s: State, ev: QxEvent, ctx: Ctx<VolatilityStressParams>) {
    featReduce(s.f, ev, ctx.now);
  },
  settle(s: State, ctx: Ctx<VolatilityStressParams>) {
    const f = s.f;
    if (!featTake(f)) return;
    const p = ctx.params;
    ringPush(s.vol, cur(f, f.volAnn) ?? NaN);
    const dr = s.onsetN > 0 ? entry(s, p) : null;
    if (dr !== null) {
      score(s, p, dr);
      emitSignal(ctx, KIND, 'volatility-stress', f, s.hash, NAMES, p.weights, dr);
    }
    onsetUpdate(s, p);
  },
};

/** Returns the onset conditions of this bar: [all hold, vpin_z, |dev_sigma|, why]. */
function stress(s: State, p: VolatilityStressParams): { all: boolean; vz: number; dev: number; why: string } {
  const f = s.f;
  const vz = cur(f, f.vpinZ) ?? NaN;
  const dev = Math.abs(vwapOf(f, 'day')?.devSigma ?? NaN);
  const ratio = s.vol.size === s.vol.cap ? ringAt(s.vol, s.vol.size - 1) / ringAt(s.vol, 0) : NaN;
  const vs = f.volState;
  const becameHigh = vs.t === f.bar.t && vs.state === 'HIGH_VOL' && vs.barsInState <= p.highVolBars;
  const volOk = ratio >= p.volRatioMin || becameHigh;
  const all = vz >= p.vpinOnset && volOk && dev >= p.devSigmaMin;
  const why = becameHigh ? `state became HIGH_VOL ${vs.barsInState} bar(s) ago` : `vol_ann_pct ratio ${fmt(ratio)}`;
  return { all, vz, dev, why };
}

/** Starts an episode on an onset bar and tracks its peaks; expires it after lookbackBars. */
function onsetUpdate(s: State, p: VolatilityStressParams): void {
  const st = stress(s, p);
  const n = s.f.n;
  if (st.all && !s.prevAll) {
    s.onsetN = n;
    s.peakVpin = st.vz;
    s.peakDev = st.dev;
  } else if (s.onsetN > 0) {
    if (n - s.onsetN >= p.lookbackBars) s.onsetN = 0;
    if (st.vz > s.peakVpin) s.peakVpin = st.vz;
    if (st.dev > s.peakDev) s.peakDev = st.dev;
  }
  s.prevAll = st.all;
}

/** Returns the reversal entry when this is the first bar with vpin_z <= 1 after the onset. */
function entry(s: State, p: VolatilityStressParams): Draft | null {
  const f = s.f;
  const vz = cur(f, f.vpinZ);
  if (vz === null || vz > p.vpinEntry) return null;
  const since = f.n - s.onsetN;
  s.onsetN = 0;
  const vwap = vwapOf(f, 'day')?.vwap ?? null;
  if (vwap === null) return null;
  const c = f.bar.c;
  const d = c > vwap ? -1 : c < vwap ? 1 : 0;
  const D = barDelta(f);
  if (d === 0 || Math.sign(D) !== d) return null;
  return draftNew(d, [
    `stress onset ${since} bar(s) ago: peak vpin_z ${fmt(s.peakVpin)}, peak |dev_sigma| ${fmt(s.peakDev)}`,
    `vpin_z ${fmt(vz)} <= ${fmt(p.vpinEntry)}: stress released`,
    `${side(d)}: close ${fmt(c)} ${d > 0 ? '<' : '>'} day VWAP ${fmt(vwap)}, bar delta ${fmt(D)} BTC agrees`,
  ]);
}

function score(s: State, p: VolatilityStressParams, dr: Draft): void {
  const f = s.f;
  const sz = rampOf(cur(f, f.spreadZ), p.spreadRamp);
  setComp(dr, 'vpin', rampOf(s.peakVpin, p.vpinRamp));
  setComp(dr, 'dev', rampOf(s.peakDev, p.devRamp));
  setComp(dr, 'cvd', rampOf(dz(f, dr.d), p.dzRamp));
  setComp(dr, 'vacuum', vacuumActive(f, dr.d > 0 ? 'BID' : 'ASK') ? 0 : 1);
  setComp(dr, 'spread', sz === null ? null : 1 - sz);
}
