import type { Trade } from '../../core/event.ts';
import { US_PER_MS } from '../../core/time.ts';
import { ASK, BID, LOTS_PER_BTC, TICKS_PER_USDT, type SynthBook } from './book.ts';
import type { KlineAgg } from './kline.ts';
import type { MarketSink } from './options.ts';

// Aggressive orders of one 100 ms batch. They are queued with a millisecond offset, then run in
// time order against the book as published at the start of the batch (the makers update it only
// after the trades): a buy takes the best ask, walking up level by level while it has size left,
// printing one trade per level, all at the order's time. An order may carry a limit price, past
// which it stops (the rest is cancelled, like an IOC order).

const WALK_LEVELS_MAX = 80;

export class Taker {
  private readonly off: number[] = [];
  private readonly buy: boolean[] = [];
  private readonly size: number[] = [];
  private readonly limit: number[] = [];
  private readonly order: number[] = [];
  private n = 0;
  /** Trade prices (ticks) of the current batch: extremes and count. */
  batchMax = -Infinity;
  batchMin = Infinity;
  batchTrades = 0;
  /** Price (ticks) of the last trade. */
  lastPx = NaN;
  /** Sums of price x lots and lots of the current UTC day's trades (the day VWAP episodes aim at). */
  dayPxLots = 0;
  dayLots = 0;

  constructor(
    private readonly book: SynthBook,
    private readonly agg: KlineAgg,
    private readonly sink: MarketSink,
    public nextId: number,
  ) {}

  /** Queues an order: offset in ms within the batch, size in lots, limit in ticks (±Infinity: none). */
  queue(offMs: number, isBuy: boolean, lots: number, limit: number): void {
    const i = this.n++;
    this.off[i] = offMs;
    this.buy[i] = isBuy;
    this.size[i] = lots;
    this.limit[i] = limit;
    this.order[i] = i;
  }

  /** Returns the day VWAP so far in ticks (NaN before the day's first trade). */
  dayVwap(): number {
    return this.dayLots > 0 ? this.dayPxLots / this.dayLots : NaN;
  }

  /** Runs the queued orders in time order (ties keep queue order) and clears the queue. */
  run(batchStartUs: number): void {
    this.batchMax = -Infinity;
    this.batchMin = Infinity;
    this.batchTrades = 0;
    const ord = this.order;
    for (let i = 1; i < this.n; i++) {
      const v = ord[i];
      let j = i - 1;
      while (j >= 0 && this.off[ord[j]] > this.off[v]) {
        ord[j + 1] = ord[j];
        j--;
      }
      ord[j + 1] = v;
    }
    for (let k = 0; k < this.n; k++) {
      const i = ord[k];
      this.execute(batchStartUs + this.off[i] * US_PER_MS, this.buy[i], this.size[i], this.limit[i]);
    }
    this.n = 0;
  }

  private execute(ts: number, isBuy: boolean, lots: number, limit: number): void {
    const book = this.book;
    const side = isBuy ? ASK : BID;
    let left = lots;
    for (let walked = 0; left > 0 && walked < WALK_LEVELS_MAX && book.count(side) > 1; walked++) {
      const px = book.px(side, 0);
      if (isBuy ? px > limit : px < limit) break;
      const fill = Math.min(left, book.qty(side, 0));
      book.takeBest(side, fill);
      this.agg.add(px, fill, isBuy);
      const trade: Trade = { id: this.nextId++, price: px / TICKS_PER_USDT, qty: fill / LOTS_PER_BTC, isBuyerMaker: !isBuy };
      this.sink.trade(ts, trade);
      if (px > this.batchMax) this.batchMax = px;
      if (px < this.batchMin) this.batchMin = px;
      this.batchTrades++;
      this.lastPx = px;
      this.dayPxLots += px * fill;
      this.dayLots += fill;
      left -= fill;
    }
  }
}
