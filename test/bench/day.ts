import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseDateUs } from '../../core/time.ts';
import { convertDataset } from '../../datasets/convert.ts';
import { synthToDataset } from '../../datasets/synth/index.ts';

// The benchmarks' synthetic BTCUSDT-like day, generated once into the cache directory (Arrow
// IPC first, then its Parquet copy) and reused by `npm run bench` and `npm run bench:alloc`.

const DAY = { seed: 7, from: '2024-03-01', days: 1, scale: 'btc-day', symbol: 'BTCUSDT' } as const;

/** Returns the bench day's dataset directory in `format`, generating it when missing. */
export async function benchDay(format: 'arrow' | 'parquet', cache: string): Promise<string> {
  const arrow = join(cache, `bench-btc-day-seed${DAY.seed}-arrow`);
  if (!existsSync(join(arrow, 'manifest.json'))) {
    process.stderr.write(`generating a BTCUSDT-like synthetic day into ${arrow} ...\n`);
    rmSync(`${arrow}.partial`, { recursive: true, force: true });
    await synthToDataset(`${arrow}.partial`, { seed: DAY.seed, fromUs: parseDateUs(DAY.from), days: DAY.days, scale: DAY.scale, symbol: DAY.symbol }, 'arrow');
    renameSync(`${arrow}.partial`, arrow);
  }
  if (format === 'arrow') return arrow;
  const parquet = join(cache, `bench-btc-day-seed${DAY.seed}-parquet`);
  if (!existsSync(join(parquet, 'manifest.json'))) {
    rmSync(parquet, { recursive: true, force: true });
    convertDataset(arrow, parquet, 'parquet');
  }
  return parquet;
}
