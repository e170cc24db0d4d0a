import { ASK, BID, LOTS_PER_BTC, TICKS_PER_USDT, type SynthBook } from './book.ts';
import { round2 } from './ep-compression.ts';
import type { EmitLabel, Running } from './episodes.ts';
import { LEVEL_CAP_LOTS, type VacuumZone } from './maker.ts';
import type { Market } from './market.ts';

// Liquidity vacuums. A vacuum thins one side: every level within 30 bps of the mid
// keeps only 12-22% of its size, and a void 1.5-5 bps wide (at least 10 ticks), starting 1.5-3
// bps behind the touch, is emptied; while it lasts (5-60 s) the makers respect both, the fair
// price is held at the mid it started from and ordinary takers stop short of the void. Then the
// band is scaled back up and the void refilled. Sweeps (ep-sweep.ts) build on it.

const BAND_BPS = 30;
const LABEL_BAND_BPS = 25;

/** Returns the lots on one side within `bps` of `mid` (ticks). */
export function bandLots(book: SynthBook, side: number, mid: number, bps: number): number {
  const edge = side === BID ? mid * (1 - bps * 1e-4) : mid * (1 + bps * 1e-4);
  let sum = 0;
  for (let i = 0; i < book.count(side); i++) {
    const p = book.px(side, i);
    if (side === BID ? p < edge : p > edge) break;
    sum += book.qty(side, i);
  }
  return sum;
}

export class Vacuum implements Running {
  protected readonly side: number;
  protected readonly dir: number;
  protected zone: VacuumZone | null = null;
  protected started = false;
  protected i = 0;
  private readonly factor: number;
  protected readonly nThin: number;
  private anchor = 0;
  private startUs = 0;
  private touch0 = 0;
  private depthBefore = 0;
  private depthAfter = 0;
  /** Band prices left at full size when the side was thinned (traded or guarded then). */
  private readonly unthinned: number[] = [];

  constructor(m: Market, protected readonly emit: EmitLabel, thinSeconds?: number) {
    const rng = m.rng;
    this.side = rng.int(2);
    this.dir = this.side === ASK ? 1 : -1;
    this.factor = rng.between(0.12, 0.22);
    this.nThin = Math.round((thinSeconds ?? rng.between(5, 60)) * 10);
  }

  control(m: Market): void {
    const z = this.zone;
    if (z === null) return;
    const c = m.ctl;
    c.anchor = this.anchor;
    c.anchorK = 0.02;
    c.volMult = 0.4;
    if (this.side === ASK) c.buyLimit = z.voidLo - 1;
    else c.sellLimit = z.voidHi + 1;
  }

  orders(_m: Market): void {}

  after(m: Market): boolean {
    if (!this.started) {
      this.begin(m);
      return false;
    }
    if (++this.i < this.nThin) return false;
    this.end(m, false);
    return true;
  }

  /** Thins the side and opens the void. */
  protected begin(m: Market): void {
    const b = m.book;
    const side = this.side;
    const mid = m.mid();
    const touch = b.best(side);
    const near = Math.round(mid * m.rng.between(1.5, 3) * 1e-4);
    const width = Math.max(10, Math.round(mid * m.rng.between(1.5, 5) * 1e-4));
    const edge = Math.round(mid * (1 + this.dir * BAND_BPS * 1e-4));
    const z: VacuumZone = side === ASK
      ? { side, factor: this.factor, voidLo: touch + near, voidHi: touch + near + width, bandLo: touch, bandHi: edge }
      : { side, factor: this.factor, voidLo: touch - near - width, voidHi: touch - near, bandLo: edge, bandHi: touch };
    this.depthBefore = bandLots(b, side, mid, LABEL_BAND_BPS);
    let i = 0;
    while (i < b.count(side)) {
      const p = b.px(side, i);
      if (p < z.bandLo || p > z.bandHi) break;
      if (b.isLocked(side, p) || b.isGuarded(side, p)) {
        this.unthinned.push(p);
        i++;
      } else if (p >= z.voidLo && p <= z.voidHi) b.set(side, p, 0);
      else {
        b.set(side, p, Math.max(1, Math.round(b.qty(side, i) * this.factor)));
        i++;
      }
    }
    this.depthAfter = bandLots(b, side, mid, LABEL_BAND_BPS);
    m.maker.vacuum = z;
    this.zone = z;
    // Hold the fair price at the mid the void was placed against, so the touch stays clear of it.
    m.F = mid;
    this.anchor = mid;
    this.started = true;
    this.startUs = m.stamp;
    this.touch0 = touch;
  }

  /** Scales the band back up, refills the void, and labels the vacuum. */
  protected end(m: Market, swept: boolean): void {
    const z = this.zone as VacuumZone;
    const b = m.book;
    const side = this.side;
    m.maker.vacuum = null;
    this.zone = null;
    const best = b.best(side);
    for (let i = 0; i < b.count(side); i++) {
      const p = b.px(side, i);
      if (p < z.bandLo || p > z.bandHi) {
        if (this.dir * (p - (side === ASK ? z.bandHi : z.bandLo)) > 0) break;
        continue;
      }
      if (b.isLocked(side, p) || b.isGuarded(side, p) || this.unthinned.includes(p)) continue;
      b.set(side, p, Math.min(LEVEL_CAP_LOTS, Math.round(b.qty(side, i) / this.factor)));
    }
    const from = side === ASK ? Math.max(z.voidLo, best + 1) : Math.min(z.voidHi, best - 1);
    const to = side === ASK ? z.voidHi + 1 : z.voidLo - 1;
    m.maker.fill(side, from, to, Math.abs(from - best), 1000);
    this.emit({
      kind: 'vacuum',
      start_us: this.startUs,
      end_us: m.stamp,
      side: side === BID ? 'BID' : 'ASK',
      price: this.touch0 / TICKS_PER_USDT,
      lo: z.voidLo / TICKS_PER_USDT,
      hi: z.voidHi / TICKS_PER_USDT,
      meta: {
        band_bps: LABEL_BAND_BPS,
        depth_before_btc: round2(this.depthBefore / LOTS_PER_BTC),
        depth_after_btc: round2(this.depthAfter / LOTS_PER_BTC),
        ratio: round2(this.depthAfter / this.depthBefore),
        void_width_bps: round2((1e4 * (z.voidHi - z.voidLo)) / this.touch0),
        swept,
      },
    });
  }
}
