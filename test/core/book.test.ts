import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ASK, BID, Book } from '../../core/book.ts';
import type { Depth } from '../../core/event.ts';

// Goal: the L2 book (SPEC §0.3) equals a naive model after any sequence of diffs: levels sorted
// best first (as views and by rank), sizes as last set, deletes by size 0, the per-message change
// list exact, and a snapshot/restore round trip. Method: fast-check property against a Map-based oracle, with
// books large enough to grow and recenter the level buffers, on messages in random order and
// listed best first.

function diff(u: number, bids: [number, number][], asks: [number, number][]): Depth {
  return { snapshot: false, U: u, u, pu: u - 1, bidPx: bids.map((b) => b[0]), bidQty: bids.map((b) => b[1]), askPx: asks.map((a) => a[0]), askQty: asks.map((a) => a[1]) };
}

const level = (lo: number, hi: number) => fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: 0, max: 5 }));

describe('core > book', () => {
  it('matches a naive oracle after random diffs, including its change list and restore', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.array(level(1, 6000), { maxLength: 40 }), fc.array(level(6001, 12000), { maxLength: 40 })), { maxLength: 60 }),
      checkAgainstOracle,
    ), { numRuns: 150 });
  });

  it('matches the oracle while a side grows in the middle of a message, and past the staging size', () => {
    // Sides start at 4096 slots and grow when a quarter is live; one message stages 1024 levels
    // per side before the staging area grows. Messages of up to 1500 new levels cross both.
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.array(level(1, 60_000), { minLength: 300, maxLength: 1500, size: 'max' }), fc.array(level(60_001, 120_000), { minLength: 300, maxLength: 1500, size: 'max' })), { maxLength: 8 }),
      checkAgainstOracle,
    ), { numRuns: 12 });
  });

  it('matches the oracle on messages that list each side best first, as exchanges send them', () => {
    // The level search starts where the previous level of the message ended when that level
    // is better (book-side.wat); sorted messages take that path at every level, with duplicate
    // prices and deletes in between. The random messages above take both paths.
    const sorted = (lo: number, hi: number, desc: boolean) => fc.array(level(lo, hi), { maxLength: 60 })
      .map((ls) => ls.sort((x, y) => (desc ? y[0] - x[0] : x[0] - y[0])));
    fc.assert(fc.property(
      fc.array(fc.tuple(sorted(1, 3000, true), sorted(3001, 6000, false)), { maxLength: 80 }),
      checkAgainstOracle,
    ), { numRuns: 150 });
  });

  it('grows past its initial capacity and keeps levels sorted', () => {
    const book = new Book('spot');
    const n = 10_000;
    const bidPx = Array.from({ length: n }, (_, i) => 50_000 - i * 0.01);
    book.apply({ snapshot: true, U: 1, u: 1, pu: -1, bidPx, bidQty: bidPx.map(() => 1), askPx: [50_000.01], askQty: [1] });
    expect(book.px[BID].length).toBe(n);
    book.apply(diff(2, [[50_000.005, 2], [49_999.995, 3]], []));
    expect(Array.from(book.px[BID].subarray(0, 4))).toEqual([50_000.005, 50_000, 49_999.995, 49_999.99]);
    expect(book.px[BID].length).toBe(n + 2);
    expect(book.px[BID][n + 1]).toBe(bidPx[n - 1]);
    expect(book.status).toBe('VALID');
  });

  it('sums a band around the mid, and has no band (NaN) while a side is empty', () => {
    const book = new Book('spot');
    book.apply({ snapshot: true, U: 1, u: 1, pu: -1, bidPx: [100, 99.95, 99], bidQty: [1, 2, 4], askPx: [100.02, 100.5], askQty: [3, 5] });
    // mid 100.01: 10 bps reach 99.91 and 100.11.
    expect([book.bandDepth(BID, 10), book.bandDepth(ASK, 10)]).toEqual([3, 3]);
    book.apply(diff(2, [], [[100.02, 0], [100.5, 0]]));
    expect(book.status).toBe('VALID');
    expect([book.bandDepth(BID, 10), book.bandDepth(ASK, 10)]).toEqual([NaN, NaN]);
  });
});

/** Applies `messages` as diffs to a book and to a map per side, and compares after each message. */
function checkAgainstOracle(messages: [number, number][][][]): void {
    const book = new Book('spot');
    book.apply({ snapshot: true, U: 1, u: 1, pu: -1, bidPx: [], bidQty: [], askPx: [], askQty: [] });
    const oracle = [new Map<number, number>(), new Map<number, number>()];
    let u = 1;
    for (const [bids, asks] of messages) {
      const before = [new Map(oracle[BID]), new Map(oracle[ASK])];
      const r = book.apply(diff(++u, bids.map(([p, q]) => [p / 100, q]), asks.map(([p, q]) => [p / 100, q])));
      expect(r).toBe('APPLIED');
      for (const [side, rows] of [[BID, bids], [ASK, asks]] as const) {
        for (const [p, q] of rows) {
          if (q === 0) oracle[side].delete(p / 100);
          else oracle[side].set(p / 100, q);
        }
      }
      const changes = new Map<string, [number, number]>();
      // A price set twice in one message is two changes; compare the first old with the last new.
      for (let k = 0; k < book.changeCount; k++) {
        const key = `${book.changeSide[k]}:${book.changePx[k]}`;
        changes.set(key, [changes.get(key)?.[0] ?? book.changeOld[k], book.changeNew[k]]);
      }
      for (const side of [BID, ASK]) {
        const want = [...oracle[side].entries()].sort((a, b) => (side === BID ? b[0] - a[0] : a[0] - b[0]));
        expect(Array.from(book.px[side])).toEqual(want.map((w) => w[0]));
        expect(Array.from(book.qty[side])).toEqual(want.map((w) => w[1]));
        expectLevels(book, side, want);
        const keys = new Set([...before[side].keys(), ...oracle[side].keys()]);
        for (const p of keys) {
          const was = before[side].get(p) ?? 0;
          const now = oracle[side].get(p) ?? 0;
          if (was !== now) expect(changes.get(`${side}:${p}`)).toEqual([was, now]);
        }
      }
    }
    const copy = new Book('spot');
    copy.restore(structuredClone(book.snapshot()));
    expect(Array.from(copy.px[BID])).toEqual(Array.from(book.px[BID]));
    expect(Array.from(copy.qty[ASK])).toEqual(Array.from(book.qty[ASK]));
    expect(copy.qtyAt(BID, book.px[BID][0] ?? 1)).toBe(book.qty[BID][0] ?? 0);
    for (const side of [BID, ASK]) expectLevels(copy, side, Array.from(book.px[side], (p, i) => [p, book.qty[side][i]]));
}

/** The readers by rank (levelPx, levelQty, levels, best*) agree with `want`, best first. */
function expectLevels(book: Book, side: number, want: [number, number][]): void {
  expect(book.levels(side)).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(book.levelPx(side, i)).toBe(want[i][0]);
    expect(book.levelQty(side, i)).toBe(want[i][1]);
  }
  const best = side === BID ? [book.bestBid(), book.bestBidQty()] : [book.bestAsk(), book.bestAskQty()];
  expect(best).toEqual(want.length > 0 ? want[0] : [NaN, 0]);
}
