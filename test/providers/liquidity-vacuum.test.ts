import { describe, expect, it } from 'vitest';
import { Book, BID } from '../../core/book.ts';
import { VacuumPayload } from '../../core/schemas/liquidity-vacuum.ts';
import { findVoids, liquidityVacuum } from '../../providers/liquidity-vacuum.ts';
import { bar, harness, type Harness } from '../support/harness.ts';

// Goal: the liquidity vacuum of SPEC §10: 1-s band depth against the exact median of the
// previous 900 samples, START/END hysteresis, ONGOING per bar, voids, and the edges (coverage,
// an INVALID book breaking the run, a zero baseline).
// Method: a two-level book around 100.005 driven through a real Runtime with clock ticks; the
// SPEC reference is replayed second by second; voids are checked on a hand-built book against
// widths worked out by hand; every record passes its schema.

const T0 = Date.UTC(2024, 0, 1) * 1000;
const S = 1_000_000;
const MS = 1_000;

const records = (h: Harness) => h.on('data-liquidity-vacuum').map((o) => ({ ...VacuumPayload.parse(o.payload), flags: o.flags }));

/** 100 BTC at the best bid and ask, far levels for coverage; then 900 one-second samples. */
function baseline(): Harness & { u: () => number } {
  const h = harness([liquidityVacuum]);
  h.depth(T0 + S / 2, { snapshot: true, u: 1, bidPx: [100, 99], bidQty: [100, 1], askPx: [100.01, 101], askQty: [100, 1] });
  h.advance(T0 + 900 * S);
  let u = 1;
  return Object.assign(h, { u: () => ++u });
}

/** Sets the best bid's size half a second after second `sec`, then runs the clock to second `until`. */
function bidAt(h: Harness & { u: () => number }, sec: number, qty: number, until: number): void {
  h.depth(T0 + sec * S + S / 2, { u: h.u(), bidPx: [100], bidQty: [qty] });
  h.advance(T0 + until * S);
}

describe('providers > liquidity-vacuum', () => {
  it('SPEC reference: baseline 100, depth 50 is quiet, 30 for 3 s STARTs at ratio 0.3, 60 ENDs', () => {
    const h = baseline();
    expect(records(h)).toHaveLength(0);
    bidAt(h, 900, 50, 905);
    expect(records(h)).toHaveLength(0);
    bidAt(h, 905, 30, 907);
    expect(records(h)).toHaveLength(0);
    h.advance(T0 + 908 * S);
    const starts = records(h);
    expect(starts.map((r) => [r.side, r.band_bps, r.state, r.ratio, r.baseline_btc, r.depth_btc])).toEqual([
      ['BID', 5, 'START', 0.3, 100, 30], ['BID', 10, 'START', 0.3, 100, 30], ['BID', 25, 'START', 0.3, 100, 30],
    ]);
    expect(starts[0]).toMatchObject({ start_us: T0 + 906 * S, duration_ms: 2000, coverage_ok: true, voids: [] });
    expect(starts.map((r) => r.flags)).toEqual([['ALL_BANDS'], ['ALL_BANDS'], ['ALL_BANDS']]);
    // Only the 25 bps band is wide enough for a void: from 100.00 down to the band edge.
    const edge25 = ((100 + 100.01) / 2) * (1 - 25e-4);
    expect(starts[2].voids).toEqual([{ lo: edge25, hi: 100, width_bps: (1e4 * (100 - edge25)) / ((100 + 100.01) / 2) }]);
    bidAt(h, 908, 60, 909);
    const ends = records(h).slice(3);
    expect(ends.map((r) => [r.band_bps, r.state, r.ratio, r.duration_ms])).toEqual([
      [5, 'END', 0.6, 3000], [10, 'END', 0.6, 3000], [25, 'END', 0.6, 3000],
    ]);
    expect(ends.map((r) => r.flags)).toEqual([[], [], []]);
  });

  it('flags ALL_BANDS only when every band of the side went low at the same sample', () => {
    const h = harness([liquidityVacuum]);
    // 200 BTC at 99.80 sit inside the 25 bps band only, so thinning the touch leaves it at 230/300.
    h.depth(T0 + S / 2, { snapshot: true, u: 1, bidPx: [100, 99.8, 99], bidQty: [100, 200, 1], askPx: [100.01, 101], askQty: [100, 1] });
    h.advance(T0 + 900 * S);
    h.depth(T0 + 900 * S + S / 2, { u: 2, bidPx: [100], bidQty: [30] });
    h.advance(T0 + 905 * S);
    expect(records(h).map((r) => [r.band_bps, r.state, r.ratio, r.flags])).toEqual([[5, 'START', 0.3, []], [10, 'START', 0.3, []]]);
    // The wide band thins later: all three are now in a vacuum, but they did not start together.
    h.depth(T0 + 905 * S + S / 2, { u: 3, bidPx: [99.8], bidQty: [0] });
    h.advance(T0 + 908 * S);
    expect(records(h).slice(2).map((r) => [r.band_bps, r.state, r.ratio, r.flags])).toEqual([[25, 'START', 0.1, []]]);
  });

  it('emits ONGOING at each bar close while a vacuum is active', () => {
    const h = baseline();
    bidAt(h, 900, 30, 903);
    h.kline(bar(T0, 15));
    const ongoing = records(h).filter((r) => r.state === 'ONGOING');
    expect(ongoing.map((r) => r.band_bps)).toEqual([5, 10, 25]);
    expect(ongoing[0]).toMatchObject({ duration_ms: 15 * 60_000 + 59_999 - 901_000, ratio: 0.3, start_us: T0 + 901 * S });
  });

  it('finds voids of >= 10 ticks and >= 1 bp, clipped at the band edge, top 3 by width', () => {
    const book = new Book();
    const bids = [1000, 999.8, 999.75, 999.4, 999.3, 999, 998.6, 997];
    book.apply({ snapshot: true, U: 0, u: 1, pu: -1, bidPx: bids, bidQty: bids.map(() => 1), askPx: [1000.01, 1010], askQty: [1, 1] });
    const m = (1000 + 1000.01) / 2;
    const gap = (lo: number, hi: number) => ({ lo, hi, width_bps: (1e4 * (hi - lo)) / m });
    const e25 = m * (1 - 25e-4);
    // 999.40 -> 999.30 is 10 ticks but 0.99999 bp, so it is not a void; 999.80 -> 999.75 is 5 ticks.
    expect(findVoids(book, BID, m, 25, 0.01, 10, 1, 3)).toEqual([gap(e25, 998.6), gap(998.6, 999), gap(999.4, 999.75)]);
    const e10 = m * (1 - 10e-4);
    expect(findVoids(book, BID, m, 10, 0.01, 10, 1, 3)).toEqual([gap(999.4, 999.75), gap(e10, 999.3), gap(999.8, 1000)]);
    expect(findVoids(book, BID, m, 10, 0.01, 10, 1, 10)).toHaveLength(3);
    expect(findVoids(book, BID, m, 25, 0.01, 10, 1, 10)).toHaveLength(5);
  });

  it('gives no event when the band reaches outside the snapshot coverage', () => {
    const h = baseline();
    h.depth(T0 + 900 * S + S / 2, { snapshot: true, u: 50, bidPx: [100], bidQty: [30], askPx: [100.01], askQty: [100] });
    h.advance(T0 + 920 * S);
    expect(records(h)).toHaveLength(0);
    // With requireCoverage off (a snapshot that is the whole book) the band is sampled and flagged.
    const loose = harness([{ component: liquidityVacuum, params: { requireCoverage: false } }]);
    loose.depth(T0 + S / 2, { snapshot: true, u: 1, bidPx: [100], bidQty: [100], askPx: [100.01], askQty: [100] });
    loose.advance(T0 + 900 * S);
    loose.depth(T0 + 900 * S + S / 2, { u: 2, bidPx: [100], bidQty: [30] });
    loose.advance(T0 + 903 * S);
    expect(records(loose).map((r) => [r.band_bps, r.state, r.ratio, r.coverage_ok])).toEqual([
      [5, 'START', 0.3, false], [10, 'START', 0.3, false], [25, 'START', 0.3, false],
    ]);
  });

  it('takes no sample from a one-sided book (no mid, so no band), even with requireCoverage off', () => {
    for (const requireCoverage of [true, false]) {
      const h = harness([{ component: liquidityVacuum, params: { requireCoverage } }]);
      h.depth(T0 + S / 2, { snapshot: true, u: 1, bidPx: [100, 99], bidQty: [100, 1], askPx: [100.01, 101], askQty: [100, 1] });
      h.advance(T0 + 900 * S);
      // The asks vanish for 10 s: without a mid there is no band, so no sample and no START on
      // either side (an empty ask side is not an ask band of depth 0, and the whole bid side is
      // not a bid band); the bid runs start afresh once the book is two-sided again.
      h.depth(T0 + 900 * S + S / 2, { u: 2, bidPx: [], bidQty: [], askPx: [100.01, 101], askQty: [0, 0] });
      expect(h.rt.book.status).toBe('VALID');
      h.advance(T0 + 910 * S);
      expect(records(h)).toHaveLength(0);
      h.depth(T0 + 910 * S + S / 2, { u: 3, bidPx: [100], bidQty: [30], askPx: [100.01], askQty: [100] });
      h.advance(T0 + 913 * S);
      expect(records(h).map((r) => [r.side, r.band_bps, r.state, r.start_us])).toEqual(
        [5, 10, 25].map((b) => ['BID', b, 'START', T0 + 911 * S]),
      );
    }
  });

  it('a book INVALID for more than 1 s breaks the run; a shorter outage does not', () => {
    const snap = (h: Harness, t: number) =>
      h.depth(t, { snapshot: true, u: 500, bidPx: [100, 99], bidQty: [30, 1], askPx: [100.01, 101], askQty: [100, 1] });
    const long = baseline();
    bidAt(long, 900, 30, 902);
    long.depth(T0 + 902 * S + S / 2, { u: 400, U: 400, bidPx: [100], bidQty: [30] });
    expect(long.rt.book.status).toBe('INVALID');
    long.advance(T0 + 904 * S);
    snap(long, T0 + 904 * S + S / 2);
    long.advance(T0 + 907 * S);
    expect(records(long).map((r) => [r.band_bps, r.state, r.start_us])).toEqual([
      [5, 'START', T0 + 905 * S], [10, 'START', T0 + 905 * S], [25, 'START', T0 + 905 * S],
    ]);
    const short = baseline();
    bidAt(short, 900, 30, 902);
    short.depth(T0 + 902 * S + S / 2, { u: 400, U: 400, bidPx: [100], bidQty: [30] });
    snap(short, T0 + 903 * S + S / 5);
    short.advance(T0 + 904 * S);
    expect(records(short).map((r) => [r.state, r.start_us])[0]).toEqual(['START', T0 + 901 * S]);
  });

  it('ends an active vacuum with BOOK_INVALID when the book breaks', () => {
    const h = baseline();
    bidAt(h, 900, 30, 903);
    h.depth(T0 + 903 * S + S / 2, { u: 400, U: 400, bidPx: [100], bidQty: [30] });
    h.advance(T0 + 905 * S);
    const ends = records(h).filter((r) => r.state === 'END');
    expect(ends).toHaveLength(3);
    expect(ends[0]).toMatchObject({ depth_btc: null, ratio: null, coverage_ok: false, flags: ['BOOK_INVALID'], duration_ms: 4000 });
  });

  it('gives a null ratio once the median baseline itself is 0', () => {
    const h = baseline();
    bidAt(h, 900, 0, 903);
    expect(records(h).map((r) => [r.state, r.ratio])[0]).toEqual(['START', 0]);
    h.kline(bar(T0, 23));
    const ongoing = records(h).filter((r) => r.state === 'ONGOING');
    // 539 zero samples out of the previous 900: the median is 0, so rho is undefined.
    expect(ongoing[0]).toMatchObject({ band_bps: 5, depth_btc: 0, baseline_btc: 0, ratio: null });
    expect(records(h).filter((r) => r.state === 'END')).toHaveLength(0);
  });

  it('samples the current book every second, whether or not a depth message came in it', () => {
    // Seconds without a depth message reuse the last sums (the book is the same); every sample
    // must still be the walk of the book as it is, to the bit.
    const h = harness([liquidityVacuum]);
    h.depth(T0 + S / 2, { snapshot: true, u: 1, bidPx: [100, 99.99, 99.9, 99], bidQty: [5, 3, 2, 1], askPx: [100.01, 100.02, 100.1, 101], askQty: [4, 3, 2, 1] });
    let u = 1;
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const tracks = () => (h.rt.stateOf('liquidity-vacuum') as { tracks: { side: number; band: number; sampled: number }[] }).tracks;
    let quiet = 0;
    for (let sec = 1; sec <= 300; sec++) {
      const busy = rand() < 0.4;
      if (busy) h.depth(T0 + sec * S - S / 3, { u: ++u, bidPx: [100 - Math.floor(rand() * 5) * 0.01], bidQty: [Math.floor(rand() * 4) * 0.5], askPx: [100.01 + Math.floor(rand() * 5) * 0.01], askQty: [Math.floor(rand() * 4) * 0.5] });
      else quiet++;
      h.advance(T0 + sec * S);
      if (h.rt.book.status !== 'VALID' || Number.isNaN(h.rt.book.mid())) continue;
      for (const t of tracks()) expect(t.sampled).toBe(h.rt.book.bandDepth(t.side, t.band));
    }
    expect(quiet).toBeGreaterThan(100);
  });

  it('resumes from a snapshot exactly like the uninterrupted run', () => {
    const full = baseline();
    bidAt(full, 900, 30, 903);
    bidAt(full, 903, 60, 905);
    const a = baseline();
    bidAt(a, 900, 30, 902);
    const b = Object.assign(harness([liquidityVacuum]), { u: () => 3 });
    b.rt.restore(a.rt.snapshot());
    b.advance(T0 + 903 * S);
    bidAt(b, 903, 60, 905);
    expect(records(b)).toHaveLength(6);
    expect(b.rt.digest()).toBe(full.rt.digest());
  });
});
