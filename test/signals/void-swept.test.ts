import { describe, expect, it } from 'vitest';
import type { QxEvent, Trade } from '../../core/event.ts';
import { TradeRun } from '../../core/runtime-trades.ts';
import { sweepIdle, voidsApply } from '../../signals/void-sweep.ts';
import { voidSwept, VoidSweptParams } from '../../signals/void-swept.ts';
import { bar, harness, type Harness } from '../support/harness.ts';
import { cvd, hidden, stubProvider, vacuum, type Rec } from '../support/stubs-signals.ts';

// Goal: Void Swept (SPEC §15.7): a VACUUM void reported in the last 60 s, swept by trades over
// at least 80% of its width within 5 s (P0 -> X), then in reclaim mode a close within 3 bars
// retracing >= 50% of X - P0 with the bar delta agreeing (d = -sign(X - P0)); in continuation
// mode a refilled opposite band (rho >= 0.5) and a close within 25% of X. Score per SPEC.
// Method: hand-built trades and klines; a stub provider publishes the VACUUM record when a given
// trade arrives, HIDDEN_LIQUIDITY at the extreme, and CVD / VACUUM END at bar closes. A
// snapshot taken mid-sweep and restored into a fresh runtime must give the same outputs.

const T0 = Date.UTC(2024, 0, 2) * 1000;
const S = 1_000_000;
const KIND = 'signal-uso-voidswept';
const ramp = (x: number, lo: number, hi: number) => Math.min(1, Math.max(0, (x - lo) / (hi - lo)));
const VOID = { lo: 100.05, hi: 100.15, width_bps: 10 };

type Step = { trade: [number, number] } | { bar: [number, number, number] };

/** Trades (seconds after T0, price) of a sweep from 100.04 at 61 s to 100.16 at 64 s. */
const SWEEP: Step[] = [
  { trade: [10, 100] }, { bar: [0, 100, 0.5] },
  { trade: [61, 100.04] }, { trade: [62, 100.1] }, { trade: [63, 100.14] }, { trade: [64, 100.16] }, { trade: [68, 100.2] },
];

interface Script {
  voidAtId?: number;
  onBar?: Record<number, (t: number) => Rec[]>;
}

function make(sc: Script, params: object = {}): Harness {
  return harness([
    stubProvider({
      onTrade: (t: Trade, ts: number) => [
        ...(t.id === (sc.voidAtId ?? 2) ? [vacuum('ASK', 10, 0.3, 'START', [VOID], ts)] : []),
        ...(t.price === 100.16 ? [hidden('ASK', 100.16, 2, ts)] : []),
      ],
      onKline: (k, i) => sc.onBar?.[i]?.(k.t) ?? [],
    }),
    { component: voidSwept, params },
  ]);
}

function feed(h: Harness, steps: Step[], firstId = 1): number {
  let id = firstId;
  for (const s of steps) {
    if ('trade' in s) h.trade(T0 + s.trade[0] * S, id++, s.trade[1], 0.1, false);
    else h.kline(bar(T0, s.bar[0], { c: s.bar[1], V: s.bar[2], v: 1 }));
  }
  return id;
}

const reclaimBars = (V2: number): Step[] => [{ bar: [1, 100.15, 0.5] }, { bar: [2, 100.08, V2] }];
const endAt2: Script['onBar'] = { 2: (t) => [cvd(t, -0.4, 0.4), vacuum('ASK', 10, 0.7, 'END', [], t)] };

describe('signals > void-swept', () => {
  it('fires SHORT on the reclaim of an upward sweep, with the SPEC score', () => {
    const h = make({ onBar: endAt2 });
    feed(h, [...SWEEP, ...reclaimBars(0.3)]);
    const out = h.on(KIND);
    expect(out).toHaveLength(1);
    const s = out[0].payload as any;
    expect(s).toMatchObject({ generator: 'void-swept', direction: -1, bar_open_us: T0 + 120 * S, close: 100.08 });
    const c = {
      speed: ramp(10 / 2, 1, 10), retrace: ramp((100.16 - 100.08) / (100.16 - 100.04), 0.5, 1), hidden: 1,
      cvd: ramp(1, 0, 2), rho: ramp(0.7, 0.5, 1),
    };
    for (const [k, v] of Object.entries(c)) expect(s.components[k]).toBeCloseTo(v, 12);
    expect(s.score).toBeCloseTo((0.15 * c.speed + 0.25 * c.retrace + 0.2 * c.hidden + 0.25 * c.cvd + 0.15 * c.rho) / 1.0, 12);
    expect(s.reasons[0]).toBe('swept ASK void 100.05..100.15 (10 bps, band 10 bps) from P0 100.04 to X 100.16 in 2 s');
  });

  it('fires LONG in continuation mode once the opposite band refills and price holds near X', () => {
    const onBar = { 1: (t: number) => [vacuum('BID', 10, 0.6, 'END', [], t)] };
    const h = make({ onBar }, { mode: 'continuation' });
    feed(h, [...SWEEP, { bar: [1, 100.14, 0.5] }]);
    const out = h.on(KIND);
    expect(out).toHaveLength(1);
    const s = out[0].payload as any;
    expect(s.direction).toBe(1);
    expect(s.components.rho).toBeCloseTo(ramp(0.6, 0.5, 1), 12);
    expect(s.components.retrace).toBeCloseTo(ramp(1 - Math.abs(100.14 - 100.16) / 0.12, 0.5, 1), 12);
    expect(s.components.hidden).toBe(1);
    const none = make({}, { mode: 'continuation' });
    feed(none, [...SWEEP, { bar: [1, 100.14, 0.5] }]);
    expect(none.on(KIND)).toHaveLength(0);
  });

  it('needs an 80% cross within 5 s of a void reported in the last 60 s', () => {
    const partial = make({ onBar: endAt2 });
    feed(partial, [SWEEP[0], SWEEP[1], SWEEP[2], { trade: [63, 100.12] }, ...reclaimBars(0.3)]);
    expect(partial.on(KIND)).toHaveLength(0);
    const slow = make({ onBar: endAt2 });
    feed(slow, [SWEEP[0], SWEEP[1], SWEEP[2], { trade: [62, 100.1] }, { trade: [67, 100.16] }, ...reclaimBars(0.3)]);
    expect(slow.on(KIND)).toHaveLength(0);
    const stale = make({ onBar: { 3: endAt2[2] } });
    feed(stale, [
      SWEEP[0], SWEEP[1], SWEEP[2], { bar: [1, 100.04, 0.5] },
      { trade: [121.5, 100.04] }, { trade: [122.5, 100.16] }, { bar: [2, 100.16, 0.5] }, { bar: [3, 100.08, 0.3] },
    ]);
    expect(stale.on(KIND)).toHaveLength(0);
    const fresh = make({ onBar: { 3: endAt2[2] } });
    feed(fresh, [
      SWEEP[0], SWEEP[1], SWEEP[2], { trade: [118.5, 100.04] }, { trade: [119.5, 100.16] },
      { bar: [1, 100.16, 0.5] }, { bar: [2, 100.16, 0.5] }, { bar: [3, 100.08, 0.3] },
    ]);
    expect(fresh.on(KIND)).toHaveLength(1);
  });

  it('needs sign(D) = d on the reclaim bar and the reclaim within 3 bars', () => {
    const wrong = make({ onBar: endAt2 });
    feed(wrong, [...SWEEP, ...reclaimBars(0.7)]);
    expect(wrong.on(KIND)).toHaveLength(0);
    const third = make({});
    feed(third, [...SWEEP, { bar: [1, 100.15, 0.5] }, { bar: [2, 100.15, 0.5] }, { bar: [3, 100.08, 0.3] }]);
    expect(third.on(KIND)).toHaveLength(1);
    const fourth = make({});
    feed(fourth, [...SWEEP, { bar: [1, 100.15, 0.5] }, { bar: [2, 100.15, 0.5] }, { bar: [3, 100.15, 0.5] }, { bar: [4, 100.08, 0.3] }]);
    expect(fourth.on(KIND)).toHaveLength(0);
  });

  it('has no setup before any VACUUM record', () => {
    const h = make({ voidAtId: -1, onBar: endAt2 });
    feed(h, [...SWEEP, ...reclaimBars(0.3)]);
    expect(h.on(KIND)).toHaveLength(0);
  });

  it('resumes from a mid-sweep snapshot exactly', () => {
    const steps = [...SWEEP, ...reclaimBars(0.3)];
    const full = make({ onBar: endAt2 });
    feed(full, steps);
    const a = make({ onBar: endAt2 });
    const next = feed(a, steps.slice(0, 5));
    const b = make({ onBar: endAt2 });
    b.rt.restore(a.rt.snapshot());
    feed(b, steps.slice(5), next);
    expect(b.on(KIND)).toEqual(full.on(KIND));
    expect(b.rt.digest()).toBe(full.rt.digest());
  });
});

describe('signals > void-swept > runs of quiet trades', () => {
  // Goal: reduceTrades, which skips to a run's last trade while no void or sweep can take one,
  // leaves the state of reduce on each trade in turn, on both sides of each idle condition.
  const params = VoidSweptParams.parse({});
  const trades = (secs: number[], prices: number[]): QxEvent<Trade>[] => secs.map((t, i) => ({
    topic: 'raw-trades-btcusdt', ts: T0 + t * S, recvTs: T0 + t * S, key: 'BTCUSDT', seq: i,
    payload: { id: i + 1, price: prices[i], qty: 0.1, isBuyerMaker: false },
  }));
  /** The state after `pre` (a VACUUM at `voidAt` s, unless null, then `pre` trade by trade). */
  function setup(voidAt: number | null, pre: QxEvent<Trade>[]) {
    const s = voidSwept.init(params, 'BTCUSDT');
    const host = { now: 0 };
    const ctx = { get now() { return host.now; }, symbol: 'BTCUSDT', params, book: null as never, emit() { throw new Error('no emit'); }, wakeAt() {} };
    const feed = (evs: QxEvent<Trade>[]) => { for (const ev of evs) { host.now = ev.ts; voidSwept.reduce(s, ev, ctx); voidSwept.settle!(s, ctx); } };
    feed(pre);
    if (voidAt !== null) voidsApply(s.voids, s.last, vacuum('ASK', 10, 0.3, 'START', [VOID]).payload, T0 + voidAt * S, params);
    return { s, host, ctx, feed };
  }
  const cases: Array<[string, number | null, number[], number[]]> = [
    ['no void', null, [61, 62, 63, 64], [100.04, 100.1, 100.14, 100.16]],
    ['a fresh void, swept in the run', 60, [61, 62, 63, 64], [100.04, 100.1, 100.14, 100.16]],
    ['a void older than 60 s', 0, [61, 62, 63, 64], [100.04, 100.1, 100.14, 100.16]],
    ['an open sweep whose extreme the run extends', 60, [61, 62, 63, 64, 65, 66], [100.04, 100.1, 100.14, 100.16, 100.18, 100.2]],
  ];
  for (const [name, voidAt, secs, prices] of cases) {
    it(`${name}: the state of trade-by-trade reduce`, () => {
      const evs = trades(secs, prices);
      // The last case opens the sweep before the run: its first four trades go one by one.
      const split = name.startsWith('an open sweep') ? 4 : 0;
      const one = setup(voidAt, []);
      one.feed(evs);
      const runs = setup(voidAt, []);
      runs.feed(evs.slice(0, split));
      const rest = evs.slice(split);
      const run = new TradeRun(rest);
      run.host = runs.host;
      run.length = rest.length;
      voidSwept.reduceTrades!(runs.s, run, runs.ctx);
      expect(runs.s).toEqual(one.s);
      expect(one.s.last).toEqual({ px: prices.at(-1), us: T0 + (secs.at(-1) as number) * S });
    });
  }
  it('the cases reach both sides of the idle test', () => {
    const st = (voidAt: number | null, n: number) => { const x = setup(voidAt, []); x.feed(trades([61, 62, 63, 64, 65, 66].slice(0, n), [100.04, 100.1, 100.14, 100.16, 100.18, 100.2])); return x.s; };
    expect(sweepIdle(st(null, 0).voids, st(null, 0).sweep, T0 + 61 * S, params)).toBe(true);
    expect(sweepIdle(st(0, 0).voids, st(0, 0).sweep, T0 + 61 * S, params)).toBe(true);
    expect(sweepIdle(st(60, 0).voids, st(60, 0).sweep, T0 + 61 * S, params)).toBe(false);
    const open = st(60, 4);
    expect(open.sweep.active).toBe(true);
    expect(sweepIdle([], open.sweep, T0 + 65 * S, params)).toBe(false);
    expect(sweepIdle([], open.sweep, T0 + 70 * S, params)).toBe(true);
  });
});
