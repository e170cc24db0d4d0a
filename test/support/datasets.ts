import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDateUs } from '../../core/time.ts';
import { synthToDataset } from '../../datasets/synth/index.ts';
import type { Format } from '../../adapters/columnar.ts';
import type { Labels } from '../../datasets/synth/options.ts';

// Small synthetic datasets made on demand in a temp folder, cached per process by their options.

const made = new Map<string, Promise<{ dir: string; labels: Labels }>>();

/** Returns a synthetic dataset of `days` small-scale days from 2024-01-01 with `seed`. */
export function synthDataset(seed: number, days = 1, format: Format = 'parquet', from = '2024-01-01'): Promise<{ dir: string; labels: Labels }> {
  const key = `${seed}-${days}-${format}-${from}`;
  let p = made.get(key);
  if (p === undefined) {
    const dir = join(mkdtempSync(join(tmpdir(), 'qx-test-')), `synth-${key}`);
    p = synthToDataset(dir, { seed, fromUs: parseDateUs(from), days, scale: 'small', symbol: 'BTCUSDT' }, format).then((labels) => ({ dir, labels }));
    made.set(key, p);
  }
  return p;
}
