import { PARSE_ONCE } from '../../core/component.ts';
import { KLINE_CLOSE_OFFSET_US } from '../../core/event.ts';
import { US_PER_DAY } from '../../core/time.ts';
import { ASK, BID, LOTS_PER_BTC, SynthBook } from './book.ts';
import { EpisodeRunner } from './episodes.ts';
import { KlineAgg } from './kline.ts';
import { Maker } from './maker.ts';
import { resolveScale, SynthOptionsSchema, type Labels, type MarketSink, type ScaleConfig, type SynthOptions } from './options.ts';
import { Rng } from './rng.ts';
import { Taker } from './taker.ts';
import { VolProcess } from './vol.ts';

// The synthetic market, one 100 ms batch at a time. The fair price F (ticks, a float) follows
// the volatility process; taker orders arrive as a Poisson stream and trade against the book
// as published; then the makers act (episode scripts, realignment of the touch to F, random
// updates, far edge), and the batch's changes go out as one diff stamped at the batch's last ms.
// Order flow leans toward F: buyers dominate when F is above the mid or rising, plus a slow
// AR(1) imbalance. Output order is the replay merge order by construction.

export const BATCH_US = 100_000;
const BATCH_STAMP_US = 99_000;
const BATCHES_PER_MINUTE = 600;
const BATCHES_PER_DAY = 864_000;

/** Per-batch price and flow controls that a running episode may set. */
export interface Control {
  volMult: number;
  intensity: number;
  sideBias: number;
  /** Mean-reversion target of F (NaN: none) and pull per batch. */
  anchor: number;
  anchorK: number;
  lo: number;
  hi: number;
  /** Drift of F in ticks per batch. */
  drift: number;
  /** F held at this value (NaN: free); also forces a one-tick spread and a requote. */
  pin: number;
  /** Limits applied to the ordinary taker orders (ticks). */
  buyLimit: number;
  sellLimit: number;
}

function resetControl(c: Control): void {
  c.volMult = 1;
  c.intensity = 1;
  c.sideBias = 0;
  c.anchor = NaN;
  c.anchorK = 0;
  c.lo = -Infinity;
  c.hi = Infinity;
  c.drift = 0;
  c.pin = NaN;
  c.buyLimit = Infinity;
  c.sellLimit = -Infinity;
}

export class Market {
  readonly rng: Rng;
  readonly cfg: ScaleConfig;
  readonly book: SynthBook;
  readonly maker: Maker;
  readonly taker: Taker;
  readonly runner: EpisodeRunner;
  readonly refPx: number;
  readonly ctl = {} as Control;
  private readonly vol: VolProcess;
  private readonly agg: KlineAgg;
  /** Fair price in ticks (a float); the touch is realigned to it. */
  F: number;
  /** Relative sd of F over one batch at the current minute's volatility. */
  sigma = 0;
  private F1s: number;
  private ofi = 0;
  private requotePending = false;
  /** Start and stamp (last millisecond) of the current batch, µs. */
  T = 0;
  stamp = 0;

  constructor(seed: number, private readonly fromUs: number, scale: ScaleConfig, private readonly sink: MarketSink) {
    this.rng = new Rng(seed);
    this.cfg = scale;
    const day = Math.floor(fromUs / US_PER_DAY);
    this.refPx = Math.round(4_200_000 * (1 + 0.03 * (this.rng.uniform() - 0.5)));
    this.F = this.refPx + 0.5;
    this.F1s = this.F;
    this.book = new SynthBook(day * 100_000_000);
    this.maker = new Maker(this.book, this.rng, scale, this.refPx);
    this.maker.buildInitial(this.F);
    this.agg = new KlineAgg(this.book.best(BID));
    this.taker = new Taker(this.book, this.agg, sink, day * 10_000_000);
    this.vol = new VolProcess(this.rng);
    this.runner = new EpisodeRunner(seed);
    resetControl(this.ctl);
  }

  /** Generates day `d` (0-based from `fromUs`): the snapshot, then 864,000 batches. */
  runDay(d: number): void {
    const dayStart = this.fromUs + d * US_PER_DAY;
    this.sink.depth(dayStart, this.book.snapshot());
    this.taker.dayPxLots = 0;
    this.taker.dayLots = 0;
    this.runner.planDay(dayStart, d);
    for (let b = 0; b < BATCHES_PER_DAY; b++) this.batch(dayStart, b);
  }

  /** Returns the labels of every episode finished so far, by start time. */
  labels(): Labels {
    return { episodes: this.runner.finished() };
  }

  /** Returns the current mid in ticks. */
  mid(): number {
    return (this.book.best(BID) + this.book.best(ASK)) / 2;
  }

  private batch(dayStart: number, b: number): void {
    const T = dayStart + b * BATCH_US;
    this.T = T;
    this.stamp = T + BATCH_STAMP_US;
    if (b % BATCHES_PER_MINUTE === 0) {
      this.vol.stepMinute(T);
      this.sigma = this.vol.sigmaBatch();
    }
    if (b % 10 === 0) {
      this.ofi = 0.99 * this.ofi + 0.14 * this.rng.normal();
      this.F1s = this.F;
    }
    resetControl(this.ctl);
    this.runner.control(this);
    this.moveFair();
    this.normalOrders(b === 0);
    this.runner.orders(this);
    this.taker.run(T);
    this.runner.after(this);
    this.makers(b);
    const diff = this.book.flush();
    if (diff !== null) this.sink.depth(this.stamp, diff);
    if (b % BATCHES_PER_MINUTE === BATCHES_PER_MINUTE - 1) {
      const t = this.stamp - KLINE_CLOSE_OFFSET_US;
      this.sink.kline(this.stamp, this.agg.close(t));
    }
  }

  private moveFair(): void {
    const c = this.ctl;
    const z = this.rng.normal();
    this.vol.addShock(z);
    if (!Number.isNaN(c.pin)) {
      this.F = c.pin;
      return;
    }
    let F = this.F + this.F * this.sigma * c.volMult * z + c.drift;
    if (!Number.isNaN(c.anchor)) F += (c.anchor - F) * c.anchorK;
    this.F = Math.min(c.hi, Math.max(c.lo, F));
  }

  private normalOrders(firstOfDay: boolean): void {
    const rng = this.rng;
    const c = this.ctl;
    const intensity = this.vol.intensity() * c.intensity;
    const k = rng.poisson(this.cfg.ordersPerSec * 0.1 * intensity);
    if (k === 0) return;
    const s1 = this.F * this.sigma * Math.sqrt(10);
    const mom = clamp((this.F - this.F1s) / s1, 3);
    const gap = clamp((this.F - this.mid()) / s1, 3);
    const pBuy = 1 / (1 + Math.exp(-(0.9 * this.ofi + 0.5 * mom + 0.8 * gap + c.sideBias)));
    for (let i = 0; i < k; i++) {
      const off = firstOfDay ? 1 + rng.int(99) : rng.int(100);
      const isBuy = rng.uniform() < pBuy;
      this.taker.queue(off, isBuy, this.takerLots(), isBuy ? c.buyLimit : c.sellLimit);
    }
  }

  /** Returns a taker order size in lots: log-normal, with rare large prints. */
  takerLots(): number {
    const rng = this.rng;
    if (rng.chance(0.004)) return Math.round(rng.between(0.5, 6) * LOTS_PER_BTC);
    const lots = rng.logNormal(this.cfg.takerMedianBtc * LOTS_PER_BTC, 2);
    return Math.round(Math.min(5 * LOTS_PER_BTC, Math.max(12, lots)));
  }

  private makers(b: number): void {
    const rng = this.rng;
    const pinned = !Number.isNaN(this.ctl.pin);
    const pRequote = this.cfg.requotesPerSec * 0.1 * Math.sqrt(this.vol.intensity());
    if (this.requotePending || pinned || pRequote >= 1 || rng.chance(pRequote)) {
      const wide = !pinned && rng.chance(0.05 * this.vol.g);
      const spread = wide ? 2 + rng.int(4) : 1;
      this.requotePending = !this.maker.requote(Math.floor(this.F - spread / 2), spread);
    }
    const k = rng.poisson(this.cfg.churnPerSec * 0.1 * this.vol.intensity());
    for (let i = 0; i < k; i++) this.maker.churnOne();
    if (this.book.dirty()) {
      this.maker.thinOne(BID);
      this.maker.thinOne(ASK);
    }
    if (b % 10 === 9) this.maker.maintainFar();
  }
}

function clamp(x: number, m: number): number {
  return x > m ? m : x < -m ? -m : Number.isNaN(x) ? 0 : x;
}

/** Generates the market of `options` into `sink` in replay merge order; returns the episode labels. */
export function generateMarket(options: SynthOptions, sink: MarketSink): Labels {
  const cfg = SynthOptionsSchema.parse(options, PARSE_ONCE);
  const m = new Market(cfg.seed, cfg.fromUs, resolveScale(cfg.scale), sink);
  for (let d = 0; d < cfg.days; d++) m.runDay(d);
  return m.labels();
}
