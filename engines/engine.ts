import { AssertionError } from '../core/assert.ts';
import type { Component, Ctx } from '../core/component.ts';
import type { Kline, Out, QxEvent, TimerPayload, Trade } from '../core/event.ts';
import { atrUpdate } from '../core/indicators.ts';
import { US_PER_MINUTE } from '../core/time.ts';
import { applyMarket } from './engine-market.ts';
import { evaluateSignal } from './engine-accept.ts';
import { initEngineState, move, type EngineState } from './engine-state.ts';
import { kindsOf, onEntryBar, onExitBar, onTapeTrade, sendEnter, type Kinds } from './engine-trade.ts';
import { EngineParams } from './params.ts';

export { restoreEngineState, shutdown, type EngineState, type Status } from './engine-state.ts';

// The shared execution engine (SPEC §16-§17, seed "Execution Engine State"). One factory builds
// each of the six engines from its config. Per event: market records update a cache, trades feed
// tape mode, a kline prices the entry, checks exits and updates ATR14, and signals are buffered.
// `settle` then judges the step's signals (confirmers first) and publishes the bar's EQUITY, so
// every signal sees every provider's record of its bar whatever the delivery order.

export interface EngineConfig {
  id: string;
  title: string;
  /** Signal topic kinds this engine trades. */
  signals: readonly string[];
  /** Signal topic kinds that only confirm timing (Phase Timing); they get no verdict. */
  confirmers: readonly string[];
  /** Whether a Kalman trend in the signal's direction also confirms timing. */
  kalman: boolean;
}

const MARKET_INPUTS = [
  'data-volatility-state', 'data-garch-volatility-forecast-5min', 'data-vpin-zscore', 'data-spread', 'data-liquidity-vacuum',
] as const;

/** Returns the engine component for `config` (layer 'engine', id = config.id). */
export function makeEngine(config: EngineConfig): Component<EngineParams, EngineState> {
  const kinds = kindsOf(config.id);
  const inputs = [
    ...config.signals, ...config.confirmers, 'kline-1m', 'raw-trades', ...MARKET_INPUTS,
    ...(config.kalman ? ['data-kalman'] : []),
  ];
  const reduce = (s: EngineState, ev: QxEvent, ctx: Ctx<EngineParams>): void => {
    // One flag guards the rare cases (first event, after a restore, after SHUTDOWN) so the per-trade path stays short.
    if (!s.armed) {
      if (s.status === 'SHUTDOWN') return;
      if (s.status === 'LOADING') move(s, 'IDLE');
      rearm(s, ctx, ctx.now);
    }
    const topic = ev.topic;
    if (topic === s.topics.trades) {
      // The hot path: only tape mode with an open order looks at trades.
      if (s.position !== null && ctx.params.fill_mode === 'tape') onTapeTrade(s, ev.ts, (ev.payload as Trade).price, ctx.params);
    } else if (topic === s.topics.kline) {
      onKline(s, ev.payload as Kline, ctx, kinds);
    } else if (topic === 'timer') {
      onTimer(s, (ev.payload as TimerPayload).tag, ctx, kinds);
    } else if (!applyMarket(s, ev)) {
      buffer(s, ev, config);
    }
  };
  const settle = (s: EngineState, ctx: Ctx<EngineParams>): void => {
    if (s.inbox.length > 0) judgeInbox(s, ctx, config, kinds);
    if (s.bar_closed !== null) publishEquity(s, ctx, kinds);
  };
  return {
    id: config.id,
    layer: 'engine',
    inputs,
    // Trades matter only to tape fills; in bar mode the engine is not called 2.5M times a day for nothing.
    inputsFor: (p) => (p.fill_mode === 'tape' ? inputs : inputs.filter((k) => k !== 'raw-trades')),
    outputs: [kinds.cmd, kinds.verdict, kinds.trades, kinds.equity],
    params: EngineParams,
    init: (p, symbol) => initEngineState(config.id, p, symbol),
    reduce,
    // Armed, a trade only moves the tape bookkeeping (onTapeTrade): no record, no timer.
    tradesQuietUntil: (s) => (s.armed ? Infinity : -Infinity),
    reduceTrades(s, run, ctx) {
      for (let i = 0; i < run.length; i++) {
        reduce(s, run.at(i), ctx);
        settle(s, ctx);
      }
    },
    resume(s, ctx, at) {
      if (s.status !== 'SHUTDOWN') rearm(s, ctx, at);
    },
    settle,
  };
}

function onKline(s: EngineState, k: Kline, ctx: Ctx<EngineParams>, kinds: Kinds): void {
  expireCooldown(s, ctx.now);
  onEntryBar(s, k, ctx, kinds);
  onExitBar(s, k, ctx, kinds);
  atrUpdate(s.atr, k.h, k.l, k.c);
  s.last_close = k.c;
  s.bar_closed = { t: k.t, c: k.c };
}

function onTimer(s: EngineState, tag: string, ctx: Ctx<EngineParams>, kinds: Kinds): void {
  if (tag === 'enter' && s.status === 'PENDING' && s.pending !== null && ctx.now >= s.pending.due_us) sendEnter(s, ctx, kinds);
  else if (tag === 'cooldown') expireCooldown(s, ctx.now);
}

/** COOLDOWN → IDLE once the cooldown has passed. */
function expireCooldown(s: EngineState, now: number): void {
  if (s.status !== 'COOLDOWN' || s.cooldown_until_us === null || now < s.cooldown_until_us) return;
  s.cooldown_until_us = null;
  move(s, 'IDLE');
}

/**
 * After a restore into a fresh runtime the engine's timers are gone: the runtime's resume hook
 * (or, failing that, the first event) sets them again at their due times, so what fell due
 * while the engine was down happens before the next input, at its own time, never twice. An
 * entry whose bars had passed by `at` is dropped.
 */
function rearm(s: EngineState, ctx: Ctx<EngineParams>, at: number): void {
  s.armed = true;
  const o = s.pending;
  if (o !== null) {
    if (at >= o.due_us + ctx.params.entry_cancel_delay_bars * US_PER_MINUTE) {
      s.pending = null;
      move(s, 'IDLE');
    } else {
      ctx.wakeAt(o.due_us, 'enter');
    }
  }
  if (s.status === 'COOLDOWN' && s.cooldown_until_us !== null) ctx.wakeAt(s.cooldown_until_us, 'cooldown');
}

function buffer(s: EngineState, ev: QxEvent, config: EngineConfig): void {
  const out = ev.payload as Out;
  if (out.type !== 'SIGNAL') return;
  const suffixLen = s.topics.kline.length - 'kline-1m'.length;
  const kind = ev.topic.slice(0, ev.topic.length - suffixLen);
  const confirmer = config.confirmers.includes(kind);
  if (!confirmer && !config.signals.includes(kind)) return;
  s.inbox.push({ key: kind.slice('signal-'.length), confirmer, raw: out.payload });
}

function judgeInbox(s: EngineState, ctx: Ctx<EngineParams>, config: EngineConfig, kinds: Kinds): void {
  expireCooldown(s, ctx.now);
  // Confirmers first, so a Phase Timing signal of the same bar confirms whatever the slot order.
  for (const b of s.inbox) {
    if (!b.confirmer) continue;
    if (b.raw.direction === 1) s.confirm_long_us = ctx.now;
    else if (b.raw.direction === -1) s.confirm_short_us = ctx.now;
  }
  const timingRequired = config.confirmers.length > 0 || config.kalman;
  for (const b of s.inbox) if (!b.confirmer) evaluateSignal(s, b, ctx, kinds, timingRequired);
  s.inbox.length = 0;
}

function publishEquity(s: EngineState, ctx: Ctx<EngineParams>, kinds: Kinds): void {
  const bar = s.bar_closed as { t: number; c: number };
  const o = s.position;
  const open = o !== null && o.entry_px !== null ? o.d * (bar.c - o.entry_px) * o.qty : 0;
  ctx.emit(kinds.equity, 'EQUITY', {
    bar_open_us: bar.t, equity_usdt: s.equity + open, in_position: o !== null, state: s.status,
  });
  s.bar_closed = null;
  // Not assert(): its message would format the equity at every bar.
  if (!Number.isFinite(s.equity)) throw new AssertionError(`engine '${s.id}': equity must be finite, was ${s.equity}`);
}
