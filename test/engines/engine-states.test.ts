import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../core/canonical.ts';
import { canMove, STATUSES, type Status } from '../../engines/engine-state.ts';
import { restoreEngineState, shutdown } from '../../engines/engine.ts';
import { EngineParams } from '../../engines/params.ts';
import { signalId } from '../../engines/validation.ts';
import { KLINE_CLOSE_OFFSET_US } from '../../core/event.ts';
import { MIN, T0, engineRun, engineView, scenario } from '../support/stubs-engines.ts';

// Goal: the engine walks the seed's state machine transition by transition: LOADING → IDLE,
// IDLE → EVALUATING → IDLE on a rejection, → PENDING on acceptance, PENDING → EXECUTING at the
// next bar open (the ENTER command), EXECUTING → COOLDOWN on the exit, COOLDOWN → IDLE when the
// cooldown ends, SHUTDOWN from the waiting states; restore validates cooldowns against the clock.
// Method: stub market and signal components around the 'ald' engine in a real Runtime, fed
// bar by bar, with the engine's status and transition trail read between inputs.

const P = EngineParams.parse({});
const ALD = 'signal-uso-ald';
const close = (i: number) => T0 + i * MIN + KLINE_CLOSE_OFFSET_US;
/** Bar 18: a weak signal (rejected); bar 20: a good one (accepted); bar 23 reaches TP. */
const SIGNALS = { [ALD]: [{ t: T0 + 18 * MIN, direction: 1 as const, score: 0.3 }, { t: T0 + 20 * MIN, direction: 1 as const }] };
const INPUTS = scenario(60, { 23: { h: 51_000 } });
const idxAfterBar = (i: number) => INPUTS.findIndex((x) => x.ts === close(i)) + 1;

describe('engines > engine > state machine', () => {
  it('has exactly the seed transitions (plus cancel and expiry back to IDLE)', () => {
    const legal = STATUSES.flatMap((a) => STATUSES.filter((b) => canMove(a, b)).map((b) => `${a}>${b}`));
    expect(legal).toEqual([
      'LOADING>IDLE', 'LOADING>PENDING', 'LOADING>EXECUTING', 'LOADING>COOLDOWN', 'LOADING>SHUTDOWN',
      'IDLE>EVALUATING', 'IDLE>SHUTDOWN', 'EVALUATING>IDLE', 'EVALUATING>PENDING',
      'PENDING>IDLE', 'PENDING>EXECUTING', 'PENDING>SHUTDOWN',
      'EXECUTING>IDLE', 'EXECUTING>COOLDOWN', 'EXECUTING>SHUTDOWN', 'COOLDOWN>IDLE', 'COOLDOWN>SHUTDOWN', 'SHUTDOWN>LOADING',
    ]);
  });

  it('steps LOADING → IDLE → EVALUATING → IDLE → EVALUATING → PENDING → EXECUTING → COOLDOWN → IDLE', () => {
    const r = engineRun({ signals: SIGNALS });
    expect(r.state().status).toBe('LOADING');
    r.feed(INPUTS, 0, 1);
    expect(r.state().trail).toEqual(['LOADING>IDLE']);
    r.feed(INPUTS, 1, idxAfterBar(18));
    expect(r.state().trail.slice(1)).toEqual(['IDLE>EVALUATING', 'EVALUATING>IDLE']);
    expect(r.on('validation', 'VERDICT')).toMatchObject([{ accepted: false, gate: 'confirmation', reason: 'score 0.3 < 0.6' }]);

    r.feed(INPUTS, idxAfterBar(18), idxAfterBar(20));
    expect(r.state().status).toBe('PENDING');
    expect(r.state().trail.slice(3)).toEqual(['IDLE>EVALUATING', 'EVALUATING>PENDING']);
    expect(r.on('equity').at(-1)).toMatchObject({ bar_open_us: T0 + 20 * MIN, state: 'PENDING', in_position: false });
    expect(r.on('execution-commands')).toEqual([]);

    // The ENTER command leaves at the next bar open, on the engine's timer.
    r.rt.advanceTo(T0 + 21 * MIN - 1000);
    expect(r.state().status).toBe('PENDING');
    r.rt.advanceTo(T0 + 21 * MIN);
    expect(r.state().status).toBe('EXECUTING');
    const enter = engineView(r.out, 'ald').filter((e) => e.type === 'ENTER');
    expect(enter).toHaveLength(1);
    expect(enter[0].ts).toBe(T0 + 21 * MIN);
    const id = signalId('BTCUSDT', { generator: 'uso-ald', direction: 1, bar_open_us: T0 + 20 * MIN, params_hash: 'p0' });
    expect(enter[0].payload).toEqual({
      command_id: sha256Hex(`ald|${id}|ENTER`), engine: 'ald', signal_id: id, side: 'LONG', qty: 1.11111, order: 'MARKET',
      sl: 50_005 - 450, tp: 50_005 + 900, d_sl: 450, regime: 'MEDIUM', ref_px: 50_000 * 1.0001,
    });

    r.feed(INPUTS, idxAfterBar(20), idxAfterBar(23));
    expect(r.state().status).toBe('COOLDOWN');
    expect(r.on('execution-commands', 'EXIT')).toMatchObject([{ reason: 'TP', engine: 'ald' }]);
    const until = close(23) + 15 * MIN;
    expect(r.state().cooldown_until_us).toBe(until);
    r.rt.advanceTo(until - 1000);
    expect(r.state().status).toBe('COOLDOWN');
    r.rt.advanceTo(until);
    expect(r.state().status).toBe('IDLE');
    expect(r.state().trail.slice(5)).toEqual(['PENDING>EXECUTING', 'EXECUTING>COOLDOWN', 'COOLDOWN>IDLE']);
  });

  it('shuts down from IDLE, PENDING, EXECUTING and COOLDOWN, never mid-evaluation, and then ignores events', () => {
    const r = engineRun({ signals: SIGNALS });
    const seen = new Map<Status, ReturnType<typeof r.state>>();
    for (let i = 0; i < INPUTS.length; i++) {
      r.feed(INPUTS, i, i + 1);
      if (!seen.has(r.state().status)) seen.set(r.state().status, structuredClone(r.state()));
    }
    expect([...seen.keys()]).toEqual(['IDLE', 'PENDING', 'EXECUTING', 'COOLDOWN']);
    for (const [status, s] of seen) {
      const down = shutdown(s);
      expect(down.status).toBe('SHUTDOWN');
      expect(down.trail.at(-1)).toBe(`${status}>SHUTDOWN`);
      expect(s.status).toBe(status);
      expect(() => shutdown(down)).toThrow(/illegal transition SHUTDOWN → SHUTDOWN/);
    }
    expect(() => shutdown({ ...seen.get('IDLE')!, status: 'EVALUATING' })).toThrow(/illegal transition EVALUATING → SHUTDOWN/);
    const stopped = engineRun({ signals: SIGNALS });
    stopped.feed(INPUTS, 0, 1);
    stopped.rt.replaceState('ald', shutdown(stopped.state()));
    const before = stopped.out.length;
    stopped.feed(INPUTS, 1);
    expect(engineView(stopped.out.slice(before), 'ald')).toEqual([]);
  });

  it('restores a status from what the state holds and validates cooldowns against the clock', () => {
    const r = engineRun({ signals: SIGNALS });
    r.feed(INPUTS, 0, idxAfterBar(23));
    const cooling = structuredClone(r.state());
    const until = cooling.cooldown_until_us as number;
    expect(cooling.cooldowns['uso-ald']).toBe(close(20) + 15 * MIN);
    const early = restoreEngineState(shutdown(cooling), close(23) + MIN, P);
    expect(early.state?.status).toBe('COOLDOWN');
    expect(early.state?.cooldowns).toEqual({ 'uso-ald': close(20) + 15 * MIN });
    expect(early.state?.armed).toBe(false);
    const late = restoreEngineState(cooling, until, P);
    expect(late.state?.status).toBe('IDLE');
    expect(late.state?.cooldown_until_us).toBeNull();
    expect(late.state?.cooldowns).toEqual({});
    expect(late.notes).toEqual(['1 generator cooldown(s) expired before 2025-01-15T08:38:59.999Z']);
    expect(late.state?.trail.at(-1)).toBe('LOADING>IDLE');
    expect(restoreEngineState(null, until, P)).toEqual({ state: null, notes: ['no saved state: fresh start'] });
    expect(restoreEngineState({ ...cooling, equity: 'x' }, until, P).notes).toEqual(['saved engine state is malformed: Invalid input: expected number, received string']);
    expect(restoreEngineState(cooling, until, P, { id: 'lvl' }).notes).toEqual(["saved state is for engine 'ald', expected 'lvl'"]);
    expect(restoreEngineState(cooling, until, P, { symbol: 'ETHUSDT' }).notes).toEqual(['saved state reads kline-1m-btcusdt, expected symbol ETHUSDT']);
    expect(restoreEngineState(cooling, until, P, { id: 'ald', symbol: 'BTCUSDT' }).state?.status).toBe('IDLE');
  });

  it('drops a pending entry whose bars passed while it was down', () => {
    const r = engineRun({ signals: SIGNALS });
    r.feed(INPUTS, 0, idxAfterBar(20));
    const pending = structuredClone(r.state());
    expect(restoreEngineState(pending, T0 + 22 * MIN, P).state?.status).toBe('PENDING');
    const gone = restoreEngineState(pending, T0 + 23 * MIN, P);
    expect(gone.state?.status).toBe('IDLE');
    expect(gone.state?.pending).toBeNull();
    expect(gone.notes[0]).toMatch(/^pending entry [0-9a-f]{12} expired/);
  });
});
