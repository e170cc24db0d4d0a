import { describe, expect, it } from 'vitest';
import { volatilityStress } from '../../signals/volatility-stress.ts';
import { bar, harness } from '../support/harness.ts';
import { cvd, garch, spread, stubProvider, vacuum, volState, vpin, vwap, type Rec } from '../support/stubs-signals.ts';

// Goal: Volatility Stress (SPEC §15.4) needs a stress onset (vpin_z >= 2, vol_ann_pct up 25% on
// 60 bars ago or the state just became HIGH_VOL, |dev_sigma| >= 2) and enters on the first later
// bar with vpin_z <= 1, against the VWAP, with the bar delta agreeing; score per SPEC.
// Method: 70 calm bars (GARCH vol 40, day VWAP 100, sigma 1) fill the 60-bar vol lag; then a
// scripted stress (bar 70 onset, bar 71 peak) and release (bar 72). Each variant breaks one
// condition. Klines carry V and v so that D = 2V - v has the wanted sign.

const T0 = Date.UTC(2024, 0, 2) * 1000;
const M = 60_000_000;
const KIND = 'signal-cse-volatilitystress';
const ramp = (x: number, lo: number, hi: number) => Math.min(1, Math.max(0, (x - lo) / (hi - lo)));

interface Step {
  vz: number;
  c: number;
  vol?: number;
  V?: number;
  extra?: Rec[];
  state?: Rec;
}

const onset: Step = { vz: 2.5, c: 102.5, vol: 52 };
const peak: Step = { vz: 3.2, c: 103 };
const release: Step = { vz: 0.8, c: 102, V: 0.2 };

function run(steps: Step[], calm = 70) {
  const all: Step[] = [...Array.from({ length: calm }, () => ({ vz: 0, c: 100 })), ...steps];
  const h = harness([
    stubProvider({
      onKline: (k, i) => {
        const s = all[i];
        const t = k.t;
        return [
          garch(t, s.vol ?? 40), vpin(t, s.vz), vwap(t, 'day', 100, 1, k.c), cvd(t, 2 * k.V - k.v, 0.4),
          s.state ?? volState(t, 'MEDIUM_VOL'), ...(s.extra ?? []),
        ];
      },
    }),
    volatilityStress,
  ]);
  all.forEach((s, i) => h.kline(bar(T0, i, { c: s.c, V: s.V ?? 0.5, v: 1 })));
  return h.on(KIND);
}

describe('signals > volatility-stress', () => {
  it('fires SHORT on the release bar above VWAP with the SPEC score', () => {
    const t = T0 + 72 * M;
    const out = run([onset, peak, { ...release, extra: [spread(t, 2)] }]);
    expect(out).toHaveLength(1);
    const s = out[0].payload as any;
    expect(s).toMatchObject({ generator: 'volatility-stress', direction: -1, bar_open_us: t, close: 102 });
    // D = 2*0.2 - 1 = -0.6, sigma 0.4: Dz = 1.5 for d = -1.
    const c = { vpin: ramp(3.2, 2, 4), dev: ramp(3, 2, 3.5), cvd: ramp(1.5, 0, 2), vacuum: 1, spread: 1 - ramp(2, 1, 3) };
    for (const [k, v] of Object.entries(c)) expect(s.components[k]).toBeCloseTo(v, 12);
    expect(s.score).toBeCloseTo((0.2 * c.vpin + 0.25 * c.dev + 0.25 * c.cvd + 0.15 * c.vacuum + 0.15 * c.spread) / 1.0, 12);
    expect(s.reasons[0]).toContain('peak vpin_z 3.2, peak |dev_sigma| 3');
  });

  it('fires LONG below VWAP; an active vacuum on the bid side scores 0', () => {
    const t = T0 + 72 * M;
    const down = [{ ...onset, c: 97.5 }, { ...peak, c: 97 }, { ...release, c: 98, V: 0.8, extra: [vacuum('BID', 10, 0.3, 'ONGOING', [], t)] }];
    const out = run(down);
    expect(out).toHaveLength(1);
    expect(out[0].payload).toMatchObject({ direction: 1, components: { vacuum: 0 } });
  });

  it('accepts a fresh HIGH_VOL state in place of the vol ratio', () => {
    const t = T0 + 70 * M;
    expect(run([{ ...onset, vol: 48 }, peak, release])).toHaveLength(0);
    expect(run([{ ...onset, vol: 48, state: volState(t, 'HIGH_VOL', 1, 'MEDIUM_VOL') }, peak, release])).toHaveLength(1);
  });

  it('needs every onset condition: vpin_z >= 2 and |dev_sigma| >= 2', () => {
    expect(run([{ ...onset, vz: 1.9 }, { ...peak, vz: 1.9 }, release])).toHaveLength(0);
    expect(run([{ ...onset, c: 101.9 }, { ...peak, c: 101.9 }, release])).toHaveLength(0);
  });

  it('judges only the first bar with vpin_z <= 1, which needs sign(D) = d, within 30 bars', () => {
    expect(run([onset, peak, { ...release, V: 0.6 }, release])).toHaveLength(0);
    const hold = (n: number) => Array.from({ length: n }, () => ({ vz: 1.5, c: 101 }));
    expect(run([onset, ...hold(29), release])).toHaveLength(1);
    expect(run([onset, ...hold(30), release])).toHaveLength(0);
  });

  it('stays silent during warm-up: the vol ratio needs vol_ann_pct 60 bars back', () => {
    expect(run([onset, peak, release], 50)).toHaveLength(0);
    expect(run([onset, peak, release], 60)).toHaveLength(1);
  });
});
