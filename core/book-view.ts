// The read-only face of the local L2 book (core/book.ts) that providers get, the book's
// snapshot form, and the band depth any BookView answers with.

export type BookStatus = 'EMPTY' | 'VALID' | 'INVALID';
export type SyncMode = 'spot' | 'usdm';

/** What `apply` did with one depth message. */
export type ApplyResult = 'SNAPSHOT' | 'APPLIED' | 'STALE' | 'WAITING' | 'GAP' | 'CROSSED';

export const BID = 0;
export const ASK = 1;
/** A side's name in records, by side (BID, ASK). */
export const SIDE_NAME = ['BID', 'ASK'] as const;

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
  /** Level changes made by the last applied message (rows [0, changeCount)): side, price, old and new quantity. */
  readonly changeCount: number;
  readonly changeSide: Float64Array;
  readonly changePx: Float64Array;
  readonly changeOld: Float64Array;
  readonly changeNew: Float64Array;
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
  /** Sum of quantity within `bps` of the mid on a side; NaN when the book has no mid (a side is empty). */
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

/** BookView.bandDepth: the quantity within `bps` of the mid on a side, summed best first; NaN without a mid. */
export function bandDepthOf(book: BookView, side: number, bps: number): number {
  const m = book.mid();
  if (Number.isNaN(m)) return NaN;
  const px = book.px[side];
  const qty = book.qty[side];
  const bid = side === BID;
  const edge = bid ? m * (1 - bps * 1e-4) : m * (1 + bps * 1e-4);
  let sum = 0;
  for (let i = 0; i < px.length && (bid ? px[i] >= edge : px[i] <= edge); i++) sum += qty[i];
  return sum;
}
