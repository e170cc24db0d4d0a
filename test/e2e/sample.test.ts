import { describe, expect, it } from 'vitest';
import { RunConfigSchema } from '../../cli/config.ts';
import { main, type Io } from '../../cli/main.ts';
import { strategyComponents } from '../../cli/registry.ts';
import { runBacktest } from '../../cli/run.ts';
import { ensureSample } from '../../cli/sample.ts';
import { ENGINE_IDS } from '../../engines/registry.ts';
import { ResultsCollector } from '../../reports/results.ts';

// Goal: what a newcomer runs works on the embedded sample: `qx backtest --from 2024-01-01
// --strategy ald` prints a results table and a digest, and each of the six engines trades at
// least once over the sample (28 days to 2024-01-15). Method: make (or reuse) the cached sample, run the CLI
// for `ald` and one all-engine replay, and count trades per engine.

describe('e2e > embedded sample', () => {
  it('qx backtest --from 2024-01-01 --strategy ald works with no dataset given', async () => {
    let out = '';
    let err = '';
    const io: Io = { out: (s) => (out += s), err: (s) => (err += s), tty: false };
    const code = await main(['backtest', '--from', '2024-01-01', '--to', '2024-01-03', '--strategy', 'ald', '--no-write'], io);
    expect(code, err).toBe(0);
    expect(out).toMatch(/^\s+ald\s+\d+\s+\d+\s+\d+/m);
    expect(out).toMatch(/^digest [0-9a-f]{64}$/m);
  }, 600_000);

  it('each of the six engines trades at least once on the sample', async () => {
    const dataset = await ensureSample(() => {});
    const collector = new ResultsCollector([...ENGINE_IDS]);
    runBacktest({
      dataset, config: RunConfigSchema.parse({}), components: strategyComponents([...ENGINE_IDS]),
      onEmit: (ev) => collector.add(ev),
    });
    const trades = Object.fromEntries(collector.results().map((r) => [r.engine, r.trades]));
    console.log('trades per engine on the sample:', JSON.stringify(trades));
    for (const id of ENGINE_IDS) expect(trades[id], `engine ${id}`).toBeGreaterThanOrEqual(1);
  }, 600_000);
});
