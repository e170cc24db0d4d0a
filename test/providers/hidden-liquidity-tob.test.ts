import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rqCountLE, rqKth, rqNew, rqPush, rqQuantile } from '../../providers/rolling-quantile.ts';

// Goal: the band mode of rolling-quantile.ts, which holds hidden liquidity's q_min samples
// (the P95 of 172,800 top-of-book sizes), is exact whatever the band: every rank, quantile
// and count equals that of the sorted window, while only a band around the asked rank is
// sorted, and ties (a quiet book) do not make it rebuild on every read.
// Method: fast-check drives random sequences (many ties, drift) with random reads and
// compares each answer with a sorting oracle and with the plain mode; a long drifting stream
// checks the band stays small; structuredClone checks the state continues exactly.

/** Type-7 quantile of a sorted array (R's default), the oracle. */
function type7(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  if (lo + 1 >= sorted.length || h === lo) return sorted[lo];
  return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
}

const step = fc.record({
  x: fc.integer({ min: 0, max: 60 }).map((v) => v / 4),
  q: fc.constantFrom(0, 0.05, 0.5, 0.95, 0.99, 1),
  k: fc.nat(),
});

describe('providers > hidden-liquidity q_min window (rolling-quantile band mode)', () => {
  it('answers every read exactly, like sorting the window', () => {
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 80 }),
      fc.constantFrom(0.01, 0.1, 0.3), (steps, cap, band) => {
        const r = rqNew(cap, { band, blockMax: 6 });
        const plain = rqNew(cap, { blockMax: 6 });
        const xs: number[] = [];
        steps.forEach(({ x, q, k }, i) => {
          rqPush(r, x);
          rqPush(plain, x);
          xs.push(x);
          const window = xs.slice(Math.max(0, i + 1 - cap)).sort((a, b) => a - b);
          expect(r.size).toBe(window.length);
          // Reads in a varying order, so the band moves between far apart ranks.
          if (i % 3 === 0) expect(rqKth(r, k % window.length)).toBe(window[k % window.length]);
          expect(rqQuantile(r, q)).toBe(type7(window, q));
          expect(rqQuantile(r, q)).toBe(rqQuantile(plain, q));
          if (i % 4 === 1) expect(rqCountLE(r, x)).toBe(window.filter((v) => v <= x).length);
          expect(r.lowCount + r.highCount + r.blocks.reduce((n, b) => n + b.length, 0)).toBe(window.length);
        });
      }), { numRuns: 300 });
  });

  it('keeps only a narrow band sorted over a long drifting stream', () => {
    // A random walk with noise, so the P95 moves and the band must follow it.
    let seed = 5;
    const next = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const cap = 5_000;
    const r = rqNew(cap, { band: 0.01 });
    const plain = rqNew(cap);
    let level = 10;
    let widest = 0;
    for (let i = 0; i < 30_000; i++) {
      level = Math.max(1, level + (next() - 0.5) * 0.2);
      const x = Math.round((level + next() * 5) * 1000) / 1000;
      rqPush(r, x);
      rqPush(plain, x);
      if (i % 7 === 0) {
        expect(rqQuantile(r, 0.95)).toBe(rqQuantile(plain, 0.95));
        widest = Math.max(widest, r.size - r.lowCount - r.highCount);
      }
    }
    // A margin of 1 % (50 ranks) each side: the band never grows past 4 margins plus a rebuild's.
    expect(widest).toBeLessThan(cap / 10);
    expect(widest).toBeGreaterThan(50);
  });

  it('does not rebuild a band made wide by ties on every read', () => {
    // Nine values in ten are 1: the band around the median holds all of them, 90 % of the window.
    const r = rqNew(1_000, { band: 0.01 });
    for (let i = 0; i < 3_000; i++) rqPush(r, i % 10 === 0 ? 2 : 1);
    expect(rqQuantile(r, 0.5)).toBe(1);
    expect(r.size - r.lowCount - r.highCount).toBe(900);
    // A rebuild replaces the blocks array; later pushes and reads of the same mix keep it.
    const blocks = r.blocks;
    for (let i = 0; i < 500; i++) {
      rqPush(r, i % 10 === 0 ? 2 : 1);
      expect(rqQuantile(r, 0.5)).toBe(1);
    }
    expect(r.blocks).toBe(blocks);
  });

  it('continues exactly after a structuredClone and validates its options', () => {
    const a = rqNew(40, { band: 0.05, blockMax: 4 });
    for (let i = 0; i < 90; i++) {
      rqPush(a, ((i * 7) % 23) / 2);
      if (i % 5 === 0) rqQuantile(a, 0.95);
    }
    const b = structuredClone(a);
    for (let i = 0; i < 90; i++) {
      rqPush(a, ((i * 5) % 17) / 3);
      rqPush(b, ((i * 5) % 17) / 3);
      expect(rqQuantile(b, 0.95)).toBe(rqQuantile(a, 0.95));
    }
    expect(b).toEqual(a);
    expect(rqQuantile(rqNew(5, { band: 0.1 }), 0.5)).toBeNaN();
    expect(() => rqNew(5, { band: 1 })).toThrow(/band/);
  });
});
