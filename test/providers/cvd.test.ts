import { afterAll, describe, expect, it } from 'vitest';
import { cvd } from '../../providers/cvd.ts';
import { CvdBarSchema, DeltaFlipSchema } from '../../core/schemas/cvd.ts';
import { harness, type Harness } from '../support/harness.ts';
import { Feed, LPU, MIN, T0, fillsForDelta, lcg, parseAll, randomFills } from './cvd.fixtures.ts';

// Goal: the CVD provider (SPEC §1, §0.6) is exact to the lot against klines, resets at 00:00 UTC,
// smooths D with the SPEC EMA (and TTR's after 50 bars), flips with hysteresis only after warm-up,
// closes bars whose kline is missing, flags gaps, and resumes from a snapshot bit-identically.
// Method: trades built in integer lots with klines built from the same trades; an independent
// re-implementation of EMA, rolling sd and the flip rule in the test as the oracle; every emitted
// payload is parsed with the zod schemas at the end.

const made: Harness[] = [];
function mk(params: Record<string, unknown> = {}): Harness {
  const h = harness([{ component: cvd, params }]);
  made.push(h);
  return h;
}
afterAll(() => {
  expect(parseAll(made, { CVD: CvdBarSchema, DELTA_FLIP: DeltaFlipSchema })).toBeGreaterThan(500);
});

const bars = (h: Harness) => h.on('data-cvd');
const flips = (h: Harness) => h.on('event-cvd-deltaflip');

function sd(xs: number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) * (b - m), 0) / (xs.length - 1));
}

/** The SPEC §1 flip rule, written out plainly: returns the EMA path and the DELTA_FLIP bars. */
function flipOracle(d: number[]) {
  const alpha = 2 / 6;
  const ema: number[] = [];
  const events: Array<{ k: number; from: number; to: number; threshold: number }> = [];
  const states: number[] = [];
  let state = 0;
  d.forEach((x, k) => {
    ema.push(k === 0 ? x : ema[k - 1] + alpha * (x - ema[k - 1]));
    if (k >= 60) {
      const th = 0.5 * sd(d.slice(k - 60, k));
      let to = state;
      if (ema[k] > th && state !== 1) to = 1;
      else if (ema[k] < -th && state !== -1) to = -1;
      if (to !== state && state !== 0) events.push({ k, from: state, to, threshold: th });
      state = to;
    }
    states.push(state);
  });
  return { ema, events, states };
}

describe('providers > cvd > reference checks', () => {
  it('gives sum(s) == 2V - v per kline exactly and resets cvd at 00:00 UTC', () => {
    const start = T0 - 60 * MIN;
    const h = mk();
    const f = new Feed(h, start);
    const rnd = lcg(7);
    const klines = Array.from({ length: 120 }, (_, i) => f.bar(i, randomFills(rnd, i % 9 === 4 ? 0 : 1 + Math.floor(rnd() * 8), 300_000)));
    const out = bars(h);
    expect(out).toHaveLength(120);
    let cvdLots = 0;
    out.forEach((rec, i) => {
      const k = klines[i];
      const dLots = 2 * Math.round(k.V * LPU) - Math.round(k.v * LPU);
      if (k.t === T0) cvdLots = 0;
      cvdLots += dLots;
      expect(rec.payload).toMatchObject({ bar_open_us: k.t, buy_btc: k.V, delta_btc: dLots / LPU, cvd_btc: cvdLots / LPU });
      expect(rec.payload.sell_btc).toBe((Math.round(k.v * LPU) - Math.round(k.V * LPU)) / LPU);
      expect(rec.flags).toEqual([]);
      expect(rec.degraded).toBe(false);
      expect(rec.ts).toBe(k.t + 59_999_000);
    });
    // The day's last bar carries the daily cvd: sum(2V - v) over the day.
    const day1 = klines.slice(0, 60).reduce((a, k) => a + 2 * Math.round(k.V * LPU) - Math.round(k.v * LPU), 0);
    expect(out[59].payload.cvd_btc).toBe(day1 / LPU);
  });

  it('follows the SPEC EMA exactly and TTR::EMA (SMA seed) after 50 bars', () => {
    const h = mk();
    const f = new Feed(h);
    const rnd = lcg(11);
    const d = Array.from({ length: 120 }, () => Math.round((rnd() - 0.45) * 500_000));
    d.forEach((x, i) => f.bar(i, fillsForDelta(x, 1 + (i % 5) * 1000)));
    const ema = bars(h).map((r) => r.payload.ema_delta_btc as number);
    const { ema: spec } = flipOracle(d.map((x) => x / LPU));
    expect(ema).toEqual(spec);
    const ttr: number[] = [];
    const x = d.map((v) => v / LPU);
    for (let k = 4; k < x.length; k++) ttr[k] = k === 4 ? x.slice(0, 5).reduce((a, b) => a + b, 0) / 5 : ttr[k - 1] + (x[k] - ttr[k - 1]) / 3;
    for (let k = 49; k < x.length; k++) expect(Math.abs(ema[k] - ttr[k])).toBeLessThan(1e-6);
    expect(Math.abs(ema[5] - ttr[5])).toBeGreaterThan(1e-6);
  });

  it('flips with hysteresis after warm-up, leaving state 0 silently', () => {
    const warm = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? 100_000 : -100_000));
    const tail = [...Array(4).fill(200_000), ...Array(3).fill(-30_000), ...Array(4).fill(-200_000),
      ...Array(4).fill(40_000), ...Array(3).fill(300_000), ...Array(3).fill(-250_000)];
    const d = [...warm, ...tail];
    const h = mk();
    const f = new Feed(h);
    d.forEach((x, i) => f.bar(i, fillsForDelta(x, 500)));
    const o = flipOracle(d.map((x) => x / LPU));
    const got = flips(h);
    expect(o.events.map((e) => [e.from, e.to])).toEqual([[1, -1], [-1, 1], [1, -1]]);
    expect(got.map((e) => [e.payload.from, e.payload.to])).toEqual(o.events.map((e) => [e.from, e.to]));
    got.forEach((e, j) => {
      const ev = o.events[j];
      const rec = bars(h)[ev.k];
      expect(e.ts).toBe(rec.ts);
      expect(e.payload.threshold_btc).toBeCloseTo(ev.threshold, 12);
      expect(e.payload.ema_delta_btc).toBe(o.ema[ev.k]);
      expect(e.payload.strength).toBeCloseTo(Math.abs(o.ema[ev.k]) / (2 * ev.threshold), 12);
      expect(e.payload.cvd_btc).toBe(rec.payload.cvd_btc);
    });
    // The deadband held: some bar in state -1 had a positive EMA without flipping.
    expect(o.states.some((st, k) => st === -1 && o.ema[k] > 0)).toBe(true);
    // The first warm bar left 0 silently (EMA > theta there, and no event on bar 60).
    expect(o.states[60]).toBe(1);
    expect(got.every((e) => e.ts > bars(h)[60].ts)).toBe(true);
  });

  it('emits no flips and no sigma during the 60-bar warm-up, even with large swings', () => {
    const h = mk();
    const f = new Feed(h);
    const d = Array.from({ length: 61 }, (_, i) => (Math.floor(i / 10) % 2 === 0 ? 500_000 : -500_000));
    d.forEach((x, i) => f.bar(i, fillsForDelta(x)));
    const out = bars(h);
    expect(flips(h)).toHaveLength(0);
    expect(out.slice(0, 60).every((r) => r.payload.sigma_delta_btc === null && !r.warm)).toBe(true);
    expect(out[60].warm).toBe(true);
    expect(out[60].payload.sigma_delta_btc).toBe(sd(d.slice(0, 60).map((x) => x / LPU)));
  });

  it('decays the EMA on a zero-volume bar: D = 0, ema_k = ema_{k-1} * (1 - 2/6)', () => {
    const h = mk();
    const f = new Feed(h);
    f.bar(0, fillsForDelta(300_000));
    f.bar(1, []);
    const [a, b] = bars(h);
    expect(b.payload).toMatchObject({ delta_btc: 0, buy_btc: 0, sell_btc: 0, cvd_btc: 3 });
    expect(b.payload.ema_delta_btc).toBe(3 + (2 / 6) * (0 - 3));
    expect(a.payload.ema_delta_btc).toBe(3);
  });
});

describe('providers > cvd > edge cases', () => {
  it('closes a bar without kline at the minute boundary and ignores its late kline', () => {
    const h = mk();
    const f = new Feed(h);
    const k0 = f.bar(0, fillsForDelta(120_000, 7), { kline: false });
    const k1 = f.bar(1, fillsForDelta(-50_000), { kline: false });
    h.kline(k0);
    h.kline(k1);
    f.bar(2, fillsForDelta(10_000), { kline: false });
    h.advance(T0 + 3 * MIN);
    const out = bars(h);
    expect(out.map((r) => [r.payload.bar_open_us, r.ts, r.flags])).toEqual([
      [T0, T0 + MIN, ['NO_KLINE', 'PARTIAL']],
      [T0 + MIN, T0 + MIN + 59_999_000, ['ORDER_VIOLATION']],
      [T0 + 2 * MIN, T0 + 3 * MIN, ['NO_KLINE']],
    ]);
    expect(out.map((r) => r.payload.delta_btc)).toEqual([1.2, -0.5, 0.1]);
    expect(out[2].payload.cvd_btc).toBe(0.8);
    expect(h.rt.counters.late).toBe(1);
  });

  it('with a grace period, closes the bar on the first trade of a later minute', () => {
    const h = mk({ graceMs: 2000 });
    const f = new Feed(h);
    f.bar(0, fillsForDelta(1000), { kline: false });
    f.bar(1, fillsForDelta(2000), { kline: false, offsetUs: 500_000 });
    h.advance(T0 + 2 * MIN + 1_999_998);
    expect(bars(h).map((r) => r.ts)).toEqual([T0 + MIN + 500_000]);
    h.advance(T0 + 2 * MIN + 2_000_000);
    expect(bars(h).map((r) => r.ts)).toEqual([T0 + MIN + 500_000, T0 + 2 * MIN + 2_000_000]);
  });

  it('marks a trade-id gap degraded until the next 00:00 anchor, and a partial first bar', () => {
    const h = mk();
    const f = new Feed(h, T0 - 3 * MIN);
    const first = f.bar(0, fillsForDelta(5000), { kline: false, offsetUs: 30_000_000 });
    h.kline({ ...first, v: first.v + 1, V: first.V + 1 });
    f.bar(1, fillsForDelta(5000), { idGap: 3 });
    f.bar(2, fillsForDelta(5000));
    f.bar(3, fillsForDelta(5000));
    const k = f.bar(4, fillsForDelta(5000), { kline: false });
    h.kline({ ...k, v: k.v + 0.5 });
    expect(bars(h).map((r) => [r.flags, r.degraded])).toEqual([
      [['PARTIAL'], false], [['TRADE_GAP'], true], [[], true], [[], false], [['KLINE_MISMATCH'], true],
    ]);
    expect(bars(h)[3].payload.cvd_btc).toBe(0.05);
    expect(h.rt.counters.tradeGaps).toBe(1);
  });

  it('resumes from a snapshot exactly as an uninterrupted run', () => {
    const rnd = lcg(3);
    const plan = Array.from({ length: 90 }, () => randomFills(rnd, 1 + Math.floor(rnd() * 5), 200_000));
    const full = mk();
    const ff = new Feed(full);
    plan.forEach((fills, i) => ff.bar(i, fills));
    // Interrupt inside bar 69, after its trades and before its kline.
    const a = mk();
    const fa = new Feed(a);
    const k69 = plan.slice(0, 70).map((fills, i) => fa.bar(i, fills, { kline: i !== 69 }))[69];
    const b = mk();
    b.rt.restore(a.rt.snapshot());
    const fb = new Feed(b);
    Object.assign(fb, { nextId: fa.nextId, close: fa.close });
    b.kline(k69);
    plan.slice(70).forEach((fills, j) => fb.bar(70 + j, fills));
    expect(b.rt.digest()).toBe(full.rt.digest());
    expect([...a.out, ...b.out].map((e) => e.payload)).toEqual(full.out.map((e) => e.payload));
    expect(flips(full).length).toBeGreaterThan(0);
  });
});
