import { afterAll, describe, expect, it } from 'vitest';
import { tbsr } from '../../providers/tbsr.ts';
import { TbsrSchema } from '../../core/schemas/tbsr.ts';
import type { Kline, Out } from '../../core/event.ts';
import { harness, type Harness } from '../support/harness.ts';
import { Feed, LPU, MIN, T0, fillsForDelta, lcg, parseAll, randomFills, type Fill } from './cvd.fixtures.ts';

// Goal: TBSR (SPEC §2, §0.6) over the last W closed bars is exact to the lot against klines
// (B_1m == V, S_1m == v - V), stays silent until a window is full, handles saturation and empty
// windows, and gives z_log_ratio = zprev_240 over the window's earlier defined log ratios.
// Method: random trades in integer lots with klines built from the same trades; window sums,
// ratios and zprev recomputed plainly in the test; every payload parsed with the zod schema.

const made: Harness[] = [];
function mk(params: Record<string, unknown> = {}): Harness {
  const h = harness([{ component: tbsr, params }]);
  made.push(h);
  return h;
}
afterAll(() => {
  expect(parseAll(made, { TBSR: TbsrSchema })).toBeGreaterThan(1000);
});

const byWindow = (h: Harness, w: number): Out[] => h.on('data-tbsr').filter((r) => r.payload.window_m === w);
const lots = (x: number) => Math.round(x * LPU);

function zprev(hist: number[], x: number): number | null {
  if (hist.length < 240) return null;
  const prev = hist.slice(-240);
  const m = prev.reduce((a, b) => a + b, 0) / 240;
  const sd = Math.sqrt(prev.reduce((a, b) => a + (b - m) * (b - m), 0) / 239);
  return sd > 0 ? (x - m) / sd : null;
}

describe('providers > tbsr', () => {
  it('gives B_1m == V and S_1m == v - V, rolling W-bar sums, ratios and zprev_240', () => {
    const h = mk();
    const f = new Feed(h);
    const rnd = lcg(5);
    const n = 270;
    const klines: Kline[] = [];
    for (let i = 0; i < n; i++) {
      // Bar 100 is buy-only, so its 1m log ratio is null and stays out of the z history.
      const fills: Fill[] = i === 100 ? [{ lots: 12_345, sell: false }] : randomFills(rnd, 2 + Math.floor(rnd() * 6), 250_000);
      if (!fills.some((x) => x.sell) && i !== 100) fills.push({ lots: 1, sell: true });
      if (!fills.some((x) => !x.sell)) fills.push({ lots: 1, sell: false });
      klines.push(f.bar(i, fills));
    }
    for (const w of [1, 5, 15]) {
      const out = byWindow(h, w);
      expect(out).toHaveLength(n - w + 1);
      const hist: number[] = [];
      let nz = 0;
      out.forEach((rec, j) => {
        const i = j + w - 1;
        const win = klines.slice(i - w + 1, i + 1);
        const b = win.reduce((a, k) => a + lots(k.V), 0);
        const s = win.reduce((a, k) => a + lots(k.v) - lots(k.V), 0);
        const p = rec.payload;
        expect(p.bar_open_us).toBe(klines[i].t);
        expect(rec.window).toEqual({ start_us: win[0].t, end_us: klines[i].t + 59_999_000 });
        expect([p.buy_btc, p.sell_btc]).toEqual([b / LPU, s / LPU]);
        if (w === 1) expect([p.buy_btc, p.sell_btc]).toEqual([klines[i].V, (lots(klines[i].v) - lots(klines[i].V)) / LPU]);
        expect(p.buy_share).toBe(b / (b + s));
        if (s === 0) {
          expect(p).toMatchObject({ tbsr: null, log_ratio: null, z_log_ratio: null, saturated: 'BUY', buy_share: 1 });
          return;
        }
        expect(p.tbsr).toBe(b / s);
        expect(p.log_ratio).toBe(Math.log(b / s));
        const z = zprev(hist, Math.log(b / s));
        if (z === null) expect(p.z_log_ratio).toBeNull();
        else expect(p.z_log_ratio as number).toBeCloseTo(z, 10);
        if (z !== null) nz++;
        hist.push(Math.log(b / s));
        expect(rec.flags).toEqual([]);
      });
      expect(nz).toBe(n - w + 1 - 240 - (w === 1 ? 1 : 0));
    }
  });

  it('saturates on one-sided windows and flags NO_VOLUME with every ratio null', () => {
    const h = mk({ windows: [1, 2] });
    const f = new Feed(h);
    f.bar(0, fillsForDelta(3000));
    f.bar(1, fillsForDelta(-2000));
    f.bar(2, []);
    f.bar(3, []);
    const w1 = byWindow(h, 1).map((r) => r.payload);
    expect(w1[0]).toMatchObject({ buy_btc: 0.03, sell_btc: 0, tbsr: null, buy_share: 1, log_ratio: null, saturated: 'BUY' });
    expect(w1[1]).toMatchObject({ buy_btc: 0, sell_btc: 0.02, tbsr: null, buy_share: 0, log_ratio: null, saturated: 'SELL' });
    expect(w1[2]).toMatchObject({ tbsr: null, buy_share: null, log_ratio: null, z_log_ratio: null, saturated: null });
    expect(byWindow(h, 1)[2].flags).toEqual(['NO_VOLUME']);
    const w2 = byWindow(h, 2);
    expect(w2.map((r) => r.payload.bar_open_us)).toEqual([T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN]);
    expect(w2[0].payload).toMatchObject({ buy_btc: 0.03, sell_btc: 0.02, tbsr: 1.5, buy_share: 0.6, saturated: null });
    expect(w2[0].payload.log_ratio).toBe(Math.log(1.5));
    expect(w2[1].payload.saturated).toBe('SELL');
    expect(w2[2].flags).toEqual(['NO_VOLUME']);
  });

  it('closes a bar without kline from trades, and carries gap and mismatch flags through the window', () => {
    const h = mk({ windows: [1, 3] });
    const f = new Feed(h);
    f.bar(0, fillsForDelta(1000, 10));
    f.bar(1, fillsForDelta(2000, 10), { kline: false });
    f.bar(2, fillsForDelta(3000, 10), { idGap: 2 });
    const k = f.bar(3, fillsForDelta(4000, 10), { kline: false });
    h.kline({ ...k, V: k.V + 0.1, v: k.v + 0.1 });
    f.bar(4, fillsForDelta(1, 10));
    f.bar(5, fillsForDelta(1, 10));
    f.bar(6, fillsForDelta(1, 10));
    const w1 = byWindow(h, 1);
    expect(w1.map((r) => r.flags)).toEqual([[], ['NO_KLINE'], ['TRADE_GAP'], ['KLINE_MISMATCH'], [], [], []]);
    expect(w1[1].ts).toBe(T0 + 2 * MIN);
    expect(w1[1].payload.buy_btc).toBe(0.0201);
    const w3 = byWindow(h, 3);
    expect(w3.map((r) => [r.flags, r.degraded])).toEqual([
      [['NO_KLINE', 'TRADE_GAP'], true], [['NO_KLINE', 'KLINE_MISMATCH', 'TRADE_GAP'], true],
      [['KLINE_MISMATCH', 'TRADE_GAP'], true], [['KLINE_MISMATCH'], true], [[], false],
    ]);
  });

  it('drops duplicate and out-of-order trades without adding their volume', () => {
    const h = mk({ windows: [1] });
    const f = new Feed(h);
    const k0 = f.bar(0, fillsForDelta(500, 0), { kline: false });
    h.trade(T0 + 1000, 1, 40_000, 1, false);
    h.trade(T0 + 500, 99, 40_000, 1, true);
    h.kline(k0);
    const [rec] = byWindow(h, 1);
    expect(rec.payload).toMatchObject({ buy_btc: 0.005, sell_btc: 0 });
    expect(rec.flags).toEqual(['ORDER_VIOLATION']);
    expect(h.rt.counters.late).toBe(1);
    expect(h.rt.counters.duplicates).toBe(1);
  });

  it('resumes from a snapshot exactly as an uninterrupted run', () => {
    const rnd = lcg(9);
    const plan = Array.from({ length: 40 }, () => randomFills(rnd, 1 + Math.floor(rnd() * 4), 100_000));
    const full = mk();
    const ff = new Feed(full);
    plan.forEach((fills, i) => ff.bar(i, fills));
    const a = mk();
    const fa = new Feed(a);
    plan.slice(0, 25).forEach((fills, i) => fa.bar(i, fills));
    const b = mk();
    b.rt.restore(structuredClone(a.rt.snapshot()));
    const fb = new Feed(b);
    Object.assign(fb, { nextId: fa.nextId, close: fa.close });
    plan.slice(25).forEach((fills, j) => fb.bar(25 + j, fills));
    expect(b.rt.digest()).toBe(full.rt.digest());
  });
});
