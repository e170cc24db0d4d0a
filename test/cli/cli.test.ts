import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../../cli/main.ts';
import { synthDataset } from '../support/datasets.ts';

// Goal: `qx` as a user meets it: help with examples, a run directory with manifest and digest,
// and bad input (unknown flag, missing dataset, truncated file, malformed config, unknown
// strategy) answered by one line naming the problem, a non-zero exit, and no run directory
// passed off as complete. Method: run the real CLI in-process with captured output, and once
// through the `bin/qx.mjs` entry point as `npx qx` runs it.

const ROOT = new URL('../..', import.meta.url).pathname;

async function qx(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (s) => (out += s), err: (s) => (err += s), tty: false };
  const code = await main(argv, io);
  return { code, out, err };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'qx-cli-'));

function oneLineError(r: { code: number; err: string }, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  const lines = r.err.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe('cli', () => {
  it('bin/qx.mjs prints help with every command', () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'bin/qx.mjs'), '--help'], { encoding: 'utf8' });
    for (const c of ['backtest', 'synth', 'verify', 'config']) expect(out).toContain(c);
  });

  it('backtest writes a complete run directory whose digest is the printed one', async () => {
    const { dir } = await synthDataset(21);
    const out = join(tmp(), 'run');
    const r = await qx('backtest', '--dataset', dir, '--strategy', 'all', '--out', out);
    expect(r.code, r.err).toBe(0);
    const digest = /^digest ([0-9a-f]{64})$/m.exec(r.out)?.[1];
    expect(digest).toBeDefined();
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ complete: true, digest, symbol: 'BTCUSDT' });
    expect(manifest.dataset.files.length).toBeGreaterThan(0);
    expect(manifest.versions.node).toBe(process.versions.node);
    const topics = readdirSync(join(out, 'topics'));
    for (const t of ['data-cvd-btcusdt', 'data-multi-vwap-btcusdt', 'execution-commands-ald', 'validation-vsw-btcusdt', 'equity-lvl-btcusdt']) {
      if (t.startsWith('execution')) continue;
      expect(topics).toContain(`${t}.jsonl.gz`);
    }
    const lines = gunzipSync(readFileSync(join(out, 'topics', 'data-garch-volatility-forecast-5min-btcusdt.jsonl.gz'))).toString().trim().split('\n');
    expect(lines).toHaveLength(manifest.emitted['data-garch-volatility-forecast-5min-btcusdt']);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    const ids = ['ald', 'cpbc', 'flip', 'vstr', 'lvl', 'vsw'];
    // Both fill modes by default: every engine, then every tape twin.
    expect(metrics.map((m: { engine: string }) => m.engine)).toEqual([...ids, ...ids.map((id) => `${id}-tape`)]);
    expect(r.out).toMatch(/engine\s+signals\s+accepted\s+trades\s+win rate\s+PF\s+net PnL\s+max DD\s+Sharpe\s+Sortino\s+exposure\s+avg R/);
  });

  it('an unknown flag, a missing dataset, an unknown strategy: one line each', async () => {
    oneLineError(await qx('backtest', '--bogus'), /unknown option '--bogus'/);
    oneLineError(await qx('backtest', '--dataset', '/nonexistent/ds', '--no-write'), /^qx: dataset not found: \/nonexistent\/ds$/);
    const { dir } = await synthDataset(21);
    oneLineError(await qx('backtest', '--dataset', dir, '--strategy', 'moon', '--no-write'), /^qx: unknown strategy 'moon' \(choose one of ald, cpbc, flip, vstr, lvl, vsw, or all\)$/);
    oneLineError(await qx('backtest', '--dataset', dir, '--from', '2024-13-01', '--no-write'), /^qx: date is not a calendar date, was '2024-13-01'$/);
    oneLineError(await qx('synth', '--seed', 'x', '--from', '2024-01-01', '--out', join(tmp(), 's')), /--seed must be an integer, was 'x'/);
  });

  it('a truncated Parquet file: one line naming the file, and no complete run directory', async () => {
    const { dir } = await synthDataset(21);
    const copy = join(tmp(), 'ds');
    cpSync(dir, copy, { recursive: true });
    const hour = join(copy, 'raw-trades', 'date=2024-01-01', 'part-13.parquet');
    truncateSync(hour, Math.floor(statSync(hour).size / 2));
    const out = join(tmp(), 'run');
    const r = await qx('backtest', '--dataset', copy, '--out', out);
    oneLineError(r, new RegExp(`^qx: ${hour}: .*(truncated|bytes)`));
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
  });

  it('a malformed config file and an unknown parameter are one-line errors; qx config prints every default', async () => {
    const d = tmp();
    writeFileSync(join(d, 'bad.json'), '{"symbol": ');
    oneLineError(await qx('config', '--config', join(d, 'bad.json')), /^qx: config .*bad\.json: /);
    writeFileSync(join(d, 'unknown.json'), JSON.stringify({ components: { garch: { windw: 10 } } }));
    oneLineError(await qx('config', '--config', join(d, 'unknown.json')), /^qx: config: component 'garch': .*windw/);
    const r = await qx('config');
    expect(r.code).toBe(0);
    const cfg = JSON.parse(r.out);
    expect(Object.keys(cfg.components)).toHaveLength(14 + 7 + 6 + 6);
    expect(cfg.components.garch.window).toBe(2880);
    expect(cfg.components.ald.rr).toBe(2);
    expect(cfg.components.ald.fill_mode).toBe('bar');
    expect(cfg.components['ald-tape'].fill_mode).toBe('tape');
  });

  it('synth writes a dataset with labels; the same seed twice gives identical files', async () => {
    const a = join(tmp(), 'a');
    const b = join(tmp(), 'b');
    for (const out of [a, b]) {
      const r = await qx('synth', '--seed', '5', '--from', '2024-02-01', '--days', '1', '--out', out, '--format', 'arrow');
      expect(r.code, r.err).toBe(0);
    }
    const ma = JSON.parse(readFileSync(join(a, 'manifest.json'), 'utf8'));
    const mb = JSON.parse(readFileSync(join(b, 'manifest.json'), 'utf8'));
    expect(ma.files).toEqual(mb.files);
    expect(JSON.parse(readFileSync(join(a, 'labels.json'), 'utf8')).episodes.length).toBeGreaterThan(5);
  });
});
