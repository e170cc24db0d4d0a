import { assert } from '../core/assert.ts';

// The bar-based fill model of SPEC §17 as pure functions. Prices in USDT, quantities in BTC,
// fractions (not bps) unless a name says `_bps`. `d` is the direction: +1 LONG, -1 SHORT.

export type Regime = 'LOW' | 'MEDIUM' | 'HIGH';
export type ExitReason = 'SL' | 'TP' | 'TIME';

export interface BarOHLC {
  o: number;
  h: number;
  l: number;
  c: number;
}

export interface Exit {
  reason: ExitReason;
  price: number;
  /** Both SL and TP lay inside this bar's range. */
  both: boolean;
}

/** Returns the market entry fill at the next bar's open: E = O*(1 + d*slip). */
export function entryPrice(open: number, d: number, slip: number): number {
  return open * (1 + d * slip);
}

/** Returns the round-trip cost fraction of a taker entry and exit with slippage on both legs. */
export function roundtripCost(feeEntry: number, feeExit: number, slip: number): number {
  return feeEntry + feeExit + 2 * slip;
}

/** Returns the regime of a volatility state ('LOW_VOL' → 'LOW', ...), or null when unknown. */
export function regimeOf(volState: string | null): Regime | null {
  if (volState === 'LOW_VOL') return 'LOW';
  if (volState === 'MEDIUM_VOL') return 'MEDIUM';
  if (volState === 'HIGH_VOL') return 'HIGH';
  return null;
}

/** Returns the unclamped stop distance: mult[regime] x base (ATR14 or sigma_5m_usdt); NaN when base is missing. */
export function rawStop(base: number | null, regime: Regime, mult: Record<Regime, number>): number {
  return base === null || !Number.isFinite(base) || base <= 0 ? NaN : mult[regime] * base;
}

/** Returns D_SL clamped into [price*lo, price*hi] with lo = max(minFrac, costMult*roundtrip), hi = maxFrac. */
export function clampStop(raw: number, price: number, minFrac: number, costMult: number, roundtrip: number, maxFrac: number): number {
  const lo = price * Math.max(minFrac, costMult * roundtrip);
  const hi = price * maxFrac;
  assert(lo <= hi, `stop bounds are inverted: lower ${lo} > upper ${hi}`);
  return Math.min(hi, Math.max(lo, raw));
}

/** Returns SL = E - d*D and TP = E + d*RR*D. */
export function levelsOf(entry: number, d: number, dsl: number, rr: number): { sl: number; tp: number } {
  return { sl: entry - d * dsl, tp: entry + d * rr * dsl };
}

/** Returns floor_step(x): the largest multiple of `step` at or below x, exact in decimal lots. */
export function floorStep(x: number, step: number): number {
  const perUnit = Math.round(1 / step);
  assert(Math.abs(perUnit * step - 1) < 1e-12, `qty step must divide 1, was ${step}`);
  // A guard of a few ulps keeps x = n*step (rounded in binary) from flooring to n-1.
  const v = x * perUnit;
  const lots = Math.floor(v + Math.abs(v) * 4 * Number.EPSILON);
  return lots <= 0 ? 0 : lots / perUnit;
}

/** Returns the position size qty = floor_step(equity*risk/D_SL). */
export function sizeQty(equity: number, risk: number, dsl: number, step: number): number {
  return floorStep((equity * risk) / dsl, step);
}

/** Returns the stop-market fill: min(O, SL)*(1 - slip) for a long, max(O, SL)*(1 + slip) for a short. */
export function stopFill(d: number, open: number, sl: number, slip: number): number {
  return d > 0 ? Math.min(open, sl) * (1 - slip) : Math.max(open, sl) * (1 + slip);
}

/** Returns whether the bar reaches the stop level. */
export function stopTouched(d: number, bar: BarOHLC, sl: number): boolean {
  return d > 0 ? bar.l <= sl : bar.h >= sl;
}

/** Returns whether the bar reaches the take-profit level. */
export function targetTouched(d: number, bar: BarOHLC, tp: number): boolean {
  return d > 0 ? bar.h >= tp : bar.l <= tp;
}

/**
 * Returns the SL/TP exit in one bar, or null. When both levels lie in the bar, an open already at
 * or beyond a level decides (it traded first); otherwise `first` decides ('SL' in bar mode, the
 * first raw trade at or beyond a level in tape mode, 'SL' when the tape saw neither).
 */
export function barExit(d: number, bar: BarOHLC, sl: number, tp: number, slip: number, first: 'SL' | 'TP' | null): Exit | null {
  const hitSl = stopTouched(d, bar, sl);
  const hitTp = targetTouched(d, bar, tp);
  if (!hitSl && !hitTp) return null;
  let reason: 'SL' | 'TP' = hitSl ? 'SL' : 'TP';
  if (hitSl && hitTp) {
    if (d * (bar.o - sl) <= 0) reason = 'SL';
    else if (d * (bar.o - tp) >= 0) reason = 'TP';
    else reason = first ?? 'SL';
  }
  // A take-profit is a limit order: exactly at TP, never better, no slippage.
  const price = reason === 'SL' ? stopFill(d, bar.o, sl, slip) : tp;
  return { reason, price, both: hitSl && hitTp };
}

/** Returns the time-stop market exit at the close: C*(1 - d*slip). */
export function timeStopPrice(d: number, close: number, slip: number): number {
  return close * (1 - d * slip);
}

export interface TradeResult {
  fee_entry_usdt: number;
  fee_exit_usdt: number;
  fees_usdt: number;
  pnl_usdt: number;
  r_gross: number;
  r_net: number;
}

/** Returns fees, net PnL, R_gross = d*(X - E)/D_SL and R_net = net_pnl/(qty*D_SL) (SPEC §17). */
export function tradeResult(d: number, entry: number, exit: number, qty: number, dsl: number, feeEntry: number, feeExit: number): TradeResult {
  const fee_entry_usdt = entry * qty * feeEntry;
  const fee_exit_usdt = exit * qty * feeExit;
  const fees_usdt = fee_entry_usdt + fee_exit_usdt;
  const pnl_usdt = d * (exit - entry) * qty - fees_usdt;
  return {
    fee_entry_usdt, fee_exit_usdt, fees_usdt, pnl_usdt,
    r_gross: (d * (exit - entry)) / dsl,
    r_net: pnl_usdt / (qty * dsl),
  };
}
