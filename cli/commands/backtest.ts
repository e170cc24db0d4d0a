import { Command, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { loadConfig } from '../config.ts';
import { PROVIDERS, engineRunIds, parseFillModes, parseStrategy, strategyComponents } from '../registry.ts';
import { ResultsCollector, type EngineResult } from '../../reports/results.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
    .option('--strategy <id>', 'engine to run: ald, cpbc, flip, vstr, lvl, vsw, or all (default: providers only)')
    .option('--fill-mode <mode>', 'bar (stop first when a bar holds both levels), tape (the trades decide), or both side by side', 'both')
    .option('--config <file>', 'JSON configuration (see `qx config`)')
    .option('--state-dir <dir>', 'engine state files: restored at start (current, .bak, fresh), saved on every change')
    .option('--out <dir>', 'run directory (default: runs/<time>-<strategy>)')
    .addOption(new Option('--no-write', 'do not write a run directory'))
    .addHelpText('after', `
Examples:
  qx backtest --from 2024-01-01 --strategy ald
  qx backtest --strategy all --to 2024-01-08 --fill-mode bar
  qx backtest --dataset ./datasets/synthetic --from 2024-01-02 --to 2024-01-04 --out runs/try1`)
    .action(async (opts: BacktestOptions) => {
      const { result, engines } = await backtest(opts, io);
      printSummary(result, io);
      if (engines !== undefined) printResults(engines, io);
      io.out(`digest ${result.digest}\n`);
    });
}

export interface BacktestOptions {
  dataset?: string;
  from?: string;
  to?: string;
  strategy?: string;
  fillMode?: string;
  stateDir?: string;
  config?: string;
  out?: string;
  write?: boolean;
}

export interface BacktestOutcome {
  result: RunResult;
  /** Per-engine results, when a strategy ran. */
  engines?: EngineResult[];
}

export async function backtest(opts: BacktestOptions, io: Io): Promise<BacktestOutcome> {
  const config = loadConfig(opts.config);
  const engineIds = opts.strategy === undefined ? undefined : parseStrategy(opts.strategy);
  const modes = parseFillModes(opts.fillMode ?? 'both');
  const components = engineIds === undefined ? PROVIDERS : strategyComponents(engineIds, modes);
  const collector = engineIds === undefined ? undefined : new ResultsCollector(engineRunIds(engineIds, modes));
  const fromUs = opts.from === undefined ? undefined : parseDateUs(opts.from);
  const toUs = opts.to === undefined ? undefined : parseDateUs(opts.to);
  const dataset = opts.dataset ?? (await ensureSample(io.err));
  const out = opts.write === false ? undefined : opts.out ?? defaultOut(opts.strategy ?? 'providers');
  const bar = io.tty ? new SingleBar({ format: 'replay {bar} {percentage}% | {value}/{total} events | {when}', stream: process.stderr }) : undefined;
  let started = false;
  try {
    const result = runBacktest({
      dataset, fromUs, toUs, config, components, out, stateDir: opts.stateDir, log: (line) => io.err(`qx: ${line}\n`),
      onEmit: collector === undefined ? undefined : (ev) => collector.add(ev),
      beforeCommit: collector === undefined ? undefined : (dir) => {
        writeFileSync(join(dir, 'metrics.json'), JSON.stringify(collector.results(), null, 2) + '\n');
      },
      onProgress: bar === undefined ? undefined : (n, ts, total) => {
        if (!started) bar.start(total, 0, { when: '' });
        started = true;
        bar.update(n, { when: isoUs(ts) });
      },
    });
    return { result, engines: collector?.results() };
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
}

const fmt = (x: number | null, digits = 2) => (x === null ? '—' : x === Infinity ? '∞' : x.toFixed(digits));
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

function printResults(rows: EngineResult[], io: Io): void {
  const head = ['engine', 'signals', 'accepted', 'trades', 'win rate', 'PF', 'net PnL', 'max DD', 'Sharpe', 'Sortino', 'exposure', 'avg R'];
  const body = rows.map((r) => [
    r.engine, String(r.signals), String(r.accepted), String(r.trades), pct(r.win_rate), fmt(r.profit_factor),
    fmt(r.net_pnl_usdt), pct(r.max_drawdown), fmt(r.sharpe), fmt(r.sortino), pct(r.exposure), fmt(r.avg_r),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => '  ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ') + '\n';
  io.out('\n' + line(head));
  for (const b of body) io.out(line(b));
}
