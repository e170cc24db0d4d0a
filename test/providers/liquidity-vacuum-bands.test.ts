import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ASK, BID, Book } from '../../core/book.ts';
import { bandDepths, bandEdge, type BandTrack } from '../../providers/liquidity-vacuum-bands.ts';

// Goal: the vacuum's band walk (binary-searched band ends, both sides summed in one loop) gives
// every band of both sides the same depth, to the bit, as the book's own bandDepth, and the
// same edge and end rank as a level-by-level walk; with an undefined mid it sums the side.
// Method: fast-check books (random decimal prices and sizes, one side up to 60 levels longer
// than the other or empty) and random band sets in any order, with duplicates; the oracle is
// Book.bandDepth and a linear scan for the end rank.

const level = fc.record({ off: fc.integer({ min: 1, max: 4000 }), qty: fc.integer({ min: 1, max: 500_000 }) });

function bookOf(bids: Array<{ off: number; qty: number }>, asks: Array<{ off: number; qty: number }>): Book {
  const book = new Book();
  // Prices in cents around 1000.00 (duplicates collapse to one level), sizes in 1e-5 BTC.
  const side = (ls: typeof bids, sign: number) => ({
    px: ls.map((l) => (100_000 + sign * l.off) / 100), qty: ls.map((l) => l.qty / 1e5),
  });
  const b = side(bids, -1);
  const a = side(asks, 1);
  book.apply({ snapshot: true, U: 0, u: 1, pu: -1, bidPx: b.px, bidQty: b.qty, askPx: a.px, askQty: a.qty });
  return book;
}

describe('providers > liquidity-vacuum > band walk', () => {
  it('matches Book.bandDepth bit for bit on random books and band sets', () => {
    fc.assert(fc.property(
      fc.array(level, { maxLength: 120 }),
      fc.array(level, { maxLength: 60 }),
      fc.array(fc.constantFrom(1, 2.5, 5, 10, 10, 25, 40), { minLength: 1, maxLength: 4 }),
      fc.boolean(),
      (bids, asks, bands, swap) => {
        const book = swap ? bookOf(asks, bids) : bookOf(bids, asks);
        const tracks: BandTrack[] = [BID, ASK].flatMap(() => bands.map((band) => ({ band, edge: 0, end: 0, sampled: 0 })));
        const bySide = [BID, ASK].map((side) => bands.map((band, i) => ({ band, i: side * bands.length + i }))
          .sort((x, y) => x.band - y.band).map((x) => x.i));
        const m = book.mid();
        bandDepths(tracks, bySide, book, m);
        tracks.forEach((t, k) => {
          const side = k < bands.length ? BID : ASK;
          // With a side empty the mid is NaN: see the next test.
          if (!Number.isNaN(m)) expect(t.sampled).toBe(book.bandDepth(side, t.band));
          expect(t.edge).toBe(bandEdge(side, m, t.band));
          const px = book.px[side];
          let end = 0;
          while (end < px.length && !(side === BID ? px[end] < t.edge : px[end] > t.edge)) end++;
          expect(t.end).toBe(end);
        });
      },
    ), { numRuns: 400 });
  });

  it('sums every level when the mid is undefined (one empty side), as the walk with a NaN edge did', () => {
    // Book.bandDepth stops at once on a NaN edge; the vacuum's walk never passed one, so it
    // summed the whole side. That behaviour is kept (the run digest depends on it).
    const book = bookOf([{ off: 1, qty: 10_000 }, { off: 900, qty: 20_000 }], []);
    const tracks: BandTrack[] = [5, 25, 5, 25].map((band) => ({ band, edge: 0, end: 0, sampled: 0 }));
    bandDepths(tracks, [[0, 1], [2, 3]], book, book.mid());
    expect(tracks.map((t) => t.sampled)).toEqual([0.1 + 0.2, 0.1 + 0.2, 0, 0]);
    expect(tracks.map((t) => t.end)).toEqual([2, 2, 0, 0]);
  });
});
