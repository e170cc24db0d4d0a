import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../core/assert.ts';
import type { Depth, QxEvent } from '../../core/event.ts';
import { DatasetWriter } from '../../adapters/dataset-writer.ts';
import { mergeBefore, ReplaySource, type ReplayOptions } from '../../adapters/replay.ts';
import { writeStreamFile, type Format } from '../../adapters/columnar.ts';
import { convertDataset } from '../../datasets/convert.ts';
import { readManifest, writeManifest } from '../../adapters/manifest.ts';
import { StreamReader, type PartRef } from '../../adapters/stream-reader.ts';
import { HOUR, SYM, T0, copy, depth, kindOf, kline, cleanup, tmp, trade } from './events.ts';

// Goal: the replay log is the k-way merge of the three streams on (recvTs, rank, seq), cut to
// [from, to), read one hour file per stream at a time, and refuses damaged datasets by file name.
// Method: write small hand-built datasets with DatasetWriter in both formats, replay them and
// compare with a naive oracle (concatenate, stable-sort by the merge key, filter); watch the
// readers' open-file counters during the replay; damage files and manifests and expect DataError.

afterAll(cleanup);

const PROV = { generator: 'test', params: {}, createdBy: 'qx-test' };

function writeDataset(events: QxEvent[], format: Format, dir = tmp()): string {
  const w = new DatasetWriter(dir, { symbol: SYM, format, provenance: PROV });
  for (const e of events) w.add(kindOf(e), e);
  w.close();
  return dir;
}

function replay(dir: string, options: ReplayOptions = {}): QxEvent[] {
  const src = new ReplaySource(dir, options);
  const out: QxEvent[] = [];
  for (let e = src.next(); e !== null; e = src.next()) out.push(copy(e));
  src.close();
  return out;
}

const rank = (e: QxEvent) => ['raw-trades', 'depth', 'kline-1m'].indexOf(kindOf(e));
const seqOf = (e: QxEvent) => {
  const p = e.payload as { id?: number; u?: number; t?: number };
  return p.id ?? p.u ?? (p.t as number);
};

/** The oracle: every event sorted by (recvTs, rank, seq), stable, then cut to [from, to). */
function oracle(events: QxEvent[], from = -Infinity, to = Infinity): QxEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.recvTs - b.e.recvTs || rank(a.e) - rank(b.e) || seqOf(a.e) - seqOf(b.e) || a.i - b.i)
    .map((x) => x.e)
    .filter((e) => e.recvTs >= from && e.recvTs < to);
}

/** Three streams over three hours, with ties on recvTs across streams and within the trades. */
function market(): QxEvent[] {
  const out: QxEvent[] = [];
  let id = 500;
  let u = 9_000;
  for (let m = 0; m < 180; m++) {
    const t = T0 + m * 60_000_000;
    out.push(trade(t + 1_000_000, id++, 100, 1, true));
    out.push(trade(t + 59_999_000, id++, 100 + m / 10, 0.5, m % 2 === 0));
    out.push(trade(t + 59_999_000, id++, 100 + m / 10, 0.25, false));
    out.push(depth(t + 30_000_000, { U: u + 1, u: (u += 2), askPx: [101, 102], askQty: [1, 0] }));
    out.push(depth(t + 59_999_000, { U: u + 1, u: (u += 3), bidPx: [99 + m / 10], bidQty: [m], askPx: [], askQty: [] }));
    out.push(kline(t, { c: 100 + m / 10, h: 200, l: 50 }));
  }
  return out;
}

describe('ReplaySource: merge order', () => {
  it('mergeBefore orders by recvTs, then rank trades < depth < klines, then stream seq', () => {
    const k = (recvTs: number, r: number, seq: number) => ({ recvTs, rank: r, seq });
    expect(mergeBefore(k(1, 2, 9), k(2, 0, 0))).toBe(true);
    expect(mergeBefore(k(5, 0, 9), k(5, 1, 0))).toBe(true);
    expect(mergeBefore(k(5, 1, 0), k(5, 2, 0))).toBe(true);
    expect(mergeBefore(k(5, 2, 0), k(5, 0, 0))).toBe(false);
    expect(mergeBefore(k(5, 0, 3), k(5, 0, 4))).toBe(true);
    expect(mergeBefore(k(5, 0, 4), k(5, 0, 3))).toBe(false);
    expect(mergeBefore(k(5, 0, 4), k(5, 0, 4))).toBe(false);
  });

  for (const format of ['parquet', 'arrow'] as Format[]) {
    it(`a trade, a depth diff and a kline at one recvTs come out trade, depth, kline (${format})`, () => {
      const close = T0 + 59_999_000;
      // Written stream by stream (klines first), so the order out is the merge's doing.
      const events = [kline(T0), depth(close, { u: 7 }), trade(T0 + 5, 10), trade(close, 11), trade(close, 12)];
      const out = replay(writeDataset(events, format));
      expect(out.map((e) => `${kindOf(e)}:${seqOf(e)}`)).toEqual([
        'raw-trades:10', 'raw-trades:11', 'raw-trades:12', 'depth:7', 'kline-1m:' + T0,
      ]);
    });

    it(`offers a run of trades only when two or more come before another stream's next event (${format})`, () => {
      const close = T0 + 59_999_000;
      const events = [kline(T0), depth(T0 + 6, { u: 7 }), trade(T0 + 5, 10), trade(T0 + 7, 11), trade(T0 + 8, 12)];
      const src = new ReplaySource(writeDataset(events, format));
      const seen: string[] = [];
      for (let e = src.next(); e !== null; e = src.next()) {
        const run = src.tradeRun(Infinity);
        seen.push(`${kindOf(e)}:${seqOf(e)}:${run ? `${src.runTo - src.runFrom}<=${src.runRecvLimit - T0}` : '-'}`);
        // At most one trade may go: never a run.
        if (kindOf(e) === 'raw-trades') expect(src.tradeRun(1)).toBe(false);
      }
      src.close();
      // Trade 10 is followed by the depth diff, trade 12 is its batch's last: neither offers a run.
      expect(seen).toEqual(['raw-trades:10:-', 'depth:7:-', `raw-trades:11:2<=${close - T0}`, 'raw-trades:12:-', `kline-1m:${T0}:-`]);
    });

    it(`three streams over three hours replay as the oracle merge (${format})`, () => {
      const events = market();
      const out = replay(writeDataset(events, format));
      expect(out).toEqual(oracle(events));
    });
  }

  it('depth levels come in reused buffers: right values, no allocation per message, valid until the next', () => {
    const wide = Array.from({ length: 150 }, (_, i) => i + 1);
    const dir = writeDataset([
      depth(T0, { u: 1, bidPx: [1, 2], bidQty: [3, 4] }),
      depth(T0 + 1, { u: 2, bidPx: [7, 8], bidQty: [9, 9.5], askPx: [5], askQty: [6] }),
      // More levels than the buffers hold at first (64): they grow.
      depth(T0 + 2, { u: 3, bidPx: wide.map((x) => 1000 - x), bidQty: wide, askPx: [2000], askQty: [1] }),
    ], 'arrow');
    const src = new ReplaySource(dir);
    const first = (src.next() as QxEvent<Depth>).payload;
    const a = first.bidPx as Float64Array;
    expect(a).toBeInstanceOf(Float64Array);
    expect([Array.from(a), Array.from(first.bidQty)]).toEqual([[1, 2], [3, 4]]);
    const second = (src.next() as QxEvent<Depth>).payload;
    // The same view object carries the next message of the same length: nothing was allocated.
    expect(second.bidPx).toBe(a);
    expect([Array.from(second.bidPx), Array.from(second.bidQty), Array.from(second.askPx), Array.from(second.askQty)])
      .toEqual([[7, 8], [9, 9.5], [5], [6]]);
    const third = (src.next() as QxEvent<Depth>).payload;
    expect([Array.from(third.bidPx), Array.from(third.bidQty), Array.from(third.askPx)]).toEqual([wide.map((x) => 1000 - x), wide, [2000]]);
    src.close();
  });
});

describe('ReplaySource: range and memory', () => {
  const events = market();
  const dir = writeDataset(events, 'parquet');

  it('cuts the log to [from, to) on recvTs, inside hours and on hour edges', () => {
    const cuts: Array<[number, number]> = [
      [T0 + 30_000_000, T0 + 2 * HOUR + 59_999_000],
      [T0 + HOUR, T0 + 2 * HOUR],
      [T0 + 59_999_000, T0 + 59_999_001],
      [T0 + 10 * HOUR, T0 + 11 * HOUR],
    ];
    for (const [from, to] of cuts) expect(replay(dir, { fromUs: from, toUs: to })).toEqual(oracle(events, from, to));
  });

  it('never opens files of hours outside the range', () => {
    const src = new ReplaySource(dir, { fromUs: T0 + HOUR + 5, toUs: T0 + 2 * HOUR });
    while (src.next() !== null);
    expect(src.readers.map((r) => r.filesOpened)).toEqual([1, 1, 1]);
    src.close();
  });

  it('holds at most one hour file per stream at any time', () => {
    const src = new ReplaySource(dir);
    let peak = 0;
    for (let e = src.next(); e !== null; e = src.next()) peak = Math.max(peak, src.openFiles());
    expect(peak).toBe(3);
    expect(src.readers.map((r) => [r.kind, r.peakOpenFiles, r.filesOpened])).toEqual([
      ['raw-trades', 1, 3], ['depth', 1, 3], ['kline-1m', 1, 3],
    ]);
    expect(src.progress()).toEqual({ events: events.length, tsUs: T0 + 3 * HOUR - 1_000, totalRows: events.length });
    src.close();
    expect(src.openFiles()).toBe(0);
  });

  it('a stream reads the same rows whatever file sizes it is told (the read buffer is only sized by them)', () => {
    const m = readManifest(dir);
    const rows = (files: PartRef[]) => {
      const r = new StreamReader(dir, 'raw-trades', SYM, files);
      const ids: number[] = [];
      while (r.next()) ids.push((r.event.payload as { id: number }).id);
      r.close();
      return ids;
    };
    const listed = rows(m.files);
    expect(listed).toHaveLength(events.filter((e) => kindOf(e) === 'raw-trades').length);
    for (const bytes of [undefined, 0, 1, 1e15]) expect(rows(m.files.map((f) => ({ ...f, bytes })))).toEqual(listed);
  });

  it('a Parquet dataset and its Arrow copy replay the same log', () => {
    const copyDir = join(tmp(), 'arrow');
    convertDataset(dir, copyDir, 'arrow');
    expect(replay(copyDir)).toEqual(replay(dir));
  });
});

describe('ReplaySource: damaged datasets give a DataError naming the file', () => {
  const events = market();
  const part = 'depth/date=2024-01-01/part-01';

  for (const format of ['parquet', 'arrow'] as Format[]) {
    const ext = format === 'parquet' ? 'parquet' : 'arrow';
    it(`a truncated ${format} file is found before the replay starts`, () => {
      const dir = writeDataset(events, format);
      const path = join(dir, `${part}.${ext}`);
      truncateSync(path, statSync(path).size - 100);
      expect(() => new ReplaySource(dir)).toThrow(DataError);
      expect(() => new ReplaySource(dir)).toThrow(`${path}: ${statSync(path).size} bytes, the manifest says`);
    });

    it(`a truncated ${format} file whose manifest was updated fails when reached`, () => {
      const dir = writeDataset(events, format);
      const path = join(dir, `${part}.${ext}`);
      truncateSync(path, statSync(path).size - 100);
      const m = readManifest(dir);
      writeManifest(dir, { ...m, files: m.files.map((f) => (f.path.startsWith(part) ? { ...f, bytes: statSync(path).size } : f)) });
      expect(() => replay(dir)).toThrow(`${path}: truncated`);
    });
  }

  it('a file that decodes but differs from its sha256, when hashes are verified', () => {
    const dir = writeDataset(events, 'arrow');
    const path = join(dir, `${part}.arrow`);
    const bytes = readFileSync(path);
    bytes[bytes.length - 40] ^= 1;
    writeFileSync(path, bytes);
    expect(() => replay(dir, { verifyHashes: true })).toThrow(`${path}: sha256 is`);
  });

  it('a trades file in the place of a depth file has the wrong schema', () => {
    const dir = writeDataset(events, 'parquet');
    const path = join(dir, `${part}.parquet`);
    const w = writeStreamFile(path, 'raw-trades', [trade(T0 + HOUR, 1)], 'parquet');
    const m = readManifest(dir);
    writeManifest(dir, { ...m, files: m.files.map((f) => (f.path.startsWith(part) ? { ...f, ...w } : f)) });
    expect(() => replay(dir)).toThrow(`${path}: wrong schema for 'depth'`);
  });

  it('rows out of order inside a file, and a file whose rows lie outside its hour', () => {
    const dir = writeDataset(events, 'parquet');
    const path = join(dir, `${part}.parquet`);
    const m = readManifest(dir);
    const swap = (evs: QxEvent[]) => {
      const w = writeStreamFile(path, 'depth', evs, 'parquet');
      writeManifest(dir, { ...m, files: m.files.map((f) => (f.path.startsWith(part) ? { ...f, ...w } : f)) });
    };
    swap([depth(T0 + HOUR + 9, { u: 1 }), depth(T0 + HOUR + 8, { u: 2 })]);
    expect(() => replay(dir)).toThrow(`${path}: rows out of order: recv_ts falls at row 1`);
    swap([depth(T0 + 2 * HOUR, { u: 1 })]);
    expect(() => replay(dir)).toThrow(`${path}: recv_ts ${T0 + 2 * HOUR} lies outside the file's hour`);
  });

  for (const format of ['parquet', 'arrow'] as Format[]) {
    it(`${format}: a malformed depth level fails when its row is read, naming file, row and column`, () => {
      const dir = writeDataset(events, format);
      const path = join(dir, `${part}.${format}`);
      const m = readManifest(dir);
      const swap = (evs: QxEvent[]) => {
        const w = writeStreamFile(path, 'depth', evs, format);
        writeManifest(dir, { ...m, files: m.files.map((f) => (f.path.startsWith(part) ? { ...f, ...w } : f)) });
      };
      const good = (t: number, u: number) => depth(T0 + HOUR + t, { u, bidPx: [100, 99], bidQty: [1, 0], askPx: [101], askQty: [2] });
      // The levels are checked as the reader copies them: the rows before a bad one are replayed.
      swap([good(1, 1), good(2, 2), depth(T0 + HOUR + 3, { u: 3, bidPx: [100, 99], bidQty: [1, -1] })]);
      const src = new ReplaySource(dir, { streams: ['depth'] });
      expect(() => { for (;;) if (src.next() === null) break; }).toThrow(`${path}: malformed row 2: column 'bid_qty' must be a finite non-negative number, was -1`);
      expect(src.progress().events).toBeGreaterThanOrEqual(2);
      swap([good(1, 1), depth(T0 + HOUR + 2, { u: 2, askPx: [101, NaN], askQty: [1, 1] })]);
      expect(() => replay(dir)).toThrow(`${path}: malformed row 1: column 'ask_px' must be a finite positive number, was NaN`);
      swap([depth(T0 + HOUR + 1, { u: 1, bidPx: [0], bidQty: [Infinity] })]);
      expect(() => replay(dir)).toThrow(`${path}: malformed row 0: column 'bid_px' must be a finite positive number, was 0`);
    });
  }

  it('a manifest whose row count differs from the file', () => {
    const dir = writeDataset(events, 'arrow');
    const m = readManifest(dir);
    writeManifest(dir, { ...m, files: m.files.map((f) => (f.path.startsWith(part) ? { ...f, rows: f.rows + 1 } : f)) });
    expect(() => replay(dir)).toThrow(/part-01\.arrow: holds \d+ rows, the manifest says \d+$/);
  });
});
