import { ASK, BID, type BookView } from '../core/book.ts';

// Band depths of the liquidity vacuum (SPEC §10), computed once per second for every band of
// both sides. The depth within a band is the running sum of quantities from the best level
// outwards, in that order, so it is the same to the bit as `book.bandDepth`. The bands of a side
// are nested, so one running sum passes each band's edge in turn.
//
// Speed: on a BTC book some 470 levels per side lie within 25 bps, so this walk is the
// provider's main cost. A binary search finds each band's end rank first, which leaves a bare
// sum over typed arrays; the two sides are summed in one loop, because a float sum is a chain
// of dependent adds that waits on each add's latency, and two independent chains overlap.

/** The part of a (side, band) track that the band walk reads and writes. */
export interface BandTrack {
  band: number;
  /** The band's edge price at this tick. */
  edge: number;
  /** Rank of the first level beyond the edge at this tick. */
  end: number;
  /** Band depth at this tick. */
  sampled: number;
}

/** Returns the edge price of a band of `bps` around mid `m` on a side. */
export function bandEdge(side: number, m: number, bps: number): number {
  return side === BID ? m * (1 - bps * 1e-4) : m * (1 + bps * 1e-4);
}

/**
 * Sets edge, end and sampled of every track; `bySide[side]` lists a side's tracks in ascending
 * band order.
 */
export function bandDepths(tracks: readonly BandTrack[], bySide: readonly number[][], book: BookView, m: number): void {
  const bids = bySide[BID];
  const asks = bySide[ASK];
  const bidQty = book.qty[BID];
  const askQty = book.qty[ASK];
  setEnds(tracks, bids, book.px[BID], BID, m);
  setEnds(tracks, asks, book.px[ASK], ASK, m);
  let sb = 0;
  let sa = 0;
  let i = 0;
  let kb = 0;
  let ka = 0;
  for (;;) {
    while (kb < bids.length && tracks[bids[kb]].end === i) tracks[bids[kb++]].sampled = sb;
    while (ka < asks.length && tracks[asks[ka]].end === i) tracks[asks[ka++]].sampled = sa;
    if (kb === bids.length || ka === asks.length) break;
    const eb = tracks[bids[kb]].end;
    const ea = tracks[asks[ka]].end;
    const end = eb < ea ? eb : ea;
    for (; i < end; i++) {
      sb += bidQty[i];
      sa += askQty[i];
    }
  }
  // One side has passed all its edges; the other goes on alone from the same rank.
  finish(tracks, bids, kb, bidQty, i, sb);
  finish(tracks, asks, ka, askQty, i, sa);
}

/** Continues one side's running sum from rank i through its remaining bands (from index k). */
function finish(tracks: readonly BandTrack[], order: readonly number[], k: number, qty: Float64Array, i: number, sum: number): void {
  for (; k < order.length; k++) {
    const t = tracks[order[k]];
    for (; i < t.end; i++) sum += qty[i];
    t.sampled = sum;
  }
}

/** Sets each band's edge and end rank; a wider band's end is searched from the narrower one's. */
function setEnds(tracks: readonly BandTrack[], order: readonly number[], px: Float64Array, side: number, m: number): void {
  let from = 0;
  for (let k = 0; k < order.length; k++) {
    const t = tracks[order[k]];
    t.edge = bandEdge(side, m, t.band);
    from = t.end = insideEnd(px, from, side === BID, t.edge);
  }
}

/**
 * Returns the first rank at or after `from` whose price lies beyond `edge` (px.length if none):
 * prices are monotonic best-first, so the levels inside a band are a prefix. The test is the
 * walk's own (`p < edge` for bids), so a NaN edge keeps every level inside, as a walk would.
 */
function insideEnd(px: Float64Array, from: number, bid: boolean, edge: number): number {
  let lo = from;
  let hi = px.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = px[mid];
    if (bid ? p < edge : p > edge) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
