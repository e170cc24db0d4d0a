import type { Pending } from './spread-pending.ts';

// Per-trade effective, realized and impact costs of the spread provider (SPEC §9) [P2, P3]:
//   ES = 2D(p - m-)/m-*1e4, RS = 2D(p - m5)/m-*1e4, PI = 2D(m5 - m-)/m-*1e4, D = +1 taker BUY.
// A trade waits in the bounded queue until the first event of the provider at or after t+5s;
// the mid just before that event is the book a timer at t+5s would read, since every input
// reaches the provider and only a depth event moves the mid (it resolves the due trades before
// it applies). The whole-second CLOCK tick, which the provider takes anyway, is the backstop
// for a quiet feed: no timer is armed. Sums are volume-weighted.
// Queueing and resolution are on the per-trade path, so they live in spread-events.ts; this
// module holds their state.

/** The part of the spread state that trade costs read and write. */
export interface CostState {
  /** The mid of the usable book as of the last depth event, NaN when unusable. */
  curMid: number;
  pending: Pending;
  esSum: number;
  rsSum: number;
  piSum: number;
  qSum: number;
  flags: { overflow: boolean; unresolved: boolean };
}
