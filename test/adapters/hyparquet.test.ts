import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import type { QxEvent } from '../../core/event.ts';
import { writeStreamFile, type StreamKind } from '../../adapters/columnar.ts';
import { T0, depth, kline, cleanup, tmp, trade } from './events.ts';

// Goal: Parquet written by qx is standard Parquet that another implementation reads with the
// declared types: TIMESTAMP(MICROS, UTC) on INT64, plain INT64, DOUBLE, BOOLEAN and LIST<DOUBLE>.
// Method: write one file per kind with qx (parquet-wasm), then read its footer and rows with
// hyparquet (pure JS, no code shared with qx) and compare types and values; timestamps are read
// as raw µs BigInts so no precision is lost on the way.

afterAll(cleanup);

interface SchemaElement {
  name: string;
  type?: string;
  repetition_type?: string;
  logical_type?: { type: string; isAdjustedToUTC?: boolean; unit?: string };
}

function open(kind: StreamKind, events: QxEvent[]) {
  const path = join(tmp(), `${kind}.parquet`);
  writeStreamFile(path, kind, events, 'parquet');
  const buf = readFileSync(path);
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  const meta = parquetMetadata(file);
  const leaves = new Map<string, SchemaElement>();
  for (const el of meta.schema as SchemaElement[]) leaves.set(el.name, el);
  return { file, meta, leaves };
}

const rowsOf = (file: ArrayBuffer) =>
  parquetReadObjects({ file, parsers: { timestampFromMicroseconds: (us: bigint) => us } as never });

const TS_MICROS_UTC = { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' };

describe('hyparquet reads qx Parquet', () => {
  it('trades: TIMESTAMP micros UTC, INT64 id, DOUBLE price and qty, BOOLEAN side', async () => {
    const { file, meta, leaves } = open('raw-trades', [trade(T0 + 1, 9_007_199_254_740_991, 42_000.5, 0.001, true, T0), trade(T0 + 2, 2, 0.1, 3, false)]);
    for (const name of ['ts', 'recv_ts']) {
      expect(leaves.get(name)).toMatchObject({ type: 'INT64', repetition_type: 'REQUIRED', logical_type: TS_MICROS_UTC });
    }
    expect(leaves.get('id')).toMatchObject({ type: 'INT64' });
    expect(leaves.get('id')?.logical_type).toBeUndefined();
    expect([leaves.get('price')?.type, leaves.get('qty')?.type, leaves.get('is_buyer_maker')?.type]).toEqual(['DOUBLE', 'DOUBLE', 'BOOLEAN']);
    expect(meta.row_groups[0].columns[0].meta_data?.codec).toBe('SNAPPY');
    expect(await rowsOf(file)).toEqual([
      { ts: BigInt(T0), recv_ts: BigInt(T0 + 1), id: 9_007_199_254_740_991n, price: 42_000.5, qty: 0.001, is_buyer_maker: true },
      { ts: BigInt(T0 + 2), recv_ts: BigInt(T0 + 2), id: 2n, price: 0.1, qty: 3, is_buyer_maker: false },
    ]);
  });

  it('depth: INT64 update ids (pu = -1), BOOLEAN snapshot, LIST<DOUBLE> levels including empty lists', async () => {
    const { file, meta, leaves } = open('depth', [
      depth(T0, { snapshot: true, U: 5, u: 9, pu: -1, bidPx: [100, 99.5], bidQty: [1, 2] }),
      depth(T0 + 100_000, { U: 10, u: 12, pu: 9, askPx: [100.5], askQty: [0] }),
    ]);
    expect(leaves.get('snapshot')?.type).toBe('BOOLEAN');
    for (const name of ['first_update_id', 'final_update_id', 'prev_final_update_id']) expect(leaves.get(name)?.type).toBe('INT64');
    const lists = (meta.schema as SchemaElement[]).filter((el) => el.logical_type?.type === 'LIST').map((el) => el.name);
    expect(lists).toEqual(['bid_px', 'bid_qty', 'ask_px', 'ask_qty']);
    const items = (meta.schema as SchemaElement[]).filter((el) => el.name === 'item').map((el) => el.type);
    expect(items).toEqual(['DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE']);
    expect(await rowsOf(file)).toEqual([
      {
        ts: BigInt(T0), recv_ts: BigInt(T0), snapshot: true, first_update_id: 5n, final_update_id: 9n, prev_final_update_id: -1n,
        bid_px: [100, 99.5], bid_qty: [1, 2], ask_px: [], ask_qty: [],
      },
      {
        ts: BigInt(T0 + 100_000), recv_ts: BigInt(T0 + 100_000), snapshot: false, first_update_id: 10n, final_update_id: 12n,
        prev_final_update_id: 9n, bid_px: [], bid_qty: [], ask_px: [100.5], ask_qty: [0],
      },
    ]);
  });

  it('klines: close ts and open_time as TIMESTAMP micros, INT64 trade count, DOUBLE prices and volumes', async () => {
    const { file, leaves } = open('kline-1m', [kline(T0, { o: 1, h: 2, l: 0.5, c: 1.5, v: 10, q: 12, n: 7, V: 4, Q: 5 })]);
    expect(leaves.get('open_time')).toMatchObject({ type: 'INT64', logical_type: TS_MICROS_UTC });
    expect(leaves.get('trades')?.type).toBe('INT64');
    const doubles = ['open', 'high', 'low', 'close', 'volume', 'quote_volume', 'taker_buy_volume', 'taker_buy_quote_volume'];
    expect(doubles.map((n) => leaves.get(n)?.type)).toEqual(doubles.map(() => 'DOUBLE'));
    expect(await rowsOf(file)).toEqual([{
      ts: BigInt(T0 + 59_999_000), recv_ts: BigInt(T0 + 59_999_000), open_time: BigInt(T0),
      open: 1, high: 2, low: 0.5, close: 1.5, volume: 10, quote_volume: 12, trades: 7n, taker_buy_volume: 4, taker_buy_quote_volume: 5,
    }]);
  });
});
