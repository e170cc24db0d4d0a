import { z } from 'zod';
import type { Component, Ctx } from '../core/component.ts';
import type { Out, QxEvent } from '../core/event.ts';
import type { GarchPayload } from '../core/schemas/garch.ts';
import type { VolState } from '../core/schemas/volatility-state.ts';

// SPEC §6 and §0.6, Volatility State: a hysteresis classifier of the GARCH annualised 5-minute
// volatility into LOW (< 30), MEDIUM (30..45, both ends included) and HIGH (> 45). A move needs
// v beyond the threshold by delta (1.0) for M (3) consecutive bars; LOW to HIGH directly needs
// v >= 46 and HIGH to LOW directly v <= 29. There is one pending target with one dwell counter,
// and a new target restarts the count. GARCH bars that are not OK freeze the counters; WARMUP, or
// FALLBACK for more than 60 consecutive bars, gives UNKNOWN, and the first OK value after that
// sets the raw class directly. One record per GARCH record.

export const VolatilityStateParams = z.strictObject({
  low: z.number().positive().default(30),
  high: z.number().positive().default(45),
  delta: z.number().nonnegative().default(1.0),
  dwellBars: z.number().int().min(1).default(3),
  fallbackMaxBars: z.number().int().min(0).default(60),
}).refine((p) => p.low + p.delta < p.high - p.delta, { message: 'low + delta must stay below high - delta' });
export type VolatilityStateParams = z.infer<typeof VolatilityStateParams>;

export interface VolatilityState {
  state: VolState;
  pending: VolState | null;
  dwell: number;
  barsInState: number;
  /** Consecutive FALLBACK bars. */
  fallbackRun: number;
}

export const volatilityState: Component<VolatilityStateParams, VolatilityState> = {
  id: 'volatility-state',
  layer: 'provider',
  inputs: ['data-garch-volatility-forecast-5min'],
  outputs: ['data-volatility-state'],
  params: VolatilityStateParams,
  init: () => ({ state: 'UNKNOWN', pending: null, dwell: 0, barsInState: 0, fallbackRun: 0 }),
  reduce(s: VolatilityState, ev: QxEvent, ctx: Ctx<VolatilityStateParams>) {
    const out = ev.payload as Out<GarchPayload>;
    const rec = out.payload;
    const p = ctx.params;
    const prev = s.state;
    const v = rec.vol_ann_pct;
    const ok = rec.status === 'OK' && v !== null;
    s.fallbackRun = rec.status === 'FALLBACK' ? s.fallbackRun + 1 : 0;
    if (ok) step(s, v, p);
    else if (rec.status === 'WARMUP' || s.fallbackRun > p.fallbackMaxBars) toUnknown(s);
    s.barsInState = s.state === prev ? s.barsInState + 1 : 1;
    ctx.emit('data-volatility-state', 'VOLATILITY_STATE', {
      bar_open_us: rec.bar_open_us,
      state: s.state,
      raw_state: ok ? rawClass(v, p) : 'UNKNOWN',
      vol_ann_pct: v,
      changed: s.state !== prev,
      prev_state: prev,
      bars_in_state: s.barsInState,
    }, { warm: s.state !== 'UNKNOWN', degraded: out.degraded, window: out.window });
  },
};

/** Returns the class of `v` without hysteresis (SPEC §6: exactly 30 or 45 is MEDIUM). */
export function rawClass(v: number, p: VolatilityStateParams): VolState {
  if (v < p.low) return 'LOW_VOL';
  return v > p.high ? 'HIGH_VOL' : 'MEDIUM_VOL';
}

/** Returns the state `v` pushes towards from `from`, or null when it stays inside the band. */
export function target(from: VolState, v: number, p: VolatilityStateParams): VolState | null {
  const upHigh = v >= p.high + p.delta;
  const downLow = v <= p.low - p.delta;
  if (from === 'LOW_VOL') return upHigh ? 'HIGH_VOL' : v >= p.low + p.delta ? 'MEDIUM_VOL' : null;
  if (from === 'HIGH_VOL') return downLow ? 'LOW_VOL' : v <= p.high - p.delta ? 'MEDIUM_VOL' : null;
  return upHigh ? 'HIGH_VOL' : downLow ? 'LOW_VOL' : null;
}

/** Applies one OK value: the first one sets the raw class; later ones go through the dwell. */
function step(s: VolatilityState, v: number, p: VolatilityStateParams): void {
  if (s.state === 'UNKNOWN') {
    s.state = rawClass(v, p);
    return;
  }
  const t = target(s.state, v, p);
  if (t === null) {
    s.pending = null;
    s.dwell = 0;
    return;
  }
  s.dwell = t === s.pending ? s.dwell + 1 : 1;
  s.pending = t;
  if (s.dwell >= p.dwellBars) {
    s.state = t;
    s.pending = null;
    s.dwell = 0;
  }
}

function toUnknown(s: VolatilityState): void {
  s.state = 'UNKNOWN';
  s.pending = null;
  s.dwell = 0;
}
