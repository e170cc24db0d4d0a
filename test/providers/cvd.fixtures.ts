import type { Kline } from '../../core/event.ts';
import type { Harness } from '../support/harness.ts';

// Trade-and-kline builders shared by the CVD and TBSR tests: a bar's trades are given in integer
// lots, and its kline is built from exactly those trades, so v and V are what the exchange would send.

export const T0 = Date.UTC(2024, 0, 1) * 1000;
export const MIN = 60_000_000;
export const LPU = 100_000;

/** A trade of `lots` lots, taker SELL when `sell`. */
export interface Fill {
  lots: number;
  sell: boolean;
}

/** A deterministic LCG in [0, 1), so tests are reproducible without Math.random. */
export function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/** Feeds trades into one minute and (optionally) its kline, keeping trade ids contiguous. */
export class Feed {
  nextId = 1;
  close = 40_000;
  constructor(readonly h: Harness, readonly t0 = T0) {}

  /** Feeds bar `i`: its trades 1 ms apart from 1 ms after the open, then its kline unless `kline` is false. */
  bar(i: number, fills: readonly Fill[], opts: { kline?: boolean; idGap?: number; offsetUs?: number } = {}): Kline {
    const open = this.t0 + i * MIN;
    let buy = 0;
    let total = 0;
    let o = NaN;
    let hi = -Infinity;
    let lo = Infinity;
    this.nextId += opts.idGap ?? 0;
    fills.forEach((f, j) => {
      const px = this.close + (f.sell ? -0.01 : 0.01) * ((f.lots % 7) + 1);
      this.h.trade(open + (opts.offsetUs ?? 1000) + j * 1000, this.nextId++, px, f.lots / LPU, f.sell);
      if (j === 0) o = px;
      hi = Math.max(hi, px);
      lo = Math.min(lo, px);
      this.close = px;
      total += f.lots;
      if (!f.sell) buy += f.lots;
    });
    const c = this.close;
    const k: Kline = {
      t: open, o: Number.isNaN(o) ? c : o, h: fills.length > 0 ? hi : c, l: fills.length > 0 ? lo : c, c,
      v: total / LPU, q: (total / LPU) * c, n: fills.length, V: buy / LPU, Q: (buy / LPU) * c,
    };
    if (opts.kline ?? true) this.h.kline(k);
    return k;
  }
}

/** Returns fills whose net delta is exactly `deltaLots` (a buy and a sell around it). */
export function fillsForDelta(deltaLots: number, noise = 0): Fill[] {
  const fills: Fill[] = [];
  if (noise > 0) fills.push({ lots: noise, sell: true }, { lots: noise, sell: false });
  if (deltaLots > 0) fills.push({ lots: deltaLots, sell: false });
  if (deltaLots < 0) fills.push({ lots: -deltaLots, sell: true });
  return fills;
}

/** Returns `n` random fills of 1..maxLots lots each. */
export function randomFills(rnd: () => number, n: number, maxLots: number): Fill[] {
  return Array.from({ length: n }, () => ({ lots: 1 + Math.floor(rnd() * maxLots), sell: rnd() < 0.5 }));
}

/** Parses every payload the harnesses emitted with the zod schema of its record type; returns how many. */
export function parseAll(harnesses: readonly Harness[], schemas: Record<string, { parse(x: unknown): unknown }>): number {
  let n = 0;
  for (const h of harnesses) {
    for (const ev of h.out) {
      const schema = schemas[ev.payload.type];
      if (schema === undefined) throw new Error(`no schema for record type '${ev.payload.type}'`);
      schema.parse(ev.payload.payload);
      n++;
    }
  }
  return n;
}
