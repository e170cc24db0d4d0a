import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binAdd, boundedStats, boundsAdd, boundsNew, profileStats, type Bins } from '../../providers/volume-profile-math.ts';

// Goal: the per-bar statistics read from a bin map through loose bounds on its bin numbers
// equal profileStats of the same map (which lists, parses and sorts its keys), to the bit, and
// the bounds are tightened to the bins present.
// Method: fast-check sequences of adds and exact removals (as the rolling profile expires
// minutes), so edge bins empty and the bounds go loose; after every step both statistics are
// compared with toEqual, and the tightened bounds with the smallest and largest key.

describe('providers > volume-profile > bounded statistics', () => {
  it('equals profileStats after adds and removals that empty edge bins', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ bin: fc.integer({ min: 5990, max: 6030 }), lots: fc.integer({ min: 1, max: 400_000 }), undo: fc.boolean() }), { minLength: 1, maxLength: 80 }),
      fc.constantFrom(1, 2),
      (ops, rows) => {
        const bins: Bins = {};
        const b = boundsNew();
        const added: Array<{ bin: number; lots: number }> = [];
        for (const op of ops) {
          if (op.undo && added.length > 0) {
            // Take back an earlier add entirely, as an expired minute is subtracted.
            const { bin, lots } = added.splice(op.lots % added.length, 1)[0];
            binAdd(bins, bin, -lots);
          } else {
            binAdd(bins, op.bin, op.lots);
            boundsAdd(b, op.bin);
            added.push({ bin: op.bin, lots: op.lots });
          }
          expect(boundedStats(bins, b, 10, 100_000, rows, 0.7)).toEqual(profileStats(bins, 10, 100_000, rows, 0.7));
          const keys = Object.keys(bins).map(Number);
          if (keys.length === 0) expect(b).toEqual({ lo: Infinity, hi: -Infinity });
          else expect(b).toEqual({ lo: Math.min(...keys), hi: Math.max(...keys) });
        }
      },
    ), { numRuns: 300 });
  });

  it('reads bins on both sides of zero in numeric order', () => {
    const bins: Bins = {};
    const b = boundsNew();
    for (const [bin, lots] of [[-3, 5], [2, 40], [-1, 60], [0, 35]]) {
      binAdd(bins, bin, lots);
      boundsAdd(b, bin);
    }
    const st = boundedStats(bins, b, 10, 100, 1, 0.7);
    expect(st).toEqual(profileStats(bins, 10, 100, 1, 0.7));
    expect(st).toMatchObject({ poc_usdt: -5, val_usdt: -10, vah_usdt: 30, total_btc: 1.4 });
  });
});
