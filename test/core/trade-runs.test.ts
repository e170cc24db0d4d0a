import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RunConfigSchema } from '../../cli/config.ts';
import { PROVIDERS, strategyComponents } from '../../cli/registry.ts';
import { runBacktest } from '../../cli/run.ts';
import { ReplaySource, replayStep } from '../../adapters/replay.ts';
import type { Component } from '../../core/component.ts';
import type { QxEvent, Trade } from '../../core/event.ts';
import { Runtime } from '../../core/runtime.ts';
import type { TradeColumns } from '../../core/runtime-trades.ts';
import { ENGINE_IDS } from '../../engines/registry.ts';
import { synthDataset } from '../support/datasets.ts';

// Goal: runs of quiet trades (Component.tradesQuietUntil and reduceTrades, the replay's fast
// path for its most numerous input) change nothing but speed: every component ends in the
// state, and the run emits the records and digest, of the same log processed event by event.
// Method: whole synthetic days replayed both ways, compared state by state; and hand-built
// trades across clock ticks, timers and a component's quiet time, where a run must stop.

const S = 1_000_000;
const T0 = 1_700_000_000 * S;
const none = z.strictObject({});
const config = RunConfigSchema.parse({});

/** Replays `dir` through `components` event by event, or by runs; returns the runtime and the inputs taken in runs. */
function replay(dir: string, components: readonly Component[], runs: boolean): { rt: Runtime; inRuns: number; steps: number } {
  const src = new ReplaySource(dir);
  const rt = new Runtime(components.map((component) => ({ component })), { symbol: src.manifest.symbol });
  let inRuns = 0;
  let steps = 0;
  if (runs) {
    for (let k = replayStep(src, rt); k > 0; k = replayStep(src, rt)) {
      steps++;
      if (k > 1) inRuns += k;
    }
  } else {
    for (let ev = src.next(); ev !== null; ev = src.next()) rt.process(ev);
  }
  rt.advanceTo(src.manifest.to_us - 1);
  return { rt, inRuns, steps };
}

describe('core > runs of quiet trades', () => {
  it('every provider, signal and engine (bar and tape fills) ends in the state, counters and digest of the event-by-event replay', async () => {
    const { dir } = await synthDataset(11, 1, 'arrow');
    for (const components of [PROVIDERS, strategyComponents([...ENGINE_IDS], 'both')]) {
      const one = replay(dir, components, false);
      const runs = replay(dir, components, true);
      expect(runs.rt.digest()).toBe(one.rt.digest());
      expect(runs.rt.counters).toEqual(one.rt.counters);
      const a = one.rt.snapshot();
      const b = runs.rt.snapshot();
      for (let i = 0; i < components.length; i++) expect(b.states[i], components[i].id).toEqual(a.states[i]);
      expect(b).toEqual(a);
      // The fast path was taken: a fifth of the small day's inputs went through runs (24% measured).
      expect(runs.inRuns).toBeGreaterThan(0.2 * one.rt.counters.inputs);
      expect(runs.steps).toBeLessThan(one.rt.counters.inputs);
    }
  });

  it('qx backtest (runs) gives the digest of the event-by-event replay, and stops and resumes inside a run exactly', async () => {
    const { dir } = await synthDataset(11, 1, 'arrow');
    const all = strategyComponents([...ENGINE_IDS], 'both');
    const whole = runBacktest({ dataset: dir, config, components: all });
    expect(whole.digest).toBe(replay(dir, all, false).rt.digest());
    // A cut inside a run: the snapshot holds exactly `cut` inputs.
    const cut = Math.floor(whole.counters.inputs * 0.37) + 3;
    const first = runBacktest({ dataset: dir, config, components: all, stopAfter: cut });
    expect(first.snapshot?.position).toBe(cut);
    const resumed = runBacktest({ dataset: dir, config, components: all, resume: first.snapshot });
    expect(resumed.digest).toBe(whole.digest);
  });

  /** Records `<topic>@<now>` of every event; quiet for trades before `quietUntil` (ms after T0). */
  function quietRecorder(quietUntilMs: number, batch: boolean): Component<object, { seen: string[] }> {
    const reduce = (s: { seen: string[] }, ev: QxEvent, now: number): void => {
      const tag = ev.topic === 'timer' ? 'timer' : ev.topic === 'clock' ? 'clock' : `trade${(ev.payload as Trade).id}`;
      s.seen.push(`${tag}@${(now - T0) / 1000}`);
    };
    return {
      id: 'rec', layer: 'provider', inputs: ['raw-trades', 'clock'], outputs: [], params: none,
      init: () => ({ seen: [] }),
      reduce(s, ev, ctx) {
        reduce(s, ev, ctx.now);
        if (ev.topic === 'clock' && (ctx.now - T0) / S === 1) ctx.wakeAt(ctx.now + 500_000, 'half');
      },
      tradesQuietUntil: () => T0 + quietUntilMs * 1000,
      reduceTrades: batch
        ? (s, run, ctx) => {
          for (let i = 0; i < run.length; i++) reduce(s, run.at(i), ctx.now);
        }
        : undefined,
    };
  }

  /** Trades every 200 ms from T0 + 100 ms, ids 1..n, as columns. */
  function trades(n: number): TradeColumns {
    const ts = Array.from({ length: n }, (_, i) => T0 + (100 + 200 * i) * 1000);
    return { ts, recvTs: ts, id: ts.map((_, i) => i + 1), price: ts.map(() => 100), qty: ts.map(() => 1), isBuyerMaker: ts.map((_, i) => i % 2) };
  }

  function feedByRuns(rt: Runtime, b: TradeColumns): number[] {
    const sizes: number[] = [];
    let i = 0;
    while (i < b.ts.length) {
      const k = rt.processTrades(b, i, b.ts.length);
      if (k > 0) {
        sizes.push(k);
        i += k;
        continue;
      }
      rt.process({ topic: 'raw-trades-btcusdt', ts: b.ts[i], recvTs: b.recvTs[i], key: 'BTCUSDT', seq: 0, payload: { price: b.price[i], qty: b.qty[i], id: b.id[i], isBuyerMaker: b.isBuyerMaker[i] === 1 } });
      sizes.push(1);
      i++;
    }
    return sizes;
  }

  it('a run stops before a clock tick, a due timer and the end of a component\'s quiet time, and sees each trade at its own time', () => {
    for (const batch of [true, false]) {
      const b = trades(14);
      const ref = new Runtime([{ component: quietRecorder(2_250, batch) }], { symbol: 'BTCUSDT' });
      for (let i = 0; i < b.ts.length; i++) {
        ref.process({ topic: 'raw-trades-btcusdt', ts: b.ts[i], recvTs: b.recvTs[i], key: 'BTCUSDT', seq: 0, payload: { price: 100, qty: 1, id: b.id[i], isBuyerMaker: b.isBuyerMaker[i] === 1 } });
      }
      const rt = new Runtime([{ component: quietRecorder(2_250, batch) }], { symbol: 'BTCUSDT' });
      const sizes = feedByRuns(rt, b);
      // Trades at 0.1, 0.3, .. 2.7 s. The first starts the clock (one at a time); the ticks at 1 s
      // and 2 s, the timer at 1.5 s (set at the 1 s tick) and the quiet time 2.25 s end runs; a
      // run of one is taken one at a time, and so is every trade after the quiet time.
      expect(sizes).toEqual([1, 4, 1, 1, 1, 2, 1, 1, 1, 1]);
      expect(rt.snapshot().states).toEqual(ref.snapshot().states);
      expect((rt.snapshot().states[0] as { seen: string[] }).seen).toEqual([
        'trade1@100', 'trade2@300', 'trade3@500', 'trade4@700', 'trade5@900', 'clock@1000', 'trade6@1100', 'trade7@1300',
        'timer@1500', 'trade8@1500', 'trade9@1700', 'trade10@1900', 'clock@2000', 'trade11@2100', 'trade12@2300',
        'trade13@2500', 'trade14@2700',
      ]);
      expect(rt.counters).toEqual(ref.counters);
      expect(rt.digest()).toBe(ref.digest());
    }
  });

  it('a component that emits on a trade it declared quiet stops the run with an error', () => {
    const liar: Component<object, { n: number }> = {
      id: 'liar', layer: 'provider', inputs: ['raw-trades'], outputs: ['data-liar'], params: none,
      init: () => ({ n: 0 }),
      reduce(s, ev, ctx) {
        ctx.emit('data-liar', 'LIE', { n: ++s.n });
      },
      tradesQuietUntil: () => Number.POSITIVE_INFINITY,
    };
    const rt = new Runtime([{ component: liar }], { symbol: 'BTCUSDT' });
    expect(() => feedByRuns(rt, trades(5))).toThrow(/declared quiet/);
  });
});
