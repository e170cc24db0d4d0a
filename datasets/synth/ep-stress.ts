import { TICKS_PER_USDT } from './book.ts';
import { round2 } from './ep-compression.ts';
import type { EmitLabel, Running } from './episodes.ts';
import type { Market } from './market.ts';

// A stress exhaustion and reversal, like a liquidation cascade. Burst: for 4-6 minutes takers
// arrive at 25-35 times the usual rate, almost all on one side (away from the day VWAP), and
// the fair price runs 90-140 bps that way, so every minute closes far from the last and order
// imbalance (VPIN) jumps. Absorption: for 18-24 minutes the heavy two-sided flow goes on at the
// extreme while the price holds within a bp or two of it (minute closes barely change, so the
// imbalance of the volume falls back), with takers now leaning against the burst. Reversal: for
// 6-10 minutes the flow calms and the price gives back 30-50% of the burst. The label spans all
// three phases; its price is the burst's extreme, lo/hi the burst's range.

const BATCHES_PER_MINUTE = 600;

export class StressReversal implements Running {
  private phase = 0;
  private i = 0;
  private readonly dir: number;
  private readonly nBurst: number;
  private readonly nHold: number;
  private readonly nRev: number;
  private readonly move: number;
  private readonly rate: number;
  private readonly giveBack: number;
  private readonly p0: number;
  private readonly startUs: number;
  private readonly vwap0: number;
  private top = NaN;
  private extreme = NaN;
  private burstEndUs = 0;
  private holdEndUs = 0;

  constructor(m: Market, private readonly emit: EmitLabel) {
    const rng = m.rng;
    const vwap = m.taker.dayVwap();
    // Away from the day VWAP, so the burst stretches price far from it.
    this.dir = Number.isNaN(vwap) || m.F === vwap ? (rng.chance(0.5) ? 1 : -1) : Math.sign(m.F - vwap);
    this.nBurst = Math.round(rng.between(4, 6) * BATCHES_PER_MINUTE);
    this.nHold = Math.round(rng.between(18, 24) * BATCHES_PER_MINUTE);
    this.nRev = Math.round(rng.between(6, 10) * BATCHES_PER_MINUTE);
    this.move = m.F * rng.between(90, 140) * 1e-4;
    this.rate = rng.between(25, 35);
    this.giveBack = rng.between(0.3, 0.5);
    this.p0 = m.F;
    this.vwap0 = vwap;
    this.startUs = m.T;
  }

  control(m: Market): void {
    const c = m.ctl;
    if (this.phase === 0) {
      // A steady run, pinned batch by batch so the touch follows it.
      c.pin = this.p0 + (this.dir * this.move * (this.i + 1)) / this.nBurst;
      c.intensity = this.rate;
      c.sideBias = this.dir * 4;
    } else if (this.phase === 1) {
      // Absorption: the price hovers within about a bp of the top while volume stays heavy.
      c.pin = this.top + this.dir * 0.5 + Math.round(m.rng.normal() * this.top * 0.5e-4);
      c.intensity = this.rate * 0.9;
      c.sideBias = -this.dir * 0.6;
    } else {
      c.anchor = this.top - this.dir * this.giveBack * this.move;
      c.anchorK = 6 / this.nRev;
      c.volMult = 0.6;
      c.intensity = 3;
      c.sideBias = -this.dir * 1.2;
    }
  }

  orders(): void {}

  after(m: Market): boolean {
    const t = m.taker;
    if (this.phase === 0 && t.batchTrades > 0) {
      const x = this.dir > 0 ? t.batchMax : t.batchMin;
      if (Number.isNaN(this.extreme) || this.dir * (x - this.extreme) > 0) this.extreme = x;
    }
    this.i++;
    if (this.phase === 0 && this.i >= this.nBurst) {
      this.phase = 1;
      this.i = 0;
      this.top = Math.round(this.p0 + this.dir * this.move);
      this.burstEndUs = m.stamp;
    } else if (this.phase === 1 && this.i >= this.nHold) {
      this.phase = 2;
      this.i = 0;
      this.holdEndUs = m.stamp;
    } else if (this.phase === 2 && this.i >= this.nRev) {
      this.label(m);
      return true;
    }
    return false;
  }

  private label(m: Market): void {
    const x = this.extreme;
    this.emit({
      kind: 'stress_reversal',
      start_us: this.startUs,
      end_us: m.stamp,
      side: null,
      price: x / TICKS_PER_USDT,
      lo: Math.min(this.p0, x) / TICKS_PER_USDT,
      hi: Math.max(this.p0, x) / TICKS_PER_USDT,
      meta: {
        direction: this.dir > 0 ? 'UP' : 'DOWN',
        p0: round2(this.p0 / TICKS_PER_USDT),
        day_vwap_at_start: Number.isNaN(this.vwap0) ? null : round2(this.vwap0 / TICKS_PER_USDT),
        burst_end_us: this.burstEndUs,
        hold_end_us: this.holdEndUs,
        burst_move_bps: round2((1e4 * this.move) / this.p0),
        rate_mult: round2(this.rate),
        give_back_frac: round2(this.giveBack),
      },
    });
  }
}
