import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rqNew, rqPctRank, rqPush, rqQuantile } from '../../providers/rolling-quantile.ts';
import { incNew, incPctRank, incPush, incQuantile, incSorted } from '../../providers/spoofing-increments.ts';
import { spoofing } from '../../providers/spoofing.ts';
import { harness } from '../support/harness.ts';

// Goal: spoofing's increment window answers exactly what a sorted copy of the window says under
// its contract (values below the cut are only counted: a rank among them is -Infinity, "some
// value below the cut", except the largest of them, which is known), and the provider's in-loop
// fast path for small increments keeps the window exactly as incPush alone would.
// Method: fast-check drives random sequences with many ties around the cut and compares every
// answer with that sorting oracle; the provider is driven through a real Runtime with random
// depth diffs and its window compared with one built by incPush.

/** Type-7 quantile of a sorted array (R's default), the oracle. */
function type7(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  if (lo + 1 >= sorted.length || h === lo) return sorted[lo];
  return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
}

/** The oracle's quantile: type 7 over the sorted window, ranks below the cut's largest as -Infinity. */
function cutQuantile(sorted: number[], cut: number, q: number): number {
  const low = sorted.filter((v) => v < cut).length;
  const kth = (k: number) => (k >= low - 1 ? sorted[k] : -Infinity);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const xlo = kth(lo);
  if (lo + 1 >= sorted.length || h === lo) return xlo;
  if (xlo === -Infinity) return -Infinity;
  return xlo + (h - lo) * (kth(lo + 1) - xlo);
}

const values = fc.array(fc.integer({ min: 1, max: 40 }).map((v) => v / 4), { minLength: 1, maxLength: 300 });
const QS = [0, 0.05, 0.5, 0.9, 0.95, 0.99, 1];

describe('providers > spoofing-increments', () => {
  it('answers like a sorted copy of the window after every push', () => {
    fc.assert(fc.property(values, fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 40 }), (xs, cap, cutQ) => {
      const cut = cutQ / 4;
      const w = incNew(cap, cut);
      xs.forEach((x, i) => {
        incPush(w, x);
        const window = xs.slice(Math.max(0, i + 1 - cap), i + 1).sort((a, b) => a - b);
        const low = window.filter((v) => v < cut).length;
        expect(w.size).toBe(window.length);
        expect(w.lowCount).toBe(low);
        expect(incSorted(w)).toEqual(window.slice(low));
        for (const q of QS) {
          expect(Object.is(incQuantile(w, q), cutQuantile(window, cut, q))).toBe(true);
          expect(Math.max(cut, incQuantile(w, q))).toBe(Math.max(cut, type7(window, q)));
        }
        const at = x < cut ? cut : x;
        expect(incPctRank(w, at)).toBe(window.filter((v) => v <= at).length / window.length);
      });
    }), { numRuns: 300 });
  });

  it('interpolates from the largest value below the cut when the rank falls on it', () => {
    // Window of 5: three low values (largest 1.5) and two high ones; type 7 at q = 0.6 has
    // h = 2.4, between rank 2 (1.5, the largest low value) and rank 3 (3).
    const w = incNew(5, 2);
    [1, 1.5, 0.5, 3, 4].forEach((x) => incPush(w, x));
    expect(incQuantile(w, 0.6)).toBe(1.5 + (4 * 0.6 - 2) * (3 - 1.5));
    // Rank 1 lies below it: only "some value below the cut" is known.
    expect(incQuantile(w, 0.3)).toBe(-Infinity);
    // After two more pushes the oldest low values (1 and 1.5) are gone; 0.75 is the largest left.
    [0.75, 5].forEach((x) => incPush(w, x));
    expect(incSorted(w)).toEqual([3, 4, 5]);
    // q = 0.375: h = 1.5, halfway from 0.75 (rank 1) to 3 (rank 2).
    expect(incQuantile(w, 0.375)).toBe(1.875);
  });

  it('keeps the P99 of a 10,000 window exact over a long run', () => {
    // A deterministic LCG gives a heavy-tailed stream like level increments (many small, few large).
    let seed = 11;
    const next = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const w = incNew(10_000, 2);
    // The oracle keeps every value sorted; the P99 of this stream lies far above the cut.
    const r = rqNew(10_000);
    let checked = 0;
    for (let i = 0; i < 40_000; i++) {
      const x = Math.round(Math.exp(next() * 7)) / 100;
      incPush(w, x);
      rqPush(r, x);
      if (i % 97 === 0) {
        expect(incQuantile(w, 0.99)).toBe(rqQuantile(r, 0.99));
        if (x >= 2) expect(incPctRank(w, x)).toBe(rqPctRank(r, x));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(400);
    expect(w.highN).toBeLessThan(10_000);
    expect(w.highN).toBeGreaterThan(100);
  });

  it('continues exactly after a structuredClone, and rejects bad input', () => {
    const a = incNew(20, 1);
    for (let i = 0; i < 50; i++) incPush(a, ((i * 7) % 11) / 2 + 0.25);
    const b = structuredClone(a);
    for (let i = 0; i < 50; i++) {
      incPush(a, ((i * 5) % 13) / 3 + 0.1);
      incPush(b, ((i * 5) % 13) / 3 + 0.1);
    }
    expect(b).toEqual(a);
    expect(incQuantile(b, 0.9)).toBe(incQuantile(a, 0.9));
    expect(incQuantile(incNew(3, 1), 0.5)).toBeNaN();
    expect(incPctRank(incNew(3, 1), 2)).toBeNaN();
    expect(() => incPush(a, Infinity)).toThrow(/finite/);
    expect(() => incPctRank(a, 0.5)).toThrow(/below the cut/);
    expect(() => incNew(0, 1)).toThrow(/cap/);
  });

  it('the provider keeps its window exactly as incPush alone would, through full-window depth diffs', () => {
    // 12 bid and 12 ask levels; each message sets a few of them to sizes on a grid that mixes
    // increments below and above the 2 BTC floor. The expected increments are replayed from a
    // model of the book: bids are applied before asks, each positive change is one increment.
    const bidPx = Array.from({ length: 12 }, (_, i) => 100 - i / 100);
    const askPx = Array.from({ length: 12 }, (_, i) => 100.01 + i / 100);
    const level = fc.record({ i: fc.integer({ min: 0, max: 11 }), q: fc.integer({ min: 0, max: 24 }).map((v) => v / 4) });
    const msg = fc.record({ bids: fc.uniqueArray(level, { selector: (l) => l.i, maxLength: 5 }), asks: fc.uniqueArray(level, { selector: (l) => l.i, maxLength: 5 }) });
    fc.assert(fc.property(fc.array(msg, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 9 }), (msgs, cap) => {
      const h = harness([{ component: spoofing, params: { incWindow: cap } }]);
      const T0 = Date.UTC(2024, 0, 1) * 1000;
      const book = [bidPx.map(() => 1), askPx.map(() => 1)];
      h.depth(T0, { snapshot: true, u: 1, bidPx, bidQty: book[0].slice(), askPx, askQty: book[1].slice() });
      const oracle = incNew(cap, 2);
      msgs.forEach((m, j) => {
        [m.bids, m.asks].forEach((levels, side) => levels.forEach((l) => {
          const old = book[side][l.i];
          if (l.q > old) incPush(oracle, l.q - old);
          book[side][l.i] = l.q;
        }));
        h.depth(T0 + (j + 1) * 1000, {
          u: j + 2, bidPx: m.bids.map((l) => bidPx[l.i]), bidQty: m.bids.map((l) => l.q),
          askPx: m.asks.map((l) => askPx[l.i]), askQty: m.asks.map((l) => l.q),
        });
        expect((h.rt.stateOf('spoofing') as { inc: unknown }).inc).toEqual(oracle);
      });
    }), { numRuns: 150 });
  });
});
