import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSample } from '../../cli/sample.ts';

// The end-to-end line of `npm run bench`: the README's first command as a user runs it
// (`qx backtest --from 2024-01-01 --strategy ald` on the embedded sample, 14 days), in its own
// process: start-up, the replay through everything the engine needs and its tape twin, and the
// run directory written (every topic gzipped, metrics, manifest). The sample is made before
// timing when it is not cached.

const ROOT = new URL('../..', import.meta.url).pathname;

export interface BacktestRun {
  seconds: number;
  inputs: number;
  emitted: number;
}

function once(): BacktestRun {
  const out = mkdtempSync(join(tmpdir(), 'qx-bench-backtest-'));
  try {
    const t0 = process.hrtime.bigint();
    const text = execFileSync(process.execPath, [join(ROOT, 'bin/qx.mjs'), 'backtest', '--from', '2024-01-01', '--strategy', 'ald', '--out', join(out, 'run')], { encoding: 'utf8' });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const m = /inputs (\d+)\s+emitted (\d+)/.exec(text);
    if (m === null) throw new Error(`qx bench: no 'inputs … emitted …' line in the backtest's output:\n${text}`);
    return { seconds, inputs: Number(m[1]), emitted: Number(m[2]) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Runs the README's backtest `runs` times; returns the fastest. */
export async function benchBacktest(runs: number): Promise<BacktestRun> {
  await ensureSample((line) => process.stderr.write(line));
  return Array.from({ length: runs }, once).sort((a, b) => a.seconds - b.seconds)[0];
}
