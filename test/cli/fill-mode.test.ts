import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backtest } from '../../cli/commands/backtest.ts';
import { main, type Io } from '../../cli/main.ts';
import { ensureSample } from '../../cli/sample.ts';
import type { EngineResult } from '../../reports/results.ts';

// Goal: `qx backtest` reports both fill modes of SPEC §17 side by side (`--fill-mode both`, the
// default): each engine beside its tape twin `<id>-tape`. The twin is exactly the engine with
// `fill_mode: "tape"`, and running it changes nothing of the engine's own results.
// Method: the Void Swept engine over the first five days of the embedded sample (it trades
// there), run three ways: both modes; bar only; bar only with `fill_mode: "tape"` in a config
// file. The rows must match field by field; a wrong mode is a one-line error.

const quiet: Io = { out: () => {}, err: () => {}, tty: false };
const SPAN = { strategy: 'vsw', from: '2023-12-18', to: '2023-12-23', write: false };

describe('cli > fill modes', () => {
  it('both = bar beside tape; the twin equals the engine configured for tape fills', async () => {
    const dataset = await ensureSample(() => {});
    const both = await backtest({ ...SPAN, dataset, fillMode: 'both' }, quiet);
    const bar = await backtest({ ...SPAN, dataset, fillMode: 'bar' }, quiet);
    const config = join(mkdtempSync(join(tmpdir(), 'qx-fill-')), 'tape.json');
    writeFileSync(config, JSON.stringify({ components: { vsw: { fill_mode: 'tape' } } }));
    const tape = await backtest({ ...SPAN, dataset, fillMode: 'bar', config }, quiet);

    const rows = both.engines as EngineResult[];
    expect(rows.map((r) => r.engine)).toEqual(['vsw', 'vsw-tape']);
    expect(rows[0].trades).toBeGreaterThanOrEqual(1);
    expect(rows[0]).toEqual((bar.engines as EngineResult[])[0]);
    expect({ ...rows[1], engine: 'vsw' }).toEqual((tape.engines as EngineResult[])[0]);
    expect(both.result.emittedByTopic['trades-vsw-tape-btcusdt']).toBe(rows[1].trades);
    expect(both.result.digest).not.toBe(bar.result.digest);
  });

  it('--fill-mode tape runs only the twins; an unknown mode is a one-line error', async () => {
    const dataset = await ensureSample(() => {});
    const tape = await backtest({ ...SPAN, dataset, fillMode: 'tape' }, quiet);
    expect((tape.engines as EngineResult[]).map((r) => r.engine)).toEqual(['vsw-tape']);
    let err = '';
    const code = await main(['backtest', '--dataset', dataset, '--strategy', 'vsw', '--fill-mode', 'mid', '--no-write'], { ...quiet, err: (s) => (err += s) });
    expect(code).not.toBe(0);
    expect(err.trim().split('\n')).toEqual([`qx: unknown fill mode 'mid' (choose one of bar, tape, both)`]);
  });
});
