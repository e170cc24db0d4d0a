import { Command, Option } from 'commander';
import { existsSync, readdirSync } from 'node:fs';
import { parseDateUs } from '../../core/time.ts';
import { synthToDataset } from '../../datasets/synth/index.ts';
import type { Io } from '../main.ts';

// `qx synth`: a deterministic synthetic market with labelled episodes.

export function synthCommand(io: Io): Command {
  return new Command('synth')
    .description('Generate a deterministic synthetic market dataset with labelled episodes')
    .requiredOption('--seed <n>', 'seed (integer)', parseInteger('--seed'))
    .requiredOption('--from <date>', 'first UTC day, YYYY-MM-DD')
    .option('--days <n>', 'number of days', parseInteger('--days'), 1)
    .requiredOption('--out <dir>', 'dataset directory to create (must be empty or absent)')
    .addOption(new Option('--scale <scale>', 'market size').choices(['small', 'btc-day']).default('small'))
    .addOption(new Option('--format <format>', 'file format').choices(['parquet', 'arrow']).default('parquet'))
    .option('--symbol <sym>', 'symbol', 'BTCUSDT')
    .addHelpText('after', `
Examples:
  qx synth --seed 7 --from 2024-01-01 --days 7 --out ./datasets/synthetic
  qx synth --seed 1 --from 2024-03-01 --scale btc-day --format arrow --out ./datasets/btc-day`)
    .action(async (o: { seed: number; from: string; days: number; out: string; scale: 'small' | 'btc-day'; format: 'parquet' | 'arrow'; symbol: string }) => {
      if (existsSync(o.out) && readdirSync(o.out).length > 0) throw new Error(`--out ${o.out} exists and is not empty`);
      if (o.days < 1) throw new Error(`--days must be at least 1, was ${o.days}`);
      const labels = await synthToDataset(o.out, { seed: o.seed, fromUs: parseDateUs(o.from), days: o.days, scale: o.scale, symbol: o.symbol }, o.format);
      io.out(`qx synth  seed ${o.seed}  ${o.days} day(s) from ${o.from}  ${o.scale}  ${o.format}\n`);
      io.out(`  episodes ${labels.episodes.length}\n`);
      io.out(`dataset ${o.out}\n`);
    });
}

function parseInteger(flag: string): (v: string) => number {
  return (v) => {
    if (!/^-?\d+$/.test(v)) throw new Error(`${flag} must be an integer, was '${v}'`);
    return Number(v);
  };
}
