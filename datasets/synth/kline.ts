import type { Kline } from '../../core/event.ts';
import { LOTS_PER_BTC, TICKS_PER_USDT } from './book.ts';

// 1m klines aggregated exactly from the generated trades. Sums are kept in integer ticks and
// lots (quote sums in tick*lot units, below 2^53 for any realistic minute), so v, q, V and Q are
// the correctly rounded doubles of the exact decimal sums.

const QUOTE_UNITS = TICKS_PER_USDT * LOTS_PER_BTC;

export class KlineAgg {
  private o = 0;
  private h = 0;
  private l = 0;
  private c = 0;
  private n = 0;
  private vLots = 0;
  private qUnits = 0;
  private buyLots = 0;
  private buyUnits = 0;

  /** `lastClose` is the price (ticks) an empty first minute opens and closes at. */
  constructor(private lastClose: number) {}

  /** Adds one trade (price in ticks, size in lots). */
  add(px: number, lots: number, takerBuy: boolean): void {
    if (this.n === 0) {
      this.o = px;
      this.h = px;
      this.l = px;
    } else {
      if (px > this.h) this.h = px;
      if (px < this.l) this.l = px;
    }
    this.c = px;
    this.n++;
    this.vLots += lots;
    this.qUnits += px * lots;
    if (takerBuy) {
      this.buyLots += lots;
      this.buyUnits += px * lots;
    }
  }

  /** Returns the kline of the minute opening at `t` and starts the next minute. */
  close(t: number): Kline {
    if (this.n === 0) {
      const p = this.lastClose / TICKS_PER_USDT;
      return { t, o: p, h: p, l: p, c: p, v: 0, q: 0, n: 0, V: 0, Q: 0 };
    }
    const k: Kline = {
      t,
      o: this.o / TICKS_PER_USDT,
      h: this.h / TICKS_PER_USDT,
      l: this.l / TICKS_PER_USDT,
      c: this.c / TICKS_PER_USDT,
      v: this.vLots / LOTS_PER_BTC,
      q: this.qUnits / QUOTE_UNITS,
      n: this.n,
      V: this.buyLots / LOTS_PER_BTC,
      Q: this.buyUnits / QUOTE_UNITS,
    };
    this.lastClose = this.c;
    this.n = 0;
    this.vLots = 0;
    this.qUnits = 0;
    this.buyLots = 0;
    this.buyUnits = 0;
    return k;
  }
}
