// The event envelope and the raw market payloads (DESIGN §3, SPEC §0.1).
// Times are integer µs. Readers reuse one event object per stream, so a component must copy
// what it keeps from an event; it may never hold a reference to the event or its arrays.

export interface QxEvent<P = unknown> {
  /** Full topic name, e.g. `raw-trades-btcusdt`. */
  topic: string;
  /** Exchange event time, µs. */
  ts: number;
  /** Time qx received the event, µs (equal to `ts` for imported history). */
  recvTs: number;
  /** Partition key: the symbol for market data. */
  key: string;
  /** Run sequence number, stamped by the runtime. */
  seq: number;
  payload: P;
}

/** A trade (`raw-trades-<sym>`); `ts` is the trade time. */
export interface Trade {
  id: number;
  price: number;
  qty: number;
  /** True when the buyer was the maker, i.e. the taker SOLD. */
  isBuyerMaker: boolean;
}

/**
 * An L2 depth message (`depth-<sym>`): a snapshot (`snapshot=true`, `u` = lastUpdateId) or a
 * diff (`U` first update id, `u` final update id, `pu` previous final id on USDⓈ-M, else -1).
 * Levels are parallel arrays of price and absolute quantity; quantity 0 removes a level.
 */
export interface Depth {
  snapshot: boolean;
  U: number;
  u: number;
  pu: number;
  bidPx: ArrayLike<number>;
  bidQty: ArrayLike<number>;
  askPx: ArrayLike<number>;
  askQty: ArrayLike<number>;
}

/** A closed 1m kline (`kline-1m-<sym>`); event `ts` = `t + 59_999_000` µs. */
export interface Kline {
  /** Open time, µs. */
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  /** Base volume. */
  v: number;
  /** Quote volume. */
  q: number;
  /** Number of trades. */
  n: number;
  /** Taker-buy base volume. */
  V: number;
  /** Taker-buy quote volume. */
  Q: number;
}

/** Close time offset of a 1m kline: ts = open + 59.999 s. */
export const KLINE_CLOSE_OFFSET_US = 59_999_000;

export interface Window {
  start_us: number;
  end_us: number;
}

/** The output record of every derived topic (SPEC §0.4), carried as a derived event's payload. */
export interface Out<P = Record<string, unknown>> {
  type: string;
  v: 1;
  symbol: string;
  provider: string;
  /** Per-component, per-topic monotonic counter. */
  seq: number;
  /** Data time of the trigger, µs. */
  ts: number;
  window: Window | null;
  warm: boolean;
  degraded: boolean;
  flags: string[];
  payload: P;
}

export interface TimerPayload {
  tag: string;
}
