import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { swNew, swPush, swQuantile } from '../../providers/sorted-window.ts';
import { rqNew, rqPush, rqQuantile } from '../../providers/rolling-quantile.ts';

// Goal: the small-window exact rolling quantile equals sorting the last `cap` values, and equals
// rolling-quantile.ts to the bit (the vacuum baseline moved from one to the other). Method:
// fast-check sequences with many repeated values, compared after every push.

function naive(values: number[], cap: number, q: number): number {
  const w = values.slice(-cap).sort((a, b) => a - b);
  const h = (w.length - 1) * q;
  const lo = Math.floor(h);
  return lo + 1 >= w.length || h === lo ? w[lo] : w[lo] + (h - lo) * (w[lo + 1] - w[lo]);
}

describe('providers > sorted window', () => {
  it('matches sorting the window and the block structure after every push', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 40 }),
      fc.array(fc.oneof(fc.integer({ min: 0, max: 5 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 300 }),
      fc.constantFrom(0, 0.05, 0.5, 0.95, 1),
      (cap, xs, q) => {
        const w = swNew(cap);
        const r = rqNew(cap);
        xs.forEach((x, i) => {
          swPush(w, x);
          rqPush(r, x);
          const want = naive(xs.slice(0, i + 1), cap, q);
          expect(swQuantile(w, q)).toBe(want);
          expect(swQuantile(w, q)).toBe(rqQuantile(r, q));
        });
        expect(w.size).toBe(Math.min(cap, xs.length));
      },
    ), { numRuns: 300 });
  });

  it('is empty-safe, rejects non-finite values, and survives structuredClone', () => {
    const w = swNew(3);
    expect(swQuantile(w, 0.5)).toBeNaN();
    expect(() => swPush(w, NaN)).toThrow(/finite/);
    [3, 1, 2, 5].forEach((x) => swPush(w, x));
    const copy = structuredClone(w);
    swPush(copy, 0);
    swPush(w, 0);
    expect(swQuantile(copy, 0.5)).toBe(swQuantile(w, 0.5));
    expect(swQuantile(w, 0.5)).toBe(2);
  });
});
