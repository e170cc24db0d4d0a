import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binAdd, binsNew, profileStats, type Bins } from '../../providers/volume-profile-math.ts';

// Goal: the bin map (bin numbers kept sorted beside their lots, a bin at zero removed) holds
// exactly the lots of a naive keyed model after any sequence of adds and exact removals (as the
// rolling profile expires minutes), and its statistics equal those of a map built afresh from
// that model, to the bit.
// Method: fast-check sequences of adds and removals over a narrow bin range (so bins empty and
// come back, at the edges and inside); after every step compare the arrays with the model's
// sorted keys and values, and profileStats of both maps with toEqual.

/** A bin map built from scratch from a keyed model (zero bins left out). */
function binsOf(model: Map<number, number>): Bins {
  const b = binsNew();
  for (const k of [...model.keys()].sort((x, y) => x - y)) {
    const v = model.get(k) as number;
    if (v === 0) continue;
    b.bin.push(k);
    b.lots.push(v);
  }
  return b;
}

describe('providers > volume-profile > bin map', () => {
  it('adds and removals keep it sorted, without zero bins, equal to a keyed model and to a map built afresh', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ bin: fc.integer({ min: 5990, max: 6030 }), lots: fc.integer({ min: 1, max: 400_000 }), undo: fc.boolean() }), { minLength: 1, maxLength: 80 }),
      fc.constantFrom(1, 2),
      (ops, rows) => {
        const bins = binsNew();
        const model = new Map<number, number>();
        const added: Array<{ bin: number; lots: number }> = [];
        for (const op of ops) {
          let bin = op.bin;
          let lots = op.lots;
          if (op.undo && added.length > 0) {
            // Take back an earlier add entirely, as an expired minute is subtracted.
            ({ bin, lots } = added.splice(op.lots % added.length, 1)[0]);
            lots = -lots;
          } else {
            added.push({ bin, lots });
          }
          binAdd(bins, bin, lots);
          model.set(bin, (model.get(bin) ?? 0) + lots);
          const fresh = binsOf(model);
          expect(bins.bin).toEqual(fresh.bin);
          expect(bins.lots).toEqual(fresh.lots);
          expect(bins.lots.every((v) => v > 0)).toBe(true);
          expect(profileStats(bins, 10, 100_000, rows, 0.7)).toEqual(profileStats(fresh, 10, 100_000, rows, 0.7));
        }
      },
    ), { numRuns: 300 });
  });

  it('reads bins on both sides of zero in numeric order', () => {
    const bins = binsNew();
    for (const [bin, lots] of [[-3, 5], [2, 40], [-1, 60], [0, 35]]) binAdd(bins, bin, lots);
    expect(bins.bin).toEqual([-3, -1, 0, 2]);
    const st = profileStats(bins, 10, 100, 1, 0.7);
    expect(st).toMatchObject({ poc_usdt: -5, val_usdt: -10, vah_usdt: 30, total_btc: 1.4 });
  });

  it('holds lot sums beyond 2^31 exactly (a day of BTC in 0.00001 lots)', () => {
    const bins = binsNew();
    for (let i = 0; i < 5; i++) binAdd(bins, 4400, 1_000_000_000);
    binAdd(bins, 4401, 3);
    expect(bins.lots).toEqual([5_000_000_000, 3]);
    expect(profileStats(bins, 10, 100_000, 2, 0.7)).toMatchObject({ poc_usdt: 44_005, total_btc: 50_000.00003 });
  });
});
