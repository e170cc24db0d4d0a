import { describe, expect, it } from 'vitest';
import { canonical, sha256Hex } from '../../core/canonical.ts';
import type { Kline } from '../../core/event.ts';
import { CompressionBreakoutParams, compressionBreakout } from '../../signals/compression-breakout.ts';
import { bar, harness } from '../support/harness.ts';
import { cvd, l2, profile, stubProvider, tbsr, volState, volumeRatio, type Rec } from '../support/stubs-signals.ts';

// Goal: Compression Breakout (SPEC §15.1) fires on the first close beyond the box of a run of
// >= 10 compressed bars (pct_rank(BBW) <= 0.10, not HIGH_VOL) plus 0.1*ATR14, within 5 bars,
// with the SPEC score; and stays silent when any entry condition fails or during warm-up.
// Method: real klines through the harness: 80 alternating bars (BBW constant), then flat bars
// whose BBW falls strictly (each a new minimum, rank 1/N) until it reaches 0 and ties push the
// rank above 0.10 after 6 zero values, i.e. compressed bars 80..104. A stub provider supplies
// the score inputs; the test recomputes ATR14 and the score from the SPEC formulas.

const T0 = Date.UTC(2024, 0, 2) * 1000;
const KIND = 'signal-cse-compressionbreakout';
const P = { rankBars: 60 };

function base(n: number, volatile = 80): Kline[] {
  return Array.from({ length: n }, (_, i) => {
    if (i < volatile) {
      const c = i % 2 === 1 ? 101 : 99;
      return bar(T0, i, { o: c, c, h: c + 0.5, l: c - 0.5 });
    }
    return bar(T0, i, { o: 100, c: 100, h: 100.1, l: 99.9 });
  });
}

/** ATR14 by the SPEC §0.6 definition, at bar index `at`. */
function atrAt(ks: Kline[], at: number): number {
  const tr: number[] = [];
  for (let i = 1; i <= at; i++) {
    const pc = ks[i - 1].c;
    tr.push(Math.max(ks[i].h - ks[i].l, Math.abs(ks[i].h - pc), Math.abs(ks[i].l - pc)));
  }
  let atr = tr.slice(0, 14).reduce((a, b) => a + b, 0) / 14;
  for (let k = 14; k < tr.length; k++) atr = atr + (tr[k] - atr) / 14;
  return atr;
}

function run(ks: Kline[], script: (i: number, t: number) => Rec[] = () => [], params: object = P) {
  const h = harness([stubProvider({ onKline: (k, i) => script(i, k.t) }), { component: compressionBreakout, params }]);
  ks.forEach((k) => h.kline(k));
  return h.on(KIND);
}

const ramp = (x: number, lo: number, hi: number) => Math.min(1, Math.max(0, (x - lo) / (hi - lo)));

describe('signals > compression-breakout', () => {
  it('fires LONG on the breakout bar with the SPEC score, once per box', () => {
    const ks = base(94);
    ks[92] = bar(T0, 92, { o: 100, c: 101, h: 101.2, l: 100 });
    ks[93] = bar(T0, 93, { o: 101, c: 101.5, h: 101.6, l: 101 });
    const out = run(ks, (i, t) => (i === 92 ? [
      volumeRatio(t, 2), tbsr(t, 5, 1.2, 1), tbsr(t, 1, 1, 1), l2(t, 1.5), cvd(t, 3, 2), profile(t, 'session', 100.2, 100.5, 99.5),
    ] : [volState(t, 'MEDIUM_VOL')]));
    expect(out).toHaveLength(1);
    const s = out[0].payload as any;
    const c = { vr: ramp(2, 1, 3), tbsr: ramp(Math.log(1.2), 0, Math.log(1.5)), ofi: ramp(1.5, 0, 2), cvd: ramp(1.5, 0, 2), va: 1 };
    expect(s).toMatchObject({ generator: 'compression-breakout', direction: 1, bar_open_us: ks[92].t, close: 101 });
    for (const [k, v] of Object.entries(c)) expect(s.components[k]).toBeCloseTo(v, 12);
    const score = (0.25 * c.vr + 0.2 * c.tbsr + 0.2 * c.ofi + 0.2 * c.cvd + 0.15 * c.va) / (0.25 + 0.2 + 0.2 + 0.2 + 0.15);
    expect(s.score).toBeCloseTo(score, 12);
    expect(s.reasons.join(' ')).toContain('box_high 100.1');
    expect(s.reasons.join(' ')).toContain('for 12 bars');
    expect(s.params_hash).toBe(sha256Hex(canonical(CompressionBreakoutParams.parse(P))));
    expect(out[0].warm).toBe(true);
    expect(out[0].flags).toEqual([]);
  });

  it('fires SHORT below box_low - 0.1*ATR; missing inputs score 0 and are flagged', () => {
    const ks = base(93);
    ks[92] = bar(T0, 92, { o: 100, c: 99, h: 100, l: 98.8 });
    const out = run(ks);
    expect(out).toHaveLength(1);
    const s = out[0].payload as any;
    expect(s.direction).toBe(-1);
    expect(s.score).toBe(0);
    expect(out[0].flags).toEqual(['MISSING_INPUT']);
    expect(s.reasons.at(-1)).toContain('vr, tbsr, ofi, cvd, va');
  });

  it('needs the close beyond box_high by 0.1*ATR14, and at most 5 bars after the run', () => {
    // The run is bars 80..104; bar i is (i - 104) bars after it.
    const at = (i: number, k: number) => {
      const ks = base(i + 1);
      const probe = bar(T0, i, { o: 100, c: 100, h: 100.3, l: 99.9 });
      ks[i] = probe;
      ks[i] = { ...probe, c: 100.1 + k * atrAt(ks, i) };
      return run(ks);
    };
    expect(at(92, 0.05)).toHaveLength(0);
    expect(at(92, 0.15)).toHaveLength(1);
    expect(at(109, 0.15)).toHaveLength(1);
    expect(at(110, 0.15)).toHaveLength(0);
  });

  it('does not compress in HIGH_VOL, nor with a run shorter than minRunBars', () => {
    const ks = base(93);
    ks[92] = bar(T0, 92, { o: 100, c: 101, h: 101.2, l: 100 });
    expect(run(ks, (i, t) => [volState(t, i >= 80 && i < 92 ? 'HIGH_VOL' : 'MEDIUM_VOL')])).toHaveLength(0);
    expect(run(ks, () => [], { ...P, minRunBars: 13 })).toHaveLength(0);
    expect(run(ks, () => [], { ...P, minRunBars: 12 })).toHaveLength(1);
  });

  it('stays silent during warm-up: pct_rank_1440 needs 1440 BBW values', () => {
    const ks = base(93);
    ks[92] = bar(T0, 92, { o: 100, c: 101, h: 101.2, l: 100 });
    expect(run(ks, () => [], {})).toHaveLength(0);
    // The same pattern after 1500 volatile bars (the BBW window is full from bar 1458) fires.
    const late = base(1513, 1500);
    late[1512] = bar(T0, 1512, { o: 100, c: 101, h: 101.2, l: 100 });
    const out = run(late, () => [], {});
    expect(out).toHaveLength(1);
    expect(out[0].payload.bar_open_us).toBe(late[1512].t);
  });
});
