import { z } from 'zod';
import { US_PER_DAY } from '../../core/time.ts';
import type { Depth, Kline, Trade } from '../../core/event.ts';

// The options, scale presets, sink and label types of the synthetic market generator.

/** Rates and book shape of a generated market; the presets below are the usual choices. */
export interface ScaleConfig {
  /** Target number of price levels per side. */
  levels: number;
  /** Mean gap between neighbouring levels at the touch, in ticks. */
  gapTicksTop: number;
  /** Growth of the mean gap per tick of distance from the touch. */
  gapPerTick: number;
  /** Median size of a level at the touch, BTC (it grows with distance). */
  levelQtyBtc: number;
  /** Taker orders per second at average activity (a large order prints one trade per level). */
  ordersPerSec: number;
  /** Median taker order size, BTC (log-normal, with occasional large prints). */
  takerMedianBtc: number;
  /** Realignments of the book to the fair price per second (10 or more: every 100 ms batch). */
  requotesPerSec: number;
  /** Random level updates (size change, cancel, new level) per second. */
  churnPerSec: number;
  /** Mean level index (0 = best) that a random update touches. */
  churnDepth: number;
}

export const SCALES: Readonly<Record<'small' | 'btc-day', ScaleConfig>> = {
  // About 30-40k trades and 30-50k depth diffs per day: the embedded sample. 330 levels cover
  // about 6% either side, so a day that trends a few percent stays inside its snapshot.
  small: {
    levels: 330, gapTicksTop: 60, gapPerTick: 0.012, levelQtyBtc: 0.3, ordersPerSec: 0.33,
    takerMedianBtc: 0.0015, requotesPerSec: 0.1, churnPerSec: 0.06, churnDepth: 10,
  },
  // About 1M trades and 860k depth diffs per day (a diff in nearly every 100 ms batch).
  'btc-day': {
    levels: 1000, gapTicksTop: 17, gapPerTick: 0.0035, levelQtyBtc: 0.1, ordersPerSec: 11.5,
    takerMedianBtc: 0.0015, requotesPerSec: 10, churnPerSec: 50, churnDepth: 40,
  },
};

const ScaleSchema = z.strictObject({
  levels: z.number().int().min(50).max(5000),
  gapTicksTop: z.number().positive(),
  gapPerTick: z.number().nonnegative(),
  levelQtyBtc: z.number().positive(),
  ordersPerSec: z.number().positive(),
  takerMedianBtc: z.number().positive(),
  requotesPerSec: z.number().positive(),
  churnPerSec: z.number().nonnegative(),
  churnDepth: z.number().positive(),
});

export const SynthOptionsSchema = z.strictObject({
  seed: z.number().int().default(1),
  /** Start of the first day, µs (a UTC midnight). */
  fromUs: z.number().int().refine((v) => v % US_PER_DAY === 0, { message: 'fromUs must be a UTC day start' }),
  days: z.number().int().min(1).max(366).default(1),
  scale: z.union([z.enum(['small', 'btc-day']), ScaleSchema]).default('small'),
  symbol: z.string().min(1).default('BTCUSDT'),
});

export type SynthOptions = z.input<typeof SynthOptionsSchema>;
export type SynthConfig = z.output<typeof SynthOptionsSchema>;

/** Returns the rates of a preset name or an explicit scale. */
export function resolveScale(scale: SynthConfig['scale']): ScaleConfig {
  return typeof scale === 'string' ? SCALES[scale] : scale;
}

/** Receives raw events in replay merge order (ts non-decreasing; trades, depth, klines at equal ts). */
export interface MarketSink {
  trade(ts: number, trade: Trade): void;
  depth(ts: number, depth: Depth): void;
  kline(ts: number, kline: Kline): void;
}

export type EpisodeKind =
  | 'compression_breakout' | 'iceberg' | 'spoof' | 'vacuum' | 'sweep' | 'stress_reversal' | 'level_rejection';
export type SideLabel = 'BID' | 'ASK' | null;

/** One planted, labelled episode; times are µs, prices USDT. */
export interface Episode {
  kind: EpisodeKind;
  start_us: number;
  end_us: number;
  side: SideLabel;
  price: number;
  lo?: number;
  hi?: number;
  meta: Record<string, unknown>;
}

export interface Labels {
  episodes: Episode[];
}
