import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { QxEvent, Trade } from '../../core/event.ts';
import { DatasetWriter } from '../../adapters/dataset-writer.ts';
import type { Format } from '../../adapters/columnar.ts';
import { StreamReader } from '../../adapters/stream-reader.ts';
import { convertDataset } from '../../datasets/convert.ts';
import { readManifest } from '../../adapters/manifest.ts';

// The read path alone: trades through StreamReader (one reused event, typed-array columns) from
// Arrow IPC and from Parquet. Two hour files of 1M trades each (a busy BTCUSDT hour), one
// untimed warm-up pass (JIT, wasm compile), then the median of five timed passes. Run it alone:
//   node --import tsx test/bench/read-rate.ts

export interface ReadRates {
  arrow: number;
  parquet: number;
}

const ROWS_PER_HOUR = 1_000_000;
const HOURS = 2;

/** Writes the benchmark dataset in both formats and returns the median trades read rate (rows/s) of each. */
export function readRates(): ReadRates {
  const root = mkdtempSync(join(tmpdir(), 'qx-read-rate-'));
  try {
    const arrowDir = join(root, 'arrow');
    writeTrades(arrowDir);
    convertDataset(arrowDir, join(root, 'parquet'), 'parquet');
    return { arrow: rate(arrowDir), parquet: rate(join(root, 'parquet')) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function writeTrades(dir: string): void {
  const w = new DatasetWriter(dir, { symbol: 'BTCUSDT', format: 'arrow' as Format, provenance: { generator: 'bench', params: {}, createdBy: 'qx' } });
  const p: Trade = { id: 0, price: 42_000, qty: 0, isBuyerMaker: false };
  const ev: QxEvent = { topic: 'raw-trades-btcusdt', ts: 0, recvTs: 0, key: 'BTCUSDT', seq: 0, payload: p };
  const t0 = 1_704_067_200_000_000;
  const n = ROWS_PER_HOUR * HOURS;
  for (let i = 0; i < n; i++) {
    // Millisecond trade times with bursts, a cent-tick walk, and varied sizes and sides.
    ev.ts = t0 + Math.floor((i * 3_600) / 1_000) * 1_000;
    ev.recvTs = ev.ts;
    p.id = 3_000_000_000 + i;
    p.price = Math.round(p.price * 100 + ((i * 7_919) % 5) - 2) / 100;
    p.qty = ((i * 104_729) % 100_000) / 1e5 + 1e-5;
    p.isBuyerMaker = (i * 31) % 7 < 3;
    w.add('raw-trades', ev);
  }
  w.close();
}

function rate(dir: string): number {
  const files = readManifest(dir).files;
  const once = () => {
    const t0 = performance.now();
    const r = new StreamReader(dir, 'raw-trades', 'BTCUSDT', files);
    let n = 0;
    let sum = 0;
    while (r.next()) {
      sum += (r.event.payload as Trade).price;
      n++;
    }
    r.close();
    if (n !== ROWS_PER_HOUR * HOURS || !Number.isFinite(sum)) throw new Error(`read ${n} rows`);
    return n / ((performance.now() - t0) / 1000);
  };
  once();
  const rates = [once(), once(), once(), once(), once()].sort((a, b) => a - b);
  return rates[2];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = readRates();
  const m = (x: number) => `${(x / 1e6).toFixed(1)}M rows/s`;
  process.stdout.write(`trades read (StreamReader, median of 5): arrow ${m(r.arrow)}, parquet ${m(r.parquet)}\n`);
}
