import { pctRank } from '../core/math.ts';
import { ringAt, ringMean, ringPush, ringSd, type Ring } from '../core/ring.ts';

// The bucket-completion step of VPIN (SPEC §11): order imbalance of the full bucket, VPIN over the
// last n buckets, and its z-score and percentile rank over the last zWindow VPIN values.

/** The fields of one completed bucket, as published (minus bar_open_us). */
export interface VpinBucket {
  bucket_idx: number;
  bucket_btc: number;
  vpin: number | null;
  z: number | null;
  cdf: number | null;
  buy_btc: number;
  sell_btc: number;
  bucket_start_us: number;
  bucket_end_us: number;
}

/** The part of the VPIN state that bucket completion reads and writes. */
export interface BucketState {
  bucketV: number;
  nextV: number;
  fill: number;
  vb: number;
  vs: number;
  bucketStart: number;
  bucketIdx: number;
  oi: Ring;
  size: Ring;
  vpins: Ring;
  last: VpinBucket | null;
}

/** Returns sum(OI)/sum(size) over the last n buckets, oldest first, or null before n exist. */
export function vpinOf(oi: Ring, size: Ring): number | null {
  if (oi.size < oi.cap) return null;
  let num = 0;
  let den = 0;
  for (let i = 0; i < oi.size; i++) {
    num += ringAt(oi, i);
    den += ringAt(size, i);
  }
  return num / den;
}

/** Closes the current bucket at bar close `ts`, starts the next one with the frozen size, and returns its record. */
export function completeBucket(s: BucketState, barOpenUs: number, ts: number): VpinBucket {
  ringPush(s.oi, Math.abs(s.vs - s.vb));
  ringPush(s.size, s.bucketV);
  const vpin = vpinOf(s.oi, s.size);
  let z: number | null = null;
  let cdf: number | null = null;
  if (vpin !== null) {
    // zprev excludes the current value: it needs a full window of earlier VPIN values.
    if (s.vpins.size === s.vpins.cap) {
      const sd = ringSd(s.vpins);
      if (sd > 0) z = (vpin - ringMean(s.vpins)) / sd;
    }
    ringPush(s.vpins, vpin);
    if (s.vpins.size === s.vpins.cap) cdf = pctRank(s.vpins.buf, vpin);
  }
  const b: VpinBucket = {
    bucket_idx: s.bucketIdx,
    bucket_btc: s.bucketV,
    vpin,
    z,
    cdf,
    buy_btc: s.vb,
    sell_btc: s.vs,
    bucket_start_us: Number.isNaN(s.bucketStart) ? barOpenUs : s.bucketStart,
    bucket_end_us: ts,
  };
  s.last = b;
  s.bucketIdx++;
  s.fill = 0;
  s.vb = 0;
  s.vs = 0;
  s.bucketStart = NaN;
  s.bucketV = s.nextV;
  return b;
}
