import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  barExit, clampStop, entryPrice, floorStep, levelsOf, rawStop, regimeOf, roundtripCost, sizeQty, stopFill, timeStopPrice, tradeResult,
} from '../../engines/fills.ts';

// Goal: the fill model of SPEC §17 as closed forms: entry at the next open with slippage, stop
// distance by regime and its clamp, stop-market gap fills, exact limit fills, the both-touched
// rule, the time stop, fees, R multiples and sizing.
// Method: hand-computed values, plus a property test of floor_step against an integer oracle.

const SLIP = 1e-4;
const MULT = { LOW: 1.0, MEDIUM: 1.5, HIGH: 2.0 };

describe('engines > fills > entry and stop distance', () => {
  it('fills a market entry at O*(1 + d*slip)', () => {
    expect(entryPrice(50_000, 1, SLIP)).toBeCloseTo(50_005, 9);
    expect(entryPrice(50_000, -1, SLIP)).toBeCloseTo(49_995, 9);
  });

  it('scales ATR or sigma by regime and clamps into [max(5 bps, 4*roundtrip), 150 bps]', () => {
    expect(regimeOf('LOW_VOL')).toBe('LOW');
    expect(regimeOf('HIGH_VOL')).toBe('HIGH');
    expect(regimeOf('UNKNOWN')).toBeNull();
    expect([rawStop(300, 'LOW', MULT), rawStop(300, 'MEDIUM', MULT), rawStop(300, 'HIGH', MULT)]).toEqual([300, 450, 600]);
    expect(rawStop(null, 'LOW', MULT)).toBeNaN();
    expect(rawStop(NaN, 'LOW', MULT)).toBeNaN();
    const rt = roundtripCost(0.001, 0.001, SLIP);
    expect(rt).toBeCloseTo(0.0022, 15);
    // 4 x 22 bps = 88 bps of 50 000 = 440 USDT; 150 bps = 750 USDT.
    expect(clampStop(300, 50_000, 5e-4, 4, rt, 0.015)).toBeCloseTo(440, 9);
    expect(clampStop(450, 50_000, 5e-4, 4, rt, 0.015)).toBe(450);
    expect(clampStop(900, 50_000, 5e-4, 4, rt, 0.015)).toBeCloseTo(750, 9);
    expect(clampStop(10, 50_000, 5e-4, 0, rt, 0.015)).toBeCloseTo(25, 9);
    expect(() => clampStop(10, 50_000, 0.02, 0, rt, 0.015)).toThrow(/inverted/);
  });

  it('places SL and TP at E -/+ D and E +/- RR*D', () => {
    expect(levelsOf(50_005, 1, 450, 2)).toEqual({ sl: 49_555, tp: 50_905 });
    expect(levelsOf(49_995, -1, 450, 2)).toEqual({ sl: 50_445, tp: 49_095 });
  });
});

describe('engines > fills > exits', () => {
  const L = { sl: 49_555, tp: 50_905 };
  const bar = (o: number, h: number, l: number, c: number) => ({ o, h, l, c });

  it('gives no exit when neither level is reached', () => {
    expect(barExit(1, bar(50_000, 50_904, 49_556, 50_100), L.sl, L.tp, SLIP, null)).toBeNull();
  });

  it('fills a long stop at min(O, SL)*(1 - slip): at the level, or at the open through a gap', () => {
    expect(barExit(1, bar(50_000, 50_100, 49_500, 49_600), L.sl, L.tp, SLIP, null)).toEqual({ reason: 'SL', price: 49_555 * (1 - SLIP), both: false });
    expect(barExit(1, bar(49_400, 49_450, 49_300, 49_420), L.sl, L.tp, SLIP, null)).toEqual({ reason: 'SL', price: 49_400 * (1 - SLIP), both: false });
    expect(stopFill(-1, 51_000, 50_445, SLIP)).toBe(51_000 * (1 + SLIP));
    expect(stopFill(-1, 50_000, 50_445, SLIP)).toBe(50_445 * (1 + SLIP));
  });

  it('fills a take-profit exactly at TP, never better, even through a gap', () => {
    expect(barExit(1, bar(50_500, 51_000, 50_400, 50_950), L.sl, L.tp, SLIP, null)).toEqual({ reason: 'TP', price: 50_905, both: false });
    expect(barExit(1, bar(51_200, 51_300, 51_100, 51_250), L.sl, L.tp, SLIP, null)).toEqual({ reason: 'TP', price: 50_905, both: false });
    expect(barExit(-1, bar(49_500, 49_600, 49_000, 49_100), 50_445, 49_095, SLIP, null)?.price).toBe(49_095);
  });

  it('when both levels lie in one bar: SL first unless the tape (or the open) says otherwise', () => {
    const both = bar(50_000, 51_000, 49_000, 50_000);
    expect(barExit(1, both, L.sl, L.tp, SLIP, null)).toEqual({ reason: 'SL', price: 49_555 * (1 - SLIP), both: true });
    expect(barExit(1, both, L.sl, L.tp, SLIP, 'SL')?.reason).toBe('SL');
    expect(barExit(1, both, L.sl, L.tp, SLIP, 'TP')).toEqual({ reason: 'TP', price: 50_905, both: true });
    // An open already beyond a level traded first, whatever the mode.
    expect(barExit(1, bar(49_500, 51_000, 49_000, 50_000), L.sl, L.tp, SLIP, 'TP')?.reason).toBe('SL');
    expect(barExit(1, bar(51_000, 51_100, 49_000, 50_000), L.sl, L.tp, SLIP, 'SL')?.reason).toBe('TP');
    expect(barExit(-1, bar(50_000, 51_000, 49_000, 50_000), 50_445, 49_095, SLIP, null)?.reason).toBe('SL');
  });

  it('exits a time stop at C*(1 - d*slip)', () => {
    expect(timeStopPrice(1, 50_200, SLIP)).toBe(50_200 * (1 - SLIP));
    expect(timeStopPrice(-1, 50_200, SLIP)).toBe(50_200 * (1 + SLIP));
  });
});

describe('engines > fills > costs, R and size', () => {
  it('charges fees on both notionals and gives R_gross = d*(X-E)/D_SL, R_net = net/(qty*D_SL)', () => {
    const r = tradeResult(1, 50_005, 50_905, 1.11111, 450, 0.001, 0.001);
    const feeIn = 50_005 * 1.11111 * 0.001;
    const feeOut = 50_905 * 1.11111 * 0.001;
    expect(r.fee_entry_usdt).toBeCloseTo(feeIn, 9);
    expect(r.fees_usdt).toBeCloseTo(feeIn + feeOut, 9);
    expect(r.pnl_usdt).toBeCloseTo(900 * 1.11111 - feeIn - feeOut, 9);
    expect(r.r_gross).toBe(2);
    expect(r.r_net).toBeCloseTo((900 * 1.11111 - feeIn - feeOut) / (1.11111 * 450), 12);
    const s = tradeResult(-1, 49_995, 50_445 * 1.0001, 2, 450, 0.001, 0);
    expect(s.r_gross).toBeCloseTo(-(50_445 * 1.0001 - 49_995) / 450, 12);
    expect(s.fee_exit_usdt).toBe(0);
    expect(s.pnl_usdt).toBeCloseTo(-(50_445 * 1.0001 - 49_995) * 2 - 49_995 * 2 * 0.001, 9);
  });

  it('sizes qty = floor_step(equity*0.005/D_SL) in 0.00001 BTC lots', () => {
    expect(sizeQty(100_000, 0.005, 450, 0.00001)).toBe(1.11111);
    expect(sizeQty(100_000, 0.005, 440, 0.00001)).toBe(1.13636);
    expect(sizeQty(1, 0.005, 1_000, 0.00001)).toBe(0);
    expect(floorStep(0.00003, 0.00001)).toBe(0.00003);
    expect(floorStep(0.3, 0.1)).toBe(0.3);
    expect(() => floorStep(1, 0.3)).toThrow(/divide 1/);
  });

  it('floor_step agrees with an integer-lot oracle', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), fc.integer({ min: 0, max: 999 }), (lots, frac) => {
      // x = (lots + frac/1000) lots of 1e-5: the answer is lots/1e5, the nearest double to that decimal.
      const x = (lots + frac / 1000) / 100_000;
      expect(floorStep(x, 0.00001)).toBe(lots / 100_000);
    }), { numRuns: 2000 });
  });
});
