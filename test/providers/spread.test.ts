import { describe, expect, it } from 'vitest';
import { spread } from '../../providers/spread.ts';
import fc from 'fast-check';
import { rollSpread, walkVwap, zWindowNew, zWindowPush, zWindowZ } from '../../providers/spread-math.ts';
import { SpreadBarSchema, SpreadWideningSchema } from '../../core/schemas/spread.ts';
import type { Out } from '../../core/event.ts';
import { bar, harness, type Harness } from '../support/harness.ts';

// Goal: quoted, time-weighted and size-aware spreads, ES/RS/PI, Roll and the z classification
// follow SPEC §9, including its reference checks and edge cases.
// Method: drive a real Runtime with hand-built books (snapshots and diffs), trades, clock ticks
// and klines; compare with closed forms and with oracles recomputed in the test.

const S = 1_000_000;
const MIN = 60 * S;
const T0 = Date.UTC(2024, 0, 1) * 1000;
type Lv = Array<[number, number]>;

function snap(h: Harness, ts: number, u: number, bids: Lv, asks: Lv): void {
  h.depth(ts, { snapshot: true, U: u, u, bidPx: bids.map((l) => l[0]), bidQty: bids.map((l) => l[1]),
    askPx: asks.map((l) => l[0]), askQty: asks.map((l) => l[1]) });
}

function diff(h: Harness, ts: number, u: number, bids: Lv, asks: Lv): void {
  h.depth(ts, { U: u, u, bidPx: bids.map((l) => l[0]), bidQty: bids.map((l) => l[1]),
    askPx: asks.map((l) => l[0]), askQty: asks.map((l) => l[1]) });
}

function bars(h: Harness): Out[] {
  const out = h.on('data-spread').filter((o) => o.type === 'SPREAD');
  for (const o of out) SpreadBarSchema.parse(o.payload);
  return out;
}

/** Average fill price of q by walking levels best-first (an independent oracle of walkVwap). */
function vwapOf(levels: Lv, q: number): number {
  let rem = q;
  let cost = 0;
  for (const [p, x] of levels) {
    const take = Math.min(x, rem);
    cost += p * take;
    rem -= take;
  }
  return rem > 1e-12 ? NaN : cost / q;
}

describe('providers > spread', () => {
  it('walks the book again after any depth message, a late one too, and reuses the walk in a quiet second', () => {
    // S_1 at the tick after a book change, with the change in order and late (behind a trade, so
    // an ORDER_VIOLATION for the provider, but applied to the book by the runtime).
    const s1After = (late: boolean) => {
      const h = harness([spread]);
      snap(h, T0 + 100_000, 1, [[100.0, 1], [99.99, 2]], [[100.01, 0.5], [100.02, 2]]);
      h.advance(T0 + S);
      const before = (h.rt.stateOf('spread') as { sizeS1: number }).sizeS1;
      h.trade(T0 + 2 * S, 1, 100.01, 0.1, false);
      diff(h, late ? T0 + 1.5 * S : T0 + 2.5 * S, 2, [], [[100.01, 0], [100.015, 3]]);
      h.advance(T0 + 3 * S);
      const after = (h.rt.stateOf('spread') as { sizeS1: number }).sizeS1;
      h.advance(T0 + 4 * S);
      expect((h.rt.stateOf('spread') as { sizeS1: number }).sizeS1).toBe(after);
      return { before, after };
    };
    const inOrder = s1After(false);
    const late = s1After(true);
    const mid = (100.0 + 100.015) / 2;
    expect(inOrder.before).toBe((1e4 * (vwapOf([[100.01, 0.5], [100.02, 2]], 1) - 100)) / 100.005);
    expect(inOrder.after).toBe((1e4 * (vwapOf([[100.015, 3]], 1) - 100)) / mid);
    expect(late.after).toBe(inOrder.after);
  });

  it('reproduces the SPEC reference book: VWAPask(1)=100.015, VWAPbid(1)=100.00, S_1=1.49993 bps', () => {
    expect(walkVwap([100.01, 100.02], [0.5, 2], 1, true, NaN)).toBeCloseTo(100.015, 12);
    expect(walkVwap([100.0, 99.99], [1, 2], 1, false, NaN)).toBe(100);
    const h = harness([spread]);
    snap(h, T0 + 100_000, 1, [[100.0, 1], [99.99, 2]], [[100.01, 0.5], [100.02, 2]]);
    h.kline(bar(T0, 0));
    const [rec] = bars(h);
    const quoted = (1e4 * (100.01 - 100.0)) / 100.005;
    expect(rec.payload.s1btc_bps).toBeCloseTo(1.49993, 5);
    expect(rec.payload.s10btc_bps).toBeNull();
    expect(rec.flags).toContain('INSUFFICIENT_DEPTH');
    expect(rec.payload.tws_bps).toBeCloseTo(quoted, 12);
    expect(rec.payload).toMatchObject({ p50_bps: quoted, p95_bps: quoted, max_bps: quoted, state: 'NORMAL', z: null });
  });

  it('weights the quoted spread by how long each state lasted in virtual time', () => {
    const h = harness([spread]);
    snap(h, T0, 1, [[100.0, 5]], [[100.01, 5]]);
    diff(h, T0 + 30 * S, 2, [], [[100.01, 0], [100.03, 5]]);
    h.kline(bar(T0, 0));
    const one = (1e4 * 0.01) / 100.005;
    const three = (1e4 * (100.03 - 100)) / 100.015;
    const [rec] = bars(h);
    expect(rec.payload.tws_bps).toBeCloseTo((one * 30 + three * 29.999) / 59.999, 10);
    // Samples at 1..30 s see one tick (the tick at 30 s precedes the diff), at 31..59 s three.
    expect(rec.payload.p50_bps).toBeCloseTo(one, 10);
    expect(rec.payload.p95_bps).toBeCloseTo(three, 10);
    expect(rec.payload.max_bps).toBeCloseTo(three, 12);
  });

  it('aggregates ES = RS + PI per bar and matches per-trade oracles with m(t+5s) by timer', () => {
    const h = harness([spread]);
    let x = 99;
    const rnd = () => ((x = (x * 48271) % 2147483647) / 2147483647);
    let bid = 1_000_000;
    let ask = 1_000_001;
    snap(h, T0 + 50_000, 1, [[bid / 100, 5]], [[ask / 100, 5]]);
    const mids: Array<[number, number]> = [[T0 + 50_000, (ask / 100 + bid / 100) / 2]];
    const trades: Array<{ ts: number; p: number; q: number; d: number }> = [];
    let u = 1;
    let id = 1;
    for (let k = 1; k < 3 * 600; k++) {
      const ts = T0 + k * 100_000;
      const nb = bid + Math.floor(rnd() * 5) - 2;
      const na = nb + 1 + Math.floor(rnd() * 3);
      diff(h, ts, ++u, [[bid / 100, 0], [nb / 100, 5]], [[ask / 100, 0], [na / 100, 5]]);
      bid = nb;
      ask = na;
      mids.push([ts, (ask / 100 + bid / 100) / 2]);
      if (k % 3 === 0) {
        const d = rnd() < 0.5 ? -1 : 1;
        const p = d > 0 ? ask / 100 : bid / 100;
        const q = Math.ceil(rnd() * 100_000) / 100_000;
        h.trade(ts + 37_000, id++, p, q, d < 0);
        trades.push({ ts: ts + 37_000, p, q, d });
      }
      if (k % 600 === 599) h.kline(bar(T0, (k - 599) / 600));
    }
    const midBefore = (t: number) => mids.filter(([ts]) => ts < t).at(-1)![1];
    const recs = bars(h);
    expect(recs).toHaveLength(3);
    recs.forEach((rec, b) => {
      const close = T0 + b * MIN + 59_999_000;
      const mine = trades.filter((t) => t.ts + 5 * S <= close && t.ts + 5 * S > close - MIN);
      let es = 0, rs = 0, pi = 0, w = 0;
      for (const t of mine) {
        const m0 = midBefore(t.ts);
        const m5 = midBefore(t.ts + 5 * S);
        es += t.q * ((2e4 * t.d * (t.p - m0)) / m0);
        rs += t.q * ((2e4 * t.d * (t.p - m5)) / m0);
        pi += t.q * ((2e4 * t.d * (m5 - m0)) / m0);
        w += t.q;
      }
      const p = rec.payload as Record<string, number>;
      expect(p.eff_bps_vw).toBeCloseTo(es / w, 9);
      expect(p.realized_bps_vw).toBeCloseTo(rs / w, 9);
      expect(p.impact_bps_vw).toBeCloseTo(pi / w, 9);
      const gap = Math.abs(p.eff_bps_vw - (p.realized_bps_vw + p.impact_bps_vw));
      expect(gap).toBeLessThan(1e-12 * (1 + Math.abs(p.impact_bps_vw)));
      expect(Math.abs(p.impact_bps_vw)).toBeGreaterThan(0);
    });
    // About 600 trades needed their mid 5 s later, yet the backstop timer fired at most once a second.
    expect(trades.length).toBe(599);
    expect(h.rt.counters.timers).toBeLessThanOrEqual(180);
    // Trades of the last 5 s of a bar are resolved, and counted, in the next bar.
    const carried = trades.filter((t) => t.ts < T0 + 59_999_000 && t.ts + 5 * S > T0 + 59_999_000);
    expect(carried.length).toBeGreaterThan(10);
  });

  it('gives no ES before the book is synced, and bounds the pending queue', () => {
    const h = harness([{ component: spread, params: { pendingMax: 2 } }]);
    h.trade(T0 + 1 * S, 1, 100, 1, false);
    h.trade(T0 + 2 * S, 2, 100, 1, true);
    snap(h, T0 + 10 * S, 1, [[100.0, 5]], [[100.02, 5]]);
    h.trade(T0 + 11 * S, 3, 100.02, 1, false);
    h.trade(T0 + 12 * S, 4, 100.0, 3, true);
    h.trade(T0 + 13 * S, 5, 100.02, 1, false);
    h.kline(bar(T0, 0));
    const [rec] = bars(h);
    // Two trades fit the queue; each paid half the spread: ES = 2*0.01/100.01*1e4 for both.
    const es = (2e4 * 0.01) / 100.01;
    expect(rec.payload.eff_bps_vw).toBeCloseTo(es, 10);
    expect(rec.payload.realized_bps_vw).toBeCloseTo(es, 10);
    expect(rec.payload.impact_bps_vw).toBe(0);
    expect(rec.flags).toContain('PENDING_OVERFLOW');
    const none = harness([spread]);
    none.trade(T0 + 1 * S, 1, 100, 1, false);
    none.kline(bar(T0, 0));
    expect(bars(none)[0].payload).toMatchObject({
      eff_bps_vw: null, realized_bps_vw: null, impact_bps_vw: null, tws_bps: null,
    });
    expect(bars(none)[0].flags).toContain('NO_BOOK');
  });

  it('resolves a trade at the first event at or after t+5s, a whole-second tick when no input follows, with the mid as of t+5s', () => {
    type St = { pending: { size: number }; rsSum: number; piSum: number; qSum: number };
    for (const later of ['tick', 'depth'] as const) {
      const h = harness([spread]);
      snap(h, T0 + 100_000, 1, [[100.0, 5]], [[100.02, 5]]);
      h.trade(T0 + 200_000, 1, 100.02, 2, false);
      diff(h, T0 + 3 * S, 2, [[100.0, 0], [100.01, 5]], [[100.02, 0], [100.03, 5]]);
      h.advance(T0 + 5.9 * S);
      expect((h.rt.stateOf('spread') as St).pending.size).toBe(1);
      // Due at 5.2 s: the tick at 6 s, or a diff at 5.95 s that resolves it before moving the mid.
      if (later === 'depth') diff(h, T0 + 5.95 * S, 3, [[100.01, 0], [100.04, 5]], [[100.03, 0], [100.05, 5]]);
      else h.advance(T0 + 6 * S);
      const st = h.rt.stateOf('spread') as St;
      expect(st.pending.size).toBe(0);
      expect(st.qSum).toBe(2);
      // m- = 100.01, m(t+5s) = 100.02 (the diff at 3 s moved it; the one at 5.95 s comes after).
      expect(st.piSum / 2).toBeCloseTo((2e4 * 0.01) / 100.01, 10);
      expect(st.rsSum).toBeCloseTo(0, 9);
      expect(h.rt.counters.timers).toBe(0);
    }
  });

  it('takes no sample from a locked or crossed book', () => {
    const locked = harness([spread]);
    snap(locked, T0 + 500_000, 1, [[100.01, 1]], [[100.01, 1]]);
    locked.kline(bar(T0, 0));
    expect(bars(locked)[0].payload).toMatchObject({ tws_bps: null, p50_bps: null, s1btc_bps: null, max_bps: null });
    const h = harness([spread]);
    snap(h, T0 + 500_000, 1, [[100.0, 2]], [[100.01, 2]]);
    diff(h, T0 + 20.5 * S, 2, [[100.02, 1]], []);
    h.advance(T0 + 59 * S);
    expect((h.rt.stateOf('spread') as { n: number }).n).toBe(20);
    h.kline(bar(T0, 0));
    const one = (1e4 * (100.01 - 100.0)) / 100.005;
    expect(bars(h)[0].payload).toMatchObject({ tws_bps: one, p50_bps: one, max_bps: one });
    expect(h.rt.counters.bookCrossed).toBe(1);
  });

  it('computes Roll over 60 closes like np.cov(dc[1:], dc[:-1]), null for positive covariance', () => {
    const h = harness([spread]);
    let x = 5;
    const rnd = () => ((x = (x * 48271) % 2147483647) / 2147483647);
    const closes: number[] = [];
    let c = 100;
    for (let i = 0; i < 80; i++) {
      c += rnd() < 0.5 ? 0.05 : -0.05;
      c = Math.round(c * 100) / 100;
      closes.push(c);
      h.kline(bar(T0, i, { c }));
    }
    const recs = bars(h);
    expect(recs[58].payload.roll_usdt).toBeNull();
    let checked = 0;
    for (let i = 59; i < 80; i++) {
      const w = closes.slice(i - 59, i + 1);
      const dc = w.slice(1).map((v, j) => v - w[j]);
      const a = dc.slice(1);
      const b = dc.slice(0, -1);
      const ma = a.reduce((s, v) => s + v, 0) / a.length;
      const mb = b.reduce((s, v) => s + v, 0) / b.length;
      const cov = a.reduce((s, v, j) => s + (v - ma) * (b[j] - mb), 0) / (a.length - 1);
      const got = recs[i].payload.roll_usdt as number | null;
      if (cov < 0) {
        expect(got).toBeCloseTo(2 * Math.sqrt(-cov), 10);
        checked++;
      } else expect(got).toBeNull();
    }
    expect(checked).toBeGreaterThan(0);
    // Accelerating closes have positively correlated changes: no Roll estimate.
    expect(rollSpread(Array.from({ length: 60 }, (_, i) => 100 + i * i * 0.01))).toBeNull();
  });

  /** Feeds a minute of a varying book that widens at 45.5 s; returns the oracle z per 1-s sample. */
  function widening(params: Record<string, number>) {
    const zWindow = 30;
    const h = harness([{ component: spread, params: { zWindow, ...params } }]);
    const bidsL: Lv = [[100.0, 1], [99.99, 5]];
    let asksL: Lv = [[100.01, 0.5], [100.02, 5], [100.1, 20]];
    snap(h, T0 + 500_000, 1, bidsL, asksL);
    const s1: Array<[number, number]> = [];
    let u = 1;
    for (let sec = 1; sec < 60; sec++) {
      // The tick at `sec` sees the book as of sec - 0.5 s.
      const m = (asksL[0][0] + bidsL[0][0]) / 2;
      s1.push([T0 + sec * S, (1e4 * (vwapOf(asksL, 1) - vwapOf(bidsL, 1))) / m]);
      if (sec === 45) {
        diff(h, T0 + (sec + 0.5) * S, ++u, [], [[100.01, 0], [100.02, 0]]);
        asksL = [[100.1, 20]];
      } else if (sec < 45) {
        const qty = 0.3 + 0.1 * (sec % 5);
        diff(h, T0 + (sec + 0.5) * S, ++u, [], [[100.01, qty]]);
        asksL = [[100.01, qty], [100.02, 5], [100.1, 20]];
      }
    }
    h.kline(bar(T0, 0));
    const zs = s1.map(([ts, v], i) => {
      if (i < zWindow) return [ts, null] as const;
      const prev = s1.slice(i - zWindow, i).map((e) => e[1]);
      const mean = prev.reduce((a, b) => a + b, 0) / zWindow;
      const sd = Math.sqrt(prev.reduce((a, b) => a + (b - mean) ** 2, 0) / (zWindow - 1));
      return [ts, (v - mean) / sd] as const;
    });
    return { h, zs, rec: bars(h)[0] };
  }

  it('classifies by zprev of S_1 samples and emits SPREAD_WIDENING once after 2 s of z >= 3', () => {
    const { h, zs, rec } = widening({});
    expect(rec.payload.z).toBeCloseTo(zs.at(-1)![1] as number, 9);
    expect(rec.warm).toBe(true);
    const firstHigh = zs.findIndex(([, z]) => z !== null && z >= 3);
    expect(firstHigh).toBeGreaterThan(0);
    expect(zs[firstHigh + 1][1]).toBeGreaterThanOrEqual(3);
    expect(zs[firstHigh + 2][1]).toBeGreaterThanOrEqual(3);
    const events = h.on('data-spread').filter((o) => o.type === 'SPREAD_WIDENING');
    expect(events).toHaveLength(1);
    SpreadWideningSchema.parse(events[0].payload);
    expect(events[0].payload.episode_start_us).toBe(zs[firstHigh][0]);
    expect(h.out.find((e) => e.payload.type === 'SPREAD_WIDENING')!.ts).toBe(zs[firstHigh][0] + 2 * S);
    // The bar's z sits between the thresholds, so moving them moves the state.
    const z = rec.payload.z as number;
    expect(rec.payload.state).toBe(z >= 2 ? 'WIDE' : z <= -1 ? 'TIGHT' : 'NORMAL');
    expect(widening({ tightZ: z - 0.01, wideZ: z + 1 }).rec.payload.state).toBe('NORMAL');
    expect(widening({ tightZ: z, wideZ: z + 1 }).rec.payload.state).toBe('TIGHT');
    expect(widening({ tightZ: z - 1, wideZ: z }).rec.payload.state).toBe('WIDE');
    // Without a full window of earlier samples there is no z and the state stays NORMAL.
    const cold = widening({ zWindow: 3600 }).rec;
    expect(cold.payload).toMatchObject({ z: null, state: 'NORMAL' });
    expect(cold.warm).toBe(false);
  });

  it('property: the O(1) zprev window equals a two-pass zprev, and a constant window gives no z', () => {
    // Runs of repeated values make windows that are constant after varying ones.
    // Values are spreads in bps: zero or at least 1e-3 (no subnormal-scale noise).
    const value = fc.oneof(fc.constant(1.5), fc.constant(0), fc.double({ min: 1e-3, max: 20, noNaN: true }));
    const run = fc.tuple(value, fc.integer({ min: 1, max: 60 }));
    const series = fc.array(run, { minLength: 1, maxLength: 30 })
      .map((rs) => rs.flatMap(([v, k]) => Array<number>(k).fill(v)));
    fc.assert(fc.property(fc.integer({ min: 2, max: 40 }), series, (cap, xs) => {
      const w = zWindowNew(cap);
      xs.forEach((x, i) => {
        const got = zWindowZ(w, x);
        if (i < cap) expect(got).toBeNaN();
        else {
          const prev = xs.slice(i - cap, i);
          const mean = prev.reduce((a, b) => a + b, 0) / cap;
          const sd = Math.sqrt(prev.reduce((a, b) => a + (b - mean) ** 2, 0) / (cap - 1));
          if (sd === 0) expect(got).toBeNaN();
          else if (sd > 1e-6) {
            const z = (x - mean) / sd;
            expect(Math.abs(got - z)).toBeLessThanOrEqual(1e-8 * (1 + Math.abs(z)));
          }
        }
        zWindowPush(w, x);
      });
    }), { numRuns: 300 });
  });

  it('resumes from a snapshot taken with trades pending to the same outputs and digest', () => {
    const feed = (h: Harness, from: number, to: number) => {
      for (let k = from; k < to; k++) {
        const ts = T0 + k * 250_000;
        if (k === 0) snap(h, ts, 1, [[100.0, 3], [99.99, 4]], [[100.01, 2], [100.02, 9]]);
        else if (k % 2 === 0) diff(h, ts, k / 2 + 1, [[100.0, 1 + (k % 7)]], [[100.01, 1 + (k % 5)]]);
        else h.trade(ts, k, k % 3 === 0 ? 100.0 : 100.01, 0.1 * (k % 4) + 0.1, k % 3 === 0);
        if (k % 240 === 239) h.kline(bar(T0, (k - 239) / 240));
      }
    };
    const a = harness([spread]);
    feed(a, 0, 1000);
    const b = harness([spread]);
    feed(b, 0, 333);
    const c = harness([spread]);
    c.rt.restore(b.rt.snapshot());
    feed(c, 333, 1000);
    expect(c.rt.digest()).toBe(a.rt.digest());
    expect([...b.out, ...c.out].map((e) => e.payload)).toEqual(a.out.map((e) => e.payload));
    expect(bars(a)).toHaveLength(4);
  });
});
