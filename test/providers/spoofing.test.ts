import { describe, expect, it } from 'vitest';
import { SpoofPressurePayload, SpoofSuspectPayload } from '../../core/schemas/spoofing.ts';
import { spoofing } from '../../providers/spoofing.ts';
import { bar, harness, type Harness } from '../support/harness.ts';

// Goal: the spoofing heuristic of SPEC §8: candidate selection (size vs the rolling P99 with its
// floor, distance band, top levels), the executed/cancelled split, FLICKER vs GENUINE, the score,
// LAYERING, the 5-minute pressure, and the book edges (resync, crossed book, tau_max).
// Method: a 31-level book around 100.005 through a real Runtime; SPEC's three reference checks
// are replayed and their records compared with closed forms; every record passes its schema.

const T0 = Date.UTC(2024, 0, 1) * 1000;
const S = 1_000_000;
const MS = 1_000;
const MID = (100 + 100.01) / 2;
const px = (cents: number) => Math.round(cents) / 100;

type SP = ReturnType<typeof spoofing.init>;
const state = (h: Harness) => h.rt.stateOf('spoofing') as SP;
const recs = (h: Harness, type: string) =>
  h.on('data-spoofing').filter((o) => o.type === type).map((o) =>
    (type === 'SPOOF_PRESSURE' ? SpoofPressurePayload.parse(o.payload) : SpoofSuspectPayload.parse(o.payload)));
const suspects = (h: Harness) => recs(h, 'SPOOF_SUSPECT') as SpoofSuspectPayload[];

/** A book of 31 levels of 1 BTC a side: bids 100.00..99.70, asks 100.01..100.31. */
function book(params: object = {}): Harness & { u: () => number } {
  const h = harness([{ component: spoofing, params }]);
  const bidPx = Array.from({ length: 31 }, (_, i) => px(10_000 - i));
  const askPx = Array.from({ length: 31 }, (_, i) => px(10_001 + i));
  const ones = bidPx.map(() => 1);
  h.depth(T0, { snapshot: true, u: 1, bidPx, bidQty: ones, askPx, askQty: ones });
  let u = 1;
  return Object.assign(h, { u: () => ++u });
}

const dist = (p: number) => (1e4 * Math.abs(p - MID)) / MID;

describe('providers > spoofing', () => {
  it('SPEC reference 1: 20 BTC added at ~10 bps and cancelled 800 ms later is a FLICKER, life 800', () => {
    const h = book();
    h.depth(T0 + S, { u: h.u(), bidPx: [99.9], bidQty: [21] });
    expect(state(h).cands).toHaveLength(1);
    h.depth(T0 + 1800 * MS, { u: h.u(), bidPx: [99.9], bidQty: [1] });
    const [r] = suspects(h);
    expect(r).toMatchObject({ side: 'BID', prices: [99.9], added_btc: 20, cancelled_btc: 20, life_ms: 800, mid_move_bps: 0, opp_taker_btc: 0 });
    expect(r.distance_bps).toBe(dist(99.9));
    // pct_rank(20) = 1 (the only increment), life term 1 - 800/5000, no mid move, no opposite flow.
    expect(r.score).toBeCloseTo(0.25 + 0.25 * (1 - 800 / 5000), 14);
    h.kline(bar(T0, 0));
    h.kline(bar(T0, 6));
    const press = recs(h, 'SPOOF_PRESSURE');
    expect(press[0]).toEqual({ bar_open_us: T0, spoof_pressure_bid: r.score * 20, spoof_pressure_ask: 0 });
    expect(press[1]).toEqual({ bar_open_us: T0 + 6 * 60 * S, spoof_pressure_bid: 0, spoof_pressure_ask: 0 });
  });

  it('SPEC reference 2: the same add filled by trades is GENUINE', () => {
    const h = book();
    h.depth(T0 + S, { u: h.u(), bidPx: [99.9], bidQty: [21] });
    h.trade(T0 + 1500 * MS, 1, 99.9, 20, true);
    h.depth(T0 + 1500 * MS, { u: h.u(), bidPx: [99.9], bidQty: [1] });
    expect(suspects(h)).toHaveLength(0);
    expect(state(h)).toMatchObject({ genuine: 1, flickerCount: 0 });
  });

  it('splits a decrease into executed and cancelled, and scores the opposite taker flow', () => {
    const h = book();
    h.depth(T0 + S, { u: h.u(), bidPx: [99.9], bidQty: [21] });
    h.trade(T0 + 1200 * MS, 1, 100.01, 5, false);
    h.trade(T0 + 1400 * MS, 2, 99.9, 1, true);
    h.depth(T0 + 1500 * MS, { u: h.u(), bidPx: [99.9], bidQty: [1] });
    const [r] = suspects(h);
    expect(r).toMatchObject({ cancelled_btc: 19, opp_taker_btc: 5, life_ms: 500 });
    expect(r.score).toBeCloseTo(0.25 + 0.25 * (1 - 500 / 5000) + 0.25 * (5 / 20 / 0.5), 14);
  });

  it('SPEC reference 3: three such adds at distinct prices make a LAYERING_SUSPECT', () => {
    const h = book();
    const prices = [99.9, 99.88, 99.86];
    prices.forEach((p, i) => h.depth(T0 + S + i * 100 * MS, { u: h.u(), bidPx: [p], bidQty: [21] }));
    prices.forEach((p, i) => h.depth(T0 + 1800 * MS + i * 100 * MS, { u: h.u(), bidPx: [p], bidQty: [1] }));
    const singles = suspects(h);
    expect(singles).toHaveLength(3);
    const [lay] = recs(h, 'LAYERING_SUSPECT') as SpoofSuspectPayload[];
    expect(lay).toMatchObject({ side: 'BID', prices, added_btc: 60, cancelled_btc: 60, life_ms: 800, mid_move_bps: 0 });
    expect(lay.score).toBeCloseTo(singles.reduce((a, r) => a + r.score, 0) / 3, 14);
    expect(lay.distance_bps).toBeCloseTo(prices.reduce((a, p) => a + dist(p), 0) / 3, 12);
    expect(h.on('data-spoofing').map((o) => o.type)).toEqual(['SPOOF_SUSPECT', 'SPOOF_SUSPECT', 'SPOOF_SUSPECT', 'LAYERING_SUSPECT']);
  });

  it('checks layering once per message, and again with the grown group when a member joins later', () => {
    const h = book();
    const prices = [99.9, 99.88, 99.86, 99.84];
    prices.forEach((p, i) => h.depth(T0 + S + i * 100 * MS, { u: h.u(), bidPx: [p], bidQty: [21] }));
    h.depth(T0 + 1800 * MS, { u: h.u(), bidPx: prices.slice(0, 3), bidQty: [1, 1, 1] });
    h.depth(T0 + 2100 * MS, { u: h.u(), bidPx: [99.84], bidQty: [1] });
    expect(h.on('data-spoofing').map((o) => o.type)).toEqual([
      'SPOOF_SUSPECT', 'SPOOF_SUSPECT', 'SPOOF_SUSPECT', 'LAYERING_SUSPECT', 'SPOOF_SUSPECT', 'LAYERING_SUSPECT',
    ]);
    const lays = recs(h, 'LAYERING_SUSPECT') as SpoofSuspectPayload[];
    expect(lays.map((l) => l.prices)).toEqual([prices.slice(0, 3), prices]);
    expect(lays[1]).toMatchObject({ added_btc: 80, life_ms: (800 + 700 + 600 + 800) / 4 });
  });

  it('no LAYERING when the adds span more than 2 s, or the flickers share a price', () => {
    const spread = book();
    [0, 1000, 2100].forEach((dt, i) => {
      const p = [99.9, 99.88, 99.86][i];
      spread.depth(T0 + S + dt * MS, { u: spread.u(), bidPx: [p], bidQty: [21] });
      spread.depth(T0 + S + (dt + 800) * MS, { u: spread.u(), bidPx: [p], bidQty: [1] });
    });
    expect(suspects(spread)).toHaveLength(3);
    expect(recs(spread, 'LAYERING_SUSPECT')).toHaveLength(0);
    const same = book();
    for (let i = 0; i < 3; i++) {
      same.depth(T0 + S + i * 300 * MS, { u: same.u(), bidPx: [99.9], bidQty: [21] });
      same.depth(T0 + S + (i * 300 + 200) * MS, { u: same.u(), bidPx: [99.9], bidQty: [1] });
    }
    expect(suspects(same)).toHaveLength(3);
    expect(recs(same, 'LAYERING_SUSPECT')).toHaveLength(0);
  });

  it('no LAYERING for one order walked from price to price (the orders never rest together)', () => {
    const h = book();
    const prices = [99.9, 99.89, 99.88, 99.87];
    h.depth(T0 + S, { u: h.u(), bidPx: [prices[0]], bidQty: [21] });
    // Each update cancels the order at one price and places it one tick lower, 300 ms later.
    for (let i = 1; i < prices.length; i++) {
      h.depth(T0 + S + i * 300 * MS, { u: h.u(), bidPx: [prices[i - 1], prices[i]], bidQty: [1, 21] });
    }
    h.depth(T0 + S + 1200 * MS, { u: h.u(), bidPx: [prices[3]], bidQty: [1] });
    expect(suspects(h).map((r) => r.prices[0])).toEqual(prices);
    expect(recs(h, 'LAYERING_SUSPECT')).toHaveLength(0);
  });

  it('mirrors on the ask side with the mid move signed against the spoof', () => {
    const h = book();
    h.depth(T0 + S, { u: h.u(), askPx: [100.11], askQty: [21] });
    // The mid falls by half a tick: the bid at 100.00 is removed, 99.99 becomes best.
    h.depth(T0 + 1600 * MS, { u: h.u(), askPx: [100.11], askQty: [1], bidPx: [100], bidQty: [0] });
    const [r] = suspects(h);
    const m2 = (99.99 + 100.01) / 2;
    expect(r).toMatchObject({ side: 'ASK', prices: [100.11], life_ms: 600 });
    expect(r.mid_move_bps).toBeCloseTo((1e4 * (m2 - MID)) / MID, 12);
    expect(r.score).toBeCloseTo(0.25 + 0.25 * (1 - 600 / 5000) + 0.25 * ramp01(-r.mid_move_bps / 2), 14);
  });

  it('selects candidates only at >= max(2 BTC, P99), 3..30 bps, outside the top two levels', () => {
    const h = book();
    h.depth(T0 + S, { u: h.u(), bidPx: [99.9], bidQty: [2.5] });
    h.depth(T0 + S, { u: h.u(), bidPx: [99.99], bidQty: [30] });
    h.depth(T0 + S, { u: h.u(), bidPx: [99.98], bidQty: [30] });
    h.depth(T0 + S, { u: h.u(), bidPx: [99.6], bidQty: [30] });
    expect(state(h).cands).toHaveLength(0);
    // The window holds 1.5 (below the floor), 29, 29, 30: P99 = 29 + 0.97 = 29.97 > 29.
    h.depth(T0 + S, { u: h.u(), bidPx: [99.97], bidQty: [30] });
    expect(state(h).cands).toHaveLength(0);
    h.depth(T0 + S, { u: h.u(), bidPx: [99.96], bidQty: [31] });
    expect(state(h).cands.map((c) => [c.p, c.dq, c.rank])).toEqual([[99.96, 30, 1]]);
    // Two hundred 40 BTC increments far out lift the P99 above 20: the reference add no longer qualifies.
    const g = book();
    for (let i = 0; i < 200; i++) g.depth(T0 + S + i * MS, { u: g.u(), bidPx: [99.7], bidQty: [i % 2 === 0 ? 41 : 1] });
    g.depth(T0 + 2 * S, { u: g.u(), bidPx: [99.9], bidQty: [21] });
    expect(state(g).cands.filter((c) => c.p === 99.9)).toHaveLength(0);
  });

  it('drops candidates on a resync and skips a crossed message', () => {
    const h = book();
    h.depth(T0 + S, { u: h.u(), bidPx: [99.9], bidQty: [21] });
    h.depth(T0 + 1200 * MS, { snapshot: true, u: 100, bidPx: [100, 99.9], bidQty: [1, 21], askPx: [100.01, 100.3], askQty: [1, 1] });
    expect(state(h)).toMatchObject({ dropped: 1, cands: [] });
    h.depth(T0 + 1500 * MS, { u: 101, bidPx: [99.9], bidQty: [1] });
    expect(suspects(h)).toHaveLength(0);
    const x = book();
    x.depth(T0 + S, { u: x.u(), bidPx: [99.9], bidQty: [21] });
    x.depth(T0 + 1500 * MS, { u: x.u(), bidPx: [99.9, 100.02], bidQty: [1, 1] });
    expect(x.rt.book.status).toBe('INVALID');
    expect(suspects(x)).toHaveLength(0);
    expect(state(x)).toMatchObject({ dropped: 1, cands: [] });
  });

  it('takes no candidate while the book is one-sided (no mid, so no distance) and drops those it had', () => {
    const h = book();
    const asks = Array.from({ length: 31 }, (_, i) => px(10_001 + i));
    h.depth(T0 + S, { u: h.u(), bidPx: [99.8], bidQty: [21] });
    expect(state(h).cands).toHaveLength(1);
    h.depth(T0 + 1100 * MS, { u: h.u(), bidPx: [], bidQty: [], askPx: asks, askQty: asks.map(() => 0) });
    expect(h.rt.book.status).toBe('VALID');
    expect(state(h)).toMatchObject({ dropped: 1, cands: [] });
    h.depth(T0 + 1200 * MS, { u: h.u(), bidPx: [99.9], bidQty: [21] });
    expect(state(h).cands).toEqual([]);
    h.depth(T0 + 1500 * MS, { u: h.u(), bidPx: [99.9, 99.8], bidQty: [1, 1] });
    expect(suspects(h)).toHaveLength(0);
    expect(state(h).inc.size).toBe(1);
  });

  it('is GENUINE when the level outlives tau_max or the price comes within 3 bps', () => {
    const h = book();
    h.depth(T0 + S, { u: h.u(), bidPx: [99.9], bidQty: [21] });
    h.depth(T0 + 6200 * MS, { u: h.u(), bidPx: [99.9], bidQty: [1] });
    expect(suspects(h)).toHaveLength(0);
    expect(state(h).genuine).toBe(1);
    const r = book();
    r.depth(T0 + S, { u: r.u(), bidPx: [99.9], bidQty: [21] });
    // Asks down to 99.92 put the mid at 99.96, 2.1 bps above the candidate.
    const asks = Array.from({ length: 9 }, (_, i) => px(9_992 + i));
    const bids = Array.from({ length: 10 }, (_, i) => px(10_000 - i));
    r.depth(T0 + 1500 * MS, { u: r.u(), bidPx: bids, bidQty: bids.map(() => 0), askPx: asks, askQty: asks.map(() => 1) });
    expect(r.rt.book.status).toBe('VALID');
    expect(state(r)).toMatchObject({ genuine: 1, cands: [] });
  });

  it('resumes from a snapshot exactly like the uninterrupted run', () => {
    const run = (cut: boolean) => {
      let h = book();
      const steps: Array<(x: Harness & { u: () => number }) => void> = [
        (x) => x.depth(T0 + S, { u: x.u(), bidPx: [99.9], bidQty: [21] }),
        (x) => x.trade(T0 + 1200 * MS, 1, 100.01, 3, false),
        (x) => x.depth(T0 + 1800 * MS, { u: x.u(), bidPx: [99.9], bidQty: [1] }),
        (x) => x.kline(bar(T0, 0)),
      ];
      steps.forEach((step, i) => {
        if (cut && i === 2) {
          const snap = h.rt.snapshot();
          const next = Object.assign(harness([spoofing]), { u: h.u });
          next.rt.restore(snap);
          h = next;
        }
        step(h);
      });
      return h.rt.digest();
    };
    expect(run(true)).toBe(run(false));
  });
});

function ramp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
