import { describe, expect, it } from 'vitest';
import { deserialize, serialize } from 'node:v8';
import { RunConfigSchema } from '../../cli/config.ts';
import { PROVIDERS, strategyComponents } from '../../cli/registry.ts';
import { runBacktest } from '../../cli/run.ts';
import { verify } from '../../cli/commands/verify.ts';
import { ENGINE_IDS } from '../../engines/registry.ts';
import { synthDataset } from '../support/datasets.ts';

// Goal: the determinism equalities of DESIGN §5 hold for the whole topology (14 providers,
// 7 signal generators, 6 engines): the same dataset twice, a Parquet dataset and its Arrow IPC
// copy, and snapshot at arbitrary inputs then resume (through v8 serialization, as a state file
// would) all give the same digest; different seeds give different digests.
// Method: one small synthetic day, replayed by the same function `qx backtest` uses.

const config = RunConfigSchema.parse({});
// Every engine runs beside its tape twin (SPEC §17 "report both modes"), as `qx backtest` does by default.
const ALL = strategyComponents([...ENGINE_IDS], 'both');

describe('determinism > digest', () => {
  it('same twice, Parquet = Arrow, snapshot/resume: every equality of qx verify passes', async () => {
    const { dir } = await synthDataset(11);
    const checks = verify({ dataset: dir, config, components: ALL });
    expect(checks.map((c) => c.name)).toEqual(['same dataset twice', 'parquet = arrow (copy as arrow)', expect.stringMatching(/^snapshot at input \d+ and resume$/)]);
    for (const c of checks) expect(c, c.name).toMatchObject({ ok: true });
  });

  it('snapshot at several arbitrary inputs resumes to the uninterrupted digest', async () => {
    const { dir } = await synthDataset(11);
    const whole = runBacktest({ dataset: dir, config, components: ALL });
    expect(whole.counters.emitted).toBeGreaterThan(10_000);
    for (const cut of [1, 4_097, Math.floor(whole.counters.inputs * 0.81)]) {
      const first = runBacktest({ dataset: dir, config, components: ALL, stopAfter: cut });
      const resumed = runBacktest({ dataset: dir, config, components: ALL, resume: deserialize(serialize(first.snapshot)) });
      expect(resumed.digest, `cut at ${cut}`).toBe(whole.digest);
    }
  });

  it('different seeds give different digests; the providers-only digest differs from the full one', async () => {
    const a = runBacktest({ dataset: (await synthDataset(11)).dir, config, components: PROVIDERS });
    const b = runBacktest({ dataset: (await synthDataset(12)).dir, config, components: PROVIDERS });
    const full = runBacktest({ dataset: (await synthDataset(11)).dir, config, components: ALL });
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(a.digest).not.toBe(b.digest);
    expect(full.digest).not.toBe(a.digest);
  });
});
