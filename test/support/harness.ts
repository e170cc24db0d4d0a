import { Runtime, type ComponentSpec } from '../../core/runtime.ts';
import type { Component } from '../../core/component.ts';
import { KLINE_CLOSE_OFFSET_US, type Depth, type Kline, type Out, type QxEvent, type Trade } from '../../core/event.ts';
import { topicOf } from '../../core/component.ts';

// A given/when/then driver for components: builds a Runtime around the components under test,
// feeds hand-built raw events, and collects what they emit.

export const SYM = 'BTCUSDT';

export interface Harness {
  rt: Runtime;
  out: QxEvent<Out>[];
  /** Emitted payloads of one topic kind, in order. */
  on(kind: string): Out[];
  trade(tsUs: number, id: number, price: number, qty: number, isBuyerMaker: boolean): void;
  depth(tsUs: number, d: Partial<Depth> & { u: number }): void;
  kline(k: Kline): void;
  /** Fires timers and clock ticks up to `tsUs`. */
  advance(tsUs: number): void;
}

export function harness(components: Array<Component | ComponentSpec>, symbol = SYM): Harness {
  const out: QxEvent<Out>[] = [];
  const specs = components.map((c) => ('component' in c ? c : { component: c }));
  const rt = new Runtime(specs, { symbol, onEmit: (e) => out.push(e) });
  const push = (kind: string, ts: number, payload: unknown) =>
    rt.process({ topic: topicOf(kind, symbol), ts, recvTs: ts, key: symbol, seq: 0, payload });
  return {
    rt,
    out,
    on: (kind) => out.filter((e) => e.topic === topicOf(kind, symbol)).map((e) => e.payload),
    trade: (ts, id, price, qty, isBuyerMaker) => push('raw-trades', ts, { id, price, qty, isBuyerMaker } satisfies Trade),
    depth: (ts, d) =>
      push('depth', ts, {
        snapshot: false, U: d.u, pu: -1, bidPx: [], bidQty: [], askPx: [], askQty: [], ...d,
      } satisfies Depth),
    kline: (k) => push('kline-1m', k.t + KLINE_CLOSE_OFFSET_US, k),
    advance: (ts) => rt.advanceTo(ts),
  };
}

/** Returns a closed 1m kline opening at minute `i` after `t0Us`, with sensible defaults. */
export function bar(t0Us: number, i: number, k: Partial<Kline> = {}): Kline {
  const c = k.c ?? 100;
  return { t: t0Us + i * 60_000_000, o: c, h: c, l: c, c, v: 1, q: c, n: 1, V: 0.5, Q: c / 2, ...k };
}
