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
// by other work on the machine. A steady-state line (a second pass over the day in the same
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

function bestOf(dir: string, name: string, passes = 1): Stage {
  return Array.from({ length: RUNS }, () => stage(dir, name, passes)).sort((a, b) => a.seconds - b.seconds)[0];
}

function report(format: string, dir: string): void {
  const best = (name: string) => bestOf(dir, name);
  const read = best('read');
  const merge = best('merge');
  const runtime = best('runtime');
  const providers = best('providers');
  const engines = best('engines');
  const ns = (s: Stage) => (s.seconds * 1e9) / s.events;
  const rate = (s: Stage) => Math.round(s.events / s.seconds).toLocaleString('en-US');
  console.log(`\n${format}: ${providers.events.toLocaleString('en-US')} input events`);
  console.log(`  stage                       events/s     ns/event (stage alone)   peak RSS`);
  console.log(`  read (3 streams)        ${rate(read).padStart(12)}   ${ns(read).toFixed(1).padStart(8)}                 ${read.rssPeakMb.toFixed(0)} MB`);
  console.log(`  + merge                 ${rate(merge).padStart(12)}   ${(ns(merge) - ns(read)).toFixed(1).padStart(8)}                 ${merge.rssPeakMb.toFixed(0)} MB`);
  console.log(`  + runtime and L2 book   ${rate(runtime).padStart(12)}   ${(ns(runtime) - ns(merge)).toFixed(1).padStart(8)}                 ${runtime.rssPeakMb.toFixed(0)} MB`);
  console.log(`  + 14 providers          ${rate(providers).padStart(12)}   ${(ns(providers) - ns(runtime)).toFixed(1).padStart(8)}                 ${providers.rssPeakMb.toFixed(0)} MB`);
  console.log(`  + signals + 6 engines   ${rate(engines).padStart(12)}   ${(ns(engines) - ns(providers)).toFixed(1).padStart(8)}                 ${engines.rssPeakMb.toFixed(0)} MB`);
}

/** The runtime stages once V8's code is warm: the second pass over the day in one process. */
function steady(dir: string): void {
  const rate = (s: Stage) => Math.round(s.events / s.seconds).toLocaleString('en-US');
  const providers = bestOf(dir, 'providers', 2);
  const engines = bestOf(dir, 'engines', 2);
  console.log(`  steady state (2nd pass in one process): 14 providers ${rate(providers)}/s, + signals + 6 engines ${rate(engines)}/s`);
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
