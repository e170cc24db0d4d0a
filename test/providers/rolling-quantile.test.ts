import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  rqClear, rqCountLE, rqKth, rqNew, rqPctRank, rqPush, rqQuantile, rqSorted,
} from '../../providers/rolling-quantile.ts';

// Goal: the blocked rolling quantile is exact: after every push it holds the last `cap` values,
// sorted, and its order statistics, type-7 quantiles and counts equal those of the window.
// Method: fast-check drives random sequences (with many ties, small blocks so splits and merges
// happen often) and compares each answer with a naive oracle that sorts the last `cap` values.

/** Type-7 quantile of a sorted array (R's default), the oracle. */
function type7(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  if (lo + 1 >= sorted.length || h === lo) return sorted[lo];
  return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
}

const values = fc.array(fc.integer({ min: 0, max: 40 }).map((v) => v / 4), { minLength: 1, maxLength: 400 });
const QS = [0, 0.05, 0.5, 0.95, 0.99, 1];

describe('providers > rolling-quantile', () => {
  it('matches sorting the window after every push', () => {
    fc.assert(fc.property(values, fc.integer({ min: 1, max: 50 }), fc.integer({ min: 4, max: 12 }), (xs, cap, blockMax) => {
      const r = rqNew(cap, { blockMax });
      xs.forEach((x, i) => {
        rqPush(r, x);
        const window = xs.slice(Math.max(0, i + 1 - cap), i + 1).sort((a, b) => a - b);
        expect(rqSorted(r)).toEqual(window);
        expect(r.blocks.every((b) => b.length > 0 && b.length <= blockMax)).toBe(true);
        for (const q of QS) expect(rqQuantile(r, q)).toBe(type7(window, q));
        const k = i % window.length;
        expect(rqKth(r, k)).toBe(window[k]);
        expect(rqCountLE(r, x)).toBe(window.filter((v) => v <= x).length);
        expect(rqPctRank(r, 2.5)).toBe(window.filter((v) => v <= 2.5).length / window.length);
      });
    }), { numRuns: 200 });
  });

  it('keeps the P99 of a 10,000 window exact over a long run with evictions', () => {
    // A deterministic LCG gives a heavy-tailed stream like level increments (many small, few large).
    let seed = 7;
    const next = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const r = rqNew(10_000);
    const xs: number[] = [];
    for (let i = 0; i < 25_000; i++) {
      const x = Math.round(Math.exp(next() * 8)) / 1000;
      xs.push(x);
      rqPush(r, x);
    }
    const window = xs.slice(-10_000).sort((a, b) => a - b);
    expect(rqQuantile(r, 0.99)).toBe(type7(window, 0.99));
    expect(rqQuantile(r, 0.5)).toBe(type7(window, 0.5));
    expect(r.blocks.length).toBeGreaterThan(10);
  });

  it('is empty after clear, returns NaN on an empty window, and rejects non-finite values', () => {
    const r = rqNew(3);
    expect(rqQuantile(r, 0.5)).toBeNaN();
    expect(rqPctRank(r, 1)).toBeNaN();
    [5, 1, 3, 2].forEach((x) => rqPush(r, x));
    expect(rqSorted(r)).toEqual([1, 2, 3]);
    expect(rqQuantile(r, 0.5)).toBe(2);
    rqClear(r);
    expect(r.size).toBe(0);
    expect(rqQuantile(r, 0.5)).toBeNaN();
    rqPush(r, 4);
    expect(rqQuantile(r, 0.5)).toBe(4);
    expect(() => rqPush(r, NaN)).toThrow(/finite/);
    expect(() => rqNew(0)).toThrow(/cap/);
  });

  it('survives a structuredClone snapshot: the copy continues exactly like the original', () => {
    const a = rqNew(20, { blockMax: 4 });
    for (let i = 0; i < 50; i++) rqPush(a, (i * 7) % 11 / 2);
    const b = structuredClone(a);
    for (let i = 0; i < 50; i++) {
      rqPush(a, (i * 5) % 13 / 3);
      rqPush(b, (i * 5) % 13 / 3);
    }
    expect(b).toEqual(a);
    expect(rqQuantile(b, 0.9)).toBe(rqQuantile(a, 0.9));
  });
});
