import { US_PER_MINUTE, US_PER_SECOND } from '../../core/time.ts';
import { Compression } from './ep-compression.ts';
import { Iceberg } from './ep-iceberg.ts';
import { LevelRejection } from './ep-level.ts';
import { Spoof } from './ep-spoof.ts';
import { StressReversal } from './ep-stress.ts';
import { Sweep } from './ep-sweep.ts';
import { Vacuum } from './ep-vacuum.ts';
import type { Market } from './market.ts';
import type { Episode, EpisodeKind } from './options.ts';
import { Rng } from './rng.ts';

// Planting labelled episodes. Each day gets a plan drawn from its own random stream (so the plan
// does not depend on how many draws the market made): a few episodes of each kind, mostly inside
// London and New York hours, never overlapping and separated by quiet guard times so that
// rolling baselines (e.g. the vacuum detector's 15-minute median) see a normal market first.
// One episode runs at a time; it steers the fair price and flow through `Market.ctl`, queues its
// own taker orders, and edits the book after each batch's trades.

/** A running episode, driven by the market once per batch. */
export interface Running {
  /** Sets price and flow controls for this batch (before F moves and orders arrive). */
  control(m: Market): void;
  /** Queues scripted taker orders for this batch. */
  orders(m: Market): void;
  /** Edits the book after the batch's trades; returns true when the episode has finished. */
  after(m: Market): boolean;
}

export type EmitLabel = (e: Episode) => void;

interface Planned {
  kind: EpisodeKind;
  startUs: number;
}

const COUNTS: Record<EpisodeKind, number> = {
  compression_breakout: 3, iceberg: 6, spoof: 7, vacuum: 4, sweep: 3, stress_reversal: 1, level_rejection: 2,
};
/** Time each kind may take at most, reserved in the plan. */
const RESERVE_US: Record<EpisodeKind, number> = {
  compression_breakout: 50 * US_PER_MINUTE,
  iceberg: 4 * US_PER_MINUTE,
  spoof: 10 * US_PER_SECOND,
  vacuum: 80 * US_PER_SECOND,
  sweep: 150 * US_PER_SECOND,
  stress_reversal: 42 * US_PER_MINUTE,
  level_rejection: 11 * US_PER_MINUTE,
};
/** Kinds planted only in the overlap of busy hours (08:15-20:00 UTC), where desks trade them. */
const SESSION_ONLY: readonly EpisodeKind[] = ['stress_reversal', 'level_rejection'];
const GUARD_US = 8 * US_PER_MINUTE;
const SPOOF_GUARD_US = 90 * US_PER_SECOND;
const KINDS: readonly EpisodeKind[] = [
  'stress_reversal', 'compression_breakout', 'level_rejection', 'sweep', 'iceberg', 'vacuum', 'spoof',
];

/** Returns the episode plan of one day: start times sorted, windows disjoint. */
export function planDay(rng: Rng, dayStart: number): Planned[] {
  const placed: { lo: number; hi: number; kind: EpisodeKind; startUs: number }[] = [];
  for (const kind of KINDS) {
    const n = COUNTS[kind] + rng.int(2);
    for (let k = 0; k < n; k++) {
      const guard = kind === 'spoof' ? SPOOF_GUARD_US : GUARD_US;
      for (let attempt = 0; attempt < 400; attempt++) {
        const sec = SESSION_ONLY.includes(kind)
          ? Math.floor(rng.between(8.25 * 3600, 20 * 3600 - RESERVE_US[kind] / US_PER_SECOND))
          : sampleStartSeconds(rng, RESERVE_US[kind]);
        const startUs = dayStart + sec * US_PER_SECOND;
        const lo = startUs - guard;
        const hi = startUs + RESERVE_US[kind] + guard;
        if (placed.some((p) => lo < p.hi && p.lo < hi)) continue;
        placed.push({ lo, hi, kind, startUs });
        break;
      }
    }
  }
  placed.sort((a, b) => a.startUs - b.startUs);
  return placed.map((p) => ({ kind: p.kind, startUs: p.startUs }));
}

/** Returns a start second of the day: 85% inside 07:00-20:30 UTC, else anywhere away from midnight. */
function sampleStartSeconds(rng: Rng, reserveUs: number): number {
  const session = rng.chance(0.85);
  const from = session ? 7 * 3600 : 1800;
  const to = (session ? 20.5 * 3600 : 86_400 - 1800) - reserveUs / US_PER_SECOND;
  return Math.floor(rng.between(from, Math.max(from + 1, to)));
}

export class EpisodeRunner {
  private plan: Planned[] = [];
  private next = 0;
  private active: Running | null = null;
  private readonly done: Episode[] = [];
  private groups = 0;
  private readonly emit: EmitLabel = (e) => this.done.push(e);

  constructor(private readonly seed: number) {}

  /** Draws the plan of day `d`, which starts at `dayStart`. */
  planDay(dayStart: number, d: number): void {
    this.plan = planDay(new Rng(this.seed * 7919 + (d + 1) * 104_729), dayStart);
    this.next = 0;
  }

  control(m: Market): void {
    if (this.active === null && this.next < this.plan.length && this.plan[this.next].startUs <= m.T) {
      this.active = this.start(this.plan[this.next++].kind, m);
    }
    if (this.active !== null) this.active.control(m);
  }

  orders(m: Market): void {
    if (this.active !== null) this.active.orders(m);
  }

  after(m: Market): void {
    if (this.active !== null && this.active.after(m)) this.active = null;
  }

  /** Returns the labels of finished episodes, by start time then kind. */
  finished(): Episode[] {
    return this.done.slice().sort((a, b) => a.start_us - b.start_us || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  }

  private start(kind: EpisodeKind, m: Market): Running {
    switch (kind) {
      case 'compression_breakout':
        return new Compression(m, this.emit);
      case 'iceberg':
        return new Iceberg(m, this.emit);
      case 'spoof':
        return new Spoof(m, this.emit, ++this.groups);
      case 'vacuum':
        return new Vacuum(m, this.emit);
      case 'sweep':
        return new Sweep(m, this.emit);
      case 'stress_reversal':
        return new StressReversal(m, this.emit);
      case 'level_rejection':
        return new LevelRejection(m, this.emit);
    }
  }
}
