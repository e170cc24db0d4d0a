import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { volumeProfile } from '../../providers/volume-profile.ts';
import { binAdd, binsNew, profileStats, valueArea, volumeNodes, type Bins } from '../../providers/volume-profile-math.ts';
import { VolumeProfilePayloadSchema } from '../../core/schemas/volume-profile.ts';
import type { Out } from '../../core/event.ts';
import { bar, harness } from '../support/harness.ts';

// Goal: POC, value area and nodes follow SPEC §13/§0.6; sessions reset at 00:00 UTC with the
// previous one frozen; the rolling 24 h profile equals a from-scratch recomputation bit for bit.
// Method: the SPEC worked example and hand-made edge cases on the pure functions, then trades
// and klines through a real Runtime compared with oracles computed in the test.

const MIN = 60_000_000;
const DAY = 86_400_000_000;
const D0 = Date.UTC(2024, 0, 1) * 1000;

function of(out: Out[], profile: string): Out[] {
  return out.filter((o) => o.payload.profile === profile);
}

describe('providers > volume-profile > math', () => {
  it('reproduces the SPEC worked example: POC bin 4, VA bins 2..6, 84.1%', () => {
    const va = valueArea([5, 10, 20, 40, 60, 35, 30, 10, 5, 5]);
    expect(va).toEqual({ poc: 4, lo: 2, hi: 6, total: 220, va: 185 });
    expect((100 * va!.va) / va!.total).toBeCloseTo(84.1, 1);
  });

  it('handles a single bin, POC ties, VA ties and an exhausted side', () => {
    expect(valueArea([0, 7, 0])).toEqual({ poc: 1, lo: 1, hi: 1, total: 7, va: 7 });
    expect(valueArea([0, 0])).toBeNull();
    // Equal maxima at bins 1, 3 and 6 of the populated range 0..6: bin 3 is nearest its middle.
    expect(valueArea([5, 9, 1, 9, 1, 1, 9])!.poc).toBe(3);
    // Equidistant maxima: the lower bin wins.
    expect(valueArea([9, 1, 9])!.poc).toBe(0);
    // The middle is taken over the populated range only, not over leading empty bins.
    expect(valueArea([0, 0, 0, 9, 1, 9, 9])!.poc).toBe(5);
    // U = 6 equals L = 6: ties go up first.
    expect(valueArea([1, 5, 10, 5, 1], 2, 0.65)).toMatchObject({ lo: 2, hi: 4, va: 16 });
    // Nothing below the POC: the walk takes the upper side until the target is met.
    expect(valueArea([10, 3, 2, 1, 1, 1])).toMatchObject({ poc: 0, lo: 0, hi: 2, va: 15 });
    // One row at a time (va_rows = 1).
    expect(valueArea([5, 10, 20, 40, 60, 35, 30, 10, 5, 5], 1)).toMatchObject({ lo: 3, hi: 6, va: 165 });
  });

  it('finds HVN and LVN as extrema of the 3-bin moving sum, plateaus counted once', () => {
    expect(volumeNodes([10, 0, 0, 0, 10])).toEqual({ hvn: [0, 4], lvn: [2] });
    expect(volumeNodes([1, 2, 3, 2, 1])).toEqual({ hvn: [2], lvn: [] });
    expect(volumeNodes([4])).toEqual({ hvn: [0], lvn: [] });
  });

  it('profileStats converts bins to prices: POC midpoint, VAL lower edge, VAH upper edge', () => {
    const bins = binsNew();
    [5, 10, 20, 40, 60, 35, 30, 10, 5, 5].forEach((v, i) => binAdd(bins, 6000 + i, v * 100_000));
    const st = profileStats(bins, 10, 100_000, 2, 0.7)!;
    expect(st).toMatchObject({ poc_usdt: 60045, val_usdt: 60020, vah_usdt: 60070, total_btc: 220, va_btc: 185 });
    expect(st.va_pct).toBe((100 * 185e5) / 220e5);
  });
});

describe('providers > volume-profile', () => {
  it('emits the session profile of the SPEC example from trades, with valid payloads', () => {
    const h = harness([volumeProfile]);
    let id = 1;
    [5, 10, 20, 40, 60, 35, 30, 10, 5, 5].forEach((v, i) => {
      // Two trades per bin at prices inside [i*10, (i+1)*10), including the lower edge.
      h.trade(D0 + id * 1000, id++, 60_000 + i * 10, v / 2, false);
      h.trade(D0 + id * 1000, id++, 60_009.99 + i * 10, v / 2, true);
    });
    h.kline(bar(D0, 0));
    const out = h.on('data-volume-profile');
    for (const o of out) VolumeProfilePayloadSchema.parse(o.payload);
    expect(out.map((o) => o.payload.profile)).toEqual(['session', 'rolling24h']);
    expect(out[0].payload).toMatchObject({ poc_usdt: 60045, val_usdt: 60020, vah_usdt: 60070, total_btc: 220, va_btc: 185 });
    expect(out[1].payload).toEqual({ ...out[0].payload, profile: 'rolling24h' });
    // Data starting at the session anchor minute is complete; the rolling window is not yet.
    expect(out[0].flags).toEqual([]);
    expect(out[1].flags).toEqual(['PARTIAL']);
  });

  it('resets the session at 00:00 UTC and freezes the previous one', () => {
    const h = harness([volumeProfile]);
    h.trade(D0 + 600 * MIN, 1, 100, 1, false);
    h.trade(D0 + 601 * MIN, 2, 125, 3, false);
    h.kline(bar(D0, 1439));
    h.trade(D0 + DAY + 1000, 3, 500, 2, false);
    h.kline(bar(D0, 1440));
    h.trade(D0 + DAY + MIN + 5000, 4, 700, 9, false);
    h.kline(bar(D0, 1441));
    const out = h.on('data-volume-profile');
    for (const o of out) VolumeProfilePayloadSchema.parse(o.payload);
    const session = of(out, 'session');
    const previous = of(out, 'previous');
    expect(session.map((o) => o.payload.total_btc)).toEqual([4, 2, 11]);
    expect(session[1].payload).toMatchObject({ poc_usdt: 505, val_usdt: 500, vah_usdt: 510 });
    expect(previous).toHaveLength(2);
    const { bar_open_us: _a, ...frozen1 } = previous[0].payload;
    const { bar_open_us: _b, ...frozen2 } = previous[1].payload;
    expect(frozen2).toEqual(frozen1);
    expect(frozen1).toMatchObject({ total_btc: 4, poc_usdt: 125, val_usdt: 120, vah_usdt: 130 });
    // The first session began at 10:00, after its anchor: it and its frozen copy are PARTIAL.
    expect(session[0].flags).toEqual(['PARTIAL']);
    expect(previous[0].flags).toEqual(['PARTIAL']);
    expect(session[1].flags).toEqual([]);
    // The rolling profile spans both days.
    expect(of(out, 'rolling24h')[2].payload.total_btc).toBe(15);
  });

  it('rolling 24h equals a from-scratch recomputation bit for bit over 30 hours', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
      let x = seed;
      const rnd = () => ((x = (x * 48271) % 2147483647) / 2147483647);
      const h = harness([volumeProfile]);
      const trades: Array<{ ts: number; p: number; q: number }> = [];
      let id = 1;
      const bars = 30 * 60;
      for (let b = 0; b < bars; b++) {
        const n = Math.floor(rnd() * 4);
        for (let j = 0; j < n; j++) {
          const ts = D0 + b * MIN + Math.floor(rnd() * 59_999_000);
          trades.push({ ts, p: Math.round((40_000 + 300 * rnd()) * 100) / 100, q: Math.ceil(rnd() * 300_000) / 100_000 });
        }
        trades.sort((a, c) => a.ts - c.ts);
        for (const t of trades.filter((t) => t.ts >= D0 + b * MIN)) h.trade(t.ts, id++, t.p, t.q, false);
        h.kline(bar(D0, b));
        const rolling = h.out.slice(-3).map((e) => e.payload)
          .find((o) => o.payload.profile === 'rolling24h' && o.payload.bar_open_us === D0 + b * MIN);
        const bins = binsNew();
        for (const t of trades) {
          const m = t.ts - (t.ts % MIN);
          if (m < D0 + (b - 1439) * MIN) continue;
          binAdd(bins, Math.floor(Math.round(t.p / 0.01) / 1000), Math.round(t.q * 100_000));
        }
        const expected = profileStats(bins, 10, 100_000, 2, 0.7);
        if (rolling !== undefined) VolumeProfilePayloadSchema.parse(rolling.payload);
        if (expected === null) expect(rolling).toBeUndefined();
        else expect(rolling!.payload).toEqual({ bar_open_us: D0 + b * MIN, profile: 'rolling24h', ...expected });
        if (b % 97 === 0 || b === bars - 1) {
          const state = h.rt.stateOf('volume-profile') as { rolling: Bins };
          expect(state.rolling).toEqual(bins);
        }
      }
    }), { numRuns: 3 });
  });

  it('uses k*tick bins: w = 0.5 USDT puts 100.49 and 100.50 in different bins; rejects w not a tick multiple', () => {
    const h = harness([{ component: volumeProfile, params: { binUsdt: 0.5 } }]);
    h.trade(D0 + 1000, 1, 100.49, 1, false);
    h.trade(D0 + 2000, 2, 100.5, 2, false);
    h.kline(bar(D0, 0));
    const session = of(h.on('data-volume-profile'), 'session')[0];
    expect(session.payload).toMatchObject({ poc_usdt: 100.75, val_usdt: 100, vah_usdt: 101 });
    expect(() => harness([{ component: volumeProfile, params: { binUsdt: 0.005 } }])).toThrow(/whole number of ticks/);
  });

  it('rejects an out-of-order trade and resumes identically from a snapshot', () => {
    const h = harness([volumeProfile]);
    h.trade(D0 + 2000, 1, 100, 1, false);
    h.trade(D0 + 1000, 2, 900, 1, false);
    h.kline(bar(D0, 0));
    const first = of(h.on('data-volume-profile'), 'session')[0];
    expect(first.payload.total_btc).toBe(1);
    expect(first.flags).toContain('ORDER_VIOLATION');
    const snap = h.rt.snapshot();
    const r = harness([volumeProfile]);
    r.rt.restore(snap);
    for (const x of [h, r]) {
      x.trade(D0 + MIN + 5, 3, 110, 2, false);
      x.kline(bar(D0, 1));
    }
    expect(r.out.map((e) => e.payload)).toEqual(h.out.slice(-2).map((e) => e.payload));
    expect(r.rt.digest()).toBe(h.rt.digest());
  });
});
