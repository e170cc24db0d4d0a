import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../../cli/main.ts';
import { synthDataset } from '../support/datasets.ts';

// Goal: `qx backtest --state-dir` recovers engine state as the seed's "State Recovery" says, with
// real files: fresh start the first time, the current file next, the backup when the current file
// is bit-flipped, and a fresh start said in the log when both are broken. Method: four runs of
// one engine on a synthetic day against one state directory, damaging files between runs.

async function qx(...argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const io: Io = { out: () => {}, err: (s) => (err += s), tty: false };
  return { code: await main(argv, io), err };
}

describe('cli > engine state recovery', () => {
  it('fresh → current → backup (bit flip) → fresh (both broken)', async () => {
    const { dir } = await synthDataset(21);
    const states = mkdtempSync(join(tmpdir(), 'qx-states-'));
    const run = () => qx('backtest', '--dataset', dir, '--strategy', 'vsw', '--no-write', '--state-dir', states);
    const file = join(states, 'vsw.json');

    const first = await run();
    expect(first.code, first.err).toBe(0);
    expect(first.err).toMatch(/^qx: engine vsw: fresh start/m);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved).toMatchObject({ version: 1, state: { id: 'vsw', status: 'SHUTDOWN' } });
    expect(saved.checksum).toMatch(/^[0-9a-f]{64}$/);

    const second = await run();
    expect(second.err).toMatch(/^qx: engine vsw: state from current file/m);
    expect(existsSync(`${file}.bak`)).toBe(true);

    const text = readFileSync(file);
    text[Math.floor(text.length / 2)] ^= 0x04;
    writeFileSync(file, text);
    const third = await run();
    expect(third.err).toMatch(/^qx: engine vsw: state from backup file \(vsw\.json: [^)]*\)/m);

    writeFileSync(file, '{"version":1,"chec');
    writeFileSync(`${file}.bak`, '');
    const fourth = await run();
    expect(fourth.code).toBe(0);
    expect(fourth.err).toMatch(/^qx: engine vsw: fresh start \(vsw\.json: .*; vsw\.json\.bak: .*\)/m);
  });
});
