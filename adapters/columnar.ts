import {
  Bool, Field, Float64, Int64, List, Schema, TimestampMicrosecond, Type, type DataType,
} from 'apache-arrow';
import { DataError } from '../core/assert.ts';
import { dateOfUs, US_PER_HOUR } from '../core/time.ts';

// The columnar layer of a dataset: the three raw stream kinds, their Arrow schemas (which are
// also the Parquet schemas), the on-disk layout, and the typed-array column shapes that writers
// take and readers hand back. Timestamps are µs integers; int64 columns travel as JS numbers,
// which are exact below 2^53, so no BigInt reaches the hot path.

/** The raw kinds in merge-rank order: trades 0, depth 1, klines 2 (DESIGN §5). */
export const STREAM_KINDS = ['raw-trades', 'depth', 'kline-1m'] as const;
export const FORMATS = ['parquet', 'arrow'] as const;

export type StreamKind = (typeof STREAM_KINDS)[number];
export type Format = (typeof FORMATS)[number];

/** Rows per Arrow record batch and per Parquet row group. */
export const BATCH_ROWS = 65_536;

/** Returns the merge rank of a kind: trades 0 < depth 1 < klines 2. */
export function rankOf(kind: StreamKind): number {
  return STREAM_KINDS.indexOf(kind);
}

/** Returns the file extension of a format. */
export function extOf(format: Format): string {
  return format === 'parquet' ? 'parquet' : 'arrow';
}

/** Returns the relative path of the part file holding the hour that contains `us`. */
export function partPath(kind: StreamKind, us: number, format: Format): string {
  const hour = Math.floor(us / US_PER_HOUR) * US_PER_HOUR;
  const hh = String(Math.floor((hour % 86_400_000_000) / US_PER_HOUR)).padStart(2, '0');
  return `${kind}/date=${dateOfUs(hour)}/part-${hh}.${extOf(format)}`;
}

const PART_RE = /^(raw-trades|depth|kline-1m)\/date=(\d{4})-(\d{2})-(\d{2})\/part-(\d{2})\.(parquet|arrow)$/;

/** Returns the kind, format and hour start (µs) of a relative part path, or null when it is not one. */
export function parsePartPath(path: string): { kind: StreamKind; format: Format; hourUs: number } | null {
  const m = PART_RE.exec(path);
  if (m === null) return null;
  const ms = Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]), Number(m[5]));
  if (!Number.isFinite(ms) || Number(m[5]) > 23) return null;
  return { kind: m[1] as StreamKind, format: m[6] as Format, hourUs: ms * 1000 };
}

type Num = ArrayLike<number>;

/** Trade columns; `isBuyerMaker` holds 0/1. */
export interface TradeColumns {
  length: number;
  ts: Num; recvTs: Num; id: Num; price: Num; qty: Num; isBuyerMaker: Num;
}

/**
 * Depth columns. Levels of row i are `bidPx[bidOff[i] .. bidOff[i+1])` (the same for quantities
 * and asks), so `bidOff` and `askOff` have `length + 1` entries.
 */
export interface DepthColumns {
  length: number;
  ts: Num; recvTs: Num; snapshot: Num; U: Num; u: Num; pu: Num;
  bidOff: Num; bidPx: Num; bidQty: Num; askOff: Num; askPx: Num; askQty: Num;
}

/** Kline columns; `t` is the open time and `ts` the close time. */
export interface KlineColumns {
  length: number;
  ts: Num; recvTs: Num; t: Num;
  o: Num; h: Num; l: Num; c: Num; v: Num; q: Num; n: Num; V: Num; Q: Num;
}

export interface TradeBatch extends TradeColumns {
  ts: Float64Array; recvTs: Float64Array; id: Float64Array; price: Float64Array; qty: Float64Array;
  isBuyerMaker: Uint8Array;
}

export interface DepthBatch extends DepthColumns {
  ts: Float64Array; recvTs: Float64Array; snapshot: Uint8Array; U: Float64Array; u: Float64Array; pu: Float64Array;
  bidOff: Int32Array; bidPx: Float64Array; bidQty: Float64Array; askOff: Int32Array; askPx: Float64Array; askQty: Float64Array;
}

export interface KlineBatch extends KlineColumns {
  ts: Float64Array; recvTs: Float64Array; t: Float64Array;
  o: Float64Array; h: Float64Array; l: Float64Array; c: Float64Array; v: Float64Array; q: Float64Array;
  n: Float64Array; V: Float64Array; Q: Float64Array;
}

export interface ColumnsOf { 'raw-trades': TradeColumns; depth: DepthColumns; 'kline-1m': KlineColumns }
export interface BatchOf { 'raw-trades': TradeBatch; depth: DepthBatch; 'kline-1m': KlineBatch }

/** How a file column maps to a batch field: its storage class drives conversion and checks. */
export type ColumnClass = 'ts' | 'i64' | 'f64' | 'bool' | 'list';

export interface ColumnSpec {
  /** Column name in the file (snake_case). */
  name: string;
  /** Field of the batch; for a list, the values field (`bidPx`), whose offsets go to `off`. */
  key: string;
  cls: ColumnClass;
  /** The offsets field of a list column (`bidOff`). */
  off?: string;
}

const c = (name: string, key: string, cls: ColumnClass, off?: string): ColumnSpec => ({ name, key, cls, off });

/** Column layout per kind, in file order. */
export const COLUMNS: { [K in StreamKind]: readonly ColumnSpec[] } = {
  'raw-trades': [
    c('ts', 'ts', 'ts'), c('recv_ts', 'recvTs', 'ts'), c('id', 'id', 'i64'),
    c('price', 'price', 'f64'), c('qty', 'qty', 'f64'), c('is_buyer_maker', 'isBuyerMaker', 'bool'),
  ],
  depth: [
    c('ts', 'ts', 'ts'), c('recv_ts', 'recvTs', 'ts'), c('snapshot', 'snapshot', 'bool'),
    c('first_update_id', 'U', 'i64'), c('final_update_id', 'u', 'i64'), c('prev_final_update_id', 'pu', 'i64'),
    c('bid_px', 'bidPx', 'list', 'bidOff'), c('bid_qty', 'bidQty', 'list', 'bidOff'),
    c('ask_px', 'askPx', 'list', 'askOff'), c('ask_qty', 'askQty', 'list', 'askOff'),
  ],
  'kline-1m': [
    c('ts', 'ts', 'ts'), c('recv_ts', 'recvTs', 'ts'), c('open_time', 't', 'ts'),
    c('open', 'o', 'f64'), c('high', 'h', 'f64'), c('low', 'l', 'f64'), c('close', 'c', 'f64'),
    c('volume', 'v', 'f64'), c('quote_volume', 'q', 'f64'), c('trades', 'n', 'i64'),
    c('taker_buy_volume', 'V', 'f64'), c('taker_buy_quote_volume', 'Q', 'f64'),
  ],
};

/** Returns the Arrow type of a column class. */
export function arrowType(cls: ColumnClass): DataType {
  switch (cls) {
    case 'ts': return new TimestampMicrosecond('UTC');
    case 'i64': return new Int64();
    case 'f64': return new Float64();
    case 'bool': return new Bool();
    case 'list': return new List(new Field('item', new Float64(), false));
  }
}

/** Returns the Arrow schema of a kind: every column non-nullable. */
export function schemaOf(kind: StreamKind): Schema {
  return new Schema(COLUMNS[kind].map((s) => new Field(s.name, arrowType(s.cls), false)));
}

/** Throws a DataError naming `path` unless `schema` has the columns and types of `kind`. */
export function checkSchema(path: string, kind: StreamKind, schema: Schema): void {
  const want = schemaOf(kind).fields;
  const got = schema.fields;
  const names = got.map((f) => f.name).join(',');
  if (got.length !== want.length || want.some((f, i) => f.name !== got[i].name)) {
    throw new DataError(`${path}: wrong schema for '${kind}': columns must be ${want.map((f) => f.name).join(',')}, were ${names}`);
  }
  want.forEach((f, i) => {
    if (!sameType(f.type, got[i].type)) {
      throw new DataError(`${path}: column '${f.name}' must be ${String(f.type)}, was ${String(got[i].type)}`);
    }
  });
}

function sameType(a: DataType, b: DataType): boolean {
  if (a.typeId !== b.typeId) return false;
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  if (a.typeId === Type.Timestamp) return x.unit === y.unit && x.timezone === y.timezone;
  if (a.typeId === Type.Int) return x.bitWidth === y.bitWidth && x.isSigned === y.isSigned;
  if (a.typeId === Type.Float) return x.precision === y.precision;
  if (a.typeId === Type.List) {
    return sameType((x.children as Field[])[0].type, (y.children as Field[])[0].type);
  }
  return true;
}

export { writeStreamFile, type WrittenFile } from './columnar-write.ts';
export { openStreamFile, type StreamFile, type OpenOptions, type ReadBuffer } from './columnar-read.ts';
