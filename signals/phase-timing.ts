import { z } from 'zod';
import type { Component, Ctx } from '../core/component.ts';
import type { QxEvent } from '../core/event.ts';
import { dayFloor, US_PER_MINUTE } from '../core/time.ts';
import { featNew, featReduce, featTake, type Feat } from './features.ts';
import { cur, tbsrAl } from './reads.ts';
import { draftNew, emitSignal, fmt, paramsHash, rampOf, rampRange, setComp, side, weight, type Draft } from './emit.ts';
import { defaultSessions, SessionDef, sessionCacheNew, sessionOpens, type SessionCache } from './sessions.ts';

// SPEC §15.6, Phase Timing. Phase from Kalman slope_t: MARKUP if >= 2, MARKDOWN if <= -2,
// otherwise ACCUMULATION after MARKDOWN or DISTRIBUTION after MARKUP (NONE before any trend,
// and again when slope_t is missing, so a stale phase never carries across a Kalman gap).
// Windows: the first 90 min after each session open; the opening range (OR) is the bars that
// open in its first 15 min. Entry, after the OR and inside the window: ACCUMULATION to MARKUP
// with close > OR_high (LONG), DISTRIBUTION to MARKDOWN with close < OR_low (SHORT).
// minutes_since_open is counted at the bar's close, whole minutes.

export const PhaseTimingParams = z.strictObject({
  sessions: z.array(SessionDef).default(defaultSessions),
  windowMin: z.number().int().min(1).default(90),
  orMin: z.number().int().min(1).default(15),
  markupT: z.number().positive().default(2),
  slopeRamp: rampRange(2, 4),
  /** tbsr_al saturates at this 5m taker buy/sell ratio. */
  tbsrRatio: z.number().gt(1).default(1.5),
  devRamp: rampRange(0, 1),
  vrRamp: rampRange(1, 2.5),
  weights: z.strictObject({
    slope: weight(0.3), dev: weight(0.2), vr: weight(0.15), tbsr: weight(0.2), time: weight(0.15),
  }).prefault({}),
});
export type PhaseTimingParams = z.infer<typeof PhaseTimingParams>;

const NAMES = ['slope', 'dev', 'vr', 'tbsr', 'time'] as const;
const KIND = 'signal-cse-phasetiming';

type Phase = 'NONE' | 'MARKUP' | 'MARKDOWN' | 'ACCUMULATION' | 'DISTRIBUTION';

interface State {
  f: Feat;
  hash: string;
  phase: Phase;
  cache: SessionCache;
  /** Opening range of the current window: its open (-Infinity when none), high and low. */
  or: { open: number; hi: number; lo: number };
}

export const phaseTiming: Component<PhaseTimingParams, State> = {
  id: 'phase-timing',
  layer: 'signal',
  inputs: ['kline-1m', 'data-kalman', 'data-multi-vwap', 'data-volume-ratio', 'data-tbsr'],
  outputs: [KIND],
  params: PhaseTimingParams,
  init: (p, symbol) => ({
    f: featNew(symbol), hash: paramsHash(p), phase: 'NONE', cache: sessionCacheNew(),
    or: { open: -Infinity, hi: -Infinity, lo: Infinity },
  }),
  reduce(s: State, ev: QxEvent, ctx: Ctx<PhaseTimingParams>) {
    featReduce(s.f, ev, ctx.now);
  },
  settle(s: State, ctx: Ctx<PhaseTimingParams>) {
    const f = s.f;
    if (!featTake(f)) return;
    const p = ctx.params;
    const prev = s.phase;
    s.phase = nextPhase(prev, cur(f, f.slopeT), p.markupT);
    const w = windowOf(s, p);
    if (w < 0) return;
    const open = s.cache.opens[w];
    const b = f.bar;
    if (b.t < open + p.orMin * US_PER_MINUTE) {
      if (s.or.open !== open) s.or = { open, hi: b.h, lo: b.l };
      else { s.or.hi = Math.max(s.or.hi, b.h); s.or.lo = Math.min(s.or.lo, b.l); }
      return;
    }
    if (s.or.open !== open) return;
    const dr = entry(s, p, prev, w);
    if (dr !== null) emitSignal(ctx, KIND, 'phase-timing', f, s.hash, NAMES, p.weights, dr);
  },
};

/** Returns the phase after a bar with Kalman slope_t `slope` (null when missing). */
export function nextPhase(prev: Phase, slope: number | null, t: number): Phase {
  if (slope === null) return 'NONE';
  if (slope >= t) return 'MARKUP';
  if (slope <= -t) return 'MARKDOWN';
  if (prev === 'MARKDOWN' || prev === 'ACCUMULATION') return 'ACCUMULATION';
  if (prev === 'MARKUP' || prev === 'DISTRIBUTION') return 'DISTRIBUTION';
  return 'NONE';
}

/** Returns the index of the session window holding this bar, or -1. */
function windowOf(s: State, p: PhaseTimingParams): number {
  const t = s.f.bar.t;
  sessionOpens(s.cache, dayFloor(t), p.sessions);
  const opens = s.cache.opens;
  for (let i = 0; i < opens.length; i++) if (t >= opens[i] && t < opens[i] + p.windowMin * US_PER_MINUTE) return i;
  return -1;
}

function entry(s: State, p: PhaseTimingParams, prev: Phase, w: number): Draft | null {
  const f = s.f;
  const b = f.bar;
  const up = prev === 'ACCUMULATION' && s.phase === 'MARKUP' && b.c > s.or.hi;
  const down = prev === 'DISTRIBUTION' && s.phase === 'MARKDOWN' && b.c < s.or.lo;
  if (!up && !down) return null;
  const d = up ? 1 : -1;
  const slope = cur(f, f.slopeT) as number;
  const anchor = s.cache.anchors[w] as 'london' | 'newyork';
  const minutes = (b.t + US_PER_MINUTE - s.cache.opens[w]) / US_PER_MINUTE;
  const dr = draftNew(d, [
    `${side(d)}: phase ${prev} -> ${s.phase} (slope_t ${fmt(slope)})`,
    `close ${fmt(b.c)} ${d > 0 ? `> OR_high ${fmt(s.or.hi)}` : `< OR_low ${fmt(s.or.lo)}`} of the ${anchor} open`,
    `${minutes} min after the ${anchor} open (window ${p.windowMin} min)`,
  ]);
  const vw = f.vwap[anchor];
  const dev = vw.t === b.t ? vw.devSigma : null;
  setComp(dr, 'slope', rampOf(Math.abs(slope), p.slopeRamp));
  setComp(dr, 'dev', rampOf(dev === null ? null : d * dev, p.devRamp));
  setComp(dr, 'vr', rampOf(cur(f, f.vr), p.vrRamp));
  setComp(dr, 'tbsr', tbsrAl(f, d, p.tbsrRatio));
  setComp(dr, 'time', 1 - minutes / p.windowMin);
  return dr;
}
