import { afterAll, expect } from 'vitest';
import { l2Delta } from '../../providers/l2-delta.ts';
import { L2DeltaSchema } from '../../core/schemas/l2-delta.ts';
import type { Out } from '../../core/event.ts';
import { bar, harness, type Harness } from '../support/harness.ts';
import { parseAll } from './cvd.fixtures.ts';

// Shared drivers of the L2 delta tests: a harness registry whose payloads are all parsed with the
// zod schema after the file's tests, and a depth feeder that keeps update ids contiguous and
// inserts each kline at its close, in merge order (a depth at the kline's ms goes first).

export const T0 = Date.UTC(2024, 0, 1) * 1000;
export const MIN = 60_000_000;
export const LPU = 100_000;

/** Returns a fresh harness around l2-delta, and registers it for the schema check. */
export function registry(minRecords: number): (params?: Record<string, unknown>) => Harness {
  const made: Harness[] = [];
  afterAll(() => {
    expect(parseAll(made, { L2_DELTA: L2DeltaSchema })).toBeGreaterThanOrEqual(minRecords);
  });
  return (params = {}) => {
    const h = harness([{ component: l2Delta, params }]);
    made.push(h);
    return h;
  };
}

export type Levels = Array<[number, number]>;

/** Feeds depth messages and klines in merge order. */
export class DepthFeed {
  u = 0;
  /** Open time of the next kline to send. */
  nextBar = T0;
  constructor(readonly h: Harness) {}

  private klinesBefore(ts: number): void {
    while (this.nextBar + 59_999_000 < ts) {
      this.h.kline(bar(this.nextBar, 0));
      this.nextBar += MIN;
    }
  }

  snapshot(ts: number, bids: Levels, asks: Levels): void {
    this.klinesBefore(ts);
    this.u += 10;
    this.h.depth(ts, { snapshot: true, U: this.u, u: this.u, ...sides(bids, asks) });
  }

  /** Sends a diff; `jump` > 0 breaks the update-id chain. */
  diff(ts: number, bids: Levels, asks: Levels, jump = 0): void {
    this.klinesBefore(ts);
    this.u += 1 + jump;
    this.h.depth(ts, { U: this.u, u: this.u, ...sides(bids, asks) });
  }

  /** Sends every kline that closes at or before `ts`. */
  closeThrough(ts: number): void {
    this.klinesBefore(ts + 1);
  }
}

function sides(bids: Levels, asks: Levels) {
  return {
    bidPx: bids.map((l) => l[0]), bidQty: bids.map((l) => l[1]),
    askPx: asks.map((l) => l[0]), askQty: asks.map((l) => l[1]),
  };
}

export const records = (h: Harness): Out[] => h.on('data-l2-delta');
