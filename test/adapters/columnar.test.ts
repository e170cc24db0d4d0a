import { readFileSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Bool, Field, Float64, Int64, makeData, RecordBatch, Schema, Struct, Table, tableToIPC, TimestampMicrosecond, TimestampMillisecond,
} from 'apache-arrow';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../core/assert.ts';
import type { QxEvent } from '../../core/event.ts';
import {
  BATCH_ROWS, openStreamFile, writeStreamFile, type BatchOf, type Format, type StreamKind,
} from '../../adapters/columnar.ts';
import { SYM, T0, depth, kline, cleanup, tmp, trade } from './events.ts';

// Goal: a part file keeps every value of every column exactly, in both formats, and a bad file
// is refused with a DataError that names it.
// Method: write hand-built events (edge values: -0, subnormals, 2^53-1 ids, pu = -1, empty and
// one-sided level lists) with writeStreamFile, read them back with openStreamFile, rebuild the
// events from the typed-array columns and deep-compare; a fast-check property does the same for
// random trades; broken files are made by truncating, reordering and mislabelling real ones.

afterAll(cleanup);

const FORMATS: Format[] = ['parquet', 'arrow'];
const ext = (f: Format) => (f === 'parquet' ? 'parquet' : 'arrow');

/** Rebuilds plain events from a file's batches (an oracle path independent of StreamReader). */
function readEvents(path: string, kind: StreamKind, chunkRows?: number): QxEvent[] {
  const file = openStreamFile(path, kind, { chunkRows });
  const out: QxEvent[] = [];
  for (let b = file.nextBatch(); b !== null; b = file.nextBatch()) {
    for (let i = 0; i < b.length; i++) out.push(rowEvent(kind, b, i));
  }
  file.close();
  return out;
}

function rowEvent(kind: StreamKind, batch: BatchOf[StreamKind], i: number): QxEvent {
  const topic = `${kind}-${SYM.toLowerCase()}`;
  const base = { topic, ts: batch.ts[i], recvTs: batch.recvTs[i], key: SYM, seq: 0 };
  if (kind === 'raw-trades') {
    const b = batch as BatchOf['raw-trades'];
    return { ...base, payload: { id: b.id[i], price: b.price[i], qty: b.qty[i], isBuyerMaker: b.isBuyerMaker[i] === 1 } };
  }
  if (kind === 'depth') {
    const b = batch as BatchOf['depth'];
    const lv = (v: Float64Array, off: Int32Array) => Array.from(v.subarray(off[i], off[i + 1]));
    return {
      ...base,
      payload: {
        snapshot: b.snapshot[i] === 1, U: b.U[i], u: b.u[i], pu: b.pu[i],
        bidPx: lv(b.bidPx, b.bidOff), bidQty: lv(b.bidQty, b.bidOff), askPx: lv(b.askPx, b.askOff), askQty: lv(b.askQty, b.askOff),
      },
    };
  }
  const b = batch as BatchOf['kline-1m'];
  return {
    ...base,
    payload: { t: b.t[i], o: b.o[i], h: b.h[i], l: b.l[i], c: b.c[i], v: b.v[i], q: b.q[i], n: b.n[i], V: b.V[i], Q: b.Q[i] },
  };
}

const EDGE_TRADES = [
  trade(T0, 0, 42_000.01, 0.00001, false),
  trade(T0, 1, Number.MIN_VALUE, 5e-324, true),
  trade(T0 + 1, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, 1e-8, true, T0 - 5),
  trade(T0 + 3_599_999_999, 7, 0.1 + 0.2, 1e300, false),
];

const EDGE_DEPTH = [
  depth(T0, { snapshot: true, U: 0, u: 1_000_000_007, pu: -1, bidPx: [100, 99.99, 99.5], bidQty: [1, 2, 0], askPx: [100.01], askQty: [3] }),
  depth(T0 + 100_000, { U: 1_000_000_008, u: 1_000_000_010, pu: 1_000_000_007 }),
  depth(T0 + 200_000, { U: 1_000_000_011, u: 1_000_000_011, bidPx: [99.98], bidQty: [0] }),
  depth(T0 + 300_000, { U: Number.MAX_SAFE_INTEGER - 1, u: Number.MAX_SAFE_INTEGER, askPx: [1e-8, 2e-8], askQty: [-0, 5] }),
];

const EDGE_KLINES = [
  kline(T0, { o: 100, h: 101, l: 99, c: 100.5, v: 0, q: 0, n: 0, V: 0, Q: 0 }),
  kline(T0 + 60_000_000, { n: Number.MAX_SAFE_INTEGER, v: 12.34567, q: 1e12 }),
  kline(T0 + 120_000_000, {}, T0 + 180_000_000),
];

const CASES: Array<[StreamKind, QxEvent[]]> = [['raw-trades', EDGE_TRADES], ['depth', EDGE_DEPTH], ['kline-1m', EDGE_KLINES]];

describe('part files: round trip', () => {
  for (const format of FORMATS) {
    for (const [kind, events] of CASES) {
      it(`${kind} in ${format} reads back exactly, edge values included`, () => {
        const path = join(tmp(), `part.${ext(format)}`);
        const w = writeStreamFile(path, kind, events, format);
        expect(w.rows).toBe(events.length);
        expect(w.bytes).toBe(statSync(path).size);
        expect(readEvents(path, kind)).toEqual(events);
      });
    }

    it(`random trades in ${format} read back exactly (property)`, () => {
      const row = fc.record({
        dt: fc.integer({ min: 0, max: 5_000 }),
        price: fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true }),
        qty: fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true }),
        m: fc.boolean(),
      });
      fc.assert(fc.property(fc.array(row, { minLength: 1, maxLength: 200 }), (rows) => {
        let t = T0;
        const events = rows.map((r, i) => trade((t += r.dt), 1_000 + i, r.price, r.qty, r.m));
        const path = join(tmp(), `p.${ext(format)}`);
        writeStreamFile(path, 'raw-trades', events, format);
        expect(readEvents(path, 'raw-trades')).toEqual(events);
      }), { numRuns: 25 });
    });

    it(`${format} splits ${BATCH_ROWS + 10} rows into batches of ${BATCH_ROWS}, reused buffers valid per batch`, () => {
      const n = BATCH_ROWS + 10;
      const events = Array.from({ length: n }, (_, i) => trade(T0 + i, i, 100 + (i % 100) / 100, 1 + i, i % 3 === 0));
      const path = join(tmp(), `big.${ext(format)}`);
      writeStreamFile(path, 'raw-trades', events, format);
      const file = openStreamFile(path, 'raw-trades', { reuse: true });
      expect([file.rows, file.numBatches]).toEqual([n, 2]);
      const lengths: number[] = [];
      let k = 0;
      for (let b = file.nextBatch(); b !== null; b = file.nextBatch()) {
        lengths.push(b.length);
        for (let i = 0; i < b.length; i++, k++) {
          if (b.id[i] !== k || b.recvTs[i] !== T0 + k || b.isBuyerMaker[i] !== (k % 3 === 0 ? 1 : 0)) throw new Error(`row ${k} differs`);
        }
      }
      expect(lengths).toEqual([BATCH_ROWS, 10]);
    });
  }

  it('hands out a record batch in chunks of chunkRows with the values and row numbers it reads whole', () => {
    for (const format of FORMATS) {
      for (const [kind, events] of CASES) {
        const path = join(tmp(), `chunks.${ext(format)}`);
        writeStreamFile(path, kind, events, format);
        for (const chunk of [1, 3]) expect(readEvents(path, kind, chunk), `${format} ${kind} by ${chunk}`).toEqual(events);
        const file = openStreamFile(path, kind, { chunkRows: 3, reuse: true });
        const lengths: number[] = [];
        for (let b = file.nextBatch(); b !== null; b = file.nextBatch()) lengths.push(b.length);
        expect(lengths).toEqual(events.length === 4 ? [3, 1] : [3]);
      }
    }
    // A bad value or a fall of recv_ts in a later chunk is named by its row in the file.
    const path = join(tmp(), 'chunk-bad.arrow');
    writeStreamFile(path, 'raw-trades', [trade(T0, 1), trade(T0 + 1, 2), trade(T0 + 2, 3, -1, 1, false)], 'arrow');
    expect(() => readEvents(path, 'raw-trades', 2)).toThrow(`${path}: malformed row 2: column 'price' must be a finite positive number, was -1`);
    writeStreamFile(path, 'raw-trades', [trade(T0 + 5, 1), trade(T0 + 6, 2), trade(T0 + 4, 3)], 'arrow');
    expect(() => readEvents(path, 'raw-trades', 2)).toThrow(`${path}: rows out of order: recv_ts falls at row 2`);
  });

  it('refuses to write an id beyond 2^53 (it could not be read back exactly)', () => {
    const path = join(tmp(), 'bad.parquet');
    expect(() => writeStreamFile(path, 'raw-trades', [trade(T0, 2 ** 53 + 2)], 'parquet')).toThrow(/'id' row 0 must be a safe integer/);
  });
});

describe('part files: bad files give a DataError naming the file', () => {
  const events = Array.from({ length: 2_000 }, (_, i) => trade(T0 + i * 1_000, i, 100 + i / 100, 1));

  for (const format of FORMATS) {
    it(`a truncated ${format} file`, () => {
      const path = join(tmp(), `cut.${ext(format)}`);
      writeStreamFile(path, 'raw-trades', events, format);
      truncateSync(path, Math.floor(statSync(path).size / 2));
      expect(() => openStreamFile(path, 'raw-trades')).toThrow(DataError);
      expect(() => openStreamFile(path, 'raw-trades')).toThrow(new RegExp(`^${path}: truncated`));
    });

    it(`a ${format} file with a damaged body`, () => {
      const path = join(tmp(), `bad.${ext(format)}`);
      writeStreamFile(path, 'raw-trades', events, format);
      const bytes = readFileSync(path);
      for (let i = 8; i < bytes.length - 8; i += 7) bytes[i] ^= 0x5a;
      writeFileSync(path, bytes);
      expect(() => readAllRows(path)).toThrow(DataError);
      expect(() => readAllRows(path)).toThrow(path);
    });

    it(`a ${format} trades file read as depth has the wrong schema`, () => {
      const path = join(tmp(), `t.${ext(format)}`);
      writeStreamFile(path, 'raw-trades', events, format);
      expect(() => openStreamFile(path, 'depth')).toThrow(`${path}: wrong schema for 'depth'`);
    });

    it(`${format} rows out of recv_ts order`, () => {
      const path = join(tmp(), `o.${ext(format)}`);
      writeStreamFile(path, 'raw-trades', [trade(T0 + 5, 1), trade(T0 + 6, 2), trade(T0 + 4, 3)], format);
      const file = openStreamFile(path, 'raw-trades');
      expect(() => file.nextBatch()).toThrow(`${path}: rows out of order: recv_ts falls at row 2`);
    });

    it(`${format} malformed rows: a NaN price, a negative size, a negative level quantity`, () => {
      const bad = join(tmp(), `m.${ext(format)}`);
      writeStreamFile(bad, 'raw-trades', [trade(T0, 1, 100, 1, false), trade(T0 + 1, 2, NaN, 1, false)], format);
      expect(() => openStreamFile(bad, 'raw-trades').nextBatch()).toThrow(`${bad}: malformed row 1: column 'price' must be a finite positive number, was NaN`);
      writeStreamFile(bad, 'raw-trades', [trade(T0, 1, 100, -2, false)], format);
      expect(() => openStreamFile(bad, 'raw-trades').nextBatch()).toThrow(`${bad}: malformed row 0: column 'qty'`);
      writeStreamFile(bad, 'depth', [depth(T0, { snapshot: true, U: 1, u: 1, pu: -1, bidPx: [100], bidQty: [-1], askPx: [], askQty: [] })], format);
      expect(() => openStreamFile(bad, 'depth').nextBatch()).toThrow(/malformed level value 0 of this batch: column 'bid_qty'/);
    });
  }

  it('a foreign Arrow file with millisecond timestamps, or an int64 beyond 2^53', () => {
    const ms = join(tmp(), 'ms.arrow');
    writeFileSync(ms, foreignTrades(new TimestampMillisecond('UTC'), 1n));
    expect(() => openStreamFile(ms, 'raw-trades')).toThrow(`${ms}: column 'ts' must be Timestamp<MICROSECOND, UTC>, was Timestamp<MILLISECOND, UTC>`);
    const big = join(tmp(), 'big.arrow');
    writeFileSync(big, foreignTrades(new TimestampMicrosecond('UTC'), 2n ** 53n + 1n));
    const file = openStreamFile(big, 'raw-trades');
    expect(() => file.nextBatch()).toThrow(`${big}: column 'id' row 0 is beyond 2^53, was 9007199254740993`);
  });

  it('a missing file', () => {
    const path = join(tmp(), 'none.arrow');
    expect(() => openStreamFile(path, 'depth')).toThrow(`${path}: cannot read file (ENOENT)`);
  });
});

/** Returns Arrow IPC bytes of a one-row trades table written by plain apache-arrow, not by qx. */
function foreignTrades(tsType: TimestampMillisecond | TimestampMicrosecond, id: bigint): Uint8Array {
  const t = BigInt(T0);
  const fields = [
    new Field('ts', tsType, false), new Field('recv_ts', new TimestampMicrosecond('UTC'), false), new Field('id', new Int64(), false),
    new Field('price', new Float64(), false), new Field('qty', new Float64(), false), new Field('is_buyer_maker', new Bool(), false),
  ];
  const data = [
    BigInt64Array.of(t), BigInt64Array.of(t), BigInt64Array.of(id), Float64Array.of(1), Float64Array.of(2), Uint8Array.of(1),
  ];
  const children = fields.map((f, k) => makeData({ type: f.type, length: 1, nullCount: 0, data: data[k] } as never));
  const schema = new Schema(fields);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: 1, children }));
  return tableToIPC(new Table(schema, [batch]), 'file');
}

function readAllRows(path: string): number {
  const file = openStreamFile(path, 'raw-trades');
  let n = 0;
  for (let b = file.nextBatch(); b !== null; b = file.nextBatch()) n += b.length;
  return n;
}
