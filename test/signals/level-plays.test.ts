import { describe, expect, it } from 'vitest';
import type { Kline } from '../../core/event.ts';
import { levelPlays } from '../../signals/level-plays.ts';
import { bar, harness } from '../support/harness.ts';
import { cvd, hidden, profile, stubProvider, volumeRatio, vwap, type Rec } from '../support/stubs-signals.ts';

// Goal: Level Plays (SPEC §15.5) enters on the first touch (in 60 bars) of a level of Lset or
// the previous day's high/low, when the bar rejects it: LONG needs low <= l + 0.1*ATR14,
// close >= l and a lower wick >= 50% of the range (SHORT mirrors it); score per SPEC.
// Method: flat bars (range 1, so ATR14 = 1) and scripted rejection bars at chosen indices,
// where a stub provider publishes the session profile, the day VWAP and the score inputs.

const T0 = Date.UTC(2024, 0, 2) * 1000;
const KIND = 'signal-uso-levelplays';
const ramp = (x: number, lo: number, hi: number) => Math.min(1, Math.max(0, (x - lo) / (hi - lo)));

const REJECT = { o: 99.5, c: 99.55, h: 99.7, l: 99.05 };

function atLevels(t: number, c: number): Rec[] {
  return [
    profile(t, 'session', 100.2, 100.6, 99.0), vwap(t, 'day', 99.02, 1, c), cvd(t, 1.5, 1), volumeRatio(t, 1.75),
    hidden('BID', 98.97, 3, t),
  ];
}

function run(shapes: Record<number, Partial<Kline>>, bars = 0) {
  const n = Math.max(bars, ...Object.keys(shapes).map((k) => Number(k) + 1));
  const h = harness([stubProvider({ onKline: (k, i) => (shapes[i] !== undefined ? atLevels(k.t, k.c) : []) }), levelPlays]);
  for (let i = 0; i < n; i++) h.kline(bar(T0, i, shapes[i] ?? { o: 100, c: 100, h: 100.5, l: 99.5 }));
  return h.on(KIND);
}

describe('signals > level-plays', () => {
  it('fires LONG on a rejection of the session VAL, with the SPEC score and the best level', () => {
    const out = run({ 20: REJECT });
    expect(out).toHaveLength(1);
    const s = out[0].payload as any;
    expect(s).toMatchObject({ generator: 'level-plays', direction: 1, close: 99.55 });
    // Both VAL 99.0 and the day VWAP 99.02 are rejected; only VAL has the hidden bid within 5 bps.
    const c = { wick: ramp(0.45 / 0.65, 0.5, 0.8), cvd: ramp(1.5, 0, 2), levels: ramp(2, 1, 3), vr: ramp(1.75, 1, 2.5), hidden: 1 };
    for (const [k, v] of Object.entries(c)) expect(s.components[k]).toBeCloseTo(v, 12);
    expect(s.score).toBeCloseTo((0.25 * c.wick + 0.25 * c.cvd + 0.2 * c.levels + 0.15 * c.vr + 0.15 * c.hidden) / 1.0, 12);
    expect(s.reasons[0]).toContain('session_val 99');
  });

  it('fires SHORT on a rejection of the previous UTC day high', () => {
    const h = harness([stubProvider({ onKline: (k, i) => (i === 45 ? [cvd(k.t, -1.5, 1), volumeRatio(k.t, 1.75)] : []) }), levelPlays]);
    const t0 = T0 - 20 * 60_000_000;
    for (let i = 0; i < 20; i++) h.kline(bar(t0, i, { o: 100, c: 100, h: 100.5, l: 99.5 }));
    for (let i = 20; i < 45; i++) h.kline(bar(t0, i, { o: 100, c: 100, h: 100.3, l: 99.7 }));
    h.kline(bar(t0, 45, { o: 100.2, c: 100.15, h: 100.55, l: 100.1 }));
    const out = h.on(KIND);
    expect(out).toHaveLength(1);
    const s = out[0].payload as any;
    expect(s.direction).toBe(-1);
    const c = { wick: ramp(0.35 / 0.45, 0.5, 0.8), cvd: 0.75, levels: 0, vr: 0.5, hidden: 0 };
    for (const [k, v] of Object.entries(c)) expect(s.components[k]).toBeCloseTo(v, 12);
    expect(s.score).toBeCloseTo((0.25 * c.wick + 0.25 * c.cvd + 0.2 * c.levels + 0.15 * c.vr + 0.15 * c.hidden) / 1.0, 12);
    expect(s.reasons[0]).toContain('prev_day_high 100.5');
  });

  it('counts only the first touch of a level within 60 bars', () => {
    expect(run({ 20: REJECT, 30: REJECT })).toHaveLength(1);
    expect(run({ 20: REJECT, 80: REJECT })).toHaveLength(1);
    expect(run({ 20: REJECT, 81: REJECT }).map((o) => o.payload.bar_open_us)).toEqual([T0 + 20 * 60_000_000, T0 + 81 * 60_000_000]);
  });

  it('needs the close back over the level, a 50% wick and a low within 0.1*ATR14', () => {
    expect(run({ 20: { o: 98.99, c: 98.98, h: 99.0, l: 98.5 } })).toHaveLength(0);
    expect(run({ 20: { o: 99.1, c: 99.6, h: 99.7, l: 99.05 } })).toHaveLength(0);
    expect(run({ 20: { ...REJECT, l: 99.15 } })).toHaveLength(0);
    expect(run({ 20: { ...REJECT, l: 99.09 } })).toHaveLength(1);
  });

  it('stays silent until ATR14 exists (bar 15)', () => {
    expect(run({ 10: REJECT })).toHaveLength(0);
    expect(run({ 14: REJECT })).toHaveLength(1);
  });
});
