import { z } from 'zod';
import { assert } from '../core/assert.ts';
import { sha256Hex } from '../core/canonical.ts';
import type { Ctx } from '../core/component.ts';
import { US_PER_MINUTE } from '../core/time.ts';
import { kalmanNow, marketView, sigmaNow } from './engine-market.ts';
import { move, type Buffered, type EngineState, type Order } from './engine-state.ts';
import type { Kinds } from './engine-trade.ts';
import { clampStop, entryPrice, rawStop, regimeOf, roundtripCost, sizeQty } from './fills.ts';
import type { EngineParams } from './params.ts';
import { sessionLabel, sessionsAt } from './session.ts';
import {
  barCloseUs, commitAccepted, pruneBook, signalId, validate, verdictOf,
  type Busy, type MarketView, type Rejection, type SignalIn, type TimingView,
} from './validation.ts';

// Judging one signal: IDLE → EVALUATING → (IDLE | PENDING). The gates decide; an accepted
// signal is then sized (SPEC §17: stop distance by regime at signal time, clamped, and
// qty = floor_step(equity*risk/D_SL)) and queued for the next bar open. A VERDICT is published
// for every traded-signal kind the engine receives, accepted or not.

const BPS = 1e-4;

/** The signal payload of SPEC §15; extra fields are allowed and ignored. */
const SignalPayload = z.object({
  generator: z.string().min(1),
  direction: z.union([z.literal(1), z.literal(-1)]),
  bar_open_us: z.number().int(),
  close: z.number().finite().positive(),
  score: z.number().finite(),
  components: z.record(z.string(), z.number()),
  params_hash: z.string(),
});

/** Judges one buffered signal, publishes its verdict, and queues the order when accepted. */
export function evaluateSignal(s: EngineState, b: Buffered, ctx: Ctx<EngineParams>, kinds: Kinds, timingRequired: boolean): void {
  const now = ctx.now;
  const p = ctx.params;
  const parsed = SignalPayload.safeParse(b.raw);
  if (!parsed.success) {
    ctx.emit(kinds.verdict, 'VERDICT', malformed(b, ctx.symbol, parsed.error.issues[0]?.message ?? 'invalid'));
    return;
  }
  const sig: SignalIn = { key: b.key, ...parsed.data };
  const id = signalId(ctx.symbol, sig);
  const idle = s.status === 'IDLE';
  if (idle) move(s, 'EVALUATING');
  pruneBook(s, now, p);
  const view = marketView(s, now, p);
  const timing: TimingView = {
    required: timingRequired, long_us: s.confirm_long_us, short_us: s.confirm_short_us, kalman_trend: kalmanNow(s, now, p),
  };
  let verdict = validate(sig, id, now, busyOf(s), view, timing, s, p);
  if (verdict.accepted) {
    assert(idle, `engine '${s.id}': accepted a signal while ${s.status}`);
    commitAccepted(s, sig.key, id, now, p);
    const order = sizeOrder(s, sig, id, view, now, p);
    if ('gate' in order) {
      verdict = verdictOf(sig, id, order);
    } else {
      s.pending = order;
      ctx.wakeAt(order.due_us, 'enter');
    }
  }
  ctx.emit(kinds.verdict, 'VERDICT', verdict);
  if (idle) move(s, verdict.accepted ? 'PENDING' : 'IDLE');
}

function busyOf(s: EngineState): Busy {
  if (s.status === 'PENDING' || s.pending !== null) return { kind: 'pending', until_us: null };
  if (s.status === 'EXECUTING' || s.position !== null) return { kind: 'position', until_us: null };
  if (s.status === 'COOLDOWN') return { kind: 'cooldown', until_us: s.cooldown_until_us };
  return { kind: null, until_us: null };
}

/**
 * Sizes an accepted signal. The regime is the volatility state at signal time (MEDIUM when a
 * generator's overrides let the state be missing); the clamp's cost floor uses a taker exit,
 * the dearer case.
 */
function sizeOrder(s: EngineState, sig: SignalIn, id: string, view: MarketView, now: number, p: EngineParams): Order | Rejection {
  const regime = regimeOf(view.vol_state) ?? 'MEDIUM';
  const atr = p.stop_mode === 'atr';
  const base = atr ? s.atr.atr : sigmaNow(s, now, p);
  const raw = rawStop(base, regime, atr ? p.atr_mult : p.sigma_mult);
  if (!Number.isFinite(raw)) return { gate: 'sizing', reason: `${atr ? 'ATR14' : 'sigma_5m_usdt'} missing` };
  const slip = p.slip_bps * BPS;
  const taker = p.fee_taker_bps * BPS;
  const dsl = clampStop(raw, sig.close, p.d_sl_min_bps * BPS, p.d_sl_cost_mult, roundtripCost(taker, taker, slip), p.d_sl_max_bps * BPS);
  const qty = sizeQty(s.equity, p.risk_frac, dsl, p.qty_step);
  if (qty <= 0) return { gate: 'sizing', reason: `qty ${(s.equity * p.risk_frac) / dsl} < step ${p.qty_step}` };
  return {
    signal_id: id, command_id: sha256Hex(`${s.id}|${id}|ENTER`), trade_id: `${s.id}-${id.slice(0, 16)}`,
    generator: sig.generator, d: sig.direction, signal_bar_us: sig.bar_open_us, due_us: sig.bar_open_us + US_PER_MINUTE,
    qty, d_sl: dsl, regime, session: sessionLabel(sessionsAt(barCloseUs(sig.bar_open_us), p.session_mode)),
    ref_px: entryPrice(sig.close, sig.direction, slip),
    entry_bar_us: null, entry_px: null, sl: null, tp: null, fee_entry_usdt: 0,
  };
}

function malformed(b: Buffered, symbol: string, message: string) {
  const r = b.raw;
  const generator = typeof r.generator === 'string' ? r.generator : b.key;
  const direction = typeof r.direction === 'number' ? r.direction : 0;
  const bar = typeof r.bar_open_us === 'number' ? r.bar_open_us : 0;
  const score = typeof r.score === 'number' ? r.score : 0;
  const hash = typeof r.params_hash === 'string' ? r.params_hash : '';
  const id = signalId(symbol, { generator, direction, bar_open_us: bar, params_hash: hash });
  return verdictOf({ generator, direction: direction as 1, bar_open_us: bar, score }, id, { gate: 'input', reason: `malformed signal: ${message}` });
}
