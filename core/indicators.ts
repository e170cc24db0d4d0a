// Bar indicators shared by signals and engines (SPEC §0.5, §0.6), as plain-state reducers.

/** ATR_n with Wilder smoothing: TR starts at bar 2; the first ATR (bar n+1) is the mean of TR over bars 2..n+1. */
export interface AtrState {
  n: number;
  prevClose: number;
  trSum: number;
  trCount: number;
  atr: number;
}

export function atrInit(n = 14): AtrState {
  return { n, prevClose: NaN, trSum: 0, trCount: 0, atr: NaN };
}

/** Updates the ATR with one bar; returns the ATR (NaN during warm-up). */
export function atrUpdate(s: AtrState, h: number, l: number, c: number): number {
  if (!Number.isNaN(s.prevClose)) {
    const pc = s.prevClose;
    const tr = Math.max(h - l, Math.abs(h - pc), Math.abs(l - pc));
    if (s.trCount < s.n) {
      s.trSum += tr;
      s.trCount++;
      if (s.trCount === s.n) s.atr = s.trSum / s.n;
    } else {
      s.atr = s.atr + (tr - s.atr) / s.n;
    }
  }
  s.prevClose = c;
  return s.atr;
}

/** EMA_n: alpha = 2/(n+1), seeded with the first value. */
export interface EmaState {
  alpha: number;
  value: number;
  count: number;
}

export function emaInit(n: number): EmaState {
  return { alpha: 2 / (n + 1), value: NaN, count: 0 };
}

export function emaUpdate(s: EmaState, x: number): number {
  s.value = s.count === 0 ? x : s.value + s.alpha * (x - s.value);
  s.count++;
  return s.value;
}
