import { z } from 'zod';
import type { Component, Ctx } from '../core/component.ts';
import type { QxEvent } from '../core/event.ts';
import { KLINE_CLOSE_OFFSET_US } from '../core/event.ts';
import { featNew, featReduce, featTake, type Feat } from './features.ts';
import { cur, tbsrAl, vwapOf } from './reads.ts';
import { draftNew, emitSignal, fmt, paramsHash, rampOf, rampRange, setComp, side, weight, type Draft } from './emit.ts';

// SPEC §15.2, Flow Inflections: a DELTA_FLIP to d on bar t enters when the Kalman trend does
// not oppose it (d*slope_t >= 0) and price is not extended from the day VWAP
// (|dev_sigma| <= 2). A missing slope_t (Kalman not warm) or dev_sigma (no VWAP, sigma 0) makes
// the entry unverifiable, so nothing is emitted.

export const FlowInflectionsParams = z.strictObject({
  devSigmaMax: z.number().min(0).default(2),
  slopeMin: z.number().default(0),
  strengthRamp: rampRange(0.5, 2),
  /** tbsr_al saturates at this 5m taker buy/sell ratio. */
  tbsrRatio: z.number().gt(1).default(1.5),
  ofiRamp: rampRange(0, 2),
  slopeRamp: rampRange(0, 2),
  vpinRamp: rampRange(1, 3),
  weights: z.strictObject({
    strength: weight(0.3), tbsr: weight(0.2), ofi: weight(0.2), slope: weight(0.2), vpin: weight(0.1),
  }).prefault({}),
});
export type FlowInflectionsParams = z.infer<typeof FlowInflectionsParams>;

const NAMES = ['strength', 'tbsr', 'ofi', 'slope', 'vpin'] as const;
const KIND = 'signal-cse-flowinflections';

interface State {
  f: Feat;
  hash: string;
}

export const flowInflections: Component<FlowInflectionsParams, State> = {
  id: 'flow-inflections',
  layer: 'signal',
  inputs: ['kline-1m', 'event-cvd-deltaflip', 'data-tbsr', 'data-l2-delta', 'data-kalman', 'data-multi-vwap',
    'data-vpin-zscore'],
  outputs: [KIND],
  params: FlowInflectionsParams,
  init: (p, symbol) => ({ f: featNew(symbol), hash: paramsHash(p) }),
  reduce(s: State, ev: QxEvent, ctx: Ctx<FlowInflectionsParams>) {
    featReduce(s.f, ev, ctx.now);
  },
  settle(s: State, ctx: Ctx<FlowInflectionsParams>) {
    if (!featTake(s.f)) return;
    const dr = entry(s.f, ctx.params);
    if (dr === null) return;
    score(s.f, ctx.params, dr);
    emitSignal(ctx, KIND, 'flow-inflections', s.f, s.hash, NAMES, ctx.params.weights, dr);
  },
};

/** Returns the entry when this bar brought a DELTA_FLIP that trend and VWAP allow, or null. */
function entry(f: Feat, p: FlowInflectionsParams): Draft | null {
  const fl = f.flip;
  const onBar = fl.ts >= f.bar.t && fl.ts <= f.bar.t + KLINE_CLOSE_OFFSET_US;
  if (!onBar || (fl.to !== 1 && fl.to !== -1)) return null;
  const d = fl.to;
  const slope = cur(f, f.slopeT);
  const dev = vwapOf(f, 'day')?.devSigma ?? null;
  if (slope === null || dev === null) return null;
  if (d * slope < p.slopeMin || Math.abs(dev) > p.devSigmaMax) return null;
  const strength = fl.strength === null ? 'n/a' : fmt(fl.strength);
  return draftNew(d, [
    `${side(d)}: DELTA_FLIP to ${d > 0 ? '+1' : '-1'} on this bar, strength ${strength}`,
    `Kalman slope_t ${fmt(slope)} does not oppose (d*slope_t >= ${fmt(p.slopeMin)})`,
    `day VWAP dev_sigma ${fmt(dev)} within +-${fmt(p.devSigmaMax)}`,
  ]);
}

function score(f: Feat, p: FlowInflectionsParams, dr: Draft): void {
  const d = dr.d;
  const ofi = cur(f, f.ofiZ);
  const slope = cur(f, f.slopeT);
  const vz = cur(f, f.vpinZ);
  const vr = rampOf(vz, p.vpinRamp);
  setComp(dr, 'strength', rampOf(f.flip.strength, p.strengthRamp));
  setComp(dr, 'tbsr', tbsrAl(f, d, p.tbsrRatio));
  setComp(dr, 'ofi', rampOf(ofi === null ? null : d * ofi, p.ofiRamp));
  setComp(dr, 'slope', rampOf(slope === null ? null : d * slope, p.slopeRamp));
  setComp(dr, 'vpin', vr === null ? null : 1 - vr);
}
