import { ASK, BID, LOTS_PER_BTC, type SynthBook } from './book.ts';
import type { ScaleConfig } from './options.ts';
import type { Rng } from './rng.ts';

// The passive side of the synthetic market: the book shape (levels dense at the touch, sparser
// further out, sizes growing with distance), its realignment to the fair price, random level
// updates, and the far edge kept near the target level count. A liquidity vacuum (set by the
// episode planner) thins one side: no levels inside its void, and sizes times `factor` inside
// its band.

export interface VacuumZone {
  side: number;
  factor: number;
  /** Void and band bounds, ticks (inclusive). */
  voidLo: number;
  voidHi: number;
  bandLo: number;
  bandHi: number;
}

const MIN_LOTS = 12;
const LEVEL_SIGMA = 0.9;
export const LEVEL_CAP_LOTS = 15 * LOTS_PER_BTC;
const FILL_LEVELS_MAX = 3000;
/** Depth of the near zone that makers keep at the book shape's density, bps. */
const DENSE_BPS = 12;

export class Maker {
  vacuum: VacuumZone | null = null;

  constructor(
    private readonly book: SynthBook,
    private readonly rng: Rng,
    private readonly cfg: ScaleConfig,
    private readonly refPx: number,
  ) {}

  /** Returns a level size in lots for a level `dist` ticks from the touch. */
  sampleLots(dist: number): number {
    const bps = (dist / this.refPx) * 1e4;
    // Market makers quote more at the touch: its median is six times the next levels'.
    const median = this.cfg.levelQtyBtc * (dist === 0 ? 6 : 1 + 0.4 * Math.min(bps, 25)) * LOTS_PER_BTC;
    let lots = this.rng.chance(0.02)
      ? (1 + this.rng.int(8)) * LOTS_PER_BTC * Math.min(1, this.cfg.levelQtyBtc * 5)
      : this.rng.logNormal(median, LEVEL_SIGMA);
    lots = Math.round(Math.min(LEVEL_CAP_LOTS, Math.max(MIN_LOTS, lots)));
    return lots;
  }

  /** Returns a level size scaled down when the price lies inside an active vacuum band. */
  lotsFor(side: number, px: number, dist: number): number {
    const lots = this.sampleLots(dist);
    const v = this.vacuum;
    if (v === null || v.side !== side || px < v.bandLo || px > v.bandHi) return lots;
    return Math.max(1, Math.round(lots * v.factor));
  }

  /** Returns true when a new level may be placed at `px` (free, unlocked, outside a void). */
  canAdd(side: number, px: number): boolean {
    const b = this.book;
    if (b.qtyAt(side, px) > 0 || b.isLocked(side, px) || b.isGuarded(side, px)) return false;
    const v = this.vacuum;
    return v === null || v.side !== side || px < v.voidLo || px > v.voidHi;
  }

  /** Returns the distance in ticks to the next level outward from a level `dist` ticks deep. */
  gap(dist: number): number {
    return Math.max(1, Math.round(this.rng.exp(this.cfg.gapTicksTop + this.cfg.gapPerTick * dist)));
  }

  /**
   * Places levels from `start` outward (down for bids, up for asks) until `limit` (exclusive) or
   * `maxLevels` new levels; `dist0` is the distance of `start` from the touch.
   */
  fill(side: number, start: number, limit: number, dist0: number, maxLevels: number): void {
    const dir = side === BID ? -1 : 1;
    let p = start;
    let d = dist0;
    let added = 0;
    for (let guard = 0; guard < FILL_LEVELS_MAX && added < maxLevels; guard++) {
      if (dir * (p - limit) >= 0) break;
      if (this.canAdd(side, p)) {
        this.book.set(side, p, this.lotsFor(side, p, d));
        added++;
      }
      const g = this.gap(d);
      p += dir * g;
      d += g;
    }
  }

  /** Builds the first book around a fair price, without logging changes. */
  buildInitial(fair: number): void {
    const tb = Math.floor(fair - 0.5);
    this.fill(BID, tb, -Infinity, 0, this.cfg.levels);
    this.fill(ASK, tb + 1, Infinity, 0, this.cfg.levels);
    this.book.forgetChanges();
  }

  /**
   * Moves the touch to `tb` / `tb + spread`: cancels levels the price moved through, fills the
   * gap. Returns false, changing nothing, when a level to cancel at the touch traded in this
   * batch: it must stay, and cancelling the levels behind it would leave a hole, so the caller
   * retries in the next batch.
   */
  requote(tb: number, spread: number): boolean {
    const b = this.book;
    const ta = tb + spread;
    const bb0 = b.best(BID);
    const ba0 = b.best(ASK);
    if ((tb < bb0 && b.isLocked(BID, bb0)) || (ta > ba0 && b.isLocked(ASK, ba0))) return false;
    this.cancelThrough(BID, tb);
    this.cancelThrough(ASK, ta);
    const ba = b.best(ASK);
    const bb = b.best(BID);
    const hiB = Number.isNaN(ba) ? tb : Math.min(tb, ba - 1);
    if (Number.isNaN(bb) || hiB > bb) this.fill(BID, hiB, Number.isNaN(bb) ? -Infinity : bb, 0, this.cfg.levels);
    const bb2 = b.best(BID);
    const loA = Number.isNaN(bb2) ? ta : Math.max(ta, bb2 + 1);
    if (Number.isNaN(ba) || loA < ba) this.fill(ASK, loA, Number.isNaN(ba) ? Infinity : ba, 0, this.cfg.levels);
    const zone = this.refPx * DENSE_BPS * 1e-4;
    if (tb < bb0) this.densify(BID, zone - (bb0 - tb), zone);
    if (ta > ba0) this.densify(ASK, zone - (ta - ba0), zone);
    return true;
  }

  /**
   * Fills gaps more than twice the shape's spacing between `dLo` and `dHi` ticks from the touch.
   * When the price moves into a side, the part of the book that enters the near zone was deep
   * (sparse) until now; makers keep the near zone dense, so it is filled as it comes in.
   */
  private densify(side: number, dLo: number, dHi: number): void {
    const b = this.book;
    const best = b.best(side);
    const dir = side === BID ? -1 : 1;
    let i = 1;
    while (i < b.count(side) && Math.abs(b.px(side, i) - best) < dLo) i++;
    for (; i < b.count(side); i++) {
      const prev = b.px(side, i - 1);
      const d = Math.abs(prev - best);
      if (d > dHi) break;
      if (Math.abs(b.px(side, i) - prev) <= 2 * (this.cfg.gapTicksTop + this.cfg.gapPerTick * d)) continue;
      const n0 = b.count(side);
      const g = this.gap(d);
      this.fill(side, prev + dir * g, b.px(side, i), d + g, 50);
      i += b.count(side) - n0;
    }
  }

  /** Cancels levels at or beyond `edge` toward the other side, except locked and guarded ones. */
  private cancelThrough(side: number, edge: number): void {
    const b = this.book;
    let i = 0;
    while (i < b.count(side)) {
      const p = b.px(side, i);
      if (side === BID ? p <= edge : p >= edge) break;
      if (b.isLocked(side, p) || b.isGuarded(side, p)) i++;
      else b.set(side, p, 0);
    }
  }

  /** Applies one random maker update: a size change, a cancel or a new level. */
  churnOne(): void {
    const b = this.book;
    const rng = this.rng;
    const side = rng.int(2);
    const n = b.count(side);
    if (n < 5) return;
    const best = b.best(side);
    const r = rng.uniform();
    if (r < 0.73) {
      const i = Math.min(n - 1, (r < 0.46 ? 0 : 1) + Math.floor(rng.exp(this.cfg.churnDepth)));
      const p = b.px(side, i);
      if (b.isLocked(side, p) || b.isGuarded(side, p)) return;
      b.set(side, p, r < 0.46 ? this.lotsFor(side, p, Math.abs(p - best)) : 0);
      return;
    }
    const x = this.insertDistance();
    const p = side === BID ? best - x : best + x;
    if (this.canAdd(side, p)) b.set(side, p, this.lotsFor(side, p, x));
  }

  /** Returns a distance from the touch distributed like the levels of the book shape. */
  private insertDistance(): number {
    const a = this.cfg.gapTicksTop;
    const k = this.cfg.gapPerTick;
    const n = this.rng.exp(this.cfg.churnDepth * 1.2);
    const x = k > 0 ? (a / k) * (Math.exp(k * n) - 1) : a * n;
    return Math.max(1, Math.round(x));
  }

  /**
   * Deletes one random deep level if the eight levels around it sit at less than half the
   * spacing the book shape expects there. Levels placed near the touch drift deep as the price
   * trends away; without this the book would grow dense wherever the price has been and its
   * span would shrink to a few bps. An eight-level window keeps a shape-true region untouched
   * (a false hit needs eight short gaps in a row, under 1%). Called only in batches that publish
   * a diff anyway, so it adds levels to diffs, not diffs.
   */
  thinOne(side: number): void {
    const b = this.book;
    const n = b.count(side);
    if (n < 20) return;
    const i = 9 + this.rng.int(n - 14);
    const p = b.px(side, i);
    if (b.isLocked(side, p) || b.isGuarded(side, p)) return;
    const spacing = Math.abs(b.px(side, i - 4) - b.px(side, i + 4)) / 8;
    const expected = this.cfg.gapTicksTop + this.cfg.gapPerTick * Math.abs(p - b.best(side));
    if (spacing < 0.5 * expected) b.set(side, p, 0);
  }

  /** Keeps each side within 5% of the target level count by trimming or extending the far edge. */
  maintainFar(): void {
    const b = this.book;
    const target = this.cfg.levels;
    for (let side = BID; side <= ASK; side++) {
      let n = b.count(side);
      while (n > target * 1.05) {
        b.set(side, b.worst(side), 0);
        n--;
      }
      if (n > 0 && n < target * 0.95) {
        const w = b.worst(side);
        const d = Math.abs(w - b.best(side));
        const g = this.gap(d);
        const start = side === BID ? w - g : w + g;
        this.fill(side, start, side === BID ? -Infinity : Infinity, d + g, target - n);
      }
    }
  }
}
