import { describe, expect, it } from 'vitest';
import { DepthFeed, MIN, T0, records, registry } from './l2-delta.fixtures.ts';

// Goal: the L2 delta provider (SPEC §4, §0.6) reproduces the three CKS identities exactly, lets the
// first diff after a (re)sync set prev only, gives no e_n on an INVALID book and flags the bar,
// weights AD_W by time, measures the 10 bps band change, and gives ofi_z = zprev_60.
// Method: hand-built snapshots and diffs whose OFI, AD_W and band depths are worked out by hand
// in the comments; every emitted payload is parsed with the zod schema after the tests.

const mk = registry(70);

/** Runs snapshot (bid 100 x3, ask 101 x4), a no-op first diff, then `change`; returns bar 0. */
function cks(bids: Array<[number, number]>, asks: Array<[number, number]>) {
  const h = mk();
  const f = new DepthFeed(h);
  f.snapshot(T0 + 1000, [[100, 3]], [[101, 4]]);
  f.diff(T0 + 2000, [[90, 1]], []);
  f.diff(T0 + 3000, bids, asks);
  f.closeThrough(T0 + 59_999_000);
  const out = records(h);
  expect(out).toHaveLength(1);
  expect(out[0].payload.n_msgs).toBe(2);
  return out[0].payload;
}

describe('providers > l2-delta > CKS identities', () => {
  it('prices unchanged, bid size 3 -> 5: e = +2', () => {
    expect(cks([[100, 5]], [])).toMatchObject({ ofi_btc: 2, mlofi_btc: [2, 0, 0, 0, 0] });
  });

  it('bid 100 -> 100.5 with size 1: e = +1 (deeper ranks shift down)', () => {
    // Level 2 becomes 100 x3 (was 90 x1): +3; level 3 becomes 90 x1 (was empty): +1.
    expect(cks([[100.5, 1]], [])).toMatchObject({ ofi_btc: 1, mlofi_btc: [1, 3, 1, 0, 0] });
  });

  it('ask 101 (size 4) -> 100.5 (size 2): e = -2', () => {
    // Level 2 ask becomes 101 x4 (was empty, i.e. an ask at +infinity): -4.
    expect(cks([], [[100.5, 2]])).toMatchObject({ ofi_btc: -2, mlofi_btc: [-2, -4, 0, 0, 0] });
  });

  it('lets the first diff after a snapshot set prev only', () => {
    const h = mk();
    const f = new DepthFeed(h);
    f.snapshot(T0 + 1000, [[100, 3]], [[101, 4]]);
    f.diff(T0 + 2000, [[100, 5]], []);
    f.closeThrough(T0 + 59_999_000);
    expect(records(h)[0].payload).toMatchObject({ ofi_btc: 0, n_msgs: 1 });
  });
});

describe('providers > l2-delta > resync and validity', () => {
  it('gives no e_n on an INVALID book, flags the bar, and restarts from prev after the next snapshot', () => {
    const h = mk();
    const f = new DepthFeed(h);
    f.snapshot(T0 + 1000, [[100, 3]], [[101, 4]]);
    f.diff(T0 + 2000, [[90, 1]], []);
    f.diff(T0 + 3000, [[100, 5]], []); // +2
    f.diff(T0 + 10_000_000, [[100, 8]], [], 5); // update-id gap: INVALID, not applied
    f.diff(T0 + 20_000_000, [[100, 9]], []); // waits for a snapshot
    f.snapshot(T0 + MIN + 1_000_000, [[100, 8]], [[101, 4]]);
    f.diff(T0 + MIN + 2_000_000, [[100, 10]], []); // first after sync: prev only
    f.diff(T0 + MIN + 3_000_000, [[100, 11]], []); // +1
    f.diff(T0 + 2 * MIN + 1_000_000, [[101.5, 1]], []); // crosses the ask: INVALID
    f.closeThrough(T0 + 4 * MIN - 1);
    const out = records(h);
    expect(out.map((r) => [r.payload.ofi_btc, r.payload.n_msgs, r.flags, r.degraded])).toEqual([
      [2, 2, ['PARTIAL', 'BOOK_INVALID'], true],
      [1, 2, ['BOOK_INVALID'], true],
      [0, 0, ['BOOK_INVALID'], true],
      [null, 0, ['BOOK_INVALID'], true],
    ]);
    expect(out[0].payload.depth_delta_bid_btc).toBeNull();
    expect(out[3].payload).toMatchObject({ mlofi_btc: null, ofi_norm: null, ofi_z: null, depth_delta_ask_btc: null });
    expect(h.rt.counters).toMatchObject({ bookGaps: 1, bookCrossed: 1, bookWaiting: 1 });
  });
});

describe('providers > l2-delta > aggregates', () => {
  it('weights AD_W by time and measures the 10 bps band depth change', () => {
    const h = mk();
    const f = new DepthFeed(h);
    // mid 40000.25; band edges 39960.25 and 40040.25: bid band 2+1 = 3, ask band 4+2 = 6.
    f.snapshot(T0 + 10_000_000, [[40000, 2], [39990, 1], [39900, 5]], [[40000.5, 4], [40020, 2], [40100, 1]]);
    f.diff(T0 + 20_000_000, [[39900, 5.5]], []);
    // Bid 2 -> 6 at the same price: +4. Ask level 2 40020 x2 -> 40100 x1: +2; level 3 empties: +1.
    f.diff(T0 + 40_000_000, [[40000, 6]], [[40020, 0]]);
    f.closeThrough(T0 + 2 * MIN);
    const [b0, b1] = records(h);
    // (qb+qa)/2 is 3 over [10 s, 40 s) and 5 over [40 s, 60 s): AD = (3*30 + 5*20)/50 = 3.8.
    expect(b0.payload).toMatchObject({
      ofi_btc: 4, mlofi_btc: [4, 2, 1, 0, 0], n_msgs: 2, depth_delta_bid_btc: 4, depth_delta_ask_btc: -2,
    });
    expect(b0.payload.ofi_norm as number).toBeCloseTo(4 / 3.8, 12);
    expect(b0.flags).toEqual(['PARTIAL']);
    expect(b1.payload).toMatchObject({ ofi_btc: 0, ofi_norm: 0, n_msgs: 0, depth_delta_bid_btc: 0, depth_delta_ask_btc: 0 });
    expect(b1.flags).toEqual([]);
    f.snapshot(T0 + 2 * MIN + 1000, [[40000, 1]], [[40000.5, 1]]);
    f.closeThrough(T0 + 3 * MIN);
    expect(records(h)[2].flags).toEqual(['COVERAGE']);
  });

  it('measures no band change across a one-sided book (no mid, so no band)', () => {
    const h = mk();
    const f = new DepthFeed(h);
    f.snapshot(T0 + 10_000_000, [[40000, 2], [39990, 1], [39900, 5]], [[40000.5, 4], [40020, 2], [40100, 1]]);
    // The asks vanish before the first bar closes and come back in the second.
    f.diff(T0 + 20_000_000, [], [[40000.5, 0], [40020, 0], [40100, 0]]);
    f.closeThrough(T0 + MIN);
    f.diff(T0 + MIN + 5_000_000, [], [[40000.5, 3]]);
    f.diff(T0 + MIN + 10_000_000, [[40000, 4]], [[40020, 1.5]]);
    f.closeThrough(T0 + 2 * MIN);
    const [b0, b1] = records(h).map((r) => r.payload);
    expect([b0.depth_delta_bid_btc, b0.depth_delta_ask_btc]).toEqual([null, null]);
    // The second bar starts one-sided: its band is measured from the first two-sided message
    // (bid band 3, ask band 3), as after an INVALID book: bid 2 -> 4 at the touch, +1.5 asks.
    expect([b1.depth_delta_bid_btc, b1.depth_delta_ask_btc]).toEqual([2, 1.5]);
  });

  it('gives ofi_z = zprev_60 of the bar OFIs, null and not warm before 60 bars', () => {
    const h = mk();
    const f = new DepthFeed(h);
    const size = (k: number) => 20 + ((k * 7) % 11);
    f.snapshot(T0 + 1000, [[100, 20]], [[101, 4]]);
    f.diff(T0 + 2000, [[90, 1]], []);
    for (let k = 0; k < 63; k++) f.diff(T0 + k * MIN + 5_000_000, [[100, size(k)]], []);
    f.closeThrough(T0 + 63 * MIN);
    const out = records(h);
    const ofi = out.map((r) => r.payload.ofi_btc as number);
    ofi.forEach((x, k) => expect(x).toBe(size(k) - (k === 0 ? 20 : size(k - 1))));
    for (let k = 0; k < 63; k++) {
      if (k < 60) {
        expect([out[k].payload.ofi_z, out[k].warm]).toEqual([null, false]);
        continue;
      }
      const prev = ofi.slice(k - 60, k);
      const m = prev.reduce((a, b) => a + b, 0) / 60;
      const sd = Math.sqrt(prev.reduce((a, b) => a + (b - m) ** 2, 0) / 59);
      expect(out[k].payload.ofi_z as number).toBeCloseTo((ofi[k] - m) / sd, 12);
      expect(out[k].warm).toBe(true);
    }
  });

  it('closes a bar without kline at the minute boundary', () => {
    const h = mk();
    h.depth(T0, { snapshot: true, U: 10, u: 10, bidPx: [100], bidQty: [3], askPx: [101], askQty: [4] });
    h.depth(T0 + 2000, { U: 11, u: 11, bidPx: [100], bidQty: [4] });
    h.depth(T0 + 3000, { U: 12, u: 12, bidPx: [100], bidQty: [6] });
    h.depth(T0 + MIN + 500, { U: 13, u: 13, bidPx: [100], bidQty: [7] });
    const out = records(h);
    expect(out.map((r) => [r.ts, r.payload.ofi_btc, r.flags])).toEqual([[T0 + MIN, 2, ['NO_KLINE']]]);
    expect(out[0].payload.ofi_norm as number).toBeCloseTo(2 / ((3.5 * 2000 + 4 * 1000 + 5 * (MIN - 3000)) / MIN), 12);
  });
});
