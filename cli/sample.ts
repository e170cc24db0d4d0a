import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseDateUs } from '../core/time.ts';
import { synthToDataset } from '../datasets/synth/index.ts';

// The embedded default dataset: a small synthetic market made deterministically on first use
// and cached, so `qx backtest` works on a fresh clone with no network. It runs from 2023-12-18 to
// 2024-01-15: the README's `--from 2024-01-01` lies inside it, and a whole run has the two weeks
// of warm-up that VPIN z (about 6 days) and the stress bounds need before every engine can trade. Its parameters are part
// of its cache key, so a change makes a new sample instead of reusing a stale one.

const ROOT = new URL('..', import.meta.url).pathname;
export const SAMPLE = { seed: 20240101, from: '2023-12-18', days: 28, scale: 'small', format: 'arrow', symbol: 'BTCUSDT' } as const;
const SAMPLE_KEY = `sample-v4-seed${SAMPLE.seed}-${SAMPLE.from}-${SAMPLE.days}d-${SAMPLE.scale}-${SAMPLE.format}`;

/** Returns the sample dataset's directory, generating it first if it is not cached. */
export async function ensureSample(log: (s: string) => void): Promise<string> {
  const cache = process.env.QX_CACHE_DIR ?? join(ROOT, '.qx-cache');
  const dir = join(cache, SAMPLE_KEY);
  if (existsSync(join(dir, 'manifest.json'))) return dir;
  log(`qx: generating the embedded sample (seed ${SAMPLE.seed}, ${SAMPLE.days} days from ${SAMPLE.from}) into ${dir} ...\n`);
  // A private temp dir per process: two processes making the sample at once do not collide,
  // and whichever renames first wins.
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await synthToDataset(tmp, {
    seed: SAMPLE.seed, fromUs: parseDateUs(SAMPLE.from), days: SAMPLE.days, scale: SAMPLE.scale, symbol: SAMPLE.symbol,
  }, SAMPLE.format);
  // Rename onto a missing dir only, so a complete sample another process may be reading is never
  // removed; if another process won the race its sample is the same, and ours is dropped.
  try {
    renameSync(tmp, dir);
  } catch {
    if (!existsSync(join(dir, 'manifest.json'))) {
      // A leftover without a manifest is not a sample: replace it.
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    }
  }
  rmSync(tmp, { recursive: true, force: true });
  return dir;
}
