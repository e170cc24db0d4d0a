import { ASK, BID, LOTS_PER_BTC, TICKS_PER_USDT } from './book.ts';
import { round2 } from './ep-compression.ts';
import { Vacuum } from './ep-vacuum.ts';
import type { EmitLabel } from './episodes.ts';
import type { VacuumZone } from './maker.ts';
import type { Market } from './market.ts';

// A sweep: a vacuum (labelled as one) that, after 3-8 s, aggressive takers run through in 1-3 s
// to 1-3 bps beyond the void, one IOC order per 100 ms batch with a limit that steps from the
// touch to the target while the fair price follows it. The vacuum ends there; over the next
// 60-110 s the price is pulled back toward a level 60-85% of the way to where the sweep began,
// and held there for the last 15% of that time; in its first 25 s takers unwind against the sweep
// (about 5 BTC, never past that level), so the reclaim shows in the order flow. If the touch has already passed the void when
// the sweep is due, the episode ends as a plain vacuum.

const REVERSE_BATCHES = 250;
const REVERSE_ORDERS_PER_BATCH = 0.04;

export class Sweep extends Vacuum {
  private phase = 0;
  private readonly nSweep: number;
  private readonly nRetrace: number;
  private readonly retraceFrac: number;
  private p0 = 0;
  private target = 0;
  private extreme = NaN;
  private retraceTo = 0;
  private sweepUs = 0;
  private voidLo = 0;
  private voidHi = 0;

  constructor(m: Market, emit: EmitLabel) {
    super(m, emit, m.rng.between(3, 8));
    this.nSweep = 10 + m.rng.int(21);
    this.nRetrace = Math.round(m.rng.between(60, 110) * 10);
    this.retraceFrac = m.rng.between(0.6, 0.85);
  }

  private limitAt(j: number): number {
    return Math.round(this.p0 + ((this.target - this.p0) * (j + 1)) / this.nSweep);
  }

  override control(m: Market): void {
    const c = m.ctl;
    if (this.phase === 0) super.control(m);
    else if (this.phase === 1) c.pin = this.limitAt(this.i) + this.dir * 0.5;
    else if (this.i < 0.85 * this.nRetrace) {
      c.anchor = this.retraceTo;
      c.anchorK = 8 / this.nRetrace;
      c.volMult = 0.3;
      c.sideBias = -this.dir;
    } else {
      // The last 15% holds the price at the retrace level, so the episode ends where it says.
      c.pin = Math.round(this.retraceTo) + 0.5;
    }
  }

  override orders(m: Market): void {
    if (this.phase === 1) m.taker.queue(0, this.side === ASK, 500 * LOTS_PER_BTC, this.limitAt(this.i));
    else if (this.phase === 2 && this.i < REVERSE_BATCHES) {
      // Trapped sweepers unwind: orders against the sweep, stopping at the retrace level.
      const rng = m.rng;
      const k = rng.poisson(REVERSE_ORDERS_PER_BATCH);
      for (let j = 0; j < k; j++) {
        const lots = Math.round(rng.between(0.2, 0.8) * LOTS_PER_BTC);
        m.taker.queue(rng.int(100), this.side !== ASK, lots, Math.round(this.retraceTo));
      }
    }
  }

  override after(m: Market): boolean {
    if (this.phase === 0) {
      if (!this.started) this.begin(m);
      else if (++this.i >= this.nThin) return this.startSweep(m);
      return false;
    }
    if (this.phase === 1) {
      const t = m.taker;
      if (t.batchTrades > 0) {
        const x = this.dir > 0 ? t.batchMax : t.batchMin;
        if (Number.isNaN(this.extreme) || this.dir * (x - this.extreme) > 0) this.extreme = x;
      }
      if (++this.i < this.nSweep) return false;
      this.end(m, true);
      this.retraceTo = this.extreme - this.retraceFrac * (this.extreme - this.p0);
      this.phase = 2;
      this.i = 0;
      return false;
    }
    if (++this.i < this.nRetrace) return false;
    this.label(m);
    return true;
  }

  /** Starts the sweep; if the touch has moved past the void, ends as a plain vacuum instead. */
  private startSweep(m: Market): boolean {
    const z = this.zone as VacuumZone;
    const best = m.book.best(this.side);
    if (this.side === ASK ? !(best < z.voidLo) : !(best > z.voidHi)) {
      this.end(m, false);
      return true;
    }
    this.phase = 1;
    this.i = 0;
    this.p0 = m.book.best(this.side);
    this.voidLo = z.voidLo;
    this.voidHi = z.voidHi;
    const beyond = Math.round(this.p0 * m.rng.between(1, 3) * 1e-4);
    this.target = this.side === ASK ? z.voidHi + beyond : z.voidLo - beyond;
    // The first sweep order runs at offset 0 of the next batch.
    this.sweepUs = m.T + 100_000;
    return false;
  }

  private label(m: Market): void {
    const x = this.extreme;
    const last = m.taker.lastPx;
    this.emit({
      kind: 'sweep',
      start_us: this.sweepUs,
      end_us: m.stamp,
      side: this.side === BID ? 'BID' : 'ASK',
      price: x / TICKS_PER_USDT,
      lo: Math.min(this.p0, x) / TICKS_PER_USDT,
      hi: Math.max(this.p0, x) / TICKS_PER_USDT,
      meta: {
        direction: this.dir > 0 ? 'UP' : 'DOWN',
        p0: this.p0 / TICKS_PER_USDT,
        extreme: x / TICKS_PER_USDT,
        retrace_target: round2(this.retraceTo / TICKS_PER_USDT),
        retrace_frac: round2((x - last) / (x - this.p0)),
        sweep_ms: this.nSweep * 100,
        void_lo: this.voidLo / TICKS_PER_USDT,
        void_hi: this.voidHi / TICKS_PER_USDT,
      },
    });
  }
}
