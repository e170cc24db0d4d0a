import { z } from 'zod';
import type { Component } from '../../core/component.ts';
import { topicOf } from '../../core/component.ts';
import { KLINE_CLOSE_OFFSET_US, type Kline, type Out, type QxEvent } from '../../core/event.ts';
import { Runtime, type ComponentSpec } from '../../core/runtime.ts';
import type { EngineState } from '../../engines/engine.ts';
import { engineById } from '../../engines/registry.ts';
import { SYM } from './harness.ts';

// Stateless stand-ins for the providers and generators the engines read (topic kinds and fields
// of the provider brief). Every output is a function of the bar alone, so a fresh runtime around
// a restored engine sees exactly what the uninterrupted run saw.

export const MIN = 60_000_000;
export const SEC = 1_000_000;
/** Wednesday 2025-01-15 08:00 UTC: London is open (GMT), New York opens at 14:30 UTC. */
export const T0 = Date.UTC(2025, 0, 15, 8, 0) * 1000;

export interface MarketBar {
  vol_state: string;
  vol_ann_pct: number | null;
  sigma_5m_usdt: number | null;
  vpin_z: number | null;
  spread_z: number | null;
  s1btc_bps: number | null;
  kalman_trend: string;
  /** VACUUM records to publish at this bar close. */
  vacuum: Array<{ side: 'BID' | 'ASK'; state: 'START' | 'ONGOING' | 'END' }>;
  /** Provider records to leave out at this bar (a silent provider). */
  omit: Array<'vol' | 'garch' | 'vpin' | 'spread' | 'kalman'>;
}

export const CALM: MarketBar = {
  vol_state: 'MEDIUM_VOL', vol_ann_pct: 40, sigma_5m_usdt: 100, vpin_z: 0.5, spread_z: 0.2, s1btc_bps: 0.5,
  kalman_trend: 'FLAT', vacuum: [], omit: [],
};

const none = z.strictObject({});

/** Returns a provider stub publishing every market topic the engines read at each kline close. */
export function marketStub(at: (barOpenUs: number) => Partial<MarketBar> = () => ({})): Component {
  return {
    id: 'stub-market', layer: 'provider', inputs: ['kline-1m'], params: none,
    outputs: ['data-volatility-state', 'data-garch-volatility-forecast-5min', 'data-vpin-zscore', 'data-spread', 'data-liquidity-vacuum', 'data-kalman'],
    init: () => ({}),
    reduce(_s, ev, ctx) {
      const k = ev.payload as Kline;
      const m = { ...CALM, ...at(k.t) };
      const t = k.t;
      if (!m.omit.includes('vol')) {
        ctx.emit('data-volatility-state', 'VOLATILITY_STATE', {
          bar_open_us: t, state: m.vol_state, raw_state: m.vol_state, vol_ann_pct: m.vol_ann_pct, changed: false,
          prev_state: m.vol_state, bars_in_state: 1,
        });
      }
      if (!m.omit.includes('garch')) {
        ctx.emit('data-garch-volatility-forecast-5min', 'GARCH', {
          bar_open_us: t, vol_ann_pct: m.vol_ann_pct, sigma_5m_pct: null, sigma_5m_usdt: m.sigma_5m_usdt,
          status: m.vol_ann_pct === null ? 'WARMUP' : 'OK',
        });
      }
      if (!m.omit.includes('vpin')) {
        ctx.emit('data-vpin-zscore', 'VPIN_BUCKET', { bucket_idx: 1, vpin: 0.9, z: 99 });
        ctx.emit('data-vpin-zscore', 'VPIN', { bar_open_us: t, bucket_idx: 1, vpin: 0.3, z: m.vpin_z, cdf: 0.5 });
      }
      if (!m.omit.includes('spread')) {
        ctx.emit('data-spread', 'SPREAD', { bar_open_us: t, tws_bps: 0.1, s1btc_bps: m.s1btc_bps, z: m.spread_z, state: 'NORMAL' });
      }
      if (!m.omit.includes('kalman')) {
        ctx.emit('data-kalman', 'KALMAN', { bar_open_us: t, level_usdt: k.c, slope_t: 0, trend: m.kalman_trend, outlier: false });
      }
      for (const v of m.vacuum) {
        ctx.emit('data-liquidity-vacuum', 'VACUUM', { side: v.side, band_bps: 10, state: v.state, duration_ms: 0, voids: [], coverage_ok: true, start_us: t });
      }
    },
  };
}

export interface ScriptedSignal {
  /** Bar open time of the signal bar. */
  t: number;
  direction: 1 | -1;
  score?: number;
  components?: Record<string, number>;
  generator?: string;
  params_hash?: string;
  /** Publishes the signal as if from an earlier bar (a replayed signal). */
  replay_of?: number;
}

/** Returns a generator stub that publishes the scripted SIGNALs on `kind` at their bars' close. */
export function signalStub(kind: string, script: readonly ScriptedSignal[], id = `stub-${kind}`): Component {
  return {
    id, layer: 'signal', inputs: ['kline-1m'], outputs: [kind], params: none,
    init: () => ({}),
    reduce(_s, ev, ctx) {
      const k = ev.payload as Kline;
      for (const sg of script) {
        if (sg.t !== k.t) continue;
        ctx.emit(kind, 'SIGNAL', {
          generator: sg.generator ?? kind.slice('signal-'.length), direction: sg.direction, bar_open_us: sg.replay_of ?? k.t, close: k.c,
          score: sg.score ?? 0.8, components: sg.components ?? { a: 0.9, b: 0.7, c: 0.1 }, reasons: ['scripted'],
          params_hash: sg.params_hash ?? 'p0',
        });
      }
    },
  };
}

/** One raw input of a scripted run. */
export interface Input {
  kind: 'kline-1m' | 'raw-trades';
  ts: number;
  payload: unknown;
}

/** Returns the kline input of bar `i` after T0 with the given prices (range 300 around 50 000 by default). */
export function kl(i: number, k: Partial<Kline> = {}, t0 = T0): Input {
  const c = k.c ?? 50_000;
  const o = k.o ?? c;
  const bar: Kline = { t: t0 + i * MIN, o, h: k.h ?? Math.max(o, c) + 150, l: k.l ?? Math.min(o, c) - 150, c, v: 1, q: c, n: 1, V: 0.5, Q: c / 2 };
  return { kind: 'kline-1m', ts: bar.t + KLINE_CLOSE_OFFSET_US, payload: bar };
}

/** Returns a trade input. */
export function tr(ts: number, id: number, price: number): Input {
  return { kind: 'raw-trades', ts, payload: { id, price, qty: 0.01, isBuyerMaker: false } };
}

/** Returns flat bars 0..n-1 (close 50 000, range 300) with overrides (null: bar missing), merged with trades in time order. */
export function scenario(n: number, over: Record<number, Partial<Kline> | null> = {}, trades: readonly Input[] = [], t0 = T0): Input[] {
  const all = [...trades];
  for (let i = 0; i < n; i++) if (over[i] !== null) all.push(kl(i, over[i] ?? {}, t0));
  // Trades sort before a kline with the same time (SPEC §0.2 rank), so the sort is stable on kind.
  return all.sort((a, b) => a.ts - b.ts || (a.kind === b.kind ? 0 : a.kind === 'raw-trades' ? -1 : 1));
}

/** Feeds inputs [from, to) into a runtime. */
export function feed(rt: Runtime, inputs: readonly Input[], from = 0, to = inputs.length, symbol = SYM): void {
  for (let i = from; i < to; i++) {
    const x = inputs[i];
    rt.process({ topic: topicOf(x.kind, symbol), ts: x.ts, recvTs: x.ts, key: symbol, seq: 0, payload: x.payload });
  }
}

/** Returns `{topic, ts, type, payload}` of the events on an engine's four topics (the envelope seq left out). */
export function engineView(events: readonly QxEvent<Out>[], id: string): Array<{ topic: string; ts: number; type: string; payload: unknown }> {
  const mine = (t: string) => t === `execution-commands-${id}` || t.startsWith(`validation-${id}-`) || t.startsWith(`trades-${id}-`) || t.startsWith(`equity-${id}-`);
  return events.filter((e) => mine(e.topic)).map((e) => ({ topic: e.topic, ts: e.ts, type: e.payload.type, payload: e.payload.payload }));
}

/** Returns the payloads of one output kind of engine `id`. */
export function payloads(events: readonly QxEvent<Out>[], kind: string, type?: string): Array<Record<string, unknown>> {
  const topic = kind.startsWith('execution-commands-') ? kind : `${kind}-${SYM.toLowerCase()}`;
  return events.filter((e) => e.topic === topic && (type === undefined || e.payload.type === type)).map((e) => e.payload.payload);
}

export interface EngineRun {
  rt: Runtime;
  out: QxEvent<Out>[];
  id: string;
  state(): EngineState;
  /** Payloads on one of the engine's output kinds ('execution-commands', 'validation', 'trades', 'equity'). */
  on(kind: string, type?: string): Array<Record<string, any>>;
  feed(inputs: readonly Input[], from?: number, to?: number): void;
}

export interface RunOptions {
  id?: string;
  params?: Record<string, unknown>;
  signals?: Record<string, ScriptedSignal[]>;
  market?: (barOpenUs: number) => Partial<MarketBar>;
}

/** Returns the component specs of a run: market stub, one stub per signal kind, then the engine. */
export function specsOf(o: RunOptions): ComponentSpec[] {
  return [
    { component: marketStub(o.market) },
    ...Object.entries(o.signals ?? {}).map(([kind, script]) => ({ component: signalStub(kind, script) })),
    { component: engineById(o.id ?? 'ald'), params: o.params ?? {} },
  ];
}

/** Builds a runtime of stubs and one engine; the caller feeds the inputs. */
export function engineRun(o: RunOptions = {}): EngineRun {
  const id = o.id ?? 'ald';
  const out: QxEvent<Out>[] = [];
  const rt = new Runtime(specsOf(o), { symbol: SYM, onEmit: (e) => out.push(e) });
  return {
    rt, out, id,
    state: () => rt.stateOf(id) as EngineState,
    on: (kind, type) => payloads(out, `${kind}-${id}`, type),
    feed: (inputs, from, to) => feed(rt, inputs, from, to),
  };
}
