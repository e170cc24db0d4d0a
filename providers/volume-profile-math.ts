// Pure volume-profile mathematics (SPEC §13, §0.6): POC, the CBOT value area, and high/low
// volume nodes of a dense volume array. Volumes are integer lots, so every sum and comparison
// here is exact and two implementations agree to the last bit.

/** Bins keyed by integer bin number, holding integer lots (zero bins are absent). */
export type Bins = Record<string, number>;

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
export function valueArea(vols: readonly number[], rows = 2, share = 0.7): ValueArea | null {
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
export function volumeNodes(vols: readonly number[]): { hvn: number[]; lvn: number[] } {
  const n = vols.length;
  const at = (i: number) => (i >= 0 && i < n ? vols[i] : 0);
  // Sums over bins -2..n+1, which start and end at zero, so a peak in an edge bin has two
  // lower neighbours and counts as a node. Sums of integer lots compare exactly.
  const ma: number[] = [];
  for (let i = -2; i <= n + 1; i++) ma.push(at(i - 1) + at(i) + at(i + 1));
  const runStart: number[] = [];
  const runValue: number[] = [];
  for (let i = 0; i < ma.length; i++) {
    if (i === 0 || ma[i] !== ma[i - 1]) {
      runStart.push(i);
      runValue.push(ma[i]);
    }
  }
  runStart.push(ma.length);
  const hvn: number[] = [];
  const lvn: number[] = [];
  for (let r = 1; r < runValue.length - 1; r++) {
    const v = runValue[r];
    const centre = Math.floor((runStart[r] + runStart[r + 1] - 1) / 2) - 2;
    const bin = Math.min(n - 1, Math.max(0, centre));
    if (v > runValue[r - 1] && v > runValue[r + 1]) hvn.push(bin);
    else if (v < runValue[r - 1] && v < runValue[r + 1]) lvn.push(bin);
  }
  return { hvn, lvn };
}

/** Returns the bin numbers of a bin map in ascending numeric order. */
export function sortedBins(bins: Bins): number[] {
  const keys = Object.keys(bins);
  const out = new Array<number>(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = Number(keys[i]);
  return out.sort((a, b) => a - b);
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
  const keys = sortedBins(bins);
  if (keys.length === 0) return null;
  const min = keys[0];
  const vols = new Array<number>(keys[keys.length - 1] - min + 1).fill(0);
  for (const k of keys) vols[k - min] = bins[k];
  return volsStats(vols, min, binUsdt, lotsPerBtc, rows, share);
}

/**
 * Bounds of a bin map's bins: every bin present lies in [lo, hi] (lo > hi when there is none).
 * The bounds stay loose when edge bins empty; boundedStats tightens them.
 */
export interface BinBounds {
  lo: number;
  hi: number;
}

/** Returns the bounds of an empty bin map. */
export function boundsNew(): BinBounds {
  return { lo: Infinity, hi: -Infinity };
}

/** Widens the bounds to a bin. */
export function boundsAdd(b: BinBounds, bin: number): void {
  if (bin < b.lo) b.lo = bin;
  if (bin > b.hi) b.hi = bin;
}

/**
 * profileStats of a bin map whose bins lie within `b`: it reads bins lo..hi in order instead of
 * listing, parsing and sorting the string keys (the profiles are recomputed twice at every bar
 * close). Once the bounds are tightened to the first and last bin present, the volume array is
 * the one profileStats builds, so the statistics are the same.
 */
export function boundedStats(
  bins: Bins, b: BinBounds, binUsdt: number, lotsPerBtc: number, rows: number, share: number,
): ProfileStats | null {
  while (b.lo <= b.hi && bins[b.lo] === undefined) b.lo++;
  while (b.hi >= b.lo && bins[b.hi] === undefined) b.hi--;
  if (b.lo > b.hi) {
    b.lo = Infinity;
    b.hi = -Infinity;
    return null;
  }
  const vols = new Array<number>(b.hi - b.lo + 1);
  for (let k = b.lo; k <= b.hi; k++) vols[k - b.lo] = bins[k] ?? 0;
  return volsStats(vols, b.lo, binUsdt, lotsPerBtc, rows, share);
}

/** Statistics of `vols`, the volumes of bins min, min+1, ... */
function volsStats(
  vols: number[], min: number, binUsdt: number, lotsPerBtc: number, rows: number, share: number,
): ProfileStats | null {
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
    hvn: nodes.hvn.map(mid),
    lvn: nodes.lvn.map(mid),
  };
}

/** Adds `lots` to a bin, deleting it when it reaches zero so bin maps compare exactly. */
export function binAdd(bins: Bins, bin: number, lots: number): void {
  const v = (bins[bin] ?? 0) + lots;
  if (v === 0) delete bins[bin];
  else bins[bin] = v;
}
