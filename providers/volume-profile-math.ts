import { lowerBound } from '../core/search.ts';
import { doubleArray } from '../core/shape.ts';

// Pure volume-profile mathematics (SPEC §13, §0.6): POC, the CBOT value area, and high/low
// volume nodes of a dense volume array. Volumes are integer lots, so every sum and comparison
// here is exact and two implementations agree to the last bit.
//
// Speed: a bin map is two parallel arrays sorted by bin number, not an object keyed by it. An
// object with integer keys changed its hidden class as bins came and went, and the lot sums
// outgrew small integers: the profile's bar code was deoptimized and recompiled ~10 times in a
// day's replay. The sorted arrays are read in order at a bar close with no lookups, the dense
// volumes are a Float64Array (doubles from the start), and the map stays plain data.

/** Integer bin numbers in ascending order and their integer lots (> 0; a bin at zero is removed). */
export interface Bins {
  bin: number[];
  lots: number[];
}

/** Returns an empty bin map. */
export function binsNew(): Bins {
  // The lots hold doubles from the start (sums of lots pass 2^31): their elements never change
  // kind mid-replay.
  return { bin: [], lots: doubleArray() };
}

/** POC and value area as indices into the dense array, with the lot sums. */
export interface ValueArea {
  poc: number;
  lo: number;
  hi: number;
  total: number;
  va: number;
}

/**
 * Returns the POC and value area of a dense volume array, or null when it holds no volume.
 * POC ties go to the bin nearest the middle of the populated range, then to the lower bin.
 * The walk compares the next `rows` bins above and below (fewer at an edge), adds the larger
 * side (ties go up, an exhausted side yields to the other) and stops once acc >= share*total.
 */
export function valueArea(vols: ArrayLike<number>, rows = 2, share = 0.7): ValueArea | null {
  let total = 0;
  let first = -1;
  let last = -1;
  for (let i = 0; i < vols.length; i++) {
    if (vols[i] <= 0) continue;
    total += vols[i];
    if (first < 0) first = i;
    last = i;
  }
  if (total <= 0) return null;
  const mid2 = first + last;
  let poc = first;
  for (let i = first + 1; i <= last; i++) {
    const v = vols[i];
    if (v > vols[poc] || (v === vols[poc] && Math.abs(2 * i - mid2) < Math.abs(2 * poc - mid2))) poc = i;
  }
  let lo = poc;
  let hi = poc;
  let acc = vols[poc];
  const target = share * total;
  while (acc < target) {
    const up = Math.min(rows, last - hi);
    const down = Math.min(rows, lo - first);
    if (up <= 0 && down <= 0) break;
    let u = 0;
    let l = 0;
    for (let j = 1; j <= up; j++) u += vols[hi + j];
    for (let j = 1; j <= down; j++) l += vols[lo - j];
    if (down > 0 && (up <= 0 || l > u)) {
      lo -= down;
      acc += l;
    } else {
      hi += up;
      acc += u;
    }
  }
  return { poc, lo, hi, total, va: acc };
}

/**
 * Returns the indices of high and low volume nodes: local maxima and minima of the 3-bin moving
 * sum (zero outside the array). A plateau of equal sums counts once, at its middle (lower
 * middle for an even run, clamped into the array), and only when both neighbouring runs are
 * strictly lower (for an HVN) or strictly higher (for an LVN).
 */
export function volumeNodes(vols: ArrayLike<number>): { hvn: number[]; lvn: number[] } {
  const n = vols.length;
  // Sums over bins -2..n+1, which start and end at zero, so a peak in an edge bin has two
  // lower neighbours and counts as a node. Sums of integer lots compare exactly.
  const m = n + 4;
  const ma = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const i = j - 2;
    ma[j] = (i >= 1 && i <= n ? vols[i - 1] : 0) + (i >= 0 && i < n ? vols[i] : 0) + (i >= -1 && i < n - 1 ? vols[i + 1] : 0);
  }
  // Runs of equal sums: start index and value of each, and a sentinel start at the end.
  const runStart = new Int32Array(m + 1);
  const runValue = new Float64Array(m);
  let runs = 0;
  for (let j = 0; j < m; j++) {
    if (j === 0 || ma[j] !== ma[j - 1]) {
      runStart[runs] = j;
      runValue[runs] = ma[j];
      runs++;
    }
  }
  runStart[runs] = m;
  const hvn: number[] = [];
  const lvn: number[] = [];
  for (let r = 1; r < runs - 1; r++) {
    const v = runValue[r];
    // floor((a + b - 1) / 2) in integers (a shift floors negatives too).
    const centre = ((runStart[r] + runStart[r + 1] - 1) >> 1) - 2;
    const bin = Math.min(n - 1, Math.max(0, centre));
    if (v > runValue[r - 1] && v > runValue[r + 1]) hvn.push(bin);
    else if (v < runValue[r - 1] && v < runValue[r + 1]) lvn.push(bin);
  }
  return { hvn, lvn };
}

/** Profile statistics in SPEC §13 units (USDT prices, BTC volumes, percent). */
export interface ProfileStats {
  poc_usdt: number;
  vah_usdt: number;
  val_usdt: number;
  total_btc: number;
  va_btc: number;
  va_pct: number;
  hvn: number[];
  lvn: number[];
}

/** Returns the statistics of a bin map, or null when it holds no volume. */
export function profileStats(
  bins: Bins, binUsdt: number, lotsPerBtc: number, rows: number, share: number,
): ProfileStats | null {
  const keys = bins.bin;
  const n = keys.length;
  if (n === 0) return null;
  const min = keys[0];
  const vols = new Float64Array(keys[n - 1] - min + 1);
  for (let i = 0; i < n; i++) vols[keys[i] - min] = bins.lots[i];
  const va = valueArea(vols, rows, share);
  if (va === null) return null;
  const nodes = volumeNodes(vols);
  const mid = (i: number) => (min + i + 0.5) * binUsdt;
  return {
    poc_usdt: mid(va.poc),
    vah_usdt: (min + va.hi + 1) * binUsdt,
    val_usdt: (min + va.lo) * binUsdt,
    total_btc: va.total / lotsPerBtc,
    va_btc: va.va / lotsPerBtc,
    va_pct: (100 * va.va) / va.total,
    hvn: prices(nodes.hvn, mid),
    lvn: prices(nodes.lvn, mid),
  };
}

/** Node prices as an array of doubles, whether they come out whole or not (one kind of array for every record). */
function prices(bins: number[], mid: (i: number) => number): number[] {
  const out = doubleArray();
  for (let i = 0; i < bins.length; i++) out.push(mid(bins[i]));
  return out;
}

/** Adds `lots` to a bin (a new bin takes its place in order), removing it when it reaches zero. */
export function binAdd(bins: Bins, bin: number, lots: number): void {
  const keys = bins.bin;
  const lo = lowerBound(keys, keys.length, bin);
  if (lo < keys.length && keys[lo] === bin) {
    const v = bins.lots[lo] + lots;
    if (v === 0) {
      keys.splice(lo, 1);
      bins.lots.splice(lo, 1);
    } else {
      bins.lots[lo] = v;
    }
  } else if (lots !== 0) {
    keys.splice(lo, 0, bin);
    bins.lots.splice(lo, 0, lots);
  }
}
