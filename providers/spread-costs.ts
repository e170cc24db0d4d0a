import type { Ctx } from '../core/component.ts';
import { US_PER_SECOND } from '../core/time.ts';
import { PENDING_STRIDE, type Pending } from './spread-pending.ts';

// Per-trade effective, realized and impact costs of the spread provider (SPEC §9) [P2, P3]:
//   ES = 2D(p - m-)/m-*1e4, RS = 2D(p - m5)/m-*1e4, PI = 2D(m5 - m-)/m-*1e4, D = +1 taker BUY.
// A trade waits in the bounded queue until the first event of the provider at or after t+5s;
// the mid just before that event is the book a timer at t+5s would read, since every input
// reaches the provider. The backstop timer covers a quiet feed and is armed at most once per
// second, so the runtime does not allocate a timer per trade. Sums are volume-weighted.
// Queueing and resolution are on the per-trade path, so they live in spread-events.ts; this
// module holds their state and the backstop timer.

export const SPREAD_TIMER_TAG = 'spread-m5';

/** The part of the spread state that trade costs read and write. */
export interface CostState {
  /** The mid of the usable book as of the last depth event, NaN when unusable. */
  curMid: number;
  pending: Pending;
  timerSet: boolean;
  /** Earliest time the next backstop timer may be armed for. */
  timerFloor: number;
  esSum: number;
  rsSum: number;
  piSum: number;
  qSum: number;
  flags: { overflow: boolean; unresolved: boolean };
}

/** Handles the backstop timer (due trades were resolved on entry) and re-arms it. */
export function costTimer(s: CostState, now: number, ctx: Pick<Ctx, 'wakeAt'>): void {
  s.timerSet = false;
  s.timerFloor = now + US_PER_SECOND;
  if (s.pending.size > 0) armTimer(s, ctx);
}

/**
 * Arms the backstop timer for the head trade, no earlier than a second after the last one.
 * Due trades must have been resolved (the head is the earliest trade still waiting).
 */
export function armTimer(s: CostState, ctx: Pick<Ctx, 'wakeAt'>): void {
  const q = s.pending;
  const head = q.buf[q.head * PENDING_STRIDE];
  ctx.wakeAt(head > s.timerFloor ? head : s.timerFloor, SPREAD_TIMER_TAG);
  s.timerSet = true;
}
