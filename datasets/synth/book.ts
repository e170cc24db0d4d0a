import { AssertionError, assert } from '../../core/assert.ts';
import type { Depth } from '../../core/event.ts';

// The generator's own L2 book, in integer ticks (0.01 USDT) and lots (0.00001 BTC), with the
// change log of the current 100 ms batch. Each side is stored worst-first so that the best level
// is at the end of the arrays: most changes happen near the touch, where splice is cheap.
// Keys ascend on both sides (bids: +price, asks: -price).
// Levels traded in the current batch are locked: no maker update touches them until the batch
// is flushed, so the next diff shows exactly the traded quantity gone (the consistency tests
// rely on this). Guarded prices (iceberg and spoof orders) are left alone by the random makers.

export const BID = 0;
export const ASK = 1;
export const TICKS_PER_USDT = 100;
export const LOTS_PER_BTC = 100_000;

export class SynthBook {
  readonly keys: [number[], number[]] = [[], []];
  readonly lots: [number[], number[]] = [[], []];
  /** Prices traded in this batch per side, and the lots traded there. */
  readonly lockPx: [number[], number[]] = [[], []];
  readonly lockLots: [number[], number[]] = [[], []];
  private readonly guardPx: [number[], number[]] = [[], []];
  private readonly changed: [number[], number[]] = [[], []];
  private ops = 0;

  constructor(public lastU: number) {}

  count(side: number): number {
    return this.keys[side].length;
  }

  /** Returns the price (ticks) of the i-th level from the best. */
  px(side: number, i: number): number {
    const k = this.keys[side];
    const key = k[k.length - 1 - i];
    return side === BID ? key : -key;
  }

  /** Returns the size (lots) of the i-th level from the best. */
  qty(side: number, i: number): number {
    const q = this.lots[side];
    return q[q.length - 1 - i];
  }

  /** Returns the best price in ticks, NaN when the side is empty. */
  best(side: number): number {
    return this.keys[side].length > 0 ? this.px(side, 0) : NaN;
  }

  /** Returns the farthest price in ticks, NaN when the side is empty. */
  worst(side: number): number {
    const k = this.keys[side];
    return k.length > 0 ? (side === BID ? k[0] : -k[0]) : NaN;
  }

  /** Returns the size in lots at an exact price (0 when absent). */
  qtyAt(side: number, px: number): number {
    const i = this.lowerBound(side, side === BID ? px : -px);
    const k = this.keys[side];
    return i < k.length && k[i] === (side === BID ? px : -px) ? this.lots[side][i] : 0;
  }

  /** Sets the size of a level (0 deletes it) and logs the change for the next diff. */
  set(side: number, px: number, lots: number): void {
    // Checks here throw without assert(): its template message would be formatted at every call.
    if (!(Number.isInteger(lots) && lots >= 0)) throw new AssertionError(`level size must be whole lots >= 0, was ${lots}`);
    const key = side === BID ? px : -px;
    const keys = this.keys[side];
    const sizes = this.lots[side];
    const i = this.lowerBound(side, key);
    const found = i < keys.length && keys[i] === key;
    if (lots === 0) {
      if (!found) return;
      keys.splice(i, 1);
      sizes.splice(i, 1);
    } else if (found) {
      if (sizes[i] === lots) return;
      sizes[i] = lots;
    } else {
      keys.splice(i, 0, key);
      sizes.splice(i, 0, lots);
    }
    this.changed[side].push(px);
    this.ops++;
  }

  /** Takes `fill` lots from the best level of a side (a trade) and locks that price. */
  takeBest(side: number, fill: number): void {
    const keys = this.keys[side];
    const sizes = this.lots[side];
    const j = keys.length - 1;
    const px = side === BID ? keys[j] : -keys[j];
    if (!(fill > 0 && fill <= sizes[j])) throw new AssertionError(`fill must be within the best level, was ${fill} of ${sizes[j]}`);
    if (fill === sizes[j]) {
      keys.pop();
      sizes.pop();
    } else {
      sizes[j] -= fill;
    }
    this.changed[side].push(px);
    this.ops++;
    const locks = this.lockPx[side];
    const at = locks.indexOf(px);
    if (at >= 0) this.lockLots[side][at] += fill;
    else {
      locks.push(px);
      this.lockLots[side].push(fill);
    }
  }

  /** Returns true when the current batch has changes to publish. */
  dirty(): boolean {
    return this.ops > 0;
  }

  isLocked(side: number, px: number): boolean {
    return this.lockPx[side].indexOf(px) >= 0;
  }

  /** Returns the lots traded at a price in the current batch. */
  tradedAt(side: number, px: number): number {
    const at = this.lockPx[side].indexOf(px);
    return at >= 0 ? this.lockLots[side][at] : 0;
  }

  isGuarded(side: number, px: number): boolean {
    return this.guardPx[side].indexOf(px) >= 0;
  }

  guard(side: number, px: number): void {
    if (!this.isGuarded(side, px)) this.guardPx[side].push(px);
  }

  unguard(side: number, px: number): void {
    const g = this.guardPx[side];
    const at = g.indexOf(px);
    if (at >= 0) g.splice(at, 1);
  }

  /** Returns the diff of the current batch (null when nothing changed) and starts a new batch. */
  flush(): Depth | null {
    if (this.ops === 0) return null;
    this.lockPx[BID].length = 0;
    this.lockPx[ASK].length = 0;
    this.lockLots[BID].length = 0;
    this.lockLots[ASK].length = 0;
    const bid = this.levelsOf(BID, uniqueSorted(this.changed[BID], -1));
    const ask = this.levelsOf(ASK, uniqueSorted(this.changed[ASK], 1));
    const U = this.lastU + 1;
    const u = this.lastU + this.ops;
    this.lastU = u;
    this.ops = 0;
    this.changed[BID].length = 0;
    this.changed[ASK].length = 0;
    this.assertUncrossed();
    return { snapshot: false, U, u, pu: -1, bidPx: bid.px, bidQty: bid.qty, askPx: ask.px, askQty: ask.qty };
  }

  /** Returns a REST-like snapshot of the whole book (best first), `u` = lastUpdateId. */
  snapshot(): Depth {
    assert(this.ops === 0, 'a snapshot must be taken between batches');
    this.assertUncrossed();
    const sides = [BID, ASK].map((side) => {
      const n = this.count(side);
      const px = new Array<number>(n);
      const qty = new Array<number>(n);
      for (let i = 0; i < n; i++) {
        px[i] = this.px(side, i) / TICKS_PER_USDT;
        qty[i] = this.qty(side, i) / LOTS_PER_BTC;
      }
      return { px, qty };
    });
    return {
      snapshot: true, U: this.lastU, u: this.lastU, pu: -1,
      bidPx: sides[BID].px, bidQty: sides[BID].qty, askPx: sides[ASK].px, askQty: sides[ASK].qty,
    };
  }

  /** Drops the change log (used once, after the initial book is built). */
  forgetChanges(): void {
    this.ops = 0;
    this.changed[BID].length = 0;
    this.changed[ASK].length = 0;
  }

  private assertUncrossed(): void {
    const b = this.best(BID);
    const a = this.best(ASK);
    if (b >= a) throw new AssertionError(`synthetic book crossed: bid ${b} >= ask ${a}`);
  }

  private levelsOf(side: number, prices: number[]): { px: number[]; qty: number[] } {
    const qty = new Array<number>(prices.length);
    const px = new Array<number>(prices.length);
    for (let i = 0; i < prices.length; i++) {
      px[i] = prices[i] / TICKS_PER_USDT;
      qty[i] = this.qtyAt(side, prices[i]) / LOTS_PER_BTC;
    }
    return { px, qty };
  }

  private lowerBound(side: number, key: number): number {
    const k = this.keys[side];
    let lo = 0;
    let hi = k.length;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (k[m] < key) lo = m + 1;
      else hi = m;
    }
    return lo;
  }
}

/** Returns the distinct values of `xs`, ascending (dir 1) or descending (dir -1). */
function uniqueSorted(xs: number[], dir: number): number[] {
  const s = xs.slice().sort((a, b) => dir * (a - b));
  let n = 0;
  for (let i = 0; i < s.length; i++) if (i === 0 || s[i] !== s[n - 1]) s[n++] = s[i];
  s.length = n;
  return s;
}
