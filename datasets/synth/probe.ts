import { ASK, BID, type BookView } from '../../core/book.ts';
import type { Episode, Labels } from './options.ts';

// Checks labels against a raw stream: while the stream is replayed into a core Book, the probe
// collects what the market shows around each labelled episode (trades at its price, the level's
// size before and after each diff, band depth, the void), and `checkEpisodes` returns one line
// per label that the stream contradicts. It serves the generator's tests and can vet any
// labels.json against its dataset. Prices inside are integer ticks (0.01), sizes integer lots.

const tk = (p: number): number => Math.round(p * 100);
const lt = (q: number): number => Math.round(q * 1e5);

interface Evidence {
  e: Episode;
  side: number;
  px: number;
  /**
   * Spoof: level size before and after the add, and after the cancel. Vacuum: band depth before
   * and after the start, and at the end. Iceberg: `before` is the level size before each diff.
   */
  before: number;
  after: number;
  atEnd: number;
  tradesAt: number;
  executed: number;
  lastTradeTs: number;
  refills: number;
  quickRefills: number;
  voidHits: number;
  lo: number;
  hi: number;
  lastPx: number;
  /** Taker buy and sell lots (stress: during the burst; level rejection: in the spike minute). */
  buys: number;
  sells: number;
}

export class EpisodeProbe {
  private readonly ev: Evidence[];
  private next = 0;
  private active: Evidence[] = [];

  constructor(labels: Labels | null) {
    const eps = labels === null ? [] : labels.episodes.slice().sort((a, b) => a.start_us - b.start_us);
    this.ev = eps.map((e) => ({
      e, side: e.side === 'ASK' ? ASK : BID, px: tk(e.price), before: NaN, after: NaN, atEnd: NaN, tradesAt: 0,
      executed: 0, lastTradeTs: -Infinity, refills: 0, quickRefills: 0, voidHits: 0, lo: Infinity, hi: -Infinity, lastPx: NaN,
      buys: 0, sells: 0,
    }));
  }

  /** Returns the evidence gathered for every label, in start order. */
  evidence(): readonly Evidence[] {
    return this.ev;
  }

  private advance(ts: number): void {
    while (this.next < this.ev.length && this.ev[this.next].e.start_us <= ts) this.active.push(this.ev[this.next++]);
    if (this.active.length > 0 && this.active[0].e.end_us + 1_000_000 < ts) {
      this.active = this.active.filter((x) => x.e.end_us + 1_000_000 >= ts);
    }
  }

  /** Records one trade: the side of the book it hit, its price (ticks) and size (lots). */
  trade(ts: number, side: number, px: number, lots: number): void {
    this.advance(ts);
    for (const x of this.active) {
      const e = x.e;
      if (ts > e.end_us) continue;
      if (side === x.side && px === x.px) {
        x.tradesAt++;
        x.executed += lots;
        x.lastTradeTs = ts;
      }
      if (e.kind === 'compression_breakout') this.compressionTrade(x, ts, px);
      if (e.kind === 'stress_reversal' || e.kind === 'level_rejection') this.spanTrade(x, ts, side, px, lots);
      if (e.kind === 'sweep') {
        if (side === x.side && ts < e.start_us + (e.meta.sweep_ms as number) * 1000) {
          x.lo = Math.min(x.lo, px);
          x.hi = Math.max(x.hi, px);
        }
        x.lastPx = px;
      }
    }
  }

  private spanTrade(x: Evidence, ts: number, side: number, px: number, lots: number): void {
    const m = x.e.meta;
    const from = x.e.kind === 'stress_reversal' ? x.e.start_us : (m.spike_us as number);
    const to = x.e.kind === 'stress_reversal' ? (m.burst_end_us as number) : x.e.end_us;
    x.lastPx = px;
    if (ts < from || ts > to) return;
    x.lo = Math.min(x.lo, px);
    x.hi = Math.max(x.hi, px);
    // A taker sell hits the bid.
    if (side === BID) x.sells += lots;
    else x.buys += lots;
  }

  private compressionTrade(x: Evidence, ts: number, px: number): void {
    if (ts <= (x.e.meta.compression_end_us as number)) {
      x.lo = Math.min(x.lo, px);
      x.hi = Math.max(x.hi, px);
    } else {
      const up = x.e.meta.direction === 'UP';
      x.lastPx = Number.isNaN(x.lastPx) ? px : up ? Math.max(x.lastPx, px) : Math.min(x.lastPx, px);
    }
  }

  /** Call with the book before a depth message at `ts` is applied. */
  beforeDepth(ts: number, book: BookView): void {
    this.advance(ts);
    for (const x of this.active) {
      if (ts === x.e.start_us && x.e.kind === 'spoof') x.before = lt(book.qtyAt(x.side, x.px / 100));
      if (ts === x.e.start_us && x.e.kind === 'vacuum') x.before = book.bandDepth(x.side, 25);
      if (x.e.kind === 'iceberg') x.before = lt(book.qtyAt(x.side, x.px / 100));
    }
  }

  /** Call with the book after a depth message at `ts` was applied. */
  afterDepth(ts: number, book: BookView): void {
    for (const x of this.active) {
      const e = x.e;
      const q = lt(book.qtyAt(x.side, x.px / 100));
      if (e.kind === 'spoof') {
        if (ts === e.start_us) x.after = q;
        if (ts === e.end_us) x.atEnd = q;
      } else if (e.kind === 'iceberg' && ts > e.start_us && ts <= e.end_us && q > x.before) {
        x.refills++;
        const lag = ts - x.lastTradeTs;
        if (lag >= 0 && lag <= 500_000) x.quickRefills++;
      } else if (e.kind === 'vacuum') {
        if (ts === e.start_us) x.after = book.bandDepth(x.side, 25);
        if (ts === e.end_us) x.atEnd = book.bandDepth(x.side, 25);
        if (ts >= e.start_us && ts < e.end_us) x.voidHits += levelsInside(book, x.side, tk(e.lo as number), tk(e.hi as number));
      }
    }
  }
}

function levelsInside(book: BookView, side: number, lo: number, hi: number): number {
  let n = 0;
  for (const p of book.px[side]) {
    const t = tk(p);
    if (t > lo && t < hi) n++;
  }
  return n;
}

/** Returns one line per label the probed stream contradicts (empty when all hold). */
export function checkEpisodes(probe: EpisodeProbe, labels: Labels): string[] {
  const bad: string[] = [];
  for (const x of probe.evidence()) {
    const fail = CHECKS[x.e.kind](x);
    if (fail !== null) bad.push(`${x.e.kind}@${x.e.start_us}: ${fail}`);
  }
  bad.push(...checkLayering(labels.episodes.filter((e) => e.kind === 'spoof')));
  return bad;
}

const CHECKS: Record<Episode['kind'], (x: Evidence) => string | null> = {
  spoof: (x) => {
    const m = x.e.meta;
    const size = lt(m.size_btc as number);
    if (size < 20e5) return `size ${size} lots below 20 BTC`;
    if ((m.distance_bps as number) < 3 || (m.distance_bps as number) > 30) return `distance ${m.distance_bps} bps`;
    if ((m.life_ms as number) < 500 || (m.life_ms as number) > 3000) return `life ${m.life_ms} ms`;
    if (x.after - x.before !== size) return `add shows ${x.after - x.before} lots, not ${size}`;
    if (x.atEnd !== x.before) return `cancel leaves ${x.atEnd} lots, not ${x.before}`;
    return x.tradesAt > 0 ? `${x.tradesAt} trades at the spoof price` : null;
  },
  iceberg: (x) => {
    const m = x.e.meta;
    if (x.executed !== lt(m.executed_btc as number)) return `executed ${x.executed} lots, label says ${m.executed_btc} BTC`;
    if (x.executed < 5 * lt(m.display_btc as number)) return `executed ${x.executed} lots is under 5x the display`;
    if (x.refills < 3 || x.refills !== m.refills) return `stream shows ${x.refills} refills, label says ${m.refills}`;
    return x.quickRefills < 0.7 * x.refills ? `only ${x.quickRefills} of ${x.refills} refills within 500 ms of a trade` : null;
  },
  vacuum: (x) => {
    const e = x.e;
    const width = tk(e.hi as number) - tk(e.lo as number);
    if (width < 10 || width / tk(e.price) < 1e-4) return `void ${width} ticks is under 10 ticks or 1 bp`;
    if (!(x.after < 0.3 * x.before)) return `band depth ${x.after} is not below 30% of ${x.before}`;
    if (x.voidHits > 0) return `${x.voidHits} levels seen inside the void`;
    return !e.meta.swept && !(x.atEnd >= 0.5 * x.before) ? `depth ${x.atEnd} not restored (was ${x.before})` : null;
  },
  sweep: (x) => {
    const m = x.e.meta;
    const up = m.direction === 'UP';
    const [vlo, vhi] = [tk(m.void_lo as number), tk(m.void_hi as number)];
    if (up ? !(x.lo <= vlo && x.hi > vhi) : !(x.hi >= vhi && x.lo < vlo)) return `trades ${x.lo}..${x.hi} do not cross the void`;
    if ((up ? x.hi : x.lo) !== x.px) return `extreme ${up ? x.hi : x.lo} is not the label price ${x.px}`;
    const p0 = tk(m.p0 as number);
    const retrace = (x.px - x.lastPx) / (x.px - p0);
    return retrace < 0.4 ? `retrace ${retrace.toFixed(2)} under 0.4` : null;
  },
  stress_reversal: (x) => {
    const e = x.e;
    const up = e.meta.direction === 'UP';
    if ((up ? x.hi : x.lo) !== x.px) return `burst extreme ${up ? x.hi : x.lo} is not the label price ${x.px}`;
    const p0 = tk(e.meta.p0 as number);
    const move = (x.px - p0) / p0;
    if (!(Math.abs(move) >= 80e-4)) return `burst moves ${(move * 1e4).toFixed(1)} bps, under 80`;
    const share = (up ? x.buys : x.sells) / (x.buys + x.sells);
    if (!(share >= 0.75)) return `burst flow only ${share.toFixed(2)} on the burst side`;
    const back = (x.px - x.lastPx) / (x.px - p0);
    return back < 0.1 || back > 0.8 ? `gives back ${back.toFixed(2)} of the burst, not 0.1-0.8` : null;
  },
  level_rejection: (x) => {
    const e = x.e;
    const up = e.meta.direction === 'UP';
    if (up ? !(x.lo < x.px) : !(x.hi > x.px)) return `spike minute ${x.lo}..${x.hi} does not cross the level ${x.px}`;
    if (up ? !(x.lastPx > x.px) : !(x.lastPx < x.px)) return `closes at ${x.lastPx}, not back on the level's side`;
    const wick = up ? (x.lastPx - x.lo) / (x.hi - x.lo) : (x.hi - x.lastPx) / (x.hi - x.lo);
    if (!(wick >= 0.7)) return `close is ${wick.toFixed(2)} of the range from the spike, under 0.7`;
    const net = up ? x.buys - x.sells : x.sells - x.buys;
    return !(net >= 1e5) ? `net flow ${net} lots against the spike, under 1 BTC` : null;
  },
  compression_breakout: (x) => {
    const e = x.e;
    if (x.lo !== tk(e.lo as number) || x.hi !== tk(e.hi as number)) return `box ${x.lo}..${x.hi} differs from the label`;
    if ((x.hi - x.lo) / x.lo > 15e-4) return `box ${x.hi - x.lo} ticks is wider than 15 bps`;
    const up = e.meta.direction === 'UP';
    const beyond = up ? x.lastPx - x.hi : x.lo - x.lastPx;
    return !(beyond >= 10e-4 * x.lo) ? `breakout goes ${beyond} ticks beyond the box` : null;
  },
};

function checkLayering(spoofs: Episode[]): string[] {
  const groups = new Map<number, Episode[]>();
  for (const s of spoofs) if (s.meta.layering) groups.set(s.meta.group as number, [...(groups.get(s.meta.group as number) ?? []), s]);
  const bad: string[] = [];
  for (const [g, m] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
    const span = (f: (e: Episode) => number) => Math.max(...m.map(f)) - Math.min(...m.map(f));
    if (m.length < 3 || new Set(m.map((e) => e.price)).size !== m.length) bad.push(`layering group ${g}: ${m.length} members`);
    else if (span((e) => e.start_us) > 2e6 || span((e) => e.end_us) > 2e6) bad.push(`layering group ${g}: adds or cancels span > 2 s`);
    else if (new Set(m.map((e) => e.side)).size !== 1) bad.push(`layering group ${g}: mixed sides`);
  }
  return bad;
}
