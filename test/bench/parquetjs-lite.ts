import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// Why qx does not read Parquet with parquetjs-lite: this measures its read rate on a trades file
// of the qx schema that it writes itself (200k rows, SNAPPY, row groups of 65,536), row by row
// through its cursor, the only read path it offers. Run it alone:
//   node --import tsx test/bench/parquetjs-lite.ts
// It is a measurement for the README, never a unit test.

interface Cursor {
  next(): Promise<Record<string, unknown> | null>;
}
interface Lib {
  ParquetSchema: new (fields: Record<string, { type: string; compression?: string }>) => unknown;
  ParquetWriter: {
    openFile(schema: unknown, path: string): Promise<{ appendRow(row: object): Promise<void>; setRowGroupSize(n: number): void; close(): Promise<void> }>;
  };
  ParquetReader: { openFile(path: string): Promise<{ getCursor(): Cursor; close(): Promise<void> }> };
}

const parquet = createRequire(import.meta.url)('parquetjs-lite') as Lib;

/** Writes a `rows`-row trades file with parquetjs-lite, reads it back, and returns its read rate in rows/s. */
export async function parquetjsLiteReadRate(rows = 200_000): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'qx-parquetjs-'));
  const path = join(dir, 'trades.parquet');
  try {
    await writeTrades(path, rows);
    const reader = await parquet.ParquetReader.openFile(path);
    const cursor = reader.getCursor();
    const t0 = performance.now();
    let n = 0;
    let check = 0;
    for (let row = await cursor.next(); row !== null; row = await cursor.next()) {
      check += row.price as number;
      n++;
    }
    const seconds = (performance.now() - t0) / 1000;
    await reader.close();
    if (n !== rows || !Number.isFinite(check)) throw new Error(`parquetjs-lite read ${n} rows of ${rows}`);
    return n / seconds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function writeTrades(path: string, rows: number): Promise<void> {
  const c = { compression: 'SNAPPY' };
  const schema = new parquet.ParquetSchema({
    ts: { type: 'TIMESTAMP_MICROS', ...c },
    recv_ts: { type: 'TIMESTAMP_MICROS', ...c },
    id: { type: 'INT64', ...c },
    price: { type: 'DOUBLE', ...c },
    qty: { type: 'DOUBLE', ...c },
    is_buyer_maker: { type: 'BOOLEAN', ...c },
  });
  const writer = await parquet.ParquetWriter.openFile(schema, path);
  writer.setRowGroupSize(65_536);
  const t0 = 1_704_067_200_000_000;
  let price = 42_000;
  for (let i = 0; i < rows; i++) {
    // A deterministic walk: prices move by whole cents, quantities cycle, sides alternate.
    price += ((i * 7919) % 5) - 2;
    const ts = t0 + i * 1_000;
    await writer.appendRow({ ts, recv_ts: ts, id: 3_000_000_000 + i, price: price / 100, qty: ((i % 97) + 1) / 1e4, is_buyer_maker: i % 2 === 0 });
  }
  await writer.close();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rate = await parquetjsLiteReadRate();
  process.stdout.write(`parquetjs-lite read: ${Math.round(rate).toLocaleString('en-US')} rows/s (200,000-row trades file)\n`);
}
