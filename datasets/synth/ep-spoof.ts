import { ASK, BID, LOTS_PER_BTC, TICKS_PER_USDT } from './book.ts';
import { round2 } from './ep-compression.ts';
import type { EmitLabel, Running } from './episodes.ts';
import type { Market } from './market.ts';

// Spoof-like flicker orders: 20-60 BTC placed on an empty price 4-25 bps from the mid (far
// outside the top two levels), cancelled 0.5-3 s later without trading. In 40% of the groups
// three or four such orders go on one side at distinct prices, added within 1.2 s of each
// other and cancelled within 0.8 s of each other (layering). The fair price is held near the
// mid meanwhile, and an order is cancelled early if the touch still comes within 2 bps of it,
// so it never trades. One label per order.

interface Member {
  px: number;
  lots: number;
  distBps: number;
  addAt: number;
  cancelAt: number;
  state: 0 | 1 | 2;
  addUs: number;
  cancelUs: number;
  placedBps: number;
}

export class Spoof implements Running {
  private readonly side: number;
  private readonly members: Member[] = [];
  private readonly layering: boolean;
  private i = 0;
  private anchor = NaN;

  constructor(m: Market, private readonly emit: EmitLabel, private readonly group: number) {
    const rng = m.rng;
    this.side = rng.int(2);
    this.layering = rng.chance(0.4);
    const n = this.layering ? 3 + rng.int(2) : 1;
    const adds: number[] = [];
    while (adds.length < n) {
      const a = adds.length === 0 ? 0 : rng.int(13);
      if (!adds.includes(a)) adds.push(a);
    }
    adds.sort((x, y) => x - y);
    const dists: number[] = [];
    while (dists.length < n) {
      const d = rng.between(4, 25);
      if (dists.every((x) => Math.abs(x - d) >= 1.5)) dists.push(d);
    }
    const base = adds[n - 1] + 5 + rng.int(6);
    for (let k = 0; k < n; k++) {
      const cancelAt = this.layering ? Math.max(adds[k] + 5, base + rng.int(9)) : adds[k] + 5 + rng.int(26);
      this.members.push({
        px: NaN, lots: Math.round(rng.between(20, 60) * LOTS_PER_BTC), distBps: dists[k], addAt: adds[k],
        cancelAt, state: 0, addUs: 0, cancelUs: 0, placedBps: 0,
      });
    }
  }

  /** Holds the fair price near the mid for the few seconds of the group, so the touch stays away. */
  control(m: Market): void {
    if (Number.isNaN(this.anchor)) {
      this.anchor = m.mid();
      m.F = this.anchor;
    }
    const c = m.ctl;
    c.anchor = this.anchor;
    c.anchorK = 0.05;
    c.volMult = 0.3;
  }

  orders(): void {}

  after(m: Market): boolean {
    let open = 0;
    for (const s of this.members) {
      if (s.state === 0 && this.i >= s.addAt) this.place(m, s);
      if (s.state === 1 && (this.i >= s.cancelAt || this.tooClose(m, s.px)) && !m.book.isLocked(this.side, s.px)) {
        m.book.set(this.side, s.px, 0);
        m.book.unguard(this.side, s.px);
        s.state = 2;
        s.cancelUs = m.stamp;
      }
      if (s.state !== 2) open++;
    }
    this.i++;
    if (open > 0) return false;
    for (const s of this.members) this.label(s);
    return true;
  }

  private place(m: Market, s: Member): void {
    const mid = m.mid();
    const dir = this.side === BID ? -1 : 1;
    let px = Math.round(mid * (1 + (dir * s.distBps) / 1e4));
    for (let k = 0; k < 500 && !m.maker.canAdd(this.side, px); k++) px += dir;
    m.book.set(this.side, px, s.lots);
    m.book.guard(this.side, px);
    s.px = px;
    s.state = 1;
    s.addUs = m.stamp;
    s.placedBps = (1e4 * Math.abs(px - mid)) / mid;
  }

  private tooClose(m: Market, px: number): boolean {
    const best = m.book.best(this.side);
    return (1e4 * Math.abs(px - best)) / best < 2;
  }

  private label(s: Member): void {
    this.emit({
      kind: 'spoof',
      start_us: s.addUs,
      end_us: s.cancelUs,
      side: this.side === ASK ? 'ASK' : 'BID',
      price: s.px / TICKS_PER_USDT,
      meta: {
        size_btc: s.lots / LOTS_PER_BTC,
        distance_bps: round2(s.placedBps),
        life_ms: (s.cancelUs - s.addUs) / 1000,
        layering: this.layering,
        group: this.group,
        members: this.members.length,
      },
    });
  }
}
