import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { multiVwap } from '../../providers/multi-vwap.ts';
import { VwapPayloadSchema } from '../../core/schemas/multi-vwap.ts';
import type { Out } from '../../core/event.ts';
import { bar, harness } from '../support/harness.ts';

// Goal: anchored VWAP and its volume-weighted sd follow SPEC §14 for all four anchors.
// Method: feed trades and klines through a real Runtime; compare with the SPEC reference,
// a two-pass oracle computed in the test, and DST-correct anchor times; validate every payload.

const MIN = 60_000_000;
const iso = (s: string) => Date.parse(s) * 1000;
const D0 = iso('2025-01-15T00:00:00Z'); // a Wednesday

function byAnchor(out: Out[], anchor: string): Out[] {
  return out.filter((o) => o.payload.anchor === anchor);
}

function expectValid(out: Out[]): void {
  for (const o of out) VwapPayloadSchema.parse(o.payload);
}

describe('providers > multi-vwap', () => {
  it('gives VWAP 101 and sigma 0.707107 for (100,1), (101,2), (102,1) with bands and dev_sigma', () => {
    const h = harness([multiVwap]);
    h.trade(D0 + 1000, 1, 100, 1, false);
    h.trade(D0 + 2000, 2, 101, 2, true);
    h.trade(D0 + 3000, 3, 102, 1, false);
    h.kline(bar(D0, 0, { c: 102, h: 102, l: 100 }));
    const out = h.on('data-multi-vwap');
    expect(out).toHaveLength(4);
    expectValid(out);
    const day = byAnchor(out, 'day')[0].payload as Record<string, number>;
    const s = Math.sqrt(0.5);
    expect(day.vwap).toBe(101);
    expect(day.sigma).toBeCloseTo(0.707107, 6);
    expect(day.upper2).toBeCloseTo(101 + 2 * s, 12);
    expect(day.lower3).toBeCloseTo(101 - 3 * s, 12);
    expect(day.dev_sigma).toBeCloseTo(1 / s, 12);
    expect(day.volume_btc).toBe(4);
    expect(day.anchor_us).toBe(D0);
    expect(byAnchor(out, 'week')[0].payload.anchor_us).toBe(iso('2025-01-13T00:00:00Z'));
    // At 00:00 UTC in January, the latest London open is the previous day's 08:00 UTC.
    expect(byAnchor(out, 'london')[0].payload.anchor_us).toBe(iso('2025-01-14T08:00:00Z'));
    expect(byAnchor(out, 'newyork')[0].payload.anchor_us).toBe(iso('2025-01-14T14:30:00Z'));
  });

  it('matches a two-pass weighted mean and sd to 1e-9 over 1e6 random trades', () => {
    const h = harness([multiVwap]);
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const px: number[] = [];
    const qs: number[] = [];
    const n = 1_000_000;
    for (let i = 0; i < n; i++) {
      const p = Math.round((60_000 + 500 * Math.sin(i / 5000) + 50 * rnd()) * 100) / 100;
      const q = Math.round(rnd() * 200_000 + 1) / 100_000;
      px.push(p);
      qs.push(q);
      h.trade(D0 + 1000 + i * 50, i + 1, p, q, rnd() < 0.5);
    }
    h.kline(bar(D0, Math.floor((n * 50) / MIN), { c: 60_000 }));
    const day = byAnchor(h.on('data-multi-vwap'), 'day')[0].payload as Record<string, number>;
    let w = 0;
    let m = 0;
    for (let i = 0; i < n; i++) { w += qs[i]; m += qs[i] * px[i]; }
    m /= w;
    let v = 0;
    for (let i = 0; i < n; i++) v += qs[i] * (px[i] - m) ** 2;
    const sd = Math.sqrt(v / w);
    expect(Math.abs(day.vwap - m) / m).toBeLessThan(1e-9);
    expect(Math.abs(day.sigma - sd) / sd).toBeLessThan(1e-9);
  });

  it('property: Welford equals the two-pass oracle on random trade sets', () => {
    const trade = fc.record({
      p: fc.integer({ min: 1, max: 10_000_000 }).map((x) => x / 100),
      q: fc.integer({ min: 1, max: 1_000_000 }).map((x) => x / 100_000),
    });
    fc.assert(fc.property(fc.array(trade, { minLength: 1, maxLength: 300 }), (ts) => {
      const h = harness([multiVwap]);
      ts.forEach((t, i) => h.trade(D0 + i, i + 1, t.p, t.q, false));
      h.kline(bar(D0, 0, { c: 100 }));
      const day = byAnchor(h.on('data-multi-vwap'), 'day')[0].payload as Record<string, number>;
      let w = 0;
      let m = 0;
      for (const t of ts) { w += t.q; m += t.q * t.p; }
      m /= w;
      let v = 0;
      for (const t of ts) v += t.q * (t.p - m) ** 2;
      const sd = Math.sqrt(v / w);
      // Rounding error scales with the largest price summed, not the mean: a set spanning 0.01 to
      // 100,000 has a tiny mean and a large spread (a failure at 1e-9 * mean showed this).
      const scale = Math.max(...ts.map((t) => t.p));
      expect(Math.abs(day.vwap - m)).toBeLessThanOrEqual(1e-9 * scale);
      expect(Math.abs(day.sigma - sd)).toBeLessThanOrEqual(1e-9 * scale);
    }), { numRuns: 200 });
  });

  it('gives null before the first trade after an anchor and dev_sigma null when sigma is 0', () => {
    const h = harness([multiVwap]);
    const late = iso('2025-01-15T23:59:30Z');
    h.trade(late, 1, 100, 1, false);
    h.trade(late + 1000, 2, 100, 3, false);
    h.kline(bar(D0, 1439, { c: 101 }));
    const first = byAnchor(h.on('data-multi-vwap'), 'day')[0].payload;
    expect(first).toMatchObject({ vwap: 100, sigma: 0, dev_sigma: null, volume_btc: 4, upper1: 100 });
    // The next UTC day starts empty: the day anchor is null until a trade arrives.
    h.kline(bar(D0, 1440, { c: 101 }));
    const next = byAnchor(h.on('data-multi-vwap'), 'day')[1].payload;
    expect(next).toMatchObject({ anchor_us: D0 + 86_400_000_000, vwap: null, sigma: null, dev_sigma: null, volume_btc: 0 });
    // The week anchor (Monday) did not reset and still holds both trades.
    expect(byAnchor(h.on('data-multi-vwap'), 'week')[1].payload.vwap).toBe(100);
    expectValid(h.on('data-multi-vwap'));
  });

  it('resets London at 08:00 local across the March DST change and flags a partial first period', () => {
    const h = harness([multiVwap]);
    // 2025-03-28 is GMT (open 08:00 UTC), so 07:30 UTC is before the open; 2025-03-31 is BST
    // (open 07:00 UTC), so 07:30 UTC is after it.
    const days = ['2025-03-28', '2025-03-31'];
    let id = 1;
    for (const d of days) {
      const d0 = iso(`${d}T00:00:00Z`);
      h.trade(d0 + 6.5 * 60 * MIN, id++, 100, 1, false);
      h.kline(bar(d0, 390, { c: 100 }));
      h.trade(d0 + 7.5 * 60 * MIN, id++, 110, 1, false);
      h.kline(bar(d0, 450, { c: 110 }));
    }
    const ldn = byAnchor(h.on('data-multi-vwap'), 'london');
    expect(ldn.map((o) => o.payload.anchor_us)).toEqual([
      iso('2025-03-27T08:00:00Z'), iso('2025-03-27T08:00:00Z'), iso('2025-03-30T07:00:00Z'), iso('2025-03-31T07:00:00Z'),
    ]);
    expect(ldn.map((o) => o.payload.vwap)).toEqual([100, 105, 100, 110]);
    expect(ldn[0].flags).toContain('PARTIAL');
    expect(ldn[0].warm).toBe(false);
    expect(ldn[1].flags).toContain('PARTIAL');
    expectValid(h.on('data-multi-vwap'));
    expect(ldn[2].flags).toEqual([]);
    expect(ldn[3].flags).toEqual([]);
    expect(ldn[3].warm).toBe(true);
  });

  it('bar mode weights (h+l+c)/3 by v, and an out-of-order input is rejected and flagged', () => {
    const h = harness([{ component: multiVwap, params: { mode: 'bar' } }]);
    h.kline(bar(D0, 0, { h: 103, l: 97, c: 100, v: 1 }));
    h.kline(bar(D0, 1, { h: 106, l: 100, c: 103, v: 3 }));
    const day = byAnchor(h.on('data-multi-vwap'), 'day');
    expect(day[1].payload.vwap).toBeCloseTo((100 + 3 * 103) / 4, 12);
    expect(day[1].payload.sigma).toBeCloseTo(Math.sqrt((1 * 2.25 ** 2 + 3 * 0.75 ** 2) / 4), 12);
    const t = harness([multiVwap]);
    t.trade(D0 + 2000, 1, 100, 1, false);
    t.trade(D0 + 1000, 2, 200, 1, false);
    t.kline(bar(D0, 0, { c: 100 }));
    const rec = byAnchor(t.on('data-multi-vwap'), 'day')[0];
    expect(rec.payload.vwap).toBe(100);
    expect(rec.flags).toContain('ORDER_VIOLATION');
    expect(rec.degraded).toBe(true);
  });
});
