import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Component, Ctx } from '../../core/component.ts';
import type { Kline, QxEvent } from '../../core/event.ts';
import { GarchPayloadSchema, type GarchPayload } from '../../core/schemas/garch.ts';
import { VolatilityStatePayloadSchema, type VolatilityStatePayload } from '../../core/schemas/volatility-state.ts';
import { garch } from '../../providers/garch.ts';
import { volatilityState } from '../../providers/volatility-state.ts';
import { bar, harness } from '../support/harness.ts';

// Goal: the Volatility State classifier of SPEC §6 and §0.6: raw classes with MEDIUM closed at 30
// and 45, hysteresis of delta 1 with a 3-bar dwell, the direct LOW/HIGH moves, UNKNOWN under
// WARMUP and long FALLBACK, and frozen counters on bars that are not OK. Method: a stub provider
// placed before the classifier emits the GARCH records a test scripts, one per kline.

const T0 = Date.UTC(2024, 0, 1) * 1000;
type Step = number | 'WARMUP' | 'FALLBACK';

const StubParams = z.strictObject({ script: z.array(z.union([z.number(), z.enum(['WARMUP', 'FALLBACK'])])).default([]) });
type StubParams = z.infer<typeof StubParams>;

/** A stand-in for the GARCH provider: on the i-th kline it emits the i-th scripted record. */
const garchStub: Component<StubParams, { i: number }> = {
  id: 'garch-stub',
  layer: 'provider',
  inputs: ['kline-1m'],
  outputs: ['data-garch-volatility-forecast-5min'],
  params: StubParams,
  init: () => ({ i: 0 }),
  reduce(s: { i: number }, ev: QxEvent, ctx: Ctx<StubParams>) {
    const step = ctx.params.script[s.i++];
    const v = typeof step === 'number' ? step : null;
    const status = typeof step === 'number' ? 'OK' : step;
    const record: GarchPayload = GarchPayloadSchema.parse({
      bar_open_us: (ev.payload as Kline).t, vol_ann_pct: v, sigma_5m_pct: null, sigma_5m_usdt: null,
      h1_pct2: null, V5_pct2: null, omega: null, alpha: null, beta: null, persistence: null, VL_pct2: null,
      half_life_min: null, loglik: null, n_obs: null, fit_ts_us: null, converged: null, status,
    });
    ctx.emit('data-garch-volatility-forecast-5min', 'GARCH', record, { warm: status !== 'WARMUP', degraded: status === 'FALLBACK' });
  },
};

function run(script: Step[]): VolatilityStatePayload[] {
  const h = harness([{ component: garchStub, params: { script } }, volatilityState]);
  script.forEach((_, i) => h.kline(bar(T0, i)));
  const out = h.on('data-volatility-state');
  expect(out).toHaveLength(script.length);
  out.forEach((o) => expect(o.warm).toBe(o.payload.state !== 'UNKNOWN'));
  return out.map((o) => VolatilityStatePayloadSchema.parse(o.payload));
}

const states = (out: VolatilityStatePayload[]) => out.map((p) => p.state);
const rep = <T>(x: T, n: number): T[] => Array.from({ length: n }, () => x);

describe('providers > volatility-state', () => {
  it('matches the SPEC reference check: 29, 31.5, 31.5, 31.5 gives LOW, LOW, LOW, MEDIUM', () => {
    const out = run([29, 31.5, 31.5, 31.5]);
    expect(states(out)).toEqual(['LOW_VOL', 'LOW_VOL', 'LOW_VOL', 'MEDIUM_VOL']);
    expect(out.map((p) => p.raw_state)).toEqual(['LOW_VOL', 'MEDIUM_VOL', 'MEDIUM_VOL', 'MEDIUM_VOL']);
    expect(out.map((p) => p.changed)).toEqual([true, false, false, true]);
    expect(out.map((p) => p.prev_state)).toEqual(['UNKNOWN', 'LOW_VOL', 'LOW_VOL', 'LOW_VOL']);
    expect(out.map((p) => p.bars_in_state)).toEqual([1, 2, 3, 1]);
    expect(out.map((p) => p.bar_open_us)).toEqual([0, 1, 2, 3].map((i) => T0 + i * 60_000_000));
    expect(out[1].vol_ann_pct).toBe(31.5);
  });

  it('classifies exactly 30 and exactly 45 as MEDIUM', () => {
    expect(states(run([30]))).toEqual(['MEDIUM_VOL']);
    expect(states(run([45]))).toEqual(['MEDIUM_VOL']);
    const raw = run([35, 29.999, 30, 45, 45.001]).map((p) => p.raw_state);
    expect(raw).toEqual(['MEDIUM_VOL', 'LOW_VOL', 'MEDIUM_VOL', 'MEDIUM_VOL', 'HIGH_VOL']);
  });

  it('needs v beyond the threshold by delta: 30.99 never leaves LOW, 44.01 never leaves HIGH', () => {
    expect(states(run([20, ...rep(30.99, 6)]))).toEqual(rep('LOW_VOL', 7));
    expect(states(run([50, ...rep(44.01, 6)]))).toEqual(rep('HIGH_VOL', 7));
    expect(states(run([50, 44, 44, 44])).at(-1)).toBe('MEDIUM_VOL');
  });

  it('moves LOW to HIGH directly with v >= 46, and HIGH to LOW with v <= 29', () => {
    expect(states(run([20, 46, 46, 46]))).toEqual(['LOW_VOL', 'LOW_VOL', 'LOW_VOL', 'HIGH_VOL']);
    expect(states(run([20, 45.9, 45.9, 45.9])).at(-1)).toBe('MEDIUM_VOL');
    expect(states(run([50, 29, 29, 29]))).toEqual(['HIGH_VOL', 'HIGH_VOL', 'HIGH_VOL', 'LOW_VOL']);
    expect(states(run([50, 29.1, 29.1, 29.1])).at(-1)).toBe('MEDIUM_VOL');
  });

  it('restarts the dwell on a new target or a value back inside the band', () => {
    expect(states(run([20, 46, 46, 32, 32, 32]))).toEqual([...rep('LOW_VOL', 5), 'MEDIUM_VOL']);
    expect(states(run([20, 31.5, 30.5, 31.5, 31.5, 31.5]))).toEqual([...rep('LOW_VOL', 5), 'MEDIUM_VOL']);
  });

  it('is UNKNOWN while GARCH is WARMUP; the first OK value then sets the raw class', () => {
    const out = run(['WARMUP', 'WARMUP', 35, 'WARMUP', 20]);
    expect(states(out)).toEqual(['UNKNOWN', 'UNKNOWN', 'MEDIUM_VOL', 'UNKNOWN', 'LOW_VOL']);
    expect(out.map((p) => p.changed)).toEqual([false, false, true, true, true]);
    expect(out.map((p) => p.bars_in_state)).toEqual([1, 2, 1, 1, 1]);
    expect(out[0]).toMatchObject({ raw_state: 'UNKNOWN', vol_ann_pct: null, prev_state: 'UNKNOWN' });
    // A pending move does not survive WARMUP.
    expect(states(run([20, 31.5, 31.5, 'WARMUP', 20, 31.5])).at(-1)).toBe('LOW_VOL');
  });

  it('freezes the dwell on FALLBACK bars and keeps counting bars in state', () => {
    const out = run([20, 31.5, 31.5, ...rep<Step>('FALLBACK', 5), 31.5]);
    expect(states(out)).toEqual([...rep('LOW_VOL', 8), 'MEDIUM_VOL']);
    expect(out[7]).toMatchObject({ raw_state: 'UNKNOWN', bars_in_state: 8, changed: false });
  });

  it('turns UNKNOWN after more than 60 consecutive FALLBACK bars', () => {
    const out = run([35, ...rep<Step>('FALLBACK', 61), 20, 'FALLBACK', 20]);
    expect(out[60].state).toBe('MEDIUM_VOL');
    expect(out[61]).toMatchObject({ state: 'UNKNOWN', changed: true, prev_state: 'MEDIUM_VOL' });
    expect(out[62]).toMatchObject({ state: 'LOW_VOL', changed: true });
    // The run of FALLBACK bars restarts after an OK bar.
    expect(states(out).slice(63)).toEqual(['LOW_VOL', 'LOW_VOL']);
    expect(states(run([35, ...rep<Step>('FALLBACK', 60)])).at(-1)).toBe('MEDIUM_VOL');
  });

  it('reads the real GARCH provider: UNKNOWN through its WARMUP, then the raw class of its first OK value', () => {
    const h = harness([garch, volatilityState]);
    let c = 100;
    // Alternating moves of 0.1% per minute: a flat-ish variance whose level puts v in one class.
    for (let i = 0; i < 760; i++) h.kline(bar(T0, i, { c: (c *= i % 2 === 0 ? 1.001 : 1 / 1.001) }));
    const g = h.on('data-garch-volatility-forecast-5min').map((o) => o.payload as GarchPayload);
    const out = h.on('data-volatility-state').map((o) => VolatilityStatePayloadSchema.parse(o.payload));
    expect(out.slice(0, 720).every((p) => p.state === 'UNKNOWN')).toBe(true);
    expect(g[720].status).toBe('OK');
    expect(out[720]).toMatchObject({ state: out[720].raw_state, changed: true, vol_ann_pct: g[720].vol_ann_pct });
    expect(out[720].state).not.toBe('UNKNOWN');
  });
});
