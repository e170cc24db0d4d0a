import { describe, expect, it } from 'vitest';
import { flowInflections } from '../../signals/flow-inflections.ts';
import { bar, harness } from '../support/harness.ts';
import { flip, kalman, l2, stubProvider, tbsr, vpin, vwap, type Rec } from '../support/stubs-signals.ts';

// Goal: Flow Inflections (SPEC §15.2) enters on the bar of a DELTA_FLIP to d when d*slope_t >= 0
// and |dev_sigma(day VWAP)| <= 2, with the SPEC score; every entry condition, once violated,
// keeps it silent, and so does an unwarmed Kalman filter.
// Method: a stub provider emits warm KALMAN and day VWAP records every bar and the flip with
// its score inputs on a chosen bar; real klines drive the runtime.

const T0 = Date.UTC(2024, 0, 2) * 1000;
const KIND = 'signal-cse-flowinflections';
const ramp = (x: number, lo: number, hi: number) => Math.min(1, Math.max(0, (x - lo) / (hi - lo)));

interface Case {
  to: 1 | -1;
  slope: number;
  close: number;
  warm?: boolean;
  noVwap?: boolean;
  extra?: (t: number) => Rec[];
}

function run(c: Case, flipBar = 3, bars = 6) {
  const h = harness([
    stubProvider({
      onKline: (k, i) => [
        kalman(k.t, c.slope, c.warm ?? true),
        ...(c.noVwap ? [] : [vwap(k.t, 'day', 100, 1, k.c)]),
        ...(i === flipBar ? [flip(c.to, 1.25, k.c), ...(c.extra?.(k.t) ?? [])] : []),
      ],
    }),
    flowInflections,
  ]);
  for (let i = 0; i < bars; i++) h.kline(bar(T0, i, { c: i === flipBar ? c.close : 100 }));
  return h.on(KIND);
}

describe('signals > flow-inflections', () => {
  it('fires LONG on the flip bar with the SPEC score', () => {
    const out = run({ to: 1, slope: 1, close: 101, extra: (t) => [tbsr(t, 5, 1.1, 1), l2(t, 0.8), vpin(t, 2)] });
    expect(out).toHaveLength(1);
    const s = out[0].payload as any;
    expect(s).toMatchObject({ generator: 'flow-inflections', direction: 1, bar_open_us: T0 + 3 * 60_000_000, close: 101 });
    const c = {
      strength: ramp(1.25, 0.5, 2), tbsr: ramp(Math.log(1.1), 0, Math.log(1.5)), ofi: ramp(0.8, 0, 2),
      slope: ramp(1, 0, 2), vpin: 1 - ramp(2, 1, 3),
    };
    for (const [k, v] of Object.entries(c)) expect(s.components[k]).toBeCloseTo(v, 12);
    expect(s.score).toBeCloseTo((0.3 * c.strength + 0.2 * c.tbsr + 0.2 * c.ofi + 0.2 * c.slope + 0.1 * c.vpin) / 1.0, 12);
    expect(s.reasons.join(' ')).toMatch(/slope_t 1 .*dev_sigma 1 /s);
  });

  it('fires SHORT with a falling trend and a close below VWAP; a flat trend (slope_t 0) is allowed', () => {
    const out = run({ to: -1, slope: -0.5, close: 98.5, extra: (t) => [tbsr(t, 5, 1, 1.5), l2(t, -3), vpin(t, 0)] });
    expect(out).toHaveLength(1);
    const s = out[0].payload as any;
    expect(s.direction).toBe(-1);
    const c = { strength: 0.5, tbsr: 1, ofi: 1, slope: 0.25, vpin: 1 };
    expect(s.components.tbsr).toBeCloseTo(1, 12);
    expect(s.score).toBeCloseTo((0.3 * c.strength + 0.2 * c.tbsr + 0.2 * c.ofi + 0.2 * c.slope + 0.1 * c.vpin) / 1.0, 12);
    expect(run({ to: 1, slope: 0, close: 100 })).toHaveLength(1);
  });

  it('stays silent when the trend opposes the flip or price is extended from the day VWAP', () => {
    expect(run({ to: -1, slope: 0.1, close: 100 })).toHaveLength(0);
    expect(run({ to: 1, slope: 1, close: 102.5 })).toHaveLength(0);
    expect(run({ to: 1, slope: 1, close: 102 })).toHaveLength(1);
    expect(run({ to: 1, slope: 1, close: 101, noVwap: true })).toHaveLength(0);
  });

  it('fires once per flip, only on its bar, and not before the Kalman filter is warm', () => {
    const out = run({ to: 1, slope: 1, close: 101 }, 3, 8);
    expect(out.map((o) => o.payload.bar_open_us)).toEqual([T0 + 3 * 60_000_000]);
    expect(run({ to: 1, slope: 1, close: 101, warm: false })).toHaveLength(0);
  });

  it('marks the signal degraded when an input record of its bar was degraded', () => {
    const clean = run({ to: 1, slope: 1, close: 101 });
    const dirty = run({ to: 1, slope: 1, close: 101, extra: (t) => [{ ...l2(t, 0.8), degraded: true }] });
    expect(clean[0].degraded).toBe(false);
    expect(dirty[0].degraded).toBe(true);
  });
});
