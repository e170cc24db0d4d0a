import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  cagr, calmar, dailyEquity, dailyReturns, maxDrawdown, sharpe, sortino, tradeStats,
} from '../../reports/metrics.ts';

// Goal: the report metrics of SPEC §18 give the SPEC's worked examples exactly and behave at the
// edges (no data, flat series, no losses, no trades, unrecovered drawdowns, empty days).
// Method: closed forms and the SPEC reference values; a brute-force O(n^2) drawdown oracle
// under fast-check; hand-built equity marks around 00:00 UTC for the daily returns.

const R = [0.01, -0.02, 0.015, 0, -0.005, 0.02, -0.01];
const DAY = 86_400_000_000;
const T0 = Date.UTC(2024, 0, 1) * 1000;

function equityFrom(r: number[], e0 = 1): number[] {
  const e = [e0];
  for (const x of r) e.push(e[e.length - 1] * (1 + x));
  return e;
}

describe('reports > metrics > SPEC §18 reference values', () => {
  it('gives Sharpe 1.901801, Sortino 3.151503 and MDD 2.000% for the worked returns', () => {
    expect(sharpe(R)!.toFixed(6)).toBe('1.901801');
    expect(sortino(R)!.toFixed(6)).toBe('3.151503');
    const dd = maxDrawdown(equityFrom(R));
    expect((dd.mdd * 100).toFixed(3)).toBe('2.000');
    // The peak is after +1% (index 1), the trough after -2% (index 2), and +2% on day 6 recovers it.
    expect(dd).toMatchObject({ peakIndex: 1, troughIndex: 2, recoveryIndex: 6, durationBars: 5 });
  });

  it('gives avg_R 0.2, win rate 0.4 and PF 1.3333 for the worked trades', () => {
    const rs = [2, -1, -1, 2, -1];
    const pnl = [200, -100, -100, 200, -100];
    const st = tradeStats(rs.map((r, i) => ({ r_net: r, pnl: pnl[i], bars_held: i + 1 })), 100, 15);
    expect(st.avg_r).toBeCloseTo(0.2, 15);
    expect(st.win_rate).toBe(0.4);
    expect(st.profit_factor!.toFixed(4)).toBe('1.3333');
    expect(st).toMatchObject({ trades: 5, expectancy_usdt: 20, net_pnl: 100, exposure: 0.15, avg_bars_held: 3 });
    // Tharp's identity: avg_R = win_rate*avgR_win - (1-win_rate)*|avgR_loss|.
    expect(st.avg_r).toBeCloseTo(0.4 * 2 - 0.6 * 1, 15);
  });
});

describe('reports > metrics > edge cases', () => {
  it('returns null Sharpe for fewer than two returns or zero variance; scales with periods per year', () => {
    expect(sharpe([])).toBeNull();
    expect(sharpe([0.01])).toBeNull();
    expect(sharpe([0.01, 0.01, 0.01])).toBeNull();
    expect(sharpe(R, 8760)! / sharpe(R)!).toBeCloseTo(Math.sqrt(8760 / 365), 12);
  });

  it('gives Sortino Infinity with no downside, null without data, and honours MAR', () => {
    expect(sortino([0.01, 0.02])).toBe(Infinity);
    expect(sortino([])).toBeNull();
    expect(sortino([0, 0])).toBeNull();
    // With MAR = 0.01 the excess returns are [0, -0.01]: mean -0.005, DD = sqrt(0.0001/2).
    expect(sortino([0.01, 0], 0.01, 1)).toBeCloseTo(-0.005 / Math.sqrt(0.00005), 12);
  });

  it('reports an unrecovered drawdown to the last bar, and none for a rising curve', () => {
    const dd = maxDrawdown([1, 2, 1.5, 1, 1.2]);
    expect(dd).toEqual({ mdd: 0.5, durationBars: 3, peakIndex: 1, troughIndex: 3, recoveryIndex: null });
    expect(maxDrawdown([1, 2, 3])).toEqual({ mdd: 0, durationBars: 0, peakIndex: 0, troughIndex: 0, recoveryIndex: null });
    expect(maxDrawdown([]).mdd).toBe(0);
  });

  it('matches a brute-force drawdown oracle on random curves', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0.5, max: 2, noNaN: true }), { minLength: 1, maxLength: 60 }), (xs) => {
      let oracle = 0;
      for (let t = 0; t < xs.length; t++) for (let s = 0; s <= t; s++) oracle = Math.max(oracle, 1 - xs[t] / xs[s]);
      const dd = maxDrawdown(xs);
      expect(dd.mdd).toBeCloseTo(oracle, 14);
      if (dd.mdd > 0) expect(1 - xs[dd.troughIndex] / xs[dd.peakIndex]).toBe(dd.mdd);
    }));
  });

  it('computes CAGR and Calmar from their closed forms', () => {
    expect(cagr(100, 121, 730)).toBeCloseTo(0.1, 14);
    expect(cagr(100, 110, 365)).toBeCloseTo(0.1, 14);
    expect(cagr(0, 110, 365)).toBeNull();
    expect(cagr(100, 110, 0)).toBeNull();
    expect(calmar(0.1, 0.05)).toBeCloseTo(2, 14);
    expect(calmar(0.1, 0)).toBeNull();
    expect(calmar(null, 0.05)).toBeNull();
  });

  it('gives PF Infinity with no losses, null with no trades, and no exposure without bars', () => {
    const noLoss = tradeStats([{ pnl: 5, r_net: 0.5, bars_held: 2 }, { pnl: 0, r_net: 0, bars_held: 1 }], 10, 3);
    expect(noLoss).toMatchObject({ profit_factor: Infinity, win_rate: 0.5, net_pnl: 5, exposure: 0.3 });
    const none = tradeStats([], 0, 0);
    expect(none).toEqual({
      trades: 0, win_rate: null, profit_factor: null, expectancy_usdt: null, avg_r: null,
      avg_bars_held: null, exposure: null, net_pnl: 0,
    });
    expect(tradeStats([{ pnl: 0, r_net: 0, bars_held: 1 }], 1, 1).profit_factor).toBeNull();
    expect(tradeStats([{ pnl: -3, r_net: -1, bars_held: 1 }], 1, 1).profit_factor).toBe(0);
  });
});

describe('reports > metrics > daily returns at 00:00 UTC', () => {
  it('takes the last mark of each UTC day and includes flat days without marks', () => {
    const close = (day: number, min: number) => T0 + day * DAY + min * 60_000_000 + 59_999_000;
    const marks = [
      { ts_us: close(0, 0), equity: 100 },
      { ts_us: close(0, 600), equity: 105 },
      { ts_us: close(0, 1439), equity: 110 },
      // Day 1 has no marks: a flat day. Day 2 moves.
      { ts_us: close(2, 10), equity: 99 },
      { ts_us: close(2, 1439), equity: 121 },
    ];
    expect(dailyEquity(marks).map((d) => [d.day_us, d.equity])).toEqual([
      [T0, 110], [T0 + DAY, 110], [T0 + 2 * DAY, 121],
    ]);
    const r = dailyReturns(marks);
    expect(r).toHaveLength(3);
    expect(r[0]).toBeCloseTo(0.1, 15);
    expect(r[1]).toBe(0);
    expect(r[2]).toBeCloseTo(0.1, 15);
  });

  it('counts a mark exactly at 00:00 as the close of the day before, and a first one as the start', () => {
    const marks = [
      { ts_us: T0, equity: 100 },
      { ts_us: T0 + DAY / 2, equity: 90 },
      { ts_us: T0 + DAY, equity: 102 },
      { ts_us: T0 + DAY + 1, equity: 50 },
    ];
    expect(dailyEquity(marks)).toEqual([{ day_us: T0, equity: 102 }, { day_us: T0 + DAY, equity: 50 }]);
    expect(dailyReturns(marks)[0]).toBeCloseTo(0.02, 15);
    expect(dailyReturns([])).toEqual([]);
    expect(dailyReturns([{ ts_us: T0, equity: 1 }])).toEqual([]);
    expect(() => dailyReturns([{ ts_us: T0 + 5, equity: 1 }, { ts_us: T0, equity: 1 }])).toThrow(/time order/);
  });

  it('feeds Sharpe: the worked returns as one mark per day give the SPEC value', () => {
    const e = equityFrom(R, 1000);
    const marks = e.map((equity, i) => ({ ts_us: T0 + i * DAY, equity }));
    const r = dailyReturns(marks);
    expect(r).toHaveLength(7);
    r.forEach((x, i) => expect(x).toBeCloseTo(R[i], 14));
    expect(sharpe(r)!.toFixed(6)).toBe('1.901801');
  });
});
