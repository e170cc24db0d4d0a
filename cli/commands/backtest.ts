import { Command, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { loadConfig } from '../config.ts';
import { PROVIDERS } from '../registry.ts';
import { runBacktest, type RunResult } from '../run.ts';
import { ensureSample } from '../sample.ts';
import { parseDateUs, US_PER_DAY, isoUs } from '../../core/time.ts';
import type { Io } from '../main.ts';

// `qx backtest`: replay a dataset (the embedded sample by default) through the topology.

export function backtestCommand(io: Io): Command {
  return new Command('backtest')
    .description('Replay a dataset through the providers (and engines) and write a run directory')
    .option('--dataset <dir>', 'dataset directory (default: the embedded synthetic sample)')
    .option('--from <date>', 'first UTC day, YYYY-MM-DD (default: dataset start)')
    .option('--to <date>', 'UTC day to stop before, YYYY-MM-DD (default: dataset end)')
    .option('--config <file>', 'JSON configuration (see `qx config`)')
    .option('--out <dir>', 'run directory (default: runs/<time>-<strategy>)')
    .addOption(new Option('--no-write', 'do not write a run directory'))
    .addHelpText('after', `
Examples:
  qx backtest --from 2024-01-01
  qx backtest --dataset ./datasets/synthetic --from 2024-01-02 --to 2024-01-04 --out runs/try1`)
    .action(async (opts: BacktestOptions) => {
      const result = await backtest(opts, io);
      printSummary(result, io);
    });
}

export interface BacktestOptions {
  dataset?: string;
  from?: string;
  to?: string;
  config?: string;
  out?: string;
  write?: boolean;
}

export async function backtest(opts: BacktestOptions, io: Io): Promise<RunResult> {
  const config = loadConfig(opts.config);
  const fromUs = opts.from === undefined ? undefined : parseDateUs(opts.from);
  const toUs = opts.to === undefined ? undefined : parseDateUs(opts.to);
  const dataset = opts.dataset ?? (await ensureSample(io.err));
  const out = opts.write === false ? undefined : opts.out ?? defaultOut('providers');
  const bar = io.tty ? new SingleBar({ format: 'replay {bar} {percentage}% | {value}/{total} events | {when}', stream: process.stderr }) : undefined;
  let started = false;
  try {
    return runBacktest({
      dataset, fromUs, toUs, config,
      components: PROVIDERS, out,
      onProgress: bar === undefined ? undefined : (n, ts, total) => {
        if (!started) bar.start(total, 0, { when: '' });
        started = true;
        bar.update(n, { when: isoUs(ts) });
      },
    });
  } finally {
    bar?.stop();
  }
}

function defaultOut(tag: string): string {
  // Wall time names the directory only; it never enters the run.
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `runs/${stamp}-${tag}`;
}

function printSummary(r: RunResult, io: Io): void {
  const c = r.counters;
  const days = (r.toUs - r.fromUs) / US_PER_DAY;
  io.out(`qx backtest  ${r.manifest.symbol}  ${isoUs(r.fromUs).slice(0, 10)} → ${isoUs(r.toUs).slice(0, 10)} (${days.toFixed(1)} days)\n`);
  io.out(`  inputs ${c.inputs}  emitted ${c.emitted}  duplicates ${c.duplicates}  late ${c.late}  book gaps ${c.bookGaps}  crossed ${c.bookCrossed}\n`);
  const rows = Object.entries(r.emittedByTopic).sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(...rows.map(([t]) => t.length), 5);
  io.out(`  ${'topic'.padEnd(width)}  events\n`);
  for (const [t, n] of rows) io.out(`  ${t.padEnd(width)}  ${String(n).padStart(8)}\n`);
  if (r.outDir !== undefined) io.out(`run ${r.outDir}\n`);
  io.out(`digest ${r.digest}\n`);
}
