import { LOTS_PER_BTC, TICKS_PER_USDT } from './book.ts';
import { round2 } from './ep-compression.ts';
import type { EmitLabel, Running } from './episodes.ts';
import type { Market } from './market.ts';

// A rejection at the day VWAP. Approach: over 4-8 minutes the fair price is pulled to 6-10 bps
// from the day VWAP on the side it is on, held there quietly. Rejection minute: from the next
// minute's open the price is driven through the VWAP to 1-3 bps beyond it in 8-15 s by sellers
// (buyers above a support, mirrored under a resistance), then bought back hard: 4-8 BTC of
// takers lift it back to its open within 20 s, where it stays to the close. The minute shows a
// long wick through the level, a close back on the level's side and heavy flow the other way.
// The label's price is the level (the generator's own day VWAP at the spike), lo/hi the minute's
// traded range.

const BATCHES_PER_MINUTE = 600;

export class LevelRejection implements Running {
  private phase = 0;
  private i = 0;
  private level = NaN;
  private dir = 0;
  private readonly nApproach: number;
  private readonly gapBps: number;
  private readonly overBps: number;
  private readonly nDown: number;
  private readonly nUp: number;
  private readonly buyBtc: number;
  private open = 0;
  private low = 0;
  private spikeUs = 0;
  private readonly startUs: number;
  private lo = Infinity;
  private hi = -Infinity;
  private bought = 0;

  constructor(m: Market, private readonly emit: EmitLabel) {
    const rng = m.rng;
    this.nApproach = Math.round(rng.between(4, 8) * BATCHES_PER_MINUTE);
    this.gapBps = rng.between(6, 10);
    this.overBps = rng.between(1, 3);
    this.nDown = 80 + rng.int(70);
    this.nUp = 120 + rng.int(80);
    this.buyBtc = rng.between(4, 8);
    this.startUs = m.T;
  }

  private target(m: Market): number {
    const v = m.taker.dayVwap();
    if (this.dir === 0) this.dir = Number.isNaN(v) || m.F >= v ? 1 : -1;
    return (Number.isNaN(v) ? m.F : v) * (1 + (this.dir * this.gapBps) / 1e4);
  }

  control(m: Market): void {
    const c = m.ctl;
    if (this.phase === 0) {
      c.anchor = this.target(m);
      c.anchorK = 8 / this.nApproach;
      c.volMult = 0.5;
      c.intensity = 0.8;
    } else if (this.phase === 1) {
      // Waiting for the next minute's open, held near the approach price.
      c.anchor = this.target(m);
      c.anchorK = 0.05;
      c.volMult = 0.3;
      c.intensity = 0.5;
    } else if (this.phase === 2) {
      c.pin = this.open + ((this.low - this.open) * (this.i + 1)) / this.nDown;
      c.sideBias = -this.dir * 2;
      c.intensity = 3;
    } else {
      const k = Math.min(1, (this.i + 1) / this.nUp);
      c.pin = this.low + (this.open - this.low) * k + this.dir * 0.5;
      c.sideBias = this.dir * 2;
      c.intensity = 2;
    }
  }

  orders(m: Market): void {
    // The buy-back (sell-back under a resistance): sized IOC orders while the price climbs.
    if (this.phase !== 3 || this.i >= this.nUp || this.bought >= this.buyBtc * LOTS_PER_BTC) return;
    const rng = m.rng;
    const k = rng.poisson((2.5 * this.buyBtc) / this.nUp / 0.5);
    for (let j = 0; j < k; j++) {
      const lots = Math.round(rng.between(0.2, 0.8) * LOTS_PER_BTC);
      this.bought += lots;
      m.taker.queue(rng.int(100), this.dir > 0, lots, Math.round(m.ctl.pin) + this.dir * 3);
    }
  }

  after(m: Market): boolean {
    const t = m.taker;
    if (this.phase >= 2 && t.batchTrades > 0) {
      this.lo = Math.min(this.lo, t.batchMin);
      this.hi = Math.max(this.hi, t.batchMax);
    }
    this.i++;
    const batchInMinute = Math.round((m.T % 60_000_000) / 100_000);
    if (this.phase === 0 && this.i >= this.nApproach) {
      this.phase = 1;
      this.i = 0;
    } else if (this.phase === 1 && batchInMinute === BATCHES_PER_MINUTE - 1) {
      // The next batch opens a minute: the spike starts there, through the VWAP as it is now.
      const v = m.taker.dayVwap();
      this.level = Number.isNaN(v) ? m.F : v;
      this.open = m.F;
      this.low = this.level * (1 - (this.dir * this.overBps) / 1e4);
      this.phase = 2;
      this.i = 0;
      this.spikeUs = m.T + 100_000;
    } else if (this.phase === 2 && this.i >= this.nDown) {
      this.phase = 3;
      this.i = 0;
    } else if (this.phase === 3 && batchInMinute === BATCHES_PER_MINUTE - 1) {
      this.label(m);
      return true;
    }
    return false;
  }

  private label(m: Market): void {
    this.emit({
      kind: 'level_rejection',
      start_us: this.startUs,
      end_us: m.stamp,
      side: this.dir > 0 ? 'BID' : 'ASK',
      price: round2(this.level / TICKS_PER_USDT),
      lo: this.lo / TICKS_PER_USDT,
      hi: this.hi / TICKS_PER_USDT,
      meta: {
        direction: this.dir > 0 ? 'UP' : 'DOWN',
        level: 'vwap_day',
        spike_us: this.spikeUs,
        open: round2(this.open / TICKS_PER_USDT),
        overshoot_bps: round2(this.overBps),
        bought_btc: round2(this.bought / LOTS_PER_BTC),
      },
    });
  }
}
