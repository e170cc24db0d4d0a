import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../core/assert.ts';
import { DatasetWriter } from '../../adapters/dataset-writer.ts';
import { parsePartPath, partPath } from '../../adapters/columnar.ts';
import { convertDataset } from '../../datasets/convert.ts';
import { MANIFEST_FILE, readManifest, writeManifest } from '../../adapters/manifest.ts';
import { HOUR, SYM, T0, depth, kline, cleanup, tmp, trade } from './events.ts';

// Goal: a dataset on disk is the documented layout plus a manifest that lists every part file with
// its true sha256, rows and bytes; a missing or bad manifest stops a reader with a one-line reason.
// Method: write events across an hour and a day boundary with DatasetWriter, then check the files
// against the manifest byte by byte; damage manifests in turn; convert a dataset and compare.

afterAll(cleanup);

const PROV = { generator: 'test', params: { seed: 7 }, createdBy: 'qx-test' };
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('layout', () => {
  it('names one part file per kind and UTC hour, and parses it back', () => {
    const lastHour = T0 + 23 * HOUR + 59 * 60_000_000;
    expect(partPath('raw-trades', T0, 'parquet')).toBe('raw-trades/date=2024-01-01/part-00.parquet');
    expect(partPath('depth', lastHour, 'arrow')).toBe('depth/date=2024-01-01/part-23.arrow');
    expect(partPath('kline-1m', T0 + 24 * HOUR, 'parquet')).toBe('kline-1m/date=2024-01-02/part-00.parquet');
    expect(parsePartPath('depth/date=2024-01-01/part-23.arrow')).toEqual({ kind: 'depth', format: 'arrow', hourUs: T0 + 23 * HOUR });
    expect(parsePartPath('depth/date=2024-01-01/part-24.arrow')).toBeNull();
    expect(parsePartPath('../depth/date=2024-01-01/part-01.arrow')).toBeNull();
  });
});

describe('DatasetWriter', () => {
  const events = [
    trade(T0 + 5, 1), trade(T0 + HOUR - 1, 2), trade(T0 + 24 * HOUR, 3),
    depth(T0 + HOUR, { u: 10, bidPx: [1], bidQty: [2] }),
    kline(T0 + 23 * HOUR + 59 * 60_000_000),
  ];

  it('writes the hour files and a manifest with true sha256, rows and bytes', () => {
    const dir = tmp();
    const w = new DatasetWriter(dir, { symbol: SYM, format: 'parquet', provenance: PROV });
    for (const e of events) w.add(e.topic.startsWith('raw') ? 'raw-trades' : e.topic.startsWith('depth') ? 'depth' : 'kline-1m', e);
    const m = w.close();
    expect(readManifest(dir)).toEqual(m);
    expect(m.files.map((f) => [f.path, f.rows])).toEqual([
      ['depth/date=2024-01-01/part-01.parquet', 1],
      ['kline-1m/date=2024-01-01/part-23.parquet', 1],
      ['raw-trades/date=2024-01-01/part-00.parquet', 2],
      ['raw-trades/date=2024-01-02/part-00.parquet', 1],
    ]);
    for (const f of m.files) {
      const path = join(dir, f.path);
      expect([f.sha256, f.bytes]).toEqual([sha(path), statSync(path).size]);
    }
    expect({ ...m, files: [] }).toEqual({
      schemaVersion: 1, symbol: SYM, format: 'parquet', streams: ['raw-trades', 'depth', 'kline-1m'],
      from_us: T0 + 5, to_us: T0 + 24 * HOUR + 1, files: [], provenance: PROV,
    });
  });

  it('keeps a declared range and stream list, and refuses events outside the range or out of order', () => {
    const dir = tmp();
    const w = new DatasetWriter(dir, {
      symbol: SYM, format: 'arrow', provenance: PROV, fromUs: T0, toUs: T0 + HOUR, streams: ['raw-trades', 'kline-1m'],
    });
    w.add('raw-trades', trade(T0 + 10, 1));
    expect(() => w.add('raw-trades', trade(T0 + 9, 2))).toThrow('raw-trades: events must come in recvTs order, 1704067200000009 came after 1704067200000010');
    expect(() => w.add('raw-trades', trade(T0 + HOUR, 3))).toThrow(DataError);
    const m = w.close();
    expect([m.from_us, m.to_us, m.streams, m.files.length]).toEqual([T0, T0 + HOUR, ['raw-trades', 'kline-1m'], 1]);
    expect(() => new DatasetWriter(dir, { symbol: SYM, format: 'arrow', provenance: PROV })).toThrow('already holds a dataset');
  });

  it('writes byte-identical datasets for the same events', () => {
    const write = () => {
      const dir = tmp();
      const w = new DatasetWriter(dir, { symbol: SYM, format: 'parquet', provenance: PROV });
      w.add('raw-trades', trade(T0, 1, 100.25, 0.5));
      w.add('depth', depth(T0, { u: 3, askPx: [1, 2], askQty: [3, 4] }));
      w.close();
      return readFileSync(join(dir, MANIFEST_FILE), 'utf8');
    };
    expect(write()).toBe(write());
  });
});

describe('manifest', () => {
  function dataset(): string {
    const dir = tmp();
    const w = new DatasetWriter(dir, { symbol: SYM, format: 'arrow', provenance: PROV });
    w.add('raw-trades', trade(T0, 1));
    w.close();
    return dir;
  }

  it('a missing manifest gives a one-line DataError naming the directory', () => {
    const dir = tmp();
    expect(() => readManifest(dir)).toThrow(DataError);
    expect(() => readManifest(dir)).toThrow(`${dir}: no manifest.json, so not a qx dataset (make one with 'qx synth')`);
  });

  it('a corrupt or invalid manifest gives a one-line DataError naming the file and the field', () => {
    const dir = dataset();
    const path = join(dir, MANIFEST_FILE);
    const good = readFileSync(path, 'utf8');
    writeFileSync(path, good.slice(0, 40));
    expect(() => readManifest(dir)).toThrow(new RegExp(`^${path}: corrupt manifest, not JSON \\([^\\n]+\\)$`));
    const bad = (edit: (m: Record<string, unknown>) => void) => {
      const m = JSON.parse(good);
      edit(m);
      writeFileSync(path, JSON.stringify(m));
      return () => readManifest(dir);
    };
    expect(bad((m) => { m.schemaVersion = 2; })).toThrow(`${path}: invalid manifest: schemaVersion:`);
    expect(bad((m) => { m.format = 'csv'; })).toThrow(`${path}: invalid manifest: format:`);
    expect(bad((m) => { (m.files as { path: string }[])[0].path = '../x.arrow'; })).toThrow('files.0.path: must be <kind>/date=YYYY-MM-DD/part-HH.<ext>');
    expect(bad((m) => { m.streams = ['depth']; })).toThrow("files.0.path: is of stream 'raw-trades', which streams does not list");
    expect(bad((m) => { m.to_us = (m.from_us as number) - 1; })).toThrow('to_us: to_us must not be before from_us');
    expect(bad((m) => { (m.files as { sha256: string }[])[0].sha256 = 'abc'; })).toThrow('files.0.sha256: sha256 must be 64 lowercase hex digits');
  });

  it('writeManifest refuses an invalid manifest', () => {
    const dir = dataset();
    const m = readManifest(dir);
    expect(() => writeManifest(dir, { ...m, symbol: 'btc-usdt' })).toThrow('invalid manifest: symbol:');
  });
});

describe('convertDataset', () => {
  it('copies every file to the other format with the same rows, range and provenance', () => {
    const src = tmp();
    const w = new DatasetWriter(src, { symbol: SYM, format: 'arrow', provenance: PROV });
    w.add('raw-trades', trade(T0, 1));
    w.add('raw-trades', trade(T0 + HOUR, 2));
    w.add('depth', depth(T0 + 7, { u: 1 }));
    const a = w.close();
    const dst = join(tmp(), 'copy');
    const b = convertDataset(src, dst, 'parquet');
    expect(readManifest(dst)).toEqual(b);
    expect(b.files.map((f) => [f.path, f.rows])).toEqual(a.files.map((f) => [f.path.replace(/\.arrow$/, '.parquet'), f.rows]));
    expect({ ...b, files: [], provenance: {} }).toEqual({ ...a, format: 'parquet', files: [], provenance: {} });
    expect(b.provenance).toEqual({ ...PROV, convertedFrom: 'arrow' });
    for (const f of b.files) expect(f.sha256).toBe(sha(join(dst, f.path)));
  });
});
