import { US_PER_DAY, dayFloor } from '../core/time.ts';

// SPEC §18, report metrics as pure functions. The market trades 24/7, so a year is 365 days
// (8760 hours). Undefined results are null, never NaN: a Sharpe ratio of a flat series, a profit
// factor without trades. Sums run in input order, so results are bit-identical across runs.

export interface EquityPoint {
  ts_us: number;
  equity: number;
}

export interface DayEquity {
  /** Start of the UTC day, µs. */
  day_us: number;
  /** Equity at the 00:00 UTC that ends the day: the last mark at or before it. */
  equity: number;
}

/**
 * Returns the equity at the end of each UTC day, carrying the last mark through days without one
 * (flat days are days). The first mark is the starting equity; a mark exactly at 00:00 is the
 * equity "at 00:00", so it closes the day before (and a first mark at 00:00 opens its day).
 * Marks must be in time order.
 */
export function dailyEquity(marks: readonly EquityPoint[]): DayEquity[] {
  const out: DayEquity[] = [];
  if (marks.length === 0) return out;
  const dayOf = (ts: number) => dayFloor(ts - 1);
  let day = dayFloor(marks[0].ts_us);
  let equity = marks[0].equity;
  for (let i = 1; i < marks.length; i++) {
    const m = marks[i];
    if (m.ts_us < marks[i - 1].ts_us) throw new Error(`equity marks must be in time order, mark ${i} was earlier`);
    const d = dayOf(m.ts_us);
    for (; day < d; day += US_PER_DAY) out.push({ day_us: day, equity });
    equity = m.equity;
  }
  const last = dayOf(marks[marks.length - 1].ts_us);
  for (; day <= last; day += US_PER_DAY) out.push({ day_us: day, equity });
  return out;
}

/**
 * Returns daily returns r_d = E_d/E_{d-1} - 1 at 00:00 UTC, flat days included (SPEC §18). The first
 * mark is the starting equity E_0, so the first day's return runs from it to that day's close.
 */
export function dailyReturns(equityByBar: readonly EquityPoint[]): number[] {
  const days = dailyEquity(equityByBar);
  const r: number[] = [];
  let prev = equityByBar.length > 0 ? equityByBar[0].equity : NaN;
  for (const d of days) {
    r.push(d.equity / prev - 1);
    prev = d.equity;
  }
  return r;
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Returns the sample standard deviation (ddof=1), two-pass; NaN below two values. */
export function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

/** Returns the annualized Sharpe ratio mean(r)/sd(r)*sqrt(periodsPerYear), rf = 0; null when undefined. */
export function sharpe(r: readonly number[], periodsPerYear = 365): number | null {
  const sd = sampleSd(r);
  if (!(sd > 0)) return null;
  return (mean(r) / sd) * Math.sqrt(periodsPerYear);
}

/**
 * Returns the annualized Sortino ratio, empyrical convention: mean(r - mar)/DD*sqrt(periodsPerYear)
 * with DD = sqrt(mean(min(0, r - mar)^2)) over all periods. Infinity with no downside and a
 * positive mean; null with no data or with neither downside nor a positive mean.
 */
export function sortino(r: readonly number[], mar = 0, periodsPerYear = 365): number | null {
  if (r.length === 0) return null;
  let s = 0;
  let down = 0;
  for (const x of r) {
    const e = x - mar;
    s += e;
    if (e < 0) down += e * e;
  }
  const m = s / r.length;
  const dd = Math.sqrt(down / r.length);
  if (dd === 0) return m > 0 ? Infinity : null;
  return (m / dd) * Math.sqrt(periodsPerYear);
}

export interface Drawdown {
  /** Maximum drawdown as a fraction of the running peak, max_t (1 - E_t/max_{s<=t} E_s). */
  mdd: number;
  /** Bars from the peak to the recovery (the first later bar back at the peak), or to the last bar. */
  durationBars: number;
  peakIndex: number;
  troughIndex: number;
  /** Index of the recovery, or null when the equity never got back to the peak. */
  recoveryIndex: number | null;
}

/** Returns the maximum drawdown of a bar-level equity curve with its peak, trough and duration. */
export function maxDrawdown(equity: readonly number[]): Drawdown {
  let peak = 0;
  let best: Drawdown = { mdd: 0, durationBars: 0, peakIndex: 0, troughIndex: 0, recoveryIndex: null };
  if (equity.length === 0) return best;
  for (let t = 1; t < equity.length; t++) {
    if (equity[t] > equity[peak]) peak = t;
    const dd = 1 - equity[t] / equity[peak];
    if (dd > best.mdd) best = { mdd: dd, durationBars: 0, peakIndex: peak, troughIndex: t, recoveryIndex: null };
  }
  if (best.mdd > 0) {
    const top = equity[best.peakIndex];
    for (let t = best.troughIndex + 1; t < equity.length && best.recoveryIndex === null; t++) {
      if (equity[t] >= top) best.recoveryIndex = t;
    }
    best.durationBars = (best.recoveryIndex ?? equity.length - 1) - best.peakIndex;
  }
  return best;
}

/** Returns the compound annual growth rate (E_end/E_0)^(365/days) - 1; null when undefined. */
export function cagr(equityStart: number, equityEnd: number, days: number): number | null {
  if (!(equityStart > 0) || !(days > 0) || equityEnd < 0) return null;
  return Math.pow(equityEnd / equityStart, 365 / days) - 1;
}

/** Returns the Calmar ratio CAGR/MDD; null when either is undefined or MDD is 0. */
export function calmar(cagrValue: number | null, mdd: number): number | null {
  if (cagrValue === null || !(mdd > 0)) return null;
  return cagrValue / mdd;
}

export interface TradeRecord {
  pnl: number;
  r_net: number;
  bars_held: number;
}

export interface TradeStats {
  trades: number;
  win_rate: number | null;
  /** Gross profit / |gross loss|: Infinity with profits and no losses, null with no trades or no P&L at all. */
  profit_factor: number | null;
  expectancy_usdt: number | null;
  avg_r: number | null;
  avg_bars_held: number | null;
  exposure: number | null;
  net_pnl: number;
}

/** Returns the per-trade statistics of SPEC §18 (net of fees and slippage). */
export function tradeStats(trades: readonly TradeRecord[], totalBars: number, barsInPosition: number): TradeStats {
  const n = trades.length;
  let wins = 0;
  let gain = 0;
  let loss = 0;
  let rSum = 0;
  let held = 0;
  let net = 0;
  for (const t of trades) {
    net += t.pnl;
    if (t.pnl > 0) {
      wins++;
      gain += t.pnl;
    } else if (t.pnl < 0) {
      loss -= t.pnl;
    }
    rSum += t.r_net;
    held += t.bars_held;
  }
  let pf: number | null = null;
  if (n > 0 && loss > 0) pf = gain / loss;
  else if (n > 0 && gain > 0) pf = Infinity;
  return {
    trades: n,
    win_rate: n > 0 ? wins / n : null,
    profit_factor: pf,
    expectancy_usdt: n > 0 ? net / n : null,
    avg_r: n > 0 ? rSum / n : null,
    avg_bars_held: n > 0 ? held / n : null,
    exposure: totalBars > 0 ? barsInPosition / totalBars : null,
    net_pnl: net,
  };
}
