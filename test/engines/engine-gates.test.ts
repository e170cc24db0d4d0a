import { describe, expect, it } from 'vitest';
import { MIN, T0, engineRun, scenario, type MarketBar, type ScriptedSignal } from '../support/stubs-engines.ts';

// Goal: inside the engine the gates see the right inputs: provider records of the signal's bar,
// stale or absent readings as missing, the entry-side vacuum, the engine's own position, pending
// entry and cooldown, the 24 h dedup of a replayed signal, timing confirmation for cpbc/flip, and a
// VERDICT for every traded signal (none for confirmers).
// Method: stub providers and generators around one engine in a real Runtime.

const ALD = 'signal-uso-ald';
const at = (i: number) => T0 + i * MIN;

function verdicts(signals: Record<string, ScriptedSignal[]>, o: { id?: string; n?: number; market?: (t: number) => Partial<MarketBar>; bars?: Parameters<typeof scenario>[1] } = {}) {
  const r = engineRun({ id: o.id, signals, market: o.market });
  r.feed(scenario(o.n ?? 40, o.bars ?? {}));
  return { r, v: r.on('validation', 'VERDICT') };
}

describe('engines > engine > gates', () => {
  it('rejects on a stress bound of the signal bar, naming value and bound', () => {
    const { v } = verdicts({ [ALD]: [{ t: at(20), direction: 1 }] }, { market: (t) => (t === at(20) ? { vpin_z: 3.4 } : {}) });
    expect(v).toMatchObject([{ accepted: false, gate: 'stress', reason: 'vpin_z 3.4 > 3', bar_open_us: at(20), score: 0.8, direction: 1 }]);
  });

  it('treats a reading older than 120 s as missing (exactly 120 s old still counts)', () => {
    const silent = (from: number) => (t: number): Partial<MarketBar> => (t >= at(from) ? { omit: ['vpin'] } : {});
    expect(verdicts({ [ALD]: [{ t: at(20), direction: 1 }] }, { market: silent(19) }).v[0]).toMatchObject({ gate: null });
    expect(verdicts({ [ALD]: [{ t: at(20), direction: 1 }] }, { market: silent(18) }).v[0]).toMatchObject({ gate: 'stress', reason: 'vpin_z missing' });
    const warm = verdicts({ [ALD]: [{ t: at(20), direction: 1 }] }, { market: () => ({ vol_ann_pct: null }) }).v[0];
    expect(warm).toMatchObject({ gate: 'stress', reason: 'vol_ann_pct missing' });
  });

  it('blocks a long on an ask-side vacuum (and within 30 s of its end), except for Volatility Stress', () => {
    const vac = (t: number): Partial<MarketBar> => (t === at(20) ? { vacuum: [{ side: 'ASK', state: 'START' }] } : {});
    expect(verdicts({ [ALD]: [{ t: at(20), direction: 1 }] }, { market: vac }).v[0].reason).toBe('VACUUM active on ASK (entry) side');
    expect(verdicts({ [ALD]: [{ t: at(20), direction: -1 }] }, { market: vac }).v[0].accepted).toBe(true);
    const ended = (t: number): Partial<MarketBar> => (t === at(20) ? { vacuum: [{ side: 'ASK', state: 'START' }, { side: 'ASK', state: 'END' }] } : {});
    const later = verdicts({ [ALD]: [{ t: at(20), direction: 1 }, { t: at(21), direction: 1 }] }, { market: ended }).v;
    expect(later[0].reason).toBe('VACUUM on ASK (entry) side ended 0 s ago <= 30 s');
    expect(later[1].accepted).toBe(true);
    const vstr = verdicts({ 'signal-cse-volatilitystress': [{ t: at(20), direction: 1 }] }, { id: 'vstr', market: vac }).v;
    expect(vstr[0].accepted).toBe(true);
  });

  it('rejects while pending, in position, and in cooldown; a replay within 24 h is a dedup no-op', () => {
    const sigs: ScriptedSignal[] = [
      { t: at(20), direction: 1 }, { t: at(20), direction: 1, params_hash: 'p1' }, { t: at(22), direction: -1 },
      { t: at(30), direction: 1 }, { t: at(60), direction: 1, replay_of: at(20) }, { t: at(61), direction: 1 },
    ];
    const { v } = verdicts({ [ALD]: sigs }, { n: 70, bars: { 23: { h: 51_000 } } });
    expect(v.map((x) => `${x.gate}: ${x.reason}`)).toEqual([
      'null: accepted',
      'position: engine has a pending entry',
      'position: engine holds a position',
      'cooldown: engine cooldown after exit until 2025-01-15T08:38:59.999Z',
      `dedup: signal_id ${v[0].signal_id.slice(0, 12)} already processed at 2025-01-15T08:20:59.999Z`,
      'null: accepted',
    ]);
    expect(v[4].signal_id).toBe(v[0].signal_id);
  });

  it('judges a malformed signal with gate input', () => {
    const { v } = verdicts({ [ALD]: [{ t: at(20), direction: 0 as 1 }] });
    expect(v).toMatchObject([{ accepted: false, gate: 'input', direction: 0 }]);
    expect(v[0].reason).toMatch(/^malformed signal: /);
  });
});

describe('engines > engine > timing confirmation (cpbc, flip)', () => {
  const CB = 'signal-cse-compressionbreakout';
  const PT = 'signal-cse-phasetiming';
  const judge = (pt: ScriptedSignal[], cbAt: number, kalman = 'FLAT', id = 'cpbc', kind = CB) =>
    verdicts({ [kind]: [{ t: at(cbAt), direction: 1 }], [PT]: pt }, { id, n: 60, market: () => ({ kalman_trend: kalman }) }).v;

  it('accepts a breakout only with a same-direction Phase Timing within 30 bars or an agreeing Kalman trend', () => {
    expect(judge([], 20)).toMatchObject([{ accepted: false, gate: 'confirmation', reason: 'no timing confirmation: phase timing none > 30 bars, kalman trend FLAT != UP' }]);
    expect(judge([{ t: at(20), direction: 1 }], 20)).toMatchObject([{ accepted: true }]);
    expect(judge([{ t: at(20), direction: -1 }], 20)).toMatchObject([{ accepted: false, gate: 'confirmation' }]);
    expect(judge([{ t: at(25), direction: 1 }], 55)).toMatchObject([{ accepted: true }]);
    expect(judge([{ t: at(24), direction: 1 }], 55)).toMatchObject([{ accepted: false, reason: 'no timing confirmation: phase timing 31 bars ago > 30 bars, kalman trend FLAT != UP' }]);
    expect(judge([], 20, 'UP')).toMatchObject([{ accepted: true }]);
    expect(judge([], 20, 'DOWN')).toMatchObject([{ accepted: false }]);
  });

  it('does the same for flow inflections, and gives confirmers no verdict', () => {
    const FI = 'signal-cse-flowinflections';
    expect(judge([{ t: at(20), direction: 1 }, { t: at(21), direction: 1 }], 20, 'FLAT', 'flip', FI)).toMatchObject([{ accepted: true }]);
    expect(judge([], 20, 'FLAT', 'flip', FI)).toMatchObject([{ accepted: false, gate: 'confirmation' }]);
  });
});
