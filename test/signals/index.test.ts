import { describe, expect, it } from 'vitest';
import { canonical, sha256Hex } from '../../core/canonical.ts';
import { SIGNALS } from '../../signals/index.ts';
import { bar, harness } from '../support/harness.ts';
import { cvd, flip, kalman, stubProvider, tbsr, volumeRatio, vwap } from '../support/stubs-signals.ts';

// Goal: the signal registry lists the 7 generators of SPEC §15 in order, with their topics, fully
// defaulted parameters and a params_hash that follows the parameters; all 7 run together
// behind one stub and their states survive a snapshot round trip (plain data).
// Method: inspect the registry, then run the 7 generators for 200 bars with a snapshot/restore
// in the middle and compare with an uninterrupted run (two generators fire in this path).

const T0 = Date.UTC(2024, 0, 2) * 1000;

describe('signals > registry', () => {
  it('lists the 7 generators in SPEC order with their topics', () => {
    expect(SIGNALS.map((c) => c.id)).toEqual([
      'compression-breakout', 'flow-inflections', 'liquidity-fulcrum', 'volatility-stress', 'level-plays', 'phase-timing', 'void-swept',
    ]);
    expect(SIGNALS.map((c) => c.outputs)).toEqual([
      ['signal-cse-compressionbreakout'], ['signal-cse-flowinflections'], ['signal-uso-ald'], ['signal-cse-volatilitystress'],
      ['signal-uso-levelplays'], ['signal-cse-phasetiming'], ['signal-uso-voidswept'],
    ]);
    for (const c of SIGNALS) {
      expect(c.layer).toBe('signal');
      const p = c.params.parse({});
      expect(sha256Hex(canonical(c.init(p, 'BTCUSDT').hash))).toBe(sha256Hex(canonical(sha256Hex(canonical(p)))));
      expect(() => c.params.parse({ nope: 1 })).toThrow();
    }
    const cb = SIGNALS[0];
    expect(cb.init(cb.params.parse({ rankMax: 0.2 }), 'BTCUSDT').hash).not.toBe(cb.init(cb.params.parse({}), 'BTCUSDT').hash);
  });

  it('runs all 7 together and resumes from a snapshot exactly', () => {
    const make = () => harness([
      stubProvider({
        onKline: (k, i) => [
          ...(i % 20 === 10 ? [flip(i % 40 === 10 ? 1 : -1, 1, k.c)] : []),
          cvd(k.t, 2 * k.V - k.v, 0.5), tbsr(k.t, 5, k.V, k.v - k.V), volumeRatio(k.t, 1.2),
          kalman(k.t, Math.sin(k.t / 6e8) * 4), vwap(k.t, 'day', 100, 1, k.c), vwap(k.t, 'london', 100, 1, k.c),
        ],
      }),
      ...SIGNALS,
    ]);
    const klines = Array.from({ length: 200 }, (_, i) => {
      const c = 100 + Math.sin(i / 7) * 2;
      return bar(T0 + 7 * 3_600_000_000, i, { o: c + 0.05, c, h: c + 0.4, l: c - 0.5, V: 0.5 + 0.4 * Math.sin(i / 3), v: 1 });
    });
    const full = make();
    klines.forEach((k) => full.kline(k));
    const a = make();
    klines.slice(0, 97).forEach((k) => a.kline(k));
    const b = make();
    b.rt.restore(a.rt.snapshot());
    klines.slice(97).forEach((k) => b.kline(k));
    expect(b.rt.digest()).toBe(full.rt.digest());
    const fired = new Set(full.out.filter((e) => e.topic.startsWith('signal-')).map((e) => e.payload.provider));
    expect([...fired].sort()).toEqual(['flow-inflections', 'level-plays']);
  });
});
