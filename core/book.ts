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
  /** Prices per side, best first (bids descending, asks ascending). Do not mutate. */
  readonly px: readonly [readonly number[], readonly number[]];
  readonly qty: readonly [readonly number[], readonly number[]];
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

export class Book implements BookView {
  status: BookStatus = 'EMPTY';
  epoch = 0;
  lastUpdateId = -1;
  px: [number[], number[]] = [[], []];
  qty: [number[], number[]] = [[], []];
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

  constructor(readonly mode: SyncMode = 'spot') {}

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
    this.px = [[], []];
    this.qty = [[], []];
    this.applySide(BID, d.bidPx, d.bidQty);
    this.applySide(ASK, d.askPx, d.askQty);
    this.changeCount = 0;
    this.epoch++;
    this.lastUpdateId = d.u;
    this.synced = false;
    const bids = this.px[BID];
    const asks = this.px[ASK];
    this.minBid = bids.length > 0 ? bids[bids.length - 1] : NaN;
    this.maxAsk = asks.length > 0 ? asks[asks.length - 1] : NaN;
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
    const b = this.px[BID];
    const a = this.px[ASK];
    return b.length > 0 && a.length > 0 && b[0] >= a[0];
  }

  private applySide(side: number, prices: ArrayLike<number>, sizes: ArrayLike<number>): void {
    for (let i = 0; i < prices.length; i++) this.setLevel(side, prices[i], sizes[i]);
  }

  private setLevel(side: number, price: number, size: number): void {
    const px = this.px[side];
    const qty = this.qty[side];
    const i = this.search(side, price);
    const found = i < px.length && px[i] === price;
    const old = found ? qty[i] : 0;
    if (size === 0) {
      if (!found) return;
      px.splice(i, 1);
      qty.splice(i, 1);
    } else if (found) {
      if (old === size) return;
      qty[i] = size;
    } else {
      px.splice(i, 0, price);
      qty.splice(i, 0, size);
    }
    const k = this.changeCount++;
    this.changeSide[k] = side;
    this.changePx[k] = price;
    this.changeOld[k] = old;
    this.changeNew[k] = size;
  }

  /**
   * Returns the index of `price`, or where it would be inserted, in best-first order. Galloping
   * from the best level first: most updates land near the top, where this takes a few steps.
   */
  private search(side: number, price: number): number {
    const px = this.px[side];
    const n = px.length;
    const bid = side === BID;
    let hi = 1;
    while (hi < n && (bid ? px[hi - 1] > price : px[hi - 1] < price)) hi <<= 1;
    let lo = hi >> 1;
    if (hi > n) hi = n;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (bid ? px[m] > price : px[m] < price) lo = m + 1;
      else hi = m;
    }
    return lo;
  }

  bestBid(): number {
    const b = this.px[BID];
    return b.length > 0 ? b[0] : NaN;
  }
  bestAsk(): number {
    const a = this.px[ASK];
    return a.length > 0 ? a[0] : NaN;
  }
  bestBidQty(): number {
    const q = this.qty[BID];
    return q.length > 0 ? q[0] : 0;
  }
  bestAskQty(): number {
    const q = this.qty[ASK];
    return q.length > 0 ? q[0] : 0;
  }
  mid(): number {
    return (this.bestBid() + this.bestAsk()) / 2;
  }

  qtyAt(side: number, price: number): number {
    const i = this.search(side, price);
    const px = this.px[side];
    return i < px.length && px[i] === price ? this.qty[side][i] : 0;
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
      px: [this.px[BID].slice(), this.px[ASK].slice()],
      qty: [this.qty[BID].slice(), this.qty[ASK].slice()],
      minBid: this.minBid,
      maxAsk: this.maxAsk,
    };
  }

  restore(s: BookSnapshot): void {
    this.status = s.status;
    this.epoch = s.epoch;
    this.lastUpdateId = s.lastUpdateId;
    this.synced = s.synced;
    this.px = [s.px[BID].slice(), s.px[ASK].slice()];
    this.qty = [s.qty[BID].slice(), s.qty[ASK].slice()];
    this.minBid = s.minBid;
    this.maxAsk = s.maxAsk;
    this.changeCount = 0;
    this.firstAfterSync = false;
  }
}
