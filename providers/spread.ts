import { z } from 'zod';
import type { Component } from '../core/component.ts';
import { topicOf } from '../core/component.ts';
import { ringNew, type Ring } from '../core/ring.ts';
import { US_PER_SECOND } from '../core/time.ts';
import { pendingNew } from './spread-pending.ts';
import type { CostState } from './spread-costs.ts';
import { reduceSpread, reduceSpreadTrades } from './spread-events.ts';
import { zWindowNew, type ZWindow } from './spread-math.ts';

// SPEC §9, Spread Analysis [P1-P4], from the shared L2 book, trades and 1-s clock samples:
// - quoted spread S = a - b in bps of the mid; TWS weights each top-of-book state by how long
//   it lasted in virtual time; p50/p95/max are over the bar's 1-s samples;
// - S_Q (Q = 1, 10 BTC) at each 1-s sample: 1e4*(VWAPask(Q) - VWAPbid(Q))/m walking the book
//   inside the snapshot coverage, null with flag INSUFFICIENT_DEPTH when depth is short; the
//   bar reports the mean of its samples;
// - per trade ES = 2D(p - m-)/m-, RS = 2D(p - m5)/m-, PI = 2D(m5 - m-)/m- (bps), with m5 the
//   mid 5 s later in data time (spread-costs.ts says how it is read). A bar's eff/realized/
//   impact are volume-weighted over the trades whose 5-s horizon ended in it, so
//   eff = realized + impact holds per bar;
// - Roll over the last 60 closes; z = zprev_3600 of S_1 samples, TIGHT z <= -1, WIDE z >= 2;
//   SPREAD_WIDENING once per episode when z >= 3 has lasted 2 s (a second without a sample ends it).
// A crossed, locked, one-sided or unsynced book gives no sample and no ES.
// Files: spread-events.ts (reduce: per trade and depth message), spread-bar.ts (1-s samples and
// bar records), spread-costs.ts and spread-pending.ts (trade costs), spread-math.ts.

export const SpreadParams = z.strictObject({
  horizonS: z.number().positive().default(5),
  zWindow: z.number().int().min(2).default(3600),
  tightZ: z.number().default(-1),
  wideZ: z.number().default(2),
  widenZ: z.number().default(3),
  widenS: z.number().nonnegative().default(2),
  rollCloses: z.number().int().min(4).default(60),
  pendingMax: z.number().int().min(1).default(100_000),
  samplesMax: z.number().int().min(60).default(3600),
});
export type SpreadParams = z.infer<typeof SpreadParams>;

/** The provider state (plain data). */
export interface State extends CostState {
  tradeTopic: string;
  depthTopic: string;
  /** The cost horizon in µs (horizonS). */
  horizonUs: number;
  klineTopic: string;
  /** Quoted spread (bps) of the current top-of-book state, NaN when there is none. */
  curBps: number;
  lastChange: number;
  sumSdt: number;
  sumDt: number;
  /** This bar's 1-s quoted-spread samples (the first n entries are live). */
  samples: number[];
  n: number;
  s1Sum: number;
  s1N: number;
  s10Sum: number;
  s10N: number;
  barZ: number | null;
  /**
   * S_1 and S_10 of the last 1-s sample that walked the book, and whether a depth message came
   * since: without one the book, its mid and so the walks are the same, and a quiet second
   * (half of them on a thin book) reuses them.
   */
  sizeS1: number;
  sizeS10: number;
  sizesStale: boolean;
  zw: ZWindow;
  wideSince: number;
  wideSent: boolean;
  closes: Ring;
  flags: { insufficient: boolean; overflow: boolean; unresolved: boolean; order: boolean; samples: boolean };
  lastTs: number;
  orderViolations: number;
}

function init(p: SpreadParams, symbol: string): State {
  return {
    tradeTopic: topicOf('raw-trades', symbol),
    depthTopic: topicOf('depth', symbol),
    horizonUs: p.horizonS * US_PER_SECOND,
    klineTopic: topicOf('kline-1m', symbol),
    curBps: NaN,
    curMid: NaN,
    lastChange: -Infinity,
    sumSdt: 0,
    sumDt: 0,
    samples: [],
    n: 0,
    s1Sum: 0,
    s1N: 0,
    s10Sum: 0,
    s10N: 0,
    barZ: null,
    sizeS1: NaN,
    sizeS10: NaN,
    sizesStale: true,
    zw: zWindowNew(p.zWindow),
    wideSince: NaN,
    wideSent: false,
    pending: pendingNew(p.pendingMax),
    esSum: 0,
    rsSum: 0,
    piSum: 0,
    qSum: 0,
    closes: ringNew(p.rollCloses),
    flags: { insufficient: false, overflow: false, unresolved: false, order: false, samples: false },
    lastTs: -Infinity,
    orderViolations: 0,
  };
}

export const spread: Component<SpreadParams, State> = {
  id: 'spread',
  layer: 'provider',
  inputs: ['raw-trades', 'depth', 'clock', 'kline-1m'],
  outputs: ['data-spread'],
  params: SpreadParams,
  init,
  reduce: reduceSpread,
  // A trade is only queued for its cost (spread-events.ts): records come at ticks and bars.
  tradesQuietUntil: () => Infinity,
  reduceTrades: reduceSpreadTrades,
};
