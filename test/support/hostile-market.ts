import fc from 'fast-check';
import type { Depth, Kline, Trade } from '../../core/event.ts';

// A seeded generator of short, hostile but structurally valid markets for whole-topology
// property tests (test/determinism/hostile-market.test.ts). Prices are kept in integer ticks of
// 0.01 and sizes in lots of 1e-5 until a message is built, so the model book never drifts.

export const S = 1_000_000;
const MS = 1_000;
export const MIN = 60 * S;
const STEP = 100 * MS;
/**
 * Whole minutes a market starts shortly before (up to 25 minutes, in 100 ms steps), so the day,
 * week and session anchors fall inside the data: midnight after the leap day, a Monday midnight
 * (day and week), the London open on the day British Summer Time starts, the New York open on
 * the day US daylight time starts, and an ordinary afternoon.
 */
const ANCHORS_MS = [
  Date.UTC(2024, 2, 1), Date.UTC(2024, 2, 4), Date.UTC(2024, 2, 31, 7), Date.UTC(2024, 2, 10, 13, 30), Date.UTC(2024, 2, 5, 12, 17),
];
const BID = 0;
const ASK = 1;
/** Levels of one side in one depth message, at most (a message carries a 50-level side twice over, and a crossing level). */
export const LEVELS_MAX = 256;

export const FEATURES = [
  'jumps', 'oneSided', 'emptied', 'gaps', 'crossed', 'staleDepth', 'wideSpread',
  'dupTrades', 'lateTrades', 'idGaps', 'bursts', 'quiet', 'away', 'klineMissing', 'klineLate', 'outage', 'lateStart',
  'lateDepth', 'klineOff', 'overlap',
] as const;
export type Feature = (typeof FEATURES)[number];

export interface Spec {
  seed: number;
  /** First input time, µs; the minutes of the klines are whole UTC minutes. */
  start: number;
  minutes: number;
  /** The first mid, ticks (a 100 USDT coin or 40 000 USDT BTC), and the mean gap between levels, ticks. */
  mid0: number;
  spacing: number;
  levels: number;
  on: Record<Feature, boolean>;
  /** How much more often than usual the features that are on strike. */
  rate: number;
  /** Where the snapshot is taken, as a fraction of the inputs. */
  cut: number;
}

export type Input = { ts: number; rank: number } & (
  | { kind: 'trade'; trade: Trade } | { kind: 'depth'; depth: Depth } | { kind: 'kline'; kline: Kline });

/** Returns a Park-Miller generator in [0, 1). */
function lcg(seed: number): () => number {
  let x = seed % 2147483647 || 1;
  return () => (x = (x * 16807) % 2147483647) / 2147483647;
}

/** One minute's kline, aggregated from the trades admitted in it. */
interface Agg { o: number; h: number; l: number; c: number; v: number; q: number; n: number; V: number; Q: number }

/** A seeded market: a mid in ticks, a model book of ticks → size, update and trade ids. */
export class Market {
  readonly inputs: Input[] = [];
  private readonly rnd: () => number;
  private mid: number;
  /** Best bid and ask of the model book, ticks. */
  private touch = [0, 0];
  private readonly book: [Map<number, number>, Map<number, number>] = [new Map(), new Map()];
  private u = 1_000;
  private tradeId = 5_000;
  private lastDepth: Depth | null = null;
  /** Until when each side is kept empty (µs). */
  private readonly blankUntil = [0, 0];
  private resyncAt = Infinity;
  private agg: Agg | null = null;
  private close: number;
  private quietMinute = false;
  private readonly late: Array<{ at: number; kline: Kline }> = [];
  /** Until when the whole feed is silent (µs): an outage. */
  private silentUntil = 0;

  constructor(private readonly spec: Spec) {
    this.rnd = lcg(spec.seed);
    this.mid = spec.mid0;
    this.close = spec.mid0 / 100;
  }

  build(): Input[] {
    const start = this.spec.start;
    this.reshape(start);
    // A late start: diffs (WAITING) and trades flow for up to three minutes before the first snapshot.
    if (this.chance('lateStart', 1)) this.resyncAt = start + this.rnd() * 3 * MIN;
    else this.inputs.push({ kind: 'depth', ts: start, rank: 1, depth: this.snapshotMessage() });
    for (let ts = start + STEP; ts < start + this.spec.minutes * MIN; ts += STEP) {
      // The first minute is partly seen: its kline is the trades from the start on.
      if (ts % MIN === 0) this.closeMinute(ts - MIN);
      this.walk();
      if (ts < this.silentUntil) continue;
      for (const k of this.late.filter((x) => x.at <= ts)) this.inputs.push({ kind: 'kline', ts: k.at, rank: 2, kline: k.kline });
      this.late.splice(0, this.late.length, ...this.late.filter((x) => x.at > ts));
      const batch = [...this.trades(ts), ...this.depth(ts)];
      // Arrival order within a step is (time, rank), as replay merges them (DESIGN §5).
      batch.sort((a, b) => a.ts - b.ts || a.rank - b.rank);
      this.numberTrades(batch);
      this.inputs.push(...batch);
    }
    return this.inputs;
  }

  private chance(f: Feature, p: number): boolean {
    return this.spec.on[f] && this.rnd() < p * this.spec.rate;
  }

  private walk(): void {
    this.mid += Math.round((this.rnd() - 0.5) * Math.max(3, this.mid * 8e-5));
    if (this.chance('jumps', 1 / 1500)) this.mid = Math.round(this.mid * (1 + (this.rnd() < 0.5 ? -1 : 1) * (0.02 + this.rnd() * 0.06)));
    this.mid = Math.max(this.mid, 1_000);
  }

  /** Returns a size in lots of 0.00001 BTC: mostly small, a few walls of 500 BTC. */
  private lots(): number {
    return this.rnd() < 0.01 ? 50_000_000 : 1 + Math.floor(this.rnd() ** 3 * 2_000_000);
  }

  private readonly qty = (): number => this.lots() / 100_000;

  /** Moves the model book to the current mid: drops what crosses, fills to depth, trims, tweaks. */
  private reshape(ts: number): void {
    // A wide spread is up to 50 bps.
    const spread = 1 + Math.floor(this.rnd() * (this.chance('wideSpread', 0.02) ? this.mid * 0.005 : 3));
    const touch = [this.mid - Math.floor(spread / 2), this.mid - Math.floor(spread / 2) + spread];
    this.touch = touch;
    for (const side of [BID, ASK]) {
      const m = this.book[side];
      const dir = side === BID ? -1 : 1;
      if (ts < this.blankUntil[side]) {
        m.clear();
        continue;
      }
      for (const p of [...m.keys()]) if ((p - touch[side]) * dir < 0) m.delete(p);
      if (!m.has(touch[side]) || this.rnd() < 0.3) m.set(touch[side], this.qty());
      while (m.size < this.spec.levels) m.set(touch[side] + dir * Math.floor(this.rnd() * this.spec.levels * this.spec.spacing), this.qty());
      const far = [...m.keys()].sort((a, b) => (a - b) * dir);
      while (m.size > this.spec.levels) m.delete(far.pop() as number);
      const keys = [...m.keys()];
      for (let k = Math.floor(this.rnd() * 4); k > 0; k--) {
        const p = keys[Math.floor(this.rnd() * keys.length)];
        if (p !== touch[side] && this.rnd() < 0.3) m.delete(p);
        else m.set(p, this.qty());
      }
    }
  }

  private snapshotMessage(): Depth {
    const [bids, asks] = this.book.map((m) => [...m].sort((a, b) => a[0] - b[0]));
    // A snapshot a little ahead of the diffs: the next diff is dropped as STALE or spans it.
    const u = this.u + (this.chance('overlap', 0.5) ? 1 + Math.floor(this.rnd() * 3) : 0);
    return {
      snapshot: true, U: u, u, pu: -1,
      bidPx: bids.map((l) => l[0] / 100), bidQty: bids.map((l) => l[1]), askPx: asks.map((l) => l[0] / 100), askQty: asks.map((l) => l[1]),
    };
  }

  /** Returns this step's depth messages: usually one diff, with the hostile ones mixed in. */
  private depth(ts: number): Input[] {
    if (this.rnd() < 0.5) return [];
    // A late depth message is stamped up to two seconds before the step (the exchange's clock).
    const at = this.chance('lateDepth', 0.02) ? Math.max(this.spec.start, ts - Math.floor(this.rnd() * 2 * S)) : ts + Math.floor(this.rnd() * STEP);
    const out: Input[] = [];
    if (this.chance('oneSided', 0.002)) this.blankUntil[this.rnd() < 0.5 ? BID : ASK] = ts + this.blankFor();
    if (this.chance('emptied', 0.001)) this.blankUntil.fill(ts + this.blankFor());
    const prev = this.book.map((m) => new Map(m));
    this.reshape(ts);
    const levels = this.book.map((m, side) => changes(prev[side], m));
    const U = this.breakChain(ts, levels);
    this.u = U + Math.floor(this.rnd() * 4);
    const d: Depth = {
      snapshot: false, U, u: this.u, pu: U - 1,
      bidPx: levels[BID].map((l) => l[0] / 100), bidQty: levels[BID].map((l) => l[1]),
      askPx: levels[ASK].map((l) => l[0] / 100), askQty: levels[ASK].map((l) => l[1]),
    };
    out.push({ kind: 'depth', ts: at, rank: 1, depth: d });
    if (this.lastDepth !== null && this.chance('staleDepth', 0.01)) out.push({ kind: 'depth', ts: at, rank: 1, depth: this.lastDepth });
    this.lastDepth = d;
    if (at >= this.resyncAt || this.rnd() < 0.001) {
      this.resyncAt = Infinity;
      out.push({ kind: 'depth', ts: at + 1, rank: 1, depth: this.snapshotMessage() });
    }
    return out;
  }

  /** Returns how long a side stays empty: a few seconds, sometimes a minute. */
  private blankFor(): number {
    return (this.rnd() < 0.2 ? 10 + this.rnd() * 50 : 1 + this.rnd() * 8) * S;
  }

  /**
   * Returns the first update id of this step's diff: the next one, or past a gap; may add a
   * level through the other side's touch (CROSSED). Either makes the book INVALID until the
   * snapshot due at `resyncAt`, seconds or minutes later.
   */
  private breakChain(ts: number, levels: Array<Array<[number, number]>>): number {
    const resync = () => {
      const delay = this.rnd() < 0.2 ? 30 + this.rnd() * 210 : this.rnd() * 20;
      this.resyncAt = Math.min(this.resyncAt, ts + delay * S);
    };
    let U = this.u + 1;
    if (this.chance('gaps', 0.004)) {
      U += 1 + Math.floor(this.rnd() * 5);
      resync();
    }
    if (this.chance('crossed', 0.004)) {
      const side = this.rnd() < 0.5 ? BID : ASK;
      const other = [...this.book[1 - side].keys()];
      if (other.length > 0) {
        const touch = side === BID ? Math.min(...other) : Math.max(...other);
        levels[side].push([touch + (side === BID ? 1 : -1) * Math.floor(this.rnd() * 3), this.qty()]);
        resync();
      }
    }
    return U;
  }

  /** Returns this step's trades (ids come later): at the touch, some away from the book, late, bursting. */
  private trades(ts: number): Input[] {
    if (this.quietMinute) return [];
    let n = this.rnd() < 0.3 ? 1 + Math.floor(this.rnd() * 3) : 0;
    const burst = this.chance('bursts', 0.003);
    if (burst) n = 30 + Math.floor(this.rnd() * (this.rnd() < 0.2 ? 1_000 : 150));
    const out: Input[] = [];
    const at = ts + Math.floor(this.rnd() * STEP);
    for (let i = 0; i < n; i++) {
      const buy = this.rnd() < 0.5;
      let px = this.touch[buy ? ASK : BID];
      if (this.chance('away', 0.03)) px = Math.round(this.mid * (1 + (this.rnd() - 0.5) * 0.08));
      const trade: Trade = { id: 0, price: px / 100, qty: Math.ceil(this.lots() / 10) / 100_000, isBuyerMaker: !buy };
      const late = this.chance('lateTrades', 0.03);
      const t = late ? Math.max(this.spec.start, ts - Math.floor(this.rnd() * 5 * S)) : burst ? at : ts + Math.floor(this.rnd() * STEP);
      out.push({ kind: 'trade', ts: t, rank: 0, trade });
      // A duplicate is the same object: it gets the same id below, and sorts right after it.
      if (this.chance('dupTrades', 0.03)) out.push({ kind: 'trade', ts: t, rank: 0, trade });
    }
    return out;
  }

  /** Numbers a step's trades in arrival order (ids only grow; a late trade keeps its early time) and adds them to the minute. */
  private numberTrades(batch: readonly Input[]): void {
    for (const x of batch) {
      if (x.kind !== 'trade' || x.trade.id !== 0) continue;
      this.tradeId += this.chance('idGaps', 0.02) ? 2 + Math.floor(this.rnd() * 50) : 1;
      x.trade.id = this.tradeId;
      this.add(x.trade);
    }
  }

  private add(t: Trade): void {
    const p = t.price;
    const a = (this.agg ??= { o: p, h: p, l: p, c: p, v: 0, q: 0, n: 0, V: 0, Q: 0 });
    Object.assign(a, { h: Math.max(a.h, p), l: Math.min(a.l, p), c: p, v: a.v + t.qty, q: a.q + p * t.qty, n: a.n + 1 });
    if (!t.isBuyerMaker) Object.assign(a, { V: a.V + t.qty, Q: a.Q + p * t.qty });
  }

  /** Closes the minute opening at `t`: its kline now, late, or never. */
  private closeMinute(t: number): void {
    const c = this.close;
    const kline: Kline = { t, ...(this.agg ?? { o: c, h: c, l: c, c, v: 0, q: 0, n: 0, V: 0, Q: 0 }) };
    this.close = kline.c;
    // A kline that disagrees with the trades: prices 1% off, twice the volume.
    const f = this.chance('klineOff', 0.1) ? (this.rnd() < 0.5 ? 0.99 : 1.01) : 1;
    if (f !== 1) Object.assign(kline, { o: kline.o * f, h: kline.h * f, l: kline.l * f, c: kline.c * f, v: kline.v * 2, q: kline.q * 2 });
    this.agg = null;
    this.quietMinute = this.chance('quiet', 0.25);
    if (this.chance('outage', 0.05)) this.silentUntil = t + MIN + (30 + this.rnd() * 270) * S;
    if (t + MIN < this.silentUntil || this.chance('klineMissing', 0.15)) return;
    if (this.chance('klineLate', 0.2)) this.late.push({ at: t + MIN + Math.floor((5 + this.rnd() * 85) * S), kline });
    else this.inputs.push({ kind: 'kline', ts: kline.t + MIN - MS, rank: 2, kline });
  }
}

/** Returns the levels whose size changed from `prev` to `next` (0 for removed), by price. */
function changes(prev: Map<number, number>, next: Map<number, number>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const p of prev.keys()) if (!next.has(p)) out.push([p, 0]);
  for (const [p, q] of next) if (prev.get(p) !== q) out.push([p, q]);
  return out.sort((a, b) => a[0] - b[0]);
}

export const arbSpec: fc.Arbitrary<Spec> = fc.record({
  seed: fc.integer({ min: 1, max: 2147483646 }),
  start: fc.tuple(fc.constantFrom(...ANCHORS_MS), fc.integer({ min: 1, max: 15_000 })).map(([ms, steps]) => (ms - steps * 100) * 1000),
  minutes: fc.integer({ min: 2, max: 30 }),
  mid0: fc.constantFrom(10_000, 4_000_000),
  spacing: fc.integer({ min: 1, max: 400 }),
  levels: fc.integer({ min: 1, max: 50 }),
  rate: fc.constantFrom(1, 1, 5, 25),
  on: fc.record(Object.fromEntries(FEATURES.map((f) => [f, fc.boolean()])) as Record<Feature, fc.Arbitrary<boolean>>),
  cut: fc.double({ min: 0, max: 1, noNaN: true }),
});

