import { sha256Hex } from '../core/canonical.ts';
import type { Ctx } from '../core/component.ts';
import type { Kline } from '../core/event.ts';
import { US_PER_MINUTE } from '../core/time.ts';
import { move, type EngineState, type Order } from './engine-state.ts';
import { barExit, entryPrice, levelsOf, timeStopPrice, tradeResult, type Exit } from './fills.ts';
import type { EngineParams } from './params.ts';

// The order and position life cycle of one engine (SPEC §17): the ENTER command at the next bar
// open, the entry fill priced by the entry bar, the SL/TP/time-stop exit with its EXIT command and
// TRADE record, and the tape bookkeeping that orders SL and TP inside one bar in 'tape' mode.

export interface Kinds {
  cmd: string;
  verdict: string;
  trades: string;
  equity: string;
}

const BPS = 1e-4;
/** A local copy of US_PER_MINUTE: the per-trade path avoids a cross-module binding lookup. */
const MINUTE_US = 60_000_000;

/** Returns the output topic kinds of engine `id`. */
export function kindsOf(id: string): Kinds {
  return { cmd: `execution-commands-${id}`, verdict: `validation-${id}`, trades: `trades-${id}`, equity: `equity-${id}` };
}

/** Sends the ENTER command at the bar open (PENDING → EXECUTING); SL/TP are quoted from the reference price. */
export function sendEnter(s: EngineState, ctx: Ctx<EngineParams>, kinds: Kinds): void {
  const o = s.pending as Order;
  const lv = levelsOf(o.ref_px, o.d, o.d_sl, ctx.params.rr);
  ctx.emit(kinds.cmd, 'ENTER', {
    command_id: o.command_id, engine: s.id, signal_id: o.signal_id, side: o.d === 1 ? 'LONG' : 'SHORT',
    qty: o.qty, order: 'MARKET', sl: lv.sl, tp: lv.tp, d_sl: o.d_sl, regime: o.regime, ref_px: o.ref_px,
  });
  s.position = o;
  s.pending = null;
  s.tape.bar_us = null;
  s.tape.first = null;
  move(s, 'EXECUTING');
}

/** Prices the entry on its bar (the first kline at or after the order), or cancels it after the allowed delay. */
export function onEntryBar(s: EngineState, k: Kline, ctx: Ctx<EngineParams>, kinds: Kinds): void {
  const o = s.position;
  if (o === null || o.entry_px !== null || k.t < o.due_us) return;
  const p = ctx.params;
  if (k.t >= o.due_us + p.entry_cancel_delay_bars * US_PER_MINUTE) {
    ctx.emit(kinds.cmd, 'CANCEL', { command_id: o.command_id, engine: s.id, signal_id: o.signal_id, reason: 'NO_ENTRY_BAR' });
    s.position = null;
    move(s, 'IDLE');
    return;
  }
  const e = entryPrice(k.o, o.d, p.slip_bps * BPS);
  const lv = levelsOf(e, o.d, o.d_sl, p.rr);
  o.entry_bar_us = k.t;
  o.entry_px = e;
  o.sl = lv.sl;
  o.tp = lv.tp;
  o.fee_entry_usdt = e * o.qty * p.fee_taker_bps * BPS;
  s.equity -= o.fee_entry_usdt;
}

/** Closes the position when the bar reaches SL or TP, or at the time stop. */
export function onExitBar(s: EngineState, k: Kline, ctx: Ctx<EngineParams>, kinds: Kinds): void {
  const o = s.position;
  if (o === null || o.entry_px === null || o.entry_bar_us === null) return;
  const p = ctx.params;
  const slip = p.slip_bps * BPS;
  const first = p.fill_mode === 'tape' && s.tape.bar_us === k.t ? s.tape.first : null;
  let ex: Exit | null = barExit(o.d, k, o.sl as number, o.tp as number, slip, first);
  if (ex === null && k.t >= o.entry_bar_us + p.time_stop_bars * US_PER_MINUTE) {
    ex = { reason: 'TIME', price: timeStopPrice(o.d, k.c, slip), both: false };
  }
  if (ex !== null) closeTrade(s, o, ex, k, ctx, kinds);
}

function closeTrade(s: EngineState, o: Order, ex: Exit, k: Kline, ctx: Ctx<EngineParams>, kinds: Kinds): void {
  const p = ctx.params;
  const e = o.entry_px as number;
  const feeExit = (ex.reason === 'TP' && p.tp_fee === 'maker' ? p.fee_maker_bps : p.fee_taker_bps) * BPS;
  const r = tradeResult(o.d, e, ex.price, o.qty, o.d_sl, p.fee_taker_bps * BPS, feeExit);
  // The entry fee left equity when the entry filled; the exit adds the gross move less its own fee.
  s.equity += o.d * (ex.price - e) * o.qty - r.fee_exit_usdt;
  ctx.emit(kinds.cmd, 'EXIT', {
    command_id: sha256Hex(`${s.id}|${o.trade_id}|EXIT`), engine: s.id, trade_id: o.trade_id, reason: ex.reason, price: ex.price,
  });
  ctx.emit(kinds.trades, 'TRADE', {
    trade_id: o.trade_id, signal_id: o.signal_id, generator: o.generator, side: o.d === 1 ? 'LONG' : 'SHORT',
    entry_us: o.entry_bar_us, entry_px: e, exit_us: ctx.now, exit_px: ex.price, exit_reason: ex.reason,
    qty: o.qty, d_sl: o.d_sl, sl: o.sl, tp: o.tp, regime: o.regime, fees_usdt: r.fees_usdt, pnl_usdt: r.pnl_usdt,
    r_gross: r.r_gross, r_net: r.r_net, bars_held: (k.t - (o.entry_bar_us as number)) / US_PER_MINUTE + 1,
    session: o.session, both_touched: ex.both,
  });
  s.position = null;
  s.n_trades++;
  s.cooldown_until_us = ctx.now + p.exit_cooldown_min * US_PER_MINUTE;
  move(s, 'COOLDOWN');
  ctx.wakeAt(s.cooldown_until_us, 'cooldown');
}

/**
 * Tape mode: remembers, per minute, the first trade at or beyond SL or TP. On the entry bar the
 * levels are not priced yet (the kline arrives at its close), so they are taken provisionally
 * from the minute's first trade, which is the bar's open. O(1), no allocation.
 */
export function onTapeTrade(s: EngineState, ts: number, price: number, p: EngineParams): void {
  const o = s.position;
  if (o === null || ts < o.due_us) return;
  const t = s.tape;
  const minute = ts - (ts % MINUTE_US);
  if (t.bar_us !== minute) {
    t.bar_us = minute;
    t.first = null;
    if (o.entry_px === null) {
      const e = entryPrice(price, o.d, p.slip_bps * BPS);
      t.prov_sl = e - o.d * o.d_sl;
      t.prov_tp = e + o.d * p.rr * o.d_sl;
    }
  }
  if (t.first !== null) return;
  const sl = o.entry_px === null ? (t.prov_sl as number) : (o.sl as number);
  const tp = o.entry_px === null ? (t.prov_tp as number) : (o.tp as number);
  if (o.d * (price - sl) <= 0) t.first = 'SL';
  else if (o.d * (price - tp) >= 0) t.first = 'TP';
}
