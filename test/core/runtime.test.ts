import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Component } from '../../core/component.ts';
import type { Out, QxEvent, Trade } from '../../core/event.ts';
import { Runtime } from '../../core/runtime.ts';
import { canonical, digestAdd, digestHex, digestInit } from '../../core/canonical.ts';
import { harness } from '../support/harness.ts';

// Goal: the scheduler's rules (DESIGN §4–5) hold exactly: timer order, whole-second CLOCK
// ticks, synchronous topological delivery, settle after the inbox, duplicates and late events
// counted, and snapshot/restore at any point reproducing the uninterrupted digest.
// Method: small recording components driven through a real Runtime.

const S = 1_000_000;
const T0 = 1_700_000_000 * S;
const none = z.strictObject({});

/** Records what it sees as `<topic>@<now>` lines in its state. */
function recorder(id: string, inputs: string[], outputs: string[] = []): Component<object, { seen: string[] }> {
  return {
    id, layer: 'provider', inputs, outputs, params: none,
    init: () => ({ seen: [] }),
    reduce(s, ev, ctx) {
      const tag = ev.topic === 'timer' ? `timer:${(ev.payload as { tag: string }).tag}` : ev.topic;
      s.seen.push(`${tag}@${(ctx.now - T0) / 1000}`);
    },
  };
}

/** Emits one record per trade and wakes itself 1.5 s later. */
const echo: Component<object, { n: number }> = {
  id: 'echo', layer: 'provider', inputs: ['raw-trades'], outputs: ['data-echo'], params: none,
  init: () => ({ n: 0 }),
  reduce(s, ev, ctx) {
    if (ev.topic === 'timer') {
      ctx.emit('data-echo', 'LATER', { n: s.n });
      return;
    }
    s.n++;
    ctx.emit('data-echo', 'ECHO', { id: (ev.payload as Trade).id, n: s.n });
    ctx.wakeAt(ctx.now + 1.5 * S, `t${s.n}`);
  },
};

/** Sums echoes and publishes in settle, once per step. */
const summer: Component<object, { sum: number; got: number }> = {
  id: 'summer', layer: 'signal', inputs: ['raw-trades', 'data-echo'], outputs: ['data-sum'], params: none,
  init: () => ({ sum: 0, got: 0 }),
  reduce(s, ev) {
    if (ev.topic.startsWith('data-echo')) s.sum += ((ev.payload as Out).payload as { n: number }).n;
    s.got++;
  },
  settle(s, ctx) {
    ctx.emit('data-sum', 'SUM', { sum: s.sum, got: s.got });
  },
};

describe('core > runtime', () => {
  it('fires clock ticks at whole seconds and timers in (due, order) before later inputs', () => {
    const h = harness([echo, recorder('rec', ['clock', 'data-echo'])]);
    h.trade(T0 + 200_000, 1, 100, 1, false);
    h.trade(T0 + 2_100_000, 2, 100, 1, true);
    h.advance(T0 + 4 * S);
    const seen = (h.rt.stateOf('rec') as { seen: string[] }).seen;
    expect(seen).toEqual([
      'data-echo-btcusdt@200',
      'clock@1000',
      'data-echo-btcusdt@1700',
      'clock@2000',
      'data-echo-btcusdt@2100',
      'clock@3000',
      'data-echo-btcusdt@3600',
      'clock@4000',
    ]);
  });

  it('delivers downstream synchronously and runs settle after the whole inbox', () => {
    const h = harness([echo, summer]);
    h.trade(T0, 1, 100, 1, false);
    h.trade(T0 + 10, 2, 100, 1, false);
    const sums = h.on('data-sum').map((o) => o.payload);
    expect(sums).toEqual([{ sum: 1, got: 2 }, { sum: 3, got: 4 }]);
  });

  it('keeps slot order when an emit interrupts the targets-only delivery of an input', () => {
    // An input goes to its targets alone until one of them emits; from the next slot on, each
    // slot gets the input (if a target) before its inbox, in registry order, and the next input
    // starts clean. The log is shared so that it shows the order across components.
    const log: string[] = [];
    const logger = (id: string, inputs: string[]): Component<object, object> => ({
      id, layer: 'signal', inputs, outputs: [], params: none, init: () => ({}),
      reduce(_s, ev) {
        log.push(`${id}:${ev.topic.split('-')[0]}`);
      },
    });
    const h = harness([
      { ...logger('a', ['raw-trades']), layer: 'provider' },
      echo,
      logger('b', ['raw-trades', 'data-echo']),
      logger('c', ['data-echo']),
      logger('d', ['raw-trades']),
    ]);
    h.trade(T0, 1, 100, 1, false);
    h.trade(T0 + 10, 2, 100, 1, false);
    const one = ['a:raw', 'b:raw', 'b:data', 'c:data', 'd:raw'];
    expect(log).toEqual([...one, ...one]);
  });

  it('still delivers every later input after a component threw in the middle of a step', () => {
    // A throw leaves the step's emitted events in their inboxes: they are dropped and counted,
    // not redelivered with the next input, which still reaches every target in slot order.
    const log: string[] = [];
    let boom = true;
    const fragile: Component<object, object> = {
      id: 'fragile', layer: 'signal', inputs: ['data-echo'], outputs: [], params: none, init: () => ({}),
      reduce(_s, ev) {
        log.push(`fragile:${((ev.payload as Out).payload as { n: number }).n}`);
        if (boom) {
          boom = false;
          throw new Error('bad record');
        }
      },
    };
    const tail: Component<object, object> = {
      id: 'tail', layer: 'signal', inputs: ['raw-trades', 'data-echo'], outputs: [], params: none, init: () => ({}),
      reduce(_s, ev) {
        log.push(`tail:${ev.topic.split('-')[0]}`);
      },
    };
    const h = harness([echo, fragile, tail]);
    expect(() => h.trade(T0, 1, 100, 1, false)).toThrow('bad record');
    h.trade(T0 + 10, 2, 100, 1, false);
    expect(log).toEqual(['fragile:1', 'fragile:2', 'tail:raw', 'tail:data']);
    // The first echo waited in two inboxes, fragile's (it threw on it) and tail's.
    expect(h.rt.counters.abandoned).toBe(2);
  });

  it('subscribes a component to the inputs its parameters ask for', () => {
    const picky: Component<{ trades: boolean }, { seen: string[] }> = {
      ...recorder('picky', ['raw-trades', 'clock']),
      params: z.strictObject({ trades: z.boolean().default(false) }),
      inputsFor: (p) => (p.trades ? ['raw-trades', 'clock'] : ['clock']),
    };
    for (const trades of [false, true]) {
      const rt = new Runtime([{ component: picky, params: { trades } }], { symbol: 'BTCUSDT' });
      rt.process({ topic: 'raw-trades-btcusdt', ts: T0 + 500_000, recvTs: T0 + 500_000, key: 'BTCUSDT', seq: 0, payload: { id: 1, price: 1, qty: 1, isBuyerMaker: false } });
      rt.advanceTo(T0 + S);
      const seen = (rt.stateOf('picky') as { seen: string[] }).seen;
      expect(seen).toEqual(trades ? ['raw-trades-btcusdt@500', 'clock@1000'] : ['clock@1000']);
    }
    const greedy = { ...picky, inputsFor: () => ['depth'] };
    expect(() => new Runtime([{ component: greedy }], { symbol: 'BTCUSDT' })).toThrow(/does not declare/);
  });

  it('runs the resume hook of a replaced state once, before the next input, so past timers fire at their times', () => {
    const calls: number[] = [];
    const sleeper: Component<object, { due: number; seen: string[] }> = {
      ...recorder('sleeper', ['raw-trades']),
      init: () => ({ due: 0, seen: [] }),
      resume(s, ctx, at) {
        calls.push(at);
        ctx.wakeAt(s.due, 'due');
      },
    };
    const rt = new Runtime([{ component: sleeper }], { symbol: 'BTCUSDT' });
    rt.replaceState('sleeper', { due: T0 + 300_000, seen: [] });
    const trade = (ts: number, id: number) =>
      rt.process({ topic: 'raw-trades-btcusdt', ts, recvTs: ts, key: 'BTCUSDT', seq: 0, payload: { id, price: 1, qty: 1, isBuyerMaker: false } });
    trade(T0 + 900_000, 1);
    trade(T0 + 950_000, 2);
    expect(calls).toEqual([T0 + 900_000]);
    expect((rt.stateOf('sleeper') as { seen: string[] }).seen).toEqual(['timer:due@300', 'raw-trades-btcusdt@900', 'raw-trades-btcusdt@950']);
  });

  it('delivers what a resume hook emits, in slot order, before the next input', () => {
    const types: string[] = [];
    const announcer: Component<object, { n: number }> = {
      ...echo,
      resume(s, ctx) {
        ctx.emit('data-echo', 'RESUMED', { n: s.n });
      },
    };
    const listener: Component<object, object> = {
      id: 'listener', layer: 'signal', inputs: ['data-echo'], outputs: [], params: none, init: () => ({}),
      reduce(_s, ev) {
        types.push((ev.payload as Out).type);
      },
    };
    const h = harness([announcer, listener]);
    h.rt.replaceState('echo', { n: 7 });
    h.trade(T0, 1, 100, 1, false);
    expect(types).toEqual(['RESUMED', 'ECHO']);
    expect(h.rt.counters.abandoned).toBe(0);
  });

  it('rejects a registry that is not topological', () => {
    expect(() => new Runtime([{ component: summer }, { component: echo }], { symbol: 'BTCUSDT' })).toThrow(/no earlier component/);
  });

  it('drops duplicate trades, counts gaps and processes late events at the current time', () => {
    const h = harness([echo]);
    h.trade(T0 + 5 * S, 10, 100, 1, false);
    h.trade(T0 + 5 * S, 10, 100, 1, false);
    h.trade(T0 + 4 * S, 12, 100, 1, false);
    expect(h.rt.counters).toMatchObject({ duplicates: 1, tradeGaps: 1, late: 1 });
    const echoes = h.on('data-echo');
    expect(echoes.map((o) => o.ts)).toEqual([T0 + 5 * S, T0 + 5 * S]);
  });

  it('stamps the §0.4 envelope: per-topic seq, provider, symbol, ts', () => {
    const h = harness([echo]);
    h.trade(T0, 1, 100, 1, false);
    h.trade(T0 + 1, 2, 100, 1, false);
    const [a, b] = h.on('data-echo');
    expect(a).toMatchObject({ type: 'ECHO', v: 1, symbol: 'BTCUSDT', provider: 'echo', seq: 1, ts: T0, warm: true, degraded: false });
    expect(b.seq).toBe(2);
  });

  it('digest equals SHA-256 chain of canonical emitted events; snapshot/restore anywhere resumes it', () => {
    const trades = Array.from({ length: 400 }, (_, i) => ({ ts: T0 + i * 370_000, id: i + 1 }));
    const feed = (rt: Runtime, from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const ev: QxEvent = { topic: 'raw-trades-btcusdt', ts: trades[i].ts, recvTs: trades[i].ts, key: 'BTCUSDT', seq: 0,
          payload: { id: trades[i].id, price: 100, qty: 1, isBuyerMaker: i % 3 === 0 } };
        rt.process(ev);
      }
    };
    const make = (onEmit?: (e: QxEvent<Out>) => void) =>
      new Runtime([{ component: echo }, { component: summer }, { component: recorder('rec', ['clock', 'data-sum']) }], { symbol: 'BTCUSDT', onEmit });
    const events: QxEvent<Out>[] = [];
    const whole = make((e) => events.push(e));
    feed(whole, 0, trades.length);
    whole.advanceTo(T0 + 200 * S);
    const d = digestInit();
    for (const e of events) digestAdd(d, canonical(e));
    expect(whole.digest()).toBe(digestHex(d));
    for (const cut of [1, 57, 211, 399]) {
      const a = make();
      feed(a, 0, cut);
      const snap = structuredClone(a.snapshot());
      const b = make();
      b.restore(snap);
      feed(b, cut, trades.length);
      b.advanceTo(T0 + 200 * S);
      expect(b.digest()).toBe(whole.digest());
      expect(b.stateOf('rec')).toEqual(whole.stateOf('rec'));
    }
  });
});
