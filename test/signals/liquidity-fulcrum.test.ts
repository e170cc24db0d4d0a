import { describe, expect, it } from 'vitest';
import { liquidityFulcrum } from '../../signals/liquidity-fulcrum.ts';
import { bar, harness } from '../support/harness.ts';
import { cvd, hidden, profile, spoofPressure, stubProvider, vwap, type Rec } from '../support/stubs-signals.ts';

// Goal: Liquidity Fulcrum (SPEC §15.3, topic signal-uso-ald) enters when a HIDDEN_LIQUIDITY record
// of the last 2 bars sits within 5 bps of an Lset level and the bar closes on the held side;
// the score follows SPEC (pct_rank of hidden_lb over past episodes, distance, level count, Dz,
// spoof pressure against its median). Each entry condition, once violated, keeps it silent.
// Method: a stub provider emits levels (profiles, VWAPs), spoof pressure, CVD and hidden
// liquidity records at chosen bar closes; real klines drive the runtime.

const T0 = Date.UTC(2024, 0, 2) * 1000;
const M = 60_000_000;
const KIND = 'signal-uso-ald';
const ramp = (x: number, lo: number, hi: number) => Math.min(1, Math.max(0, (x - lo) / (hi - lo)));
const bps = (p: number, l: number) => (1e4 * Math.abs(p - l)) / l;

function levels(t: number, close: number): Rec[] {
  return [
    profile(t, 'session', 100, 100.5, 99.5), profile(t, 'previous', 101, 101.5, 100.8),
    vwap(t, 'day', 100.02, 0.5, close), vwap(t, 'week', 99.7, 2, close),
  ];
}

interface Case {
  hiddenAt: Record<number, Rec[]>;
  levelBars?: number[];
  closes?: Record<number, number>;
  bars?: number;
}

function run(c: Case) {
  const levelBars = c.levelBars ?? [4];
  const h = harness([
    stubProvider({
      onKline: (k, i) => [
        spoofPressure(k.t, i === 4 ? 4 : 2, 0),
        ...(levelBars.includes(i) ? [...levels(k.t, k.c), cvd(k.t, 2, 2)] : []),
        ...(c.hiddenAt[i] ?? []),
      ],
    }),
    liquidityFulcrum,
  ]);
  for (let i = 0; i < (c.bars ?? 5); i++) h.kline(bar(T0, i, { c: c.closes?.[i] ?? 100.1 }));
  return h.on(KIND);
}

const past: Record<number, Rec[]> = {
  0: [hidden('BID', 90, 1, T0)],
  1: [hidden('BID', 90, 2, T0 + M), hidden('BID', 90, 3, T0 + M, true)],
  2: [hidden('ASK', 110, 5, T0 + 2 * M)],
};

describe('signals > liquidity-fulcrum', () => {
  it('fires LONG on held hidden bid liquidity at the session POC, with the SPEC score', () => {
    const out = run({ hiddenAt: { ...past, 4: [hidden('BID', 99.98, 4, T0 + 4 * M)] } });
    expect(out).toHaveLength(1);
    const s = out[0].payload as any;
    expect(s).toMatchObject({ generator: 'liquidity-fulcrum', direction: 1, bar_open_us: T0 + 4 * M, close: 100.1 });
    // Episodes 1, 3 (the update replaced 2), 5 and 4: three of four are <= 4.
    const c = {
      rank: 3 / 4, dist: 1 - bps(99.98, 100) / 5, levels: ramp(2, 1, 3), cvd: ramp(1, 0, 2), spoof: 1 - ramp(4 / 2, 1, 3),
    };
    for (const [k, v] of Object.entries(c)) expect(s.components[k]).toBeCloseTo(v, 12);
    expect(s.score).toBeCloseTo((0.3 * c.rank + 0.2 * c.dist + 0.15 * c.levels + 0.2 * c.cvd + 0.15 * c.spoof) / 1.0, 12);
    expect(s.reasons.join(' ')).toContain('from session_poc 100');
  });

  it('fires SHORT on held hidden ask liquidity at the VAH', () => {
    const out = run({ hiddenAt: { 4: [hidden('ASK', 100.52, 2, T0 + 4 * M)] }, closes: { 4: 100.4 } });
    expect(out).toHaveLength(1);
    const s = out[0].payload as any;
    expect(s.direction).toBe(-1);
    // vah 100.5 and the day VWAP's upper1 100.52 are both within 5 bps; no ask spoofing scores 1.
    expect(s.components).toMatchObject({ rank: 1, levels: 0.5, spoof: 1 });
    expect(s.components.dist).toBeCloseTo(1, 12);
  });

  it('needs the level held, the price within 5 bps of a level, and the record in the last 2 bars', () => {
    const at = (i: number, r: Rec) => run({ hiddenAt: { [i]: [r] } });
    expect(run({ hiddenAt: { 4: [hidden('BID', 99.98, 4, T0)] }, closes: { 4: 99.95 } })).toHaveLength(0);
    expect(at(4, hidden('ASK', 99.98, 4, T0))).toHaveLength(0);
    expect(at(4, hidden('BID', 99.9, 4, T0))).toHaveLength(0);
    expect(at(3, hidden('BID', 99.98, 4, T0))).toHaveLength(1);
    expect(at(2, hidden('BID', 99.98, 4, T0))).toHaveLength(0);
  });

  it('enters once per episode, and not before any level exists', () => {
    const once = run({ hiddenAt: { 4: [hidden('BID', 99.98, 4, T0)] }, levelBars: [4, 5], bars: 6 });
    expect(once).toHaveLength(1);
    expect(run({ hiddenAt: { 4: [hidden('BID', 99.98, 4, T0)] }, levelBars: [] })).toHaveLength(0);
  });
});
