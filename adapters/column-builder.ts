import type { Depth, Kline, QxEvent, Trade } from '../core/event.ts';
import type { ColumnsOf, DepthColumns, KlineColumns, StreamKind, TradeColumns } from './columnar.ts';

// Growable typed-array columns that collect raw events of one kind (one hour of a stream), so a
// writer keeps flat numeric arrays instead of millions of event objects.

/** A Float64Array that doubles its capacity as values are pushed. */
export class F64Builder {
  data = new Float64Array(1024);
  length = 0;

  /** Appends one value. */
  push(x: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = x;
  }

  /** Appends `src[from..to)`. */
  pushRange(src: ArrayLike<number>, from: number, to: number): void {
    const n = to - from;
    if (this.length + n > this.data.length) this.grow(this.length + n);
    for (let i = 0; i < n; i++) this.data[this.length + i] = src[from + i];
    this.length += n;
  }

  /** Returns a view of the values pushed so far (valid until the next push). */
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }

  private grow(need: number): void {
    let cap = this.data.length * 2;
    while (cap < need) cap *= 2;
    const next = new Float64Array(cap);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
}

/** Collects events of one kind into columns. */
export interface ColumnBuilder<K extends StreamKind> {
  readonly length: number;
  add(ev: QxEvent): void;
  /** Returns the columns collected so far (views, valid until the next `add`). */
  columns(): ColumnsOf[K];
}

/** Returns an empty builder for `kind`. */
export function columnBuilder<K extends StreamKind>(kind: K): ColumnBuilder<K> {
  const b = kind === 'raw-trades' ? new TradeBuilder() : kind === 'depth' ? new DepthBuilder() : new KlineBuilder();
  return b as unknown as ColumnBuilder<K>;
}

/** Returns the columns of `events` of one kind. */
export function columnsFromEvents<K extends StreamKind>(kind: K, events: readonly QxEvent[]): ColumnsOf[K] {
  const b = columnBuilder(kind);
  for (const ev of events) b.add(ev);
  return b.columns();
}

const fields = (n: number): F64Builder[] => Array.from({ length: n }, () => new F64Builder());

class TradeBuilder implements ColumnBuilder<'raw-trades'> {
  private readonly f = fields(6);
  get length(): number {
    return this.f[0].length;
  }
  add(ev: QxEvent): void {
    const p = ev.payload as Trade;
    const f = this.f;
    f[0].push(ev.ts); f[1].push(ev.recvTs); f[2].push(p.id);
    f[3].push(p.price); f[4].push(p.qty); f[5].push(p.isBuyerMaker ? 1 : 0);
  }
  columns(): TradeColumns {
    const [ts, recvTs, id, price, qty, isBuyerMaker] = this.f.map((b) => b.view());
    return { length: this.length, ts, recvTs, id, price, qty, isBuyerMaker };
  }
}

class DepthBuilder implements ColumnBuilder<'depth'> {
  private readonly f = fields(6);
  private readonly lv = fields(4);
  private readonly bidOff = new F64Builder();
  private readonly askOff = new F64Builder();
  constructor() {
    this.bidOff.push(0);
    this.askOff.push(0);
  }
  get length(): number {
    return this.f[0].length;
  }
  add(ev: QxEvent): void {
    const p = ev.payload as Depth;
    const f = this.f;
    f[0].push(ev.ts); f[1].push(ev.recvTs); f[2].push(p.snapshot ? 1 : 0);
    f[3].push(p.U); f[4].push(p.u); f[5].push(p.pu);
    const [bidPx, bidQty, askPx, askQty] = this.lv;
    bidPx.pushRange(p.bidPx, 0, p.bidPx.length);
    bidQty.pushRange(p.bidQty, 0, p.bidQty.length);
    askPx.pushRange(p.askPx, 0, p.askPx.length);
    askQty.pushRange(p.askQty, 0, p.askQty.length);
    this.bidOff.push(bidPx.length);
    this.askOff.push(askPx.length);
  }
  columns(): DepthColumns {
    const [ts, recvTs, snapshot, U, u, pu] = this.f.map((b) => b.view());
    const [bidPx, bidQty, askPx, askQty] = this.lv.map((b) => b.view());
    return {
      length: this.length, ts, recvTs, snapshot, U, u, pu,
      bidOff: this.bidOff.view(), bidPx, bidQty, askOff: this.askOff.view(), askPx, askQty,
    };
  }
}

class KlineBuilder implements ColumnBuilder<'kline-1m'> {
  private readonly f = fields(12);
  get length(): number {
    return this.f[0].length;
  }
  add(ev: QxEvent): void {
    const p = ev.payload as Kline;
    const f = this.f;
    f[0].push(ev.ts); f[1].push(ev.recvTs); f[2].push(p.t);
    f[3].push(p.o); f[4].push(p.h); f[5].push(p.l); f[6].push(p.c);
    f[7].push(p.v); f[8].push(p.q); f[9].push(p.n); f[10].push(p.V); f[11].push(p.Q);
  }
  columns(): KlineColumns {
    const [ts, recvTs, t, o, h, l, c, v, q, n, V, Q] = this.f.map((b) => b.view());
    return { length: this.length, ts, recvTs, t, o, h, l, c, v, q, n, V, Q };
  }
}
