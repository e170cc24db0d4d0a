import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { vpin } from '../../providers/vpin.ts';
import { VpinPayloadSchema } from '../../core/schemas/vpin.ts';
import { phi } from '../../core/math.ts';
import type { Kline, Out } from '../../core/event.ts';
import { bar, harness } from '../support/harness.ts';

// Goal: VPIN buckets, BVC split, adaptive bucket size and z/cdf follow SPEC §11.
// Method: closed-form cases (all buy, dP = 0, Phi(1) split, one bar filling several buckets,
// ADV freeze) through a real Runtime, and a plain array re-implementation of the bucketing
// compared record by record to 1e-12 on random bars (fast-check).

const MIN = 60_000_000;
const DAY = 86_400_000_000;
const D0 = Date.UTC(2024, 0, 1) * 1000;

type P = Record<string, number | string>;

function run(bars: Kline[], params: P = {}) {
  const h = harness([{ component: vpin, params }]);
  bars.forEach((k) => h.kline(k));
  const out = h.on('data-vpin-zscore');
  for (const o of out) VpinPayloadSchema.parse(o.payload);
  return { buckets: out.filter((o) => o.type === 'VPIN_BUCKET'), bars: out.filter((o) => o.type === 'VPIN'), h };
}

describe('providers > vpin', () => {
  it('gives VPIN = 1 when all volume is buy volume (taker mode)', () => {
    const bars = Array.from({ length: 60 }, (_, i) => bar(D0, i, { v: 200, V: 200 }));
    const { buckets, bars: recs } = run(bars, { mode: 'taker' });
    expect(buckets).toHaveLength(60);
    expect(buckets[48].payload.vpin).toBeNull();
    expect(buckets[49].payload.vpin).toBe(1);
    expect(buckets[59].payload).toMatchObject({ vpin: 1, buy_btc: 200, sell_btc: 0, bucket_btc: 200 });
    expect(recs[59].payload).toEqual({ ...buckets[59].payload, bar_open_us: D0 + 59 * MIN });
    expect(recs[49].warm).toBe(true);
    expect(recs[48].warm).toBe(false);
  });

  it('gives VPIN = 0 when dP = 0 everywhere (Phi(0) splits every bar in half)', () => {
    const bars = Array.from({ length: 120 }, (_, i) => bar(D0, i, { c: 100, v: 100 }));
    const { buckets } = run(bars);
    // The first bar has no dP and is not poured: 119 bars of 100 BTC make 59 buckets.
    expect(buckets).toHaveLength(59);
    for (const b of buckets) expect(b.payload.buy_btc).toBe(b.payload.sell_btc);
    expect(buckets[58].payload.vpin).toBe(0);
    expect(buckets[58].flags).toContain('SIGMA_WARMUP');
  });

  it('splits 100 BTC into 84.1345 / 15.8655 when dP/sigma = 1', () => {
    // Closes 101, 100, 100, 101 give dP = -1, 0, 1: sample sd exactly 1 and the last dP = 1.
    const closes = [101, 100, 100, 101];
    const bars = closes.map((c, i) => bar(D0, i, { c, o: c, h: c, l: c, v: i === 3 ? 100 : 0 }));
    const { buckets } = run(bars, { defaultBucketBtc: 100 });
    expect(buckets).toHaveLength(1);
    expect(buckets[0].payload.buy_btc).toBeCloseTo(84.1345, 4);
    expect(buckets[0].payload.sell_btc).toBeCloseTo(15.8655, 4);
    expect(buckets[0].payload.buy_btc).toBe(100 * phi(1));
  });

  it('lets one bar fill several buckets and carries the rest into the next', () => {
    const bars = [bar(D0, 0, { v: 250, V: 150 }), bar(D0, 1, { v: 1000, V: 600 })];
    const { buckets, bars: recs } = run(bars, { mode: 'taker' });
    expect(buckets).toHaveLength(6);
    expect(buckets[0].payload).toMatchObject({ bucket_idx: 0, buy_btc: 120, sell_btc: 80, bucket_start_us: D0 });
    // Bucket 1 holds the 50 BTC left of bar 0 (share 50/250) and 150 of bar 1 (share 150/1000).
    expect(buckets[1].payload.buy_btc).toBeCloseTo(30 + 90, 12);
    expect(buckets[1].payload).toMatchObject({ bucket_start_us: D0, bucket_end_us: D0 + MIN + 59_999_000 });
    for (let i = 2; i < 6; i++) expect(buckets[i].payload).toMatchObject({ bucket_idx: i, buy_btc: 120, sell_btc: 80 });
    expect(buckets[5].payload.bucket_start_us).toBe(D0 + MIN);
    // 1250 BTC fill 6 buckets of 200 and leave 50 in the seventh; the bar record repeats bucket 5.
    expect(recs[1].payload.bucket_idx).toBe(5);
    expect(recs[0].payload.bucket_idx).toBe(0);
  });

  it('freezes V = ADV/50 at 00:00 UTC and applies it at the next bucket boundary', () => {
    // Day 0 (full): 1440 bars of 5 BTC = 7200 BTC; day 1: V becomes 7200/50 = 144 BTC.
    const bars: Kline[] = [];
    for (let i = 0; i < 1440 + 120; i++) bars.push(bar(D0, i, { v: 5, V: 5 }));
    const { buckets } = run(bars, { mode: 'taker' });
    const sizes = buckets.map((b) => b.payload.bucket_btc);
    // 7200 BTC fill 36 buckets of 200 exactly, so the first bucket of day 1 is empty at 00:00
    // and already uses 144.
    expect(sizes.filter((s) => s === 200)).toHaveLength(36);
    expect(buckets[36].payload).toMatchObject({ bucket_btc: 144, bucket_start_us: D0 + DAY });
    // With 7300 BTC on day 0, bucket 36 is half full at 00:00: it keeps 200, the next gets 146.
    const more = bars.map((k, i) => (i === 0 ? { ...k, v: 105, V: 105 } : k));
    const spanning = run(more, { mode: 'taker' }).buckets;
    expect(spanning[36].payload).toMatchObject({ bucket_btc: 200, bucket_start_us: D0 + 1420 * MIN, buy_btc: 200 });
    expect(spanning[37].payload.bucket_btc).toBe(146);
    // A partial first day is not history: V stays at the default.
    const late = run(bars.slice(60), { mode: 'taker' });
    expect(late.buckets.every((b) => b.payload.bucket_btc === 200)).toBe(true);
  });

  it('matches a plain re-implementation of BVC and bucketing to 1e-12 on random bars', () => {
    const barArb = fc.record({
      dc: fc.integer({ min: -300, max: 300 }),
      v: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 400, noNaN: true }), fc.integer({ min: 0, max: 50 })),
      buy: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    const cfg = fc.record({
      mode: fc.constantFrom('bvc', 'taker'),
      n: fc.integer({ min: 1, max: 6 }),
      zWindow: fc.integer({ min: 2, max: 6 }),
      sigmaBars: fc.integer({ min: 2, max: 40 }),
      defaultBucketBtc: fc.integer({ min: 1, max: 300 }),
    });
    fc.assert(fc.property(cfg, fc.array(barArb, { maxLength: 250 }), fc.integer({ min: 0, max: 1439 }), (p, raw, start) => {
      let c = 50_000;
      const bars = raw.map((r, i) => {
        c = Math.max(1, c + r.dc / 100);
        return bar(D0, start + i, { c, o: c, h: c, l: c, v: r.v, V: r.v * r.buy });
      });
      const { buckets } = run(bars, p);
      const ref = reference(bars, p);
      expect(buckets.length).toBe(ref.length);
      buckets.forEach((b, i) => {
        for (const key of Object.keys(ref[i]) as Array<keyof RefBucket>) close(b.payload[key] as number | null, ref[i][key]);
      });
    }), { numRuns: 300 });
  });

  it('matches the re-implementation across three days with an ADV change (seeded)', () => {
    let x = 7;
    const rnd = () => ((x = (x * 48271) % 2147483647) / 2147483647);
    let c = 40_000;
    const bars: Kline[] = [];
    for (let i = 0; i < 3 * 1440; i++) {
      c += Math.round((rnd() - 0.5) * 2000) / 100;
      const v = rnd() < 0.05 ? 0 : rnd() * 20;
      bars.push(bar(D0, i, { c, o: c, h: c, l: c, v, V: v * rnd() }));
    }
    const p = { n: 10, zWindow: 20 };
    const { buckets } = run(bars, p);
    const ref = reference(bars, p);
    expect(new Set(ref.map((b) => b.bucket_btc)).size).toBe(3);
    expect(buckets.length).toBe(ref.length);
    buckets.forEach((b, i) => {
      for (const key of Object.keys(ref[i]) as Array<keyof RefBucket>) close(b.payload[key] as number | null, ref[i][key]);
    });
    expect(ref.filter((b) => b.z !== null).length).toBeGreaterThan(100);
  });

  it('rejects an out-of-order kline with ORDER_VIOLATION', () => {
    const h = harness([vpin]);
    h.kline(bar(D0, 5));
    // A kline newer than the last (the runtime admits it) but stamped earlier in time.
    const ts = D0 + 2 * MIN;
    h.rt.process({ topic: 'kline-1m-btcusdt', ts, recvTs: ts, key: 'BTCUSDT', seq: 0, payload: bar(D0, 10) });
    h.kline(bar(D0, 11));
    const recs = h.on('data-vpin-zscore') as Out[];
    expect(recs.map((r) => r.payload.bar_open_us)).toEqual([D0 + 5 * MIN, D0 + 11 * MIN]);
    expect(recs[1].flags).toContain('ORDER_VIOLATION');
  });
});

interface RefBucket {
  bucket_idx: number; bucket_btc: number; buy_btc: number; sell_btc: number; vpin: number | null;
  z: number | null; cdf: number | null; bucket_start_us: number; bucket_end_us: number;
}

function close(a: number | null, b: number | null): void {
  if (b === null) return expect(a).toBeNull();
  expect(a).not.toBeNull();
  expect(Math.abs((a as number) - b)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));
}

const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
function sd(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, v) => s + (v - m) ** 2, 0) / (xs.length - 1));
}

/** A direct transcription of SPEC §11 over plain arrays: the oracle of the provider. */
function reference(bars: Kline[], p: P): RefBucket[] {
  const n = (p.n as number) ?? 50;
  const zw = (p.zWindow as number) ?? 250;
  const sw = (p.sigmaBars as number) ?? 1440;
  const def = (p.defaultBucketBtc as number) ?? 200;
  const out: RefBucket[] = [];
  const dps: number[] = [];
  const days: Array<[number, number]> = [];
  const vpins: number[] = [];
  let V = def, nextV = def, fill = 0, vb = 0, vs = 0, start = NaN;
  let day = -Infinity, dayVol = 0, full = false, lastT = -Infinity, prev = NaN;
  for (const k of bars) {
    const d = Math.floor(k.t / DAY) * DAY;
    if (d > day) {
      if (full) days.push([day, dayVol]);
      const recent = days.slice(-7).filter(([dd]) => dd >= d - 7 * DAY).map(([, v]) => v);
      if (recent.length > 0 && recent.reduce((s, v) => s + v, 0) > 0) nextV = mean(recent) / 50;
      full = k.t === d || lastT === d - MIN;
      day = d;
      dayVol = 0;
      if (fill === 0) V = nextV;
    }
    dayVol += k.v;
    lastT = k.t;
    let buy: number;
    if (p.mode === 'taker') buy = Math.min(k.V, k.v);
    else {
      const had = !Number.isNaN(prev);
      if (had) dps.push(k.c - prev);
      prev = k.c;
      if (!had) continue;
      const w = dps.slice(-sw);
      const s = w.length >= 2 ? sd(w) : 0;
      buy = k.v * phi(s > 0 ? dps[dps.length - 1] / s : 0);
    }
    prev = k.c;
    let r = k.v;
    while (r > 0) {
      if (fill === 0) start = k.t;
      const room = V - fill;
      const take = Math.min(r, room);
      vb += buy * (take / k.v);
      vs += (k.v - buy) * (take / k.v);
      r -= take;
      if (take < room) { fill += take; break; }
      const last = n === 1 ? [] : out.slice(-(n - 1));
      const ois = [...last.map((b) => Math.abs(b.sell_btc - b.buy_btc)), Math.abs(vs - vb)];
      const sizes = [...last.map((b) => b.bucket_btc), V];
      const vp = ois.length === n ? ois.reduce((a, b) => a + b, 0) / sizes.reduce((a, b) => a + b, 0) : null;
      let z: number | null = null;
      let cdf: number | null = null;
      if (vp !== null) {
        const prevW = vpins.slice(-zw);
        if (prevW.length === zw && sd(prevW) > 0) z = (vp - mean(prevW)) / sd(prevW);
        vpins.push(vp);
        const cur = vpins.slice(-zw);
        if (cur.length === zw) cdf = cur.filter((v) => v <= vp).length / zw;
      }
      out.push({
        bucket_idx: out.length, bucket_btc: V, buy_btc: vb, sell_btc: vs, vpin: vp, z, cdf,
        bucket_start_us: start, bucket_end_us: k.t + 59_999_000,
      });
      fill = 0; vb = 0; vs = 0; V = nextV;
    }
  }
  return out;
}
