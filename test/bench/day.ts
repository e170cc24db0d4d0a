import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ReplaySource, replayStep } from '../../adapters/replay.ts';
import { readManifest } from '../../adapters/manifest.ts';
import { PROVIDERS, strategyComponents } from '../../cli/registry.ts';
import type { Component } from '../../core/component.ts';
import { Runtime } from '../../core/runtime.ts';
import { parseDateUs } from '../../core/time.ts';
import { ENGINE_IDS } from '../../engines/registry.ts';
import { convertDataset } from '../../datasets/convert.ts';
import { synthToDataset } from '../../datasets/synth/index.ts';

// The benchmarks' synthetic BTCUSDT-like day, generated once into the cache directory (Arrow
// IPC first, then its Parquet copy) and reused by `npm run bench` and `npm run bench:alloc`,
// and the replay of it that both time or profile.

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

/** The components of a bench stage: none (the runtime and book alone), the 14 providers, or all. */
export function stageComponents(stage: 'runtime' | 'providers' | 'engines'): readonly Component[] {
  return stage === 'runtime' ? [] : stage === 'providers' ? PROVIDERS : strategyComponents([...ENGINE_IDS]);
}

/** Replays the dataset in `dir` through `components` to its end; returns the runtime. */
export function replayDay(dir: string, components: readonly Component[]): Runtime {
  const m = readManifest(dir);
  const rt = new Runtime(components.map((component) => ({ component })), { symbol: m.symbol });
  const src = new ReplaySource(dir, { manifest: m });
  while (replayStep(src, rt) > 0);
  rt.advanceTo(m.to_us - 1);
  return rt;
}
