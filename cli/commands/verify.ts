import { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { loadConfig } from '../config.ts';
import { ALL_COMPONENTS } from '../registry.ts';
import { runBacktest, type RunOptions } from '../run.ts';
import { ensureSample } from '../sample.ts';
import { parseDateUs } from '../../core/time.ts';
import { convertDataset } from '../../datasets/convert.ts';
import { readManifest } from '../../adapters/manifest.ts';
import type { Io } from '../main.ts';

// `qx verify`: the determinism equalities of DESIGN §5, checked on a dataset, each by name.

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export function verifyCommand(io: Io): Command {
  return new Command('verify')
    .description('Check the determinism equalities over every component (same digest twice, Parquet = Arrow, snapshot/resume)')
    .option('--dataset <dir>', 'dataset directory (default: the embedded sample)')
    .option('--from <date>', 'first UTC day, YYYY-MM-DD')
    .option('--to <date>', 'UTC day to stop before, YYYY-MM-DD')
    .option('--config <file>', 'JSON configuration')
    .addHelpText('after', `
Examples:
  qx verify --from 2024-01-01 --to 2024-01-02
  qx verify --dataset ./datasets/captured`)
    .action(async (o: { dataset?: string; from?: string; to?: string; config?: string }) => {
      const dataset = o.dataset ?? (await ensureSample(io.err));
      const checks = verify({
        dataset, config: loadConfig(o.config), components: ALL_COMPONENTS,
        fromUs: o.from === undefined ? undefined : parseDateUs(o.from),
        toUs: o.to === undefined ? undefined : parseDateUs(o.to),
      });
      for (const c of checks) io.out(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}  ${c.detail}\n`);
      const failed = checks.filter((c) => !c.ok);
      if (failed.length > 0) throw new Error(`determinism broken: ${failed.map((c) => c.name).join('; ')}`);
    });
}

/** Runs the equalities; returns one check per equality. */
export function verify(base: Omit<RunOptions, 'out'>): Check[] {
  const checks: Check[] = [];
  const a = runBacktest(base);
  const b = runBacktest(base);
  checks.push({ name: 'same dataset twice', ok: a.digest === b.digest, detail: pair(a.digest, b.digest) });
  const tmp = mkdtempSync(join(tmpdir(), 'qx-verify-'));
  try {
    const other = readManifest(base.dataset).format === 'parquet' ? 'arrow' : 'parquet';
    const copy = join(tmp, other);
    convertDataset(base.dataset, copy, other);
    const c = runBacktest({ ...base, dataset: copy });
    checks.push({ name: `parquet = arrow (copy as ${other})`, ok: c.digest === a.digest, detail: pair(a.digest, c.digest) });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const cut = Math.max(1, Math.floor(a.counters.inputs * 0.37));
  const first = runBacktest({ ...base, stopAfter: cut });
  const snap = deserialize(serialize(first.snapshot));
  const resumed = runBacktest({ ...base, resume: snap });
  checks.push({ name: `snapshot at input ${cut} and resume`, ok: resumed.digest === a.digest, detail: pair(a.digest, resumed.digest) });
  return checks;
}

function pair(x: string, y: string): string {
  return x === y ? x.slice(0, 16) : `${x.slice(0, 16)} != ${y.slice(0, 16)}`;
}
