import { ASK, BID, type BookView } from '../core/book.ts';

// The per-message facet of the L2 delta provider: the CKS e_n per price-rank level [C1, X1],
// read from the shared book after the message was applied. Sizes are integer lots. A missing
// level counts as price 0 (bid) or Number.MAX_VALUE (ask) with size 0 (written where it is used,
// not as a module constant: CONTRIBUTING.md, "Numbers on the hot path"), so a level that appears is
// an addition and one that vanishes a removal. O(levels), no allocation.

/** The part of the provider state this facet reads and writes. */
export interface OfiState {
  lpu: number;
  prevBidPx: number[];
  prevBidQty: number[];
  prevAskPx: number[];
  prevAskQty: number[];
  /** Per-level OFI of the accumulating bar, lots. */
  ofi: number[];
}

/** Adds e_n of every level to the bar sums and moves prev to the current book. */
export function accumulate(s: OfiState, book: BookView): void {
  const nBid = book.levels(BID);
  const nAsk = book.levels(ASK);
  const lpu = s.lpu;
  for (let j = 0; j < s.ofi.length; j++) {
    const hasBid = j < nBid;
    const hasAsk = j < nAsk;
    const b = hasBid ? book.levelPx(BID, j) : 0;
    const qb = hasBid ? Math.round(book.levelQty(BID, j) * lpu) : 0;
    const a = hasAsk ? book.levelPx(ASK, j) : Number.MAX_VALUE;
    const qa = hasAsk ? Math.round(book.levelQty(ASK, j) * lpu) : 0;
    const pb = s.prevBidPx[j];
    const pa = s.prevAskPx[j];
    let e = 0;
    if (b >= pb) e += qb;
    if (b <= pb) e -= s.prevBidQty[j];
    if (a <= pa) e -= qa;
    if (a >= pa) e += s.prevAskQty[j];
    s.ofi[j] += e;
    s.prevBidPx[j] = b;
    s.prevBidQty[j] = qb;
    s.prevAskPx[j] = a;
    s.prevAskQty[j] = qa;
  }
}

/** Sets prev to the current book without an e_n (the first diff after a sync). */
export function savePrev(s: OfiState, book: BookView): void {
  const nBid = book.levels(BID);
  const nAsk = book.levels(ASK);
  for (let j = 0; j < s.ofi.length; j++) {
    const hasBid = j < nBid;
    const hasAsk = j < nAsk;
    s.prevBidPx[j] = hasBid ? book.levelPx(BID, j) : 0;
    s.prevBidQty[j] = hasBid ? Math.round(book.levelQty(BID, j) * s.lpu) : 0;
    s.prevAskPx[j] = hasAsk ? book.levelPx(ASK, j) : Number.MAX_VALUE;
    s.prevAskQty[j] = hasAsk ? Math.round(book.levelQty(ASK, j) * s.lpu) : 0;
  }
}
