import type { Depth } from './event.ts';

// The local L2 order book of one symbol (SPEC §0.3). The runtime owns one per symbol, applies
// each depth event to it before the providers see that event, and hands it to them read-only.
// It never guesses: a broken update-id chain or a crossed/locked result makes it INVALID until
// the next snapshot.

export type BookStatus = 'EMPTY' | 'VALID' | 'INVALID';
export type SyncMode = 'spot' | 'usdm';

/** What `apply` did with one depth message. */
export type ApplyResult = 'SNAPSHOT' | 'APPLIED' | 'STALE' | 'WAITING' | 'GAP' | 'CROSSED';

export const BID = 0;
export const ASK = 1;

export interface BookView {
  readonly status: BookStatus;
  /** Increments at every snapshot, so a reader can tell a resync happened. */
  readonly epoch: number;
  readonly lastUpdateId: number;
  /**
   * Prices and sizes per side, best first (bids descending, asks ascending): views valid until
   * the next depth message. Do not mutate or keep them.
   */
  readonly px: readonly [Float64Array, Float64Array];
  readonly qty: readonly [Float64Array, Float64Array];
  /** Snapshot coverage: lowest bid and highest ask price of the last snapshot. */
  readonly minBid: number;
  readonly maxAsk: number;
  /** Level changes made by the last applied message: side, price, old and new quantity. */
  readonly changeCount: number;
  readonly changeSide: readonly number[];
  readonly changePx: readonly number[];
  readonly changeOld: readonly number[];
  readonly changeNew: readonly number[];
  /** True when the last message was the first applied diff after a snapshot. */
  readonly firstAfterSync: boolean;
  /** Number of levels on a side. */
  levels(side: number): number;
  /** Price and size of the level of rank i (0 = best) on a side, without building the views. */
  levelPx(side: number, i: number): number;
  levelQty(side: number, i: number): number;
  bestBid(): number;
  bestAsk(): number;
  bestBidQty(): number;
  bestAskQty(): number;
  mid(): number;
  /** Quantity at an exact price on a side (0 when absent). */
  qtyAt(side: number, price: number): number;
  /** Sum of quantity within `bps` of the mid on a side. */
  bandDepth(side: number, bps: number): number;
}

export interface BookSnapshot {
  status: BookStatus;
  epoch: number;
  lastUpdateId: number;
  synced: boolean;
  px: [number[], number[]];
  qty: [number[], number[]];
  minBid: number;
  maxAsk: number;
}

const CAPACITY_MIN = 4096;
const SMALL_MOVE = 24;

/**
 * Levels of a side live in a typed array with room at both ends, best first in
 * [start, start + n): an insert or delete moves the shorter part, towards the front or the
 * back, so the frequent changes near the best level move a few values, not the whole side.
 * `px`/`qty` are subarray views of the live levels, refreshed once per message.
 */
export class Book implements BookView {
  status: BookStatus = 'EMPTY';
  epoch = 0;
  lastUpdateId = -1;
  private pxView: [Float64Array, Float64Array];
  private qtyView: [Float64Array, Float64Array];
  private bufPx: [Float64Array, Float64Array] = [new Float64Array(CAPACITY_MIN), new Float64Array(CAPACITY_MIN)];
  private bufQty: [Float64Array, Float64Array] = [new Float64Array(CAPACITY_MIN), new Float64Array(CAPACITY_MIN)];
  private readonly start: [number, number] = [CAPACITY_MIN >> 1, CAPACITY_MIN >> 1];
  private readonly n: [number, number] = [0, 0];
  private dirty = true;
  minBid = NaN;
  maxAsk = NaN;
  changeCount = 0;
  changeSide: number[] = [];
  changePx: number[] = [];
  changeOld: number[] = [];
  changeNew: number[] = [];
  firstAfterSync = false;
  /** Whether a diff has been applied since the last snapshot. */
  private synced = false;

  constructor(readonly mode: SyncMode = 'spot') {
    this.pxView = [this.bufPx[BID].subarray(0, 0), this.bufPx[ASK].subarray(0, 0)];
    this.qtyView = [this.bufQty[BID].subarray(0, 0), this.bufQty[ASK].subarray(0, 0)];
  }

  /** Views of the live levels, built lazily: a reader that only needs a few levels uses levelPx. */
  get px(): [Float64Array, Float64Array] {
    if (this.dirty) this.refresh();
    return this.pxView;
  }

  get qty(): [Float64Array, Float64Array] {
    if (this.dirty) this.refresh();
    return this.qtyView;
  }

  levels(side: number): number {
    return this.n[side];
  }

  levelPx(side: number, i: number): number {
    return this.bufPx[side][this.start[side] + i];
  }

  levelQty(side: number, i: number): number {
    return this.bufQty[side][this.start[side] + i];
  }

  /** Points the views at the live levels after an insert or delete moved them. */
  private refresh(): void {
    this.dirty = false;
    for (let side = 0; side < 2; side++) {
      const a = this.start[side];
      const b = a + this.n[side];
      this.pxView[side] = this.bufPx[side].subarray(a, b);
      this.qtyView[side] = this.bufQty[side].subarray(a, b);
    }
  }

  /** Applies one depth message under the sync rules of `mode`. */
  apply(d: Depth): ApplyResult {
    this.changeCount = 0;
    this.firstAfterSync = false;
    if (d.snapshot) return this.applySnapshot(d);
    if (this.status !== 'VALID') return 'WAITING';
    const last = this.lastUpdateId;
    if (this.mode === 'spot') {
      if (d.u <= last) return 'STALE';
      const ok = this.synced ? d.U === last + 1 : d.U <= last + 1 && last + 1 <= d.u;
      if (!ok) return this.invalidate('GAP');
    } else {
      if (d.u < last) return 'STALE';
      const ok = this.synced ? d.pu === last : d.U <= last && last <= d.u;
      if (!ok) return this.invalidate('GAP');
    }
    this.firstAfterSync = !this.synced;
    this.synced = true;
    this.lastUpdateId = d.u;
    this.applySide(BID, d.bidPx, d.bidQty);
    this.applySide(ASK, d.askPx, d.askQty);
    if (this.crossed()) return this.invalidate('CROSSED');
    return 'APPLIED';
  }

  private applySnapshot(d: Depth): ApplyResult {
    for (let side = 0; side < 2; side++) {
      this.n[side] = 0;
      this.start[side] = this.bufPx[side].length >> 1;
    }
    this.dirty = true;
    this.applySide(BID, d.bidPx, d.bidQty);
    this.applySide(ASK, d.askPx, d.askQty);
    this.changeCount = 0;
    this.epoch++;
    this.lastUpdateId = d.u;
    this.synced = false;
    const bids = this.n[BID];
    const asks = this.n[ASK];
    this.minBid = bids > 0 ? this.levelPx(BID, bids - 1) : NaN;
    this.maxAsk = asks > 0 ? this.levelPx(ASK, asks - 1) : NaN;
    if (this.crossed()) return this.invalidate('CROSSED');
    this.status = 'VALID';
    return 'SNAPSHOT';
  }

  private invalidate(result: ApplyResult): ApplyResult {
    this.status = 'INVALID';
    this.synced = false;
    return result;
  }

  private crossed(): boolean {
    return this.n[BID] > 0 && this.n[ASK] > 0 && this.bestBid() >= this.bestAsk();
  }

  /**
   * Sets the levels of one side and records each real change. The side's buffers, start and
   * count live in locals through the loop (an insert or delete refreshes them), so the common
   * path, a size change at an existing level, touches no field of the book.
   */
  private applySide(side: number, prices: ArrayLike<number>, sizes: ArrayLike<number>): void {
    const m = prices.length;
    let pxBuf = this.bufPx[side];
    let qtyBuf = this.bufQty[side];
    let a = this.start[side];
    let n = this.n[side];
    const dir = side === BID ? 1 : -1;
    let k = this.changeCount;
    for (let j = 0; j < m; j++) {
      const price = prices[j];
      const size = sizes[j];
      // searchBest, inline: a double passed to a call that V8 does not
      // inline is boxed, an allocation per level. (x - price) * dir > 0 says that x is better
      // than price (exact: a difference of two finite doubles has the sign of their order).
      let i = 0;
      if (n > 0 && (pxBuf[a] - price) * dir > 0) {
        let lo = 1;
        let hi = 2;
        while (hi < n && (pxBuf[a + hi - 1] - price) * dir > 0) {
          lo = hi;
          hi <<= 1;
        }
        if (hi > n) hi = n;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if ((pxBuf[a + mid] - price) * dir > 0) lo = mid + 1;
          else hi = mid;
        }
        i = lo;
      }
      const at = a + i;
      const found = i < n && pxBuf[at] === price;
      const old = found ? qtyBuf[at] : 0;
      if (found) {
        if (old === size) continue;
        if (size === 0) {
          this.remove(side, i);
          a = this.start[side];
          n--;
        } else {
          qtyBuf[at] = size;
        }
      } else {
        if (size === 0) continue;
        this.insert(side, i);
        pxBuf = this.bufPx[side];
        qtyBuf = this.bufQty[side];
        a = this.start[side];
        pxBuf[a + i] = price;
        qtyBuf[a + i] = size;
        n++;
      }
      this.changeSide[k] = side;
      this.changePx[k] = price;
      this.changeOld[k] = old;
      this.changeNew[k] = size;
      k++;
    }
    this.changeCount = k;
  }

  /**
   * Opens a slot at rank i for a new level, moving the shorter part of the side; the caller
   * writes the level (prices are not passed: a double argument of a call V8 does not inline is
   * boxed, an allocation per insert).
   */
  private insert(side: number, i: number): void {
    const n = this.n[side];
    let a = this.start[side];
    if (a === 0 || a + n === this.bufPx[side].length) {
      this.recenter(side);
      a = this.start[side];
    }
    const px = this.bufPx[side];
    const qty = this.bufQty[side];
    if (i < n - i) {
      move(px, a - 1, a, a + i);
      move(qty, a - 1, a, a + i);
      this.start[side] = --a;
    } else {
      move(px, a + i + 1, a + i, a + n);
      move(qty, a + i + 1, a + i, a + n);
    }
    this.n[side] = n + 1;
    this.dirty = true;
  }

  /** Removes the level at rank i, moving the shorter part of the side. */
  private remove(side: number, i: number): void {
    const n = this.n[side];
    const a = this.start[side];
    const px = this.bufPx[side];
    const qty = this.bufQty[side];
    if (i < n - 1 - i) {
      move(px, a + 1, a, a + i);
      move(qty, a + 1, a, a + i);
      this.start[side] = a + 1;
    } else {
      move(px, a + i, a + i + 1, a + n);
      move(qty, a + i, a + i + 1, a + n);
    }
    this.n[side] = n - 1;
    this.dirty = true;
  }

  /** Puts the live levels in the middle of a buffer with room at both ends (growing it if half full). */
  private recenter(side: number): void {
    const n = this.n[side];
    const a = this.start[side];
    const cap = Math.max(CAPACITY_MIN, this.bufPx[side].length, 4 * n);
    const px = new Float64Array(cap);
    const qty = new Float64Array(cap);
    const b = (cap - n) >> 1;
    px.set(this.bufPx[side].subarray(a, a + n), b);
    qty.set(this.bufQty[side].subarray(a, a + n), b);
    this.bufPx[side] = px;
    this.bufQty[side] = qty;
    this.start[side] = b;
  }

  /**
   * Returns the index of `price`, or where it would be inserted, in best-first order. Galloping
   * from the best level first: most updates land near the top, where this takes a few steps.
   * One loop per side, so the comparison in the loop has no side test.
   */
  private search(side: number, price: number): number {
    return searchBest(this.bufPx[side], this.start[side], this.n[side], price, side === BID ? 1 : -1);
  }

  bestBid(): number {
    return this.n[BID] > 0 ? this.bufPx[BID][this.start[BID]] : NaN;
  }
  bestAsk(): number {
    return this.n[ASK] > 0 ? this.bufPx[ASK][this.start[ASK]] : NaN;
  }
  bestBidQty(): number {
    return this.n[BID] > 0 ? this.bufQty[BID][this.start[BID]] : 0;
  }
  bestAskQty(): number {
    return this.n[ASK] > 0 ? this.bufQty[ASK][this.start[ASK]] : 0;
  }
  mid(): number {
    return (this.bestBid() + this.bestAsk()) / 2;
  }

  qtyAt(side: number, price: number): number {
    const i = this.search(side, price);
    const at = this.start[side] + i;
    return i < this.n[side] && this.bufPx[side][at] === price ? this.bufQty[side][at] : 0;
  }

  bandDepth(side: number, bps: number): number {
    const m = this.mid();
    const px = this.px[side];
    const qty = this.qty[side];
    let sum = 0;
    if (side === BID) {
      const edge = m * (1 - bps * 1e-4);
      for (let i = 0; i < px.length && px[i] >= edge; i++) sum += qty[i];
    } else {
      const edge = m * (1 + bps * 1e-4);
      for (let i = 0; i < px.length && px[i] <= edge; i++) sum += qty[i];
    }
    return sum;
  }

  snapshot(): BookSnapshot {
    return {
      status: this.status,
      epoch: this.epoch,
      lastUpdateId: this.lastUpdateId,
      synced: this.synced,
      px: [Array.from(this.px[BID]), Array.from(this.px[ASK])],
      qty: [Array.from(this.qty[BID]), Array.from(this.qty[ASK])],
      minBid: this.minBid,
      maxAsk: this.maxAsk,
    };
  }

  restore(s: BookSnapshot): void {
    this.status = s.status;
    this.epoch = s.epoch;
    this.lastUpdateId = s.lastUpdateId;
    this.synced = s.synced;
    for (let side = 0; side < 2; side++) {
      const n = s.px[side].length;
      const cap = Math.max(CAPACITY_MIN, 4 * n);
      const a = (cap - n) >> 1;
      this.bufPx[side] = new Float64Array(cap);
      this.bufQty[side] = new Float64Array(cap);
      this.bufPx[side].set(s.px[side], a);
      this.bufQty[side].set(s.qty[side], a);
      this.start[side] = a;
      this.n[side] = n;
    }
    this.dirty = true;
    this.refresh();
    this.minBid = s.minBid;
    this.maxAsk = s.maxAsk;
    this.changeCount = 0;
    this.firstAfterSync = false;
  }
}

/** Copies src[from, to) to dst index `target` within one array (memmove); a loop for short runs. */
function move(a: Float64Array, target: number, from: number, to: number): void {
  const len = to - from;
  if (len <= 0) return;
  if (len > SMALL_MOVE) {
    a.copyWithin(target, from, to);
  } else if (target < from) {
    for (let k = 0; k < len; k++) a[target + k] = a[from + k];
  } else {
    for (let k = len - 1; k >= 0; k--) a[target + k] = a[from + k];
  }
}

/**
 * First rank i in [0, n) whose price is not better than `price` (dir 1: bids, descending; -1:
 * asks, ascending), or n. Galloping from the best level first: most updates land near the top,
 * where this takes a few steps. applySide holds an inline copy of this loop (see there why).
 */
function searchBest(px: Float64Array, a: number, n: number, price: number, dir: number): number {
  if (n === 0 || !((px[a] - price) * dir > 0)) return 0;
  let lo = 1;
  let hi = 2;
  while (hi < n && (px[a + hi - 1] - price) * dir > 0) {
    lo = hi;
    hi <<= 1;
  }
  if (hi > n) hi = n;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if ((px[a + m] - price) * dir > 0) lo = m + 1;
    else hi = m;
  }
  return lo;
}
