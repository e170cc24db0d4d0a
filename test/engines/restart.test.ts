import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonical } from '../../core/canonical.ts';
import type { Out, QxEvent } from '../../core/event.ts';
import { Runtime, type RuntimeSnapshot } from '../../core/runtime.ts';
import { loadState, saveState } from '../../adapters/state-store.ts';
import { restoreEngineState, shutdown, type EngineState, type Status } from '../../engines/engine.ts';
import { EngineParams } from '../../engines/params.ts';
import { SYM } from '../support/harness.ts';
import { MIN, T0, engineView, feed, scenario, specsOf, tr, type Input, type RunOptions } from '../support/stubs-engines.ts';

// Goal: an engine restarted from its state file, in any state, continues exactly as the
// uninterrupted run; a truncated or bit-flipped current file falls back to the backup, and two
// broken files to a fresh start, each saying why. Runtime snapshots taken at any input resume to
// the same outputs and the same run digest.
// Method: one scripted day of bars and trades (a trade at every bar open, one mid-bar) through
// stub providers, stub generators and the 'ald' engine; the engine's outputs after the restart
// point are compared field by field (topic, time, type, payload) with the uninterrupted run's.

const P = EngineParams.parse({});
const ALD = 'signal-uso-ald';
const N = 120;
const OPTS: RunOptions = {
  signals: {
    [ALD]: [
      { t: T0 + 18 * MIN, direction: 1, score: 0.3 }, { t: T0 + 20 * MIN, direction: 1 }, { t: T0 + 45 * MIN, direction: -1 },
      { t: T0 + 80 * MIN, direction: 1 }, { t: T0 + 110 * MIN, direction: 1, replay_of: T0 + 20 * MIN },
    ],
  },
};
const TRADES: Input[] = [];
for (let i = 0; i < N; i++) TRADES.push(tr(T0 + i * MIN, 2 * i + 1, 50_000), tr(T0 + i * MIN + 30e6, 2 * i + 2, 50_010));
const INPUTS = scenario(N, { 23: { h: 51_000 }, 50: { h: 50_600 }, 90: { h: 51_000 } }, TRADES);

interface Run {
  out: QxEvent<Out>[];
  outIdx: number[];
  status: Status[];
  states: EngineState[];
  snaps: RuntimeSnapshot[];
  digest: string;
}

function uninterrupted(opts: RunOptions): Run {
  const out: QxEvent<Out>[] = [];
  const rt = new Runtime(specsOf(opts), { symbol: SYM, onEmit: (e) => out.push(e) });
  const run: Run = { out, outIdx: [], status: [], states: [], snaps: [], digest: '' };
  for (let i = 0; i < INPUTS.length; i++) {
    feed(rt, INPUTS, i, i + 1);
    const s = rt.stateOf('ald') as EngineState;
    run.outIdx.push(out.length);
    run.status.push(s.status);
    run.states.push(structuredClone(s));
    run.snaps.push(rt.snapshot());
  }
  run.digest = rt.digest();
  return run;
}

const BASE = uninterrupted(OPTS);
const dir = mkdtempSync(join(tmpdir(), 'qx-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loads `file`, restores the engine at the saved data time into a fresh runtime, and runs inputs after `i`. */
function resume(file: string, i: number) {
  const loaded = loadState(file);
  const restored = restoreEngineState(loaded.state, loaded.savedAt_us ?? INPUTS[i].ts, P, { id: 'ald', symbol: SYM });
  const out: QxEvent<Out>[] = [];
  const rt = new Runtime(specsOf(OPTS), { symbol: SYM, onEmit: (e) => out.push(e) });
  if (restored.state !== null) rt.replaceState('ald', restored.state);
  feed(rt, INPUTS, i + 1);
  return { loaded, restored, out: engineView(out, 'ald'), rt };
}

const expected = (i: number) => engineView(BASE.out.slice(BASE.outIdx[i]), 'ald');
const firstIndex = (status: Status, after = 0) => BASE.status.findIndex((s, k) => k >= after && s === status);

describe('engines > restart from the state file', () => {
  it('the scenario visits every waiting state and trades three times', () => {
    // In bar fill mode the engine reads no trades, so it stays LOADING until its first bar.
    expect(BASE.status[0]).toBe('LOADING');
    expect(new Set(BASE.status)).toEqual(new Set(['LOADING', 'IDLE', 'PENDING', 'EXECUTING', 'COOLDOWN']));
    const trades = engineView(BASE.out, 'ald').filter((e) => e.type === 'TRADE').map((e) => (e.payload as { exit_reason: string }).exit_reason);
    expect(trades).toEqual(['TP', 'SL', 'TP']);
    expect(engineView(BASE.out, 'ald').filter((e) => e.type === 'VERDICT').map((e) => (e.payload as { gate: string | null }).gate))
      .toEqual(['confirmation', null, null, null, 'dedup']);
  });

  const points: Array<[string, () => number]> = [
    ['IDLE (before any signal)', () => firstIndex('IDLE')],
    ['PENDING', () => firstIndex('PENDING')],
    ['EXECUTING (entry bar priced)', () => firstIndex('EXECUTING') + 1],
    ['COOLDOWN', () => firstIndex('COOLDOWN')],
    ['IDLE (after a cooldown)', () => firstIndex('IDLE', firstIndex('COOLDOWN'))],
    ['PENDING (second trade, short)', () => firstIndex('PENDING', firstIndex('IDLE', firstIndex('COOLDOWN')))],
  ];
  for (const [label, pick] of points) {
    it(`continues exactly from ${label}, saved as is and saved after a graceful SHUTDOWN`, () => {
      const i = pick();
      expect(i).toBeGreaterThanOrEqual(0);
      for (const stop of [false, true]) {
        const file = join(dir, `${label.replace(/\W+/g, '-')}-${stop}.json`);
        const state = stop ? shutdown(BASE.states[i]) : BASE.states[i];
        saveState(file, state, INPUTS[i].ts);
        const r = resume(file, i);
        expect(r.loaded.source).toBe('current');
        expect(r.restored.state?.status).toBe(BASE.status[i]);
        expect(r.out.length).toBeGreaterThan(0);
        expect(r.out).toEqual(expected(i));
      }
    });
  }

  const iA = firstIndex('PENDING');
  const iB = firstIndex('EXECUTING') + 3;
  const twoSaves = (name: string) => {
    const file = join(dir, name);
    saveState(file, BASE.states[iA], INPUTS[iA].ts);
    saveState(file, BASE.states[iB], INPUTS[iB].ts);
    return file;
  };

  it('uses the backup when the current file is truncated, and continues exactly from it', () => {
    const file = twoSaves('trunc.json');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
    const r = resume(file, iA);
    expect(r.loaded.source).toBe('backup');
    expect(r.loaded.problems).toEqual([`trunc.json: truncated (${Math.floor(text.length / 2)} chars, no final newline)`]);
    expect(r.out).toEqual(expected(iA));
  });

  it('uses the backup when a bit of the current file is flipped', () => {
    const file = twoSaves('flip.json');
    const bytes = readFileSync(file);
    const at = bytes.indexOf('"equity":') + '"equity":'.length + 1;
    bytes[at] ^= 1;
    writeFileSync(file, bytes);
    const r = resume(file, iA);
    expect(r.loaded.source).toBe('backup');
    expect(r.loaded.problems).toEqual(['flip.json: checksum mismatch']);
    expect(r.out).toEqual(expected(iA));
  });

  it('starts fresh when both files are broken, and says so for each', () => {
    const file = twoSaves('both.json');
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 100));
    const bak = readFileSync(`${file}.bak`);
    bak[bak.indexOf('"equity":') + '"equity":'.length + 1] ^= 1;
    writeFileSync(`${file}.bak`, bak);
    const r = resume(file, iB);
    expect(r.loaded).toMatchObject({ state: null, source: 'fresh' });
    expect(r.loaded.problems).toEqual(['both.json: truncated (100 chars, no final newline)', 'both.json.bak: checksum mismatch']);
    expect(r.restored).toEqual({ state: null, notes: ['no saved state: fresh start'] });
    const fresh = r.rt.stateOf('ald') as EngineState;
    expect(fresh.trail[0]).toBe('LOADING>IDLE');
    expect(r.out.find((e) => e.type === 'EQUITY')?.payload).toMatchObject({ equity_usdt: 100_000, in_position: false, state: 'IDLE' });
    // The fresh engine knows nothing of the open trade: no EXIT for it, but it still trades later signals.
    expect(r.out.filter((e) => e.type === 'TRADE')).toHaveLength(2);
  });
});

describe('engines > determinism', () => {
  const check = (opts: RunOptions) => {
    const base = opts === OPTS ? BASE : uninterrupted(opts);
    const all = canonical(base.out.map((e) => ({ topic: e.topic, ts: e.ts, seq: e.seq, payload: e.payload })));
    expect(uninterrupted(opts).digest).toBe(base.digest);
    for (let i = 0; i < INPUTS.length; i += 3) {
      const out: QxEvent<Out>[] = [];
      const rt = new Runtime(specsOf(opts), { symbol: SYM, onEmit: (e) => out.push(e) });
      rt.restore(base.snaps[i]);
      feed(rt, INPUTS, i + 1);
      const tail = canonical(base.out.slice(base.outIdx[i]).map((e) => ({ topic: e.topic, ts: e.ts, seq: e.seq, payload: e.payload })));
      expect(canonical(out.map((e) => ({ topic: e.topic, ts: e.ts, seq: e.seq, payload: e.payload }))), `resume after input ${i}`).toBe(tail);
      expect(rt.digest(), `digest after resume at ${i}`).toBe(base.digest);
    }
    expect(all.length).toBeGreaterThan(1000);
  };

  it('resumes from a runtime snapshot at any input to the same outputs and digest (bar mode)', () => check(OPTS));
  it('does the same in tape mode', () => check({ ...OPTS, params: { fill_mode: 'tape' } }));
});
