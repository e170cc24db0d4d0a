import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { Book } from '../../core/book.ts';
import type { Depth } from '../../core/event.ts';
import { benchBacktest } from './backtest.ts';
import { benchDay } from './day.ts';
import { parquetjsLiteReadRate } from './parquetjs-lite.ts';

// `npm run bench`: throughput and memory of the replay path on a synthetic BTCUSDT-like day
// (trades and depth updates mixed as the generator makes them), from Arrow IPC and Parquet.
// Each stage runs in its own process (peak RSS per stage); ns per event is printed per stage
// (read, merge, runtime with the shared L2 book, providers, engines) so that a regression shows
// where it is. Each figure is the best of QX_BENCH_RUNS runs (default 3): the least disturbed
// by other work on the machine. The runs go in rounds (each stage once, then again), every run
// is printed, and the full path is also given as a share of the providers' rate in the same
// rounds: this machine's speed drifts by tens of percent, so only figures taken together compare. A steady-state line (a second pass over the day in the same
// process) separates JIT warm-up from the replay's own cost. An end-to-end line times the
// README's first command (test/bench/backtest.ts).

const ROOT = new URL('../..', import.meta.url).pathname;
const CACHE = process.env.QX_CACHE_DIR ?? join(ROOT, '.qx-cache');
const RUNS = Number(process.env.QX_BENCH_RUNS ?? 3);
if (!(Number.isInteger(RUNS) && RUNS >= 1)) {
  process.stderr.write(`qx bench: QX_BENCH_RUNS must be a positive integer, was '${process.env.QX_BENCH_RUNS}'\n`);
  process.exit(2);
}
interface Stage {
  stage: string;
  events: number;
  seconds: number;
  rssPeakMb: number;
}

function stage(dir: string, name: string, passes = 1): Stage {
  const args = ['--import', 'tsx', join(ROOT, 'test/bench/replay-child.ts'), dir, name, String(passes)];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop() as string) as Stage;
}

/**
 * Runs each stage RUNS times, in rounds (every stage once, then again), so that all stages meet
 * the same moments of a machine whose speed drifts; returns each stage's runs.
 */
function rounds(dir: string, names: readonly string[], passes = 1): Map<string, Stage[]> {
  const runs = new Map(names.map((n) => [n, [] as Stage[]]));
  for (let r = 0; r < RUNS; r++) for (const n of names) (runs.get(n) as Stage[]).push(stage(dir, n, passes));
  return runs;
}

const best = (runs: Stage[]): Stage => [...runs].sort((a, b) => a.seconds - b.seconds)[0];
const rate = (s: Stage) => Math.round(s.events / s.seconds).toLocaleString('en-US');
const thousands = (runs: Stage[]) => runs.map((s) => Math.round(s.events / s.seconds / 1000)).join(' / ');

/** Median over the rounds of the full path's rate over the providers' rate in the same round. */
function pairedRatio(providers: Stage[], engines: Stage[]): number {
  const r = providers.map((p, i) => p.seconds / engines[i].seconds).sort((a, b) => a - b);
  return r[(r.length - 1) >> 1];
}

function report(format: string, dir: string): void {
  const runs = rounds(dir, ['read', 'merge', 'runtime', 'providers', 'engines']);
  const [read, merge, runtime, providers, engines] = [...runs.values()].map(best);
  const ns = (s: Stage) => (s.seconds * 1e9) / s.events;
  const row = (label: string, name: string, s: Stage, alone: number) =>
    console.log(`  ${label.padEnd(22)}${rate(s).padStart(12)}   ${alone.toFixed(1).padStart(8)}            ${`${s.rssPeakMb.toFixed(0)} MB`.padStart(7)}   ${thousands(runs.get(name) as Stage[])}`);
  console.log(`\n${format}: ${providers.events.toLocaleString('en-US')} input events`);
  console.log(`  stage                     events/s   ns/event (stage alone)  peak RSS   each run (k events/s)`);
  row('read (3 streams)', 'read', read, ns(read));
  row('+ merge', 'merge', merge, ns(merge) - ns(read));
  row('+ runtime and L2 book', 'runtime', runtime, ns(runtime) - ns(merge));
  row('+ 14 providers', 'providers', providers, ns(providers) - ns(runtime));
  row('+ signals + 6 engines', 'engines', engines, ns(engines) - ns(providers));
  const ratio = pairedRatio(runs.get('providers') as Stage[], runs.get('engines') as Stage[]);
  console.log(`  full path against providers alone, run in the same rounds: ${(100 * ratio).toFixed(1)}% of their rate (median)`);
}

/** The runtime stages once V8's code is warm: the second pass over the day in one process. */
function steady(dir: string): void {
  const runs = rounds(dir, ['providers', 'engines'], 2);
  const providers = runs.get('providers') as Stage[];
  const engines = runs.get('engines') as Stage[];
  console.log(`  steady state (2nd pass in one process): 14 providers ${rate(best(providers))}/s (${thousands(providers)}),`
    + ` + signals + 6 engines ${rate(best(engines))}/s (${thousands(engines)})`);
}

async function micro(): Promise<void> {
  const bench = new Bench({ time: 500 });
  const book = new Book('spot');
  const n = 1000;
  const px = (i: number, side: number) => (side === 0 ? 42_000 - i * 0.01 : 42_000.01 + i * 0.01);
  const snap: Depth = {
    snapshot: true, U: 1, u: 1, pu: -1,
    bidPx: Array.from({ length: n }, (_, i) => px(i, 0)), bidQty: Array.from({ length: n }, () => 1),
    askPx: Array.from({ length: n }, (_, i) => px(i, 1)), askQty: Array.from({ length: n }, () => 1),
  };
  book.apply(snap);
  let u = 1;
  const diff: Depth = { snapshot: false, U: 0, u: 0, pu: -1, bidPx: [0, 0], bidQty: [0, 0], askPx: [0, 0], askQty: [0, 0] };
  bench.add('book.apply: 4-level diff on a 1000-level book', () => {
    u++;
    diff.U = u;
    diff.u = u;
    const k = u % 50;
    (diff.bidPx as number[])[0] = px(k, 0);
    (diff.bidQty as number[])[0] = (u % 7) + 1;
    (diff.bidPx as number[])[1] = px(k + 500, 0);
    (diff.bidQty as number[])[1] = u % 2;
    (diff.askPx as number[])[0] = px(k, 1);
    (diff.askQty as number[])[0] = (u % 5) + 1;
    (diff.askPx as number[])[1] = px(k + 500, 1);
    (diff.askQty as number[])[1] = u % 2;
    book.apply(diff);
  });
  await bench.run();
  console.log('\nmicro-benchmarks (tinybench)');
  for (const t of bench.tasks) {
    const r = t.result as { throughput?: { mean: number }; hz?: number } | undefined;
    const hz = r?.throughput?.mean ?? r?.hz ?? NaN;
    console.log(`  ${t.name}: ${Math.round(hz).toLocaleString('en-US')} ops/s`);
  }
}

const arrow = await benchDay('arrow', CACHE);
const parquet = await benchDay('parquet', CACHE);
console.log(`qx bench — synthetic BTCUSDT-like day, one core per stage, best of ${RUNS} runs (node ${process.version})`);
report('Arrow IPC', arrow);
steady(arrow);
report('Parquet', parquet);
const bt = await benchBacktest(RUNS);
console.log(`\nend to end: qx backtest --from 2024-01-01 --strategy ald (embedded sample, 14 days, run directory written)`);
console.log(`  ${bt.seconds.toFixed(1)} s for ${bt.inputs.toLocaleString('en-US')} input events (${Math.round(bt.inputs / bt.seconds).toLocaleString('en-US')}/s) and ${bt.emitted.toLocaleString('en-US')} records written`);
await micro();
const pl = await parquetjsLiteReadRate();
console.log(`\nparquetjs-lite 0.8.7 read rate (200k trades, for the README's choice of parquet-wasm): ${Math.round(pl).toLocaleString('en-US')} rows/s`);
