import { TICKS_PER_USDT } from './book.ts';
import type { EmitLabel, Running } from './episodes.ts';
import type { Market } from './market.ts';

// Compression then breakout: 20-40 minutes in which the fair price barely moves (vol x0.12,
// pulled to its start and held inside a band of 2.5-4 bps either side, fewer trades), then a
// 4-8 minute breakout that drifts 25-50 bps (at least three sd of the window's noise) one way,
// front-loaded, with heavier volume and order flow leaning the same way. The label's box is the traded range of the compression.

const BATCHES_PER_MINUTE = 600;

export class Compression implements Running {
  private phase = 0;
  private i = 0;
  private readonly nComp: number;
  private readonly nBreak: number;
  private readonly center: number;
  private readonly halfWidth: number;
  private readonly dir: number;
  private readonly move: number;
  private readonly startUs: number;
  private compEndUs = 0;
  private boxLo = Infinity;
  private boxHi = -Infinity;
  private extreme = NaN;

  constructor(m: Market, private readonly emit: EmitLabel) {
    const rng = m.rng;
    this.nComp = Math.round(rng.between(20, 40) * BATCHES_PER_MINUTE);
    this.nBreak = Math.round(rng.between(4, 8) * BATCHES_PER_MINUTE);
    this.center = m.F;
    this.halfWidth = m.F * rng.between(2.5, 4) * 1e-4;
    this.dir = rng.chance(0.5) ? 1 : -1;
    // The move beats three standard deviations of the breakout window, so noise cannot hide it.
    const noise = m.F * m.sigma * Math.sqrt(this.nBreak);
    this.move = Math.max(m.F * rng.between(25, 50) * 1e-4, 3 * noise);
    this.startUs = m.T;
  }

  control(m: Market): void {
    const c = m.ctl;
    if (this.phase === 0) {
      c.volMult = 0.12;
      c.anchor = this.center;
      c.anchorK = 0.002;
      c.lo = this.center - this.halfWidth;
      c.hi = this.center + this.halfWidth;
      c.intensity = 0.55;
    } else {
      // Front-loaded: the drift falls linearly to zero, so half the move is done in 30% of the time.
      c.drift = (this.dir * this.move * 2 * (1 - this.i / this.nBreak)) / this.nBreak;
      c.intensity = 2.2;
      c.sideBias = this.dir * 1.5;
    }
  }

  orders(): void {}

  after(m: Market): boolean {
    const t = m.taker;
    if (this.phase === 0) {
      if (t.batchTrades > 0) {
        this.boxLo = Math.min(this.boxLo, t.batchMin);
        this.boxHi = Math.max(this.boxHi, t.batchMax);
      }
      if (++this.i >= this.nComp) {
        this.phase = 1;
        this.i = 0;
        this.compEndUs = m.stamp;
      }
      return false;
    }
    if (t.batchTrades > 0) {
      const x = this.dir > 0 ? t.batchMax : t.batchMin;
      if (Number.isNaN(this.extreme) || this.dir * (x - this.extreme) > 0) this.extreme = x;
    }
    if (++this.i < this.nBreak) return false;
    this.label(m);
    return true;
  }

  private label(m: Market): void {
    const lo = this.boxLo / TICKS_PER_USDT;
    const hi = this.boxHi / TICKS_PER_USDT;
    this.emit({
      kind: 'compression_breakout',
      start_us: this.startUs,
      end_us: m.stamp,
      side: null,
      price: this.dir > 0 ? hi : lo,
      lo,
      hi,
      meta: {
        direction: this.dir > 0 ? 'UP' : 'DOWN',
        compression_end_us: this.compEndUs,
        box_width_bps: round2((1e4 * (this.boxHi - this.boxLo)) / this.center),
        breakout_move_bps: round2((1e4 * this.move) / this.center),
        breakout_extreme: this.extreme / TICKS_PER_USDT,
      },
    });
  }
}

/** Returns x rounded to 2 decimals (label metadata meant for people). */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
