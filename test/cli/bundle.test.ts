import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cliBundle, newestSource } from '../../bin/bundle.mjs';
import { main } from '../../cli/main.ts';
import { synthDataset } from '../support/datasets.ts';

// Goal: `npx qx`, which runs the CLI from its esbuild bundle (bin/bundle.mjs), behaves exactly as
// the TypeScript sources do. Method: the bundle is at least as new as every source; a backtest
// through `bin/qx.mjs` (a real process, the bundle) and one in-process through the sources write
// the same digest, metrics and topic files, and record the same versions (the bundle finds the
// project root as the sources do).

const ROOT = new URL('../..', import.meta.url).pathname;
describe('the CLI bundle', () => {
  it('is built from the current sources', async () => {
    const url = await cliBundle();
    expect(url).not.toBeNull();
    const file = fileURLToPath(url as string);
    expect(file).toBe(join(ROOT, 'dist', 'qx.mjs'));
    expect(statSync(file).mtimeMs).toBeGreaterThanOrEqual(newestSource());
  });

  it('runs a backtest to the same run directory as the sources', async () => {
    const { dir } = await synthDataset(21);
    const base = mkdtempSync(join(tmpdir(), 'qx-bundle-'));
    const viaBundle = join(base, 'bundle');
    const viaSources = join(base, 'sources');
    const printed = execFileSync(process.execPath, [join(ROOT, 'bin/qx.mjs'), 'backtest', '--dataset', dir, '--strategy', 'all', '--out', viaBundle], { encoding: 'utf8' });
    let out = '';
    const code = await main(['backtest', '--dataset', dir, '--strategy', 'all', '--out', viaSources], { out: (s) => (out += s), err: () => {}, tty: false });
    expect(code).toBe(0);
    expect(printed.replace(viaBundle, '<out>')).toBe(out.replace(viaSources, '<out>'));
    const manifest = (d: string) => JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
    const a = manifest(viaBundle);
    const b = manifest(viaSources);
    expect(a.digest).toBe(b.digest);
    expect(a.versions).toEqual(b.versions);
    expect(readFileSync(join(viaBundle, 'metrics.json'), 'utf8')).toBe(readFileSync(join(viaSources, 'metrics.json'), 'utf8'));
    const topics = readdirSync(join(viaSources, 'topics')).sort();
    expect(readdirSync(join(viaBundle, 'topics')).sort()).toEqual(topics);
    for (const t of topics) {
      expect(gunzipSync(readFileSync(join(viaBundle, 'topics', t))).equals(gunzipSync(readFileSync(join(viaSources, 'topics', t))))).toBe(true);
    }
  });
});
