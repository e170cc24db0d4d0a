import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ASK, BID, Book } from '../../core/book.ts';
import type { Depth, Kline, Trade } from '../../core/event.ts';
import { readManifest } from '../../datasets/manifest.ts';
import { KlineAgg } from '../../datasets/synth/kline.ts';
import {
  checkEpisodes, EpisodeProbe, generateMarket, synthToDataset, type Episode, type EpisodeKind, type Labels,
} from '../../datasets/synth/index.ts';

// Goal: the synthetic market is deterministic per seed, streams in replay merge order, is a
// consistent L2 market (core Book never INVALID or crossed; trades hit levels on the book and the
// next diff shows them gone; klines are the exact aggregation of the trades), has intraday
// seasonality, and carries planted episodes whose labels match what the stream shows.
// Method: generate one day at small scale three times (seed A twice, seed B once); the second run
// replays every depth message into core/book.ts and checks each trade and diff as it streams,
// re-aggregates klines in integer ticks and lots, and probes each labelled episode.

const FROM = Date.UTC(2024, 0, 1) * 1000;
const MIN = 60_000_000;
const ticks = (p: number) => Math.round(p * 100);
const lots = (q: number) => Math.round(q * 1e5);

/** A sink that hashes the stream and checks merge order, the book, trades and klines online. */
class Checker {
  readonly hash = createHash('sha256');
  readonly book = new Book('spot');
  readonly probe: EpisodeProbe;
  last = { ts: -Infinity, rank: 0 };
  orderViolations = 0;
  idGaps = 0;
  lastId = -1;
  chainBreaks = 0;
  lastU = -1;
  notValid = 0;
  crossed = 0;
  notOnBook = 0;
  skippedLevels = 0;
  diffMismatches = 0;
  tradedLevelsChecked = 0;
  klineMismatches: string[] = [];
  klines = 0;
  zeroMinutes = 0;
  readonly perHour = new Array<number>(24).fill(0);
  /** Trades since the last diff per (side, price): lots taken and the book's size before. */
  private traded = new Map<string, { side: number; px: number; before: number; taken: number }>();
  private minute = { t: -1, o: 0, h: 0, l: 0, c: 0, v: 0, q: 0, n: 0, V: 0, Q: 0 };
  private lastClose = NaN;

  constructor(labels: Labels | null) {
    this.probe = new EpisodeProbe(labels);
  }

  private order(ts: number, rank: number): void {
    if (ts < this.last.ts || (ts === this.last.ts && rank < this.last.rank)) this.orderViolations++;
    if (!Number.isInteger(ts)) this.orderViolations++;
    this.last = { ts, rank };
  }

  trade(ts: number, t: Trade): void {
    this.order(ts, 0);
    this.hash.update(`t${ts},${t.id},${t.price},${t.qty},${t.isBuyerMaker}\n`);
    if (this.lastId >= 0 && t.id !== this.lastId + 1) this.idGaps++;
    this.lastId = t.id;
    this.perHour[Math.floor(ts / 3_600_000_000) % 24]++;
    const side = t.isBuyerMaker ? BID : ASK;
    const px = ticks(t.price);
    const key = `${side}:${px}`;
    const rec = this.traded.get(key) ?? { side, px, before: lots(this.book.qtyAt(side, t.price)), taken: 0 };
    rec.taken += lots(t.qty);
    this.traded.set(key, rec);
    if (this.book.status !== 'VALID' || rec.taken > rec.before) this.notOnBook++;
    // A taker walks the book: every level better than its price must be used up by this batch's trades.
    const pxs = this.book.px[side];
    for (let i = 0; i < pxs.length && (side === ASK ? ticks(pxs[i]) < px : ticks(pxs[i]) > px); i++) {
      const used = this.traded.get(`${side}:${ticks(pxs[i])}`);
      if (used === undefined || used.taken !== lots(this.book.qty[side][i])) this.skippedLevels++;
    }
    this.addToMinute(ts, px, lots(t.qty), !t.isBuyerMaker);
    this.probe.trade(ts, side, px, lots(t.qty));
  }

  depth(ts: number, d: Depth): void {
    this.order(ts, 1);
    this.hash.update(`d${ts},${JSON.stringify(d)}\n`);
    if (!d.snapshot && this.lastU >= 0 && d.U !== this.lastU + 1) this.chainBreaks++;
    this.lastU = d.u;
    this.probe.beforeDepth(ts, this.book);
    const r = this.book.apply(d);
    if (this.book.status !== 'VALID' || r === 'GAP' || r === 'CROSSED') this.notValid++;
    if (!(this.book.bestBid() < this.book.bestAsk())) this.crossed++;
    for (const rec of this.traded.values()) {
      this.tradedLevelsChecked++;
      if (lots(this.book.qtyAt(rec.side, rec.px / 100)) !== rec.before - rec.taken) this.diffMismatches++;
    }
    this.traded.clear();
    this.probe.afterDepth(ts, this.book);
  }

  kline(ts: number, k: Kline): void {
    this.order(ts, 2);
    this.hash.update(`k${ts},${JSON.stringify(k)}\n`);
    this.klines++;
    const m = this.minute;
    const exp = m.t === k.t
      ? { t: m.t, o: m.o / 100, h: m.h / 100, l: m.l / 100, c: m.c / 100, v: m.v / 1e5, q: m.q / 1e7, n: m.n, V: m.V / 1e5, Q: m.Q / 1e7 }
      : { t: k.t, o: this.lastClose, h: this.lastClose, l: this.lastClose, c: this.lastClose, v: 0, q: 0, n: 0, V: 0, Q: 0 };
    if (m.t !== k.t) this.zeroMinutes++;
    if (ts !== k.t + 59_999_000 || JSON.stringify(exp) !== JSON.stringify(k)) this.klineMismatches.push(`${k.t}`);
    this.lastClose = k.c;
    m.t = -1;
  }

  private addToMinute(ts: number, px: number, q: number, buy: boolean): void {
    const m = this.minute;
    const t = ts - (ts % MIN);
    if (m.t !== t) Object.assign(m, { t, o: px, h: px, l: px, v: 0, q: 0, n: 0, V: 0, Q: 0 });
    m.h = Math.max(m.h, px);
    m.l = Math.min(m.l, px);
    m.c = px;
    m.v += q;
    m.q += px * q;
    m.n++;
    if (buy) {
      m.V += q;
      m.Q += px * q;
    }
  }
}

function run(seed: number, labels: Labels | null): { c: Checker; labels: Labels } {
  const c = new Checker(labels);
  const out = generateMarket({ seed, fromUs: FROM, days: 1, scale: 'small' }, c);
  return { c, labels: out };
}

describe('datasets > synth', () => {
  let a: { c: Checker; labels: Labels };
  let b: { c: Checker; labels: Labels };
  beforeAll(() => {
    a = run(11, null);
    b = run(11, a.labels);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const digestA = a.c.hash.digest('hex');
    expect(b.c.hash.digest('hex')).toBe(digestA);
    expect(b.labels).toEqual(a.labels);
    const other = run(12, null);
    expect(other.c.hash.digest('hex')).not.toBe(digestA);
    expect(other.labels).not.toEqual(a.labels);
  });

  it('streams in replay merge order with continuous trade and update ids', () => {
    const c = b.c;
    expect(c.orderViolations).toBe(0);
    expect(c.idGaps).toBe(0);
    expect(c.chainBreaks).toBe(0);
    expect(c.perHour.reduce((s, x) => s + x, 0)).toBeGreaterThan(20_000);
  });

  it('keeps core Book valid and uncrossed after every message', () => {
    expect(b.c.notValid).toBe(0);
    expect(b.c.crossed).toBe(0);
    expect(b.c.book.px[BID].length).toBeGreaterThan(150);
  });

  it('trades hit sizes shown on the book, walk it in order, and the next diff shows them gone', () => {
    const c = b.c;
    expect(c.notOnBook).toBe(0);
    expect(c.skippedLevels).toBe(0);
    expect(c.diffMismatches).toBe(0);
    expect(c.tradedLevelsChecked).toBeGreaterThan(20_000);
  });

  it('klines are the exact aggregation of the trades, one per minute', () => {
    expect(b.c.klines).toBe(1440);
    expect(b.c.klineMismatches).toEqual([]);
  });

  it('an empty minute gives a zero-volume kline at the previous close', () => {
    const agg = new KlineAgg(4_200_000);
    expect(agg.close(0)).toEqual({ t: 0, o: 42000, h: 42000, l: 42000, c: 42000, v: 0, q: 0, n: 0, V: 0, Q: 0 });
    agg.add(4_200_010, 30_000, true);
    agg.add(4_199_990, 10_000, false);
    expect(agg.close(MIN)).toEqual({ t: MIN, o: 42000.1, h: 42000.1, l: 41999.9, c: 41999.9, v: 0.4, q: 16800.02, n: 2, V: 0.3, Q: 12600.03 });
    expect(agg.close(2 * MIN)).toMatchObject({ o: 41999.9, c: 41999.9, v: 0, n: 0 });
  });

  it('has more trades per hour in 13-16 UTC than in 00-05 UTC', () => {
    const h = b.c.perHour;
    const mean = (lo: number, hi: number) => h.slice(lo, hi).reduce((s, x) => s + x, 0) / (hi - lo);
    expect(mean(13, 16)).toBeGreaterThan(2 * mean(0, 5));
  });

  it('plants several episodes of every kind, mostly in London and New York hours', () => {
    const eps = b.labels.episodes;
    const kinds: EpisodeKind[] = ['compression_breakout', 'iceberg', 'spoof', 'vacuum', 'sweep'];
    for (const k of kinds) expect(eps.filter((e) => e.kind === k).length, k).toBeGreaterThanOrEqual(3);
    const inSession = eps.filter((e) => inHours(e, 7, 21)).length;
    expect(inSession / eps.length).toBeGreaterThan(0.6);
    for (const e of eps) {
      expect(e.start_us).toBeGreaterThanOrEqual(FROM);
      expect(e.end_us).toBeGreaterThan(e.start_us);
      expect(e.end_us).toBeLessThan(FROM + 24 * 60 * MIN);
      expect(e.price).toBeGreaterThan(30_000);
      expect(e.side === null).toBe(e.kind === 'compression_breakout' || e.kind === 'stress_reversal');
      if (e.lo !== undefined) expect(e.hi as number).toBeGreaterThan(e.lo);
    }
  });

  it('labels match what the stream shows for each episode', () => {
    expect(checkEpisodes(b.c.probe, b.labels)).toEqual([]);
  });

  it('plants stress reversals and level rejections in busy hours, each checked against the stream', () => {
    // The probe's checks for these kinds (probe.ts): a stress burst reaches the labelled extreme
    // >= 80 bps from its start with >= 75% of taker volume on its side, then gives back 10-80%; a
    // level rejection trades through the level and closes the minute back on its side, >= 0.7 of
    // the range from the spike, with >= 1 BTC net taker flow against the spike.
    const eps = b.labels.episodes;
    for (const k of ['stress_reversal', 'level_rejection'] as const) {
      const of = eps.filter((e) => e.kind === k);
      expect(of.length, k).toBeGreaterThanOrEqual(1);
      for (const e of of) expect(inHours(e, 8, 20), k).toBe(true);
    }
    const bad = checkEpisodes(b.c.probe, { episodes: eps.filter((e) => e.kind === 'stress_reversal' || e.kind === 'level_rejection') });
    expect(bad).toEqual([]);
    // A doctored label fails: a level rejection whose level is moved 50 bps away is not crossed.
    const lr = eps.find((e) => e.kind === 'level_rejection') as Episode;
    const moved = { ...lr, price: Math.round(lr.price * 0.995 * 100) / 100 };
    const probe = new EpisodeProbe({ episodes: [moved] });
    const c = new Checker(null);
    generateMarket({ seed: 11, fromUs: FROM, days: 1, scale: 'small' }, {
      trade: (ts, t) => { c.trade(ts, t); probe.trade(ts, t.isBuyerMaker ? BID : ASK, ticks(t.price), lots(t.qty)); },
      depth: (ts, d) => c.depth(ts, d),
      kline: (ts, k) => c.kline(ts, k),
    });
    expect(checkEpisodes(probe, { episodes: [moved] }).length).toBe(1);
  });

  it('refuses a start that is not a UTC midnight, and a zero day count', () => {
    const sink = { trade() {}, depth() {}, kline() {} };
    expect(() => generateMarket({ seed: 1, fromUs: FROM + 1, days: 1 }, sink)).toThrow('fromUs must be a UTC day start');
    expect(() => generateMarket({ seed: 1, fromUs: FROM, days: 0 }, sink)).toThrow();
  });

  it('synthToDataset writes the dataset, its manifest and labels.json', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'qx-synth-')), 'ds');
    const labels = await synthToDataset(dir, { seed: 11, fromUs: FROM, days: 1, scale: 'small' }, 'arrow');
    expect(labels).toEqual(a.labels);
    expect(JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8'))).toEqual(labels);
    const m = readManifest(dir);
    expect(m.streams).toEqual(['raw-trades', 'depth', 'kline-1m']);
    expect([m.from_us, m.to_us]).toEqual([FROM, FROM + 24 * 60 * MIN]);
    const rows = (kind: string) => m.files.filter((f) => f.path.startsWith(kind)).reduce((s, f) => s + f.rows, 0);
    expect(rows('raw-trades')).toBe(b.c.perHour.reduce((s, x) => s + x, 0));
    expect(rows('kline-1m')).toBe(1440);
  });
});

function inHours(e: Episode, lo: number, hi: number): boolean {
  const h = ((e.start_us - FROM) / (60 * MIN)) % 24;
  return h >= lo && h < hi;
}
