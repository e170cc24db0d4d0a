import { describe, expect, it } from 'vitest';
import { nextPhase, phaseTiming } from '../../signals/phase-timing.ts';
import { localOpenUs } from '../../signals/sessions.ts';
import { harness } from '../support/harness.ts';
import { kalman, stubProvider, tbsr, volumeRatio, vwap, type Rec } from '../support/stubs-signals.ts';

// Goal: Phase Timing (SPEC §15.6) enters on ACCUMULATION -> MARKUP with close > OR_high (LONG) or
// DISTRIBUTION -> MARKDOWN with close < OR_low (SHORT), after the 15-min opening range and inside
// the first 90 min of the London (08:00 Europe/London) or New York (09:30 America/New_York) open,
// DST-correct; score per SPEC. Method: a scripted Kalman slope_t path around a session open
// (trend, then a pause, then a new trend at a chosen minute) through a stub provider, and
// klines whose opening range is 99.5..100.5; the same UTC path is replayed in winter and summer.

const M = 60_000_000;
const KIND = 'signal-cse-phasetiming';
const ramp = (x: number, lo: number, hi: number) => Math.min(1, Math.max(0, (x - lo) / (hi - lo)));
const utc = (y: number, mo: number, d: number, h: number, mi: number) => Date.UTC(y, mo - 1, d, h, mi) * 1000;

interface Path {
  /** The open the path is built around (UTC µs). */
  open: number;
  trigger: number;
  dir?: 1 | -1;
  close?: number;
  warm?: boolean;
  noPrior?: boolean;
  extra?: (t: number, c: number) => Rec[];
}

function run(p: Path) {
  const d = p.dir ?? 1;
  const slopeAt = (m: number) => (m < -10 && !p.noPrior ? -3 * d : m < p.trigger ? 0.5 * d : 2.5 * d);
  const h = harness([
    stubProvider({
      onKline: (k) => {
        const m = (k.t - p.open) / M;
        return [kalman(k.t, slopeAt(m), p.warm ?? true), ...(m === p.trigger ? p.extra?.(k.t, k.c) ?? [] : [])];
      },
    }),
    phaseTiming,
  ]);
  for (let m = -20; m < 100; m++) {
    const t = p.open + m * M;
    const c = m === p.trigger ? p.close ?? 100 + d : 100;
    h.kline({ t, o: 100, c, h: Math.max(100.5, c), l: Math.min(99.5, c), v: 1, q: 100, n: 1, V: 0.5, Q: 50 });
  }
  return h.on(KIND);
}

describe('signals > phase-timing', () => {
  it('computes session opens in UTC across DST changes', () => {
    expect(localOpenUs(utc(2024, 3, 30, 0, 0), 'Europe/London', 8, 0)).toBe(utc(2024, 3, 30, 8, 0));
    expect(localOpenUs(utc(2024, 3, 31, 0, 0), 'Europe/London', 8, 0)).toBe(utc(2024, 3, 31, 7, 0));
    expect(localOpenUs(utc(2024, 3, 12, 0, 0), 'America/New_York', 9, 30)).toBe(utc(2024, 3, 12, 13, 30));
    expect(localOpenUs(utc(2024, 11, 4, 0, 0), 'America/New_York', 9, 30)).toBe(utc(2024, 11, 4, 14, 30));
    expect(nextPhase('MARKDOWN', 1, 2)).toBe('ACCUMULATION');
    expect(nextPhase('MARKUP', -1.9, 2)).toBe('DISTRIBUTION');
    expect(nextPhase('NONE', 0, 2)).toBe('NONE');
    expect(() => phaseTiming.params.parse({ sessions: [{ anchor: 'london', zone: 'Europe/Lodnon', hour: 8, minute: 0 }] })).toThrow(/IANA/);
  });

  it('fires LONG 21 min after the summer London open (07:00 UTC), with the SPEC score', () => {
    const open = utc(2024, 7, 2, 7, 0);
    const out = run({
      open, trigger: 20,
      extra: (t, c) => [vwap(t, 'london', 100.4, 1, c), volumeRatio(t, 1.75), tbsr(t, 5, 1.2, 1)],
    });
    expect(out).toHaveLength(1);
    const s = out[0].payload as any;
    expect(s).toMatchObject({ generator: 'phase-timing', direction: 1, bar_open_us: open + 20 * M, close: 101 });
    const c = {
      slope: ramp(2.5, 2, 4), dev: ramp((101 - 100.4) / 1, 0, 1), vr: ramp(1.75, 1, 2.5),
      tbsr: ramp(Math.log(1.2), 0, Math.log(1.5)), time: 1 - 21 / 90,
    };
    for (const [k, v] of Object.entries(c)) expect(s.components[k]).toBeCloseTo(v, 12);
    expect(s.score).toBeCloseTo((0.3 * c.slope + 0.2 * c.dev + 0.15 * c.vr + 0.2 * c.tbsr + 0.15 * c.time) / 1.0, 12);
    expect(s.reasons.join(' ')).toContain('ACCUMULATION -> MARKUP');
    expect(s.reasons.join(' ')).toContain('21 min after the london open');
  });

  it('follows DST: 07:00 UTC is no London open in winter, 08:00 UTC is', () => {
    expect(run({ open: utc(2024, 1, 9, 7, 0), trigger: 20 })).toHaveLength(0);
    expect(run({ open: utc(2024, 1, 9, 8, 0), trigger: 20 })).toHaveLength(1);
  });

  it('fires SHORT after the New York open on EDT (13:30 UTC) while London is still on GMT', () => {
    const out = run({ open: utc(2024, 3, 12, 13, 30), trigger: 30, dir: -1 });
    expect(out).toHaveLength(1);
    const s = out[0].payload as any;
    expect(s.direction).toBe(-1);
    expect(s.components.time).toBeCloseTo(1 - 31 / 90, 12);
    expect(s.reasons.join(' ')).toContain('newyork');
  });

  it('needs the transition after the OR, inside the window, beyond the OR, from a pause', () => {
    const open = utc(2024, 7, 2, 7, 0);
    expect(run({ open, trigger: 10 })).toHaveLength(0);
    expect(run({ open, trigger: 15 })).toHaveLength(1);
    expect(run({ open, trigger: 89 })).toHaveLength(1);
    expect(run({ open, trigger: 90 })).toHaveLength(0);
    expect(run({ open, trigger: 20, close: 100.4 })).toHaveLength(0);
    expect(run({ open, trigger: 20, noPrior: true })).toHaveLength(0);
  });

  it('stays silent while the Kalman filter is not warm', () => {
    expect(run({ open: utc(2024, 7, 2, 7, 0), trigger: 20, warm: false })).toHaveLength(0);
  });
});
