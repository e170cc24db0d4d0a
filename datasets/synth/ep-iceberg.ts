import { ASK, BID, LOTS_PER_BTC, TICKS_PER_USDT } from './book.ts';
import { round2 } from './ep-compression.ts';
import type { EmitLabel, Running } from './episodes.ts';
import type { Market } from './market.ts';

// An iceberg: the best bid (or ask) shows a fixed peak D; each time takers hit it, it refills to
// D one or two batches later (100-300 ms after the trades; later when the level trades again
// in the refill batch, since a traded level is not touched in its own batch). The fair price is
// pinned one half tick off the level so the touch stays there, extra takers hit it at about
// 1.5 orders per second, and ordinary takers on that side stop at its price. It ends once the
// executed volume reaches 10-25 times the peak and 55-80 times the median level size (or after
// 3 minutes).

const MAX_BATCHES = 1800;
const EXTRA_ORDERS_PER_BATCH = 0.15;

export class Iceberg implements Running {
  private readonly side: number;
  private readonly display: number;
  private readonly target: number;
  private p = NaN;
  private i = 0;
  private executed = 0;
  private refills = 0;
  private hits = 0;
  private refillAt = -1;
  private startUs = 0;
  private lastUs = 0;

  constructor(m: Market, private readonly emit: EmitLabel) {
    const rng = m.rng;
    this.side = rng.int(2);
    this.display = Math.round(rng.between(0.6, 2) * LOTS_PER_BTC);
    // Hidden volume well above the P95 of top-of-book sizes (about 26x the level median), so a
    // detector with q_min = that P95 (SPEC §7) can see it.
    const floor = m.cfg.levelQtyBtc * 55 * LOTS_PER_BTC * rng.between(1, 1.5);
    this.target = Math.round(Math.max(this.display * rng.between(10, 25), floor));
  }

  control(m: Market): void {
    if (Number.isNaN(this.p)) return;
    const c = m.ctl;
    const bid = this.side === BID;
    c.pin = bid ? this.p + 0.5 : this.p - 0.5;
    c.intensity = 0.6;
    c.sideBias = bid ? -0.6 : 0.6;
    if (bid) c.sellLimit = this.p;
    else c.buyLimit = this.p;
  }

  orders(m: Market): void {
    if (Number.isNaN(this.p)) return;
    const rng = m.rng;
    const k = rng.poisson(EXTRA_ORDERS_PER_BATCH);
    for (let j = 0; j < k; j++) {
      const lots = Math.round(this.display * rng.between(0.25, 1));
      m.taker.queue(rng.int(100), this.side === ASK, lots, this.p);
    }
  }

  after(m: Market): boolean {
    const b = m.book;
    const side = this.side;
    if (Number.isNaN(this.p)) {
      const px = b.best(side);
      if (b.isLocked(side, px)) return false;
      this.p = px;
      b.set(side, px, this.display);
      b.guard(side, px);
      this.startUs = m.stamp;
      this.lastUs = m.stamp;
      return false;
    }
    this.i++;
    const traded = b.tradedAt(side, this.p);
    if (traded > 0) {
      this.executed += traded;
      this.hits++;
      this.lastUs = m.stamp;
      if (this.refillAt < 0) this.refillAt = this.i + 1 + (m.rng.chance(0.5) ? 1 : 0);
    }
    const finishing = this.executed >= this.target || this.i >= MAX_BATCHES;
    if (!finishing && this.refillAt >= 0 && this.i >= this.refillAt && !b.isLocked(side, this.p)) {
      b.set(side, this.p, this.display);
      this.refills++;
      this.refillAt = -1;
      this.lastUs = m.stamp;
    }
    if (!finishing) return false;
    b.unguard(side, this.p);
    this.label();
    return true;
  }

  private label(): void {
    this.emit({
      kind: 'iceberg',
      start_us: this.startUs,
      end_us: this.lastUs,
      side: this.side === BID ? 'BID' : 'ASK',
      price: this.p / TICKS_PER_USDT,
      meta: {
        display_btc: this.display / LOTS_PER_BTC,
        executed_btc: this.executed / LOTS_PER_BTC,
        hidden_btc: round2((this.executed - this.display) / LOTS_PER_BTC),
        refills: this.refills,
        hit_batches: this.hits,
      },
    });
  }
}
