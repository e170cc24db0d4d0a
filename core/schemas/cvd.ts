import { z } from 'zod';

// Zod schemas of the CVD provider's payloads (SPEC §1): `data-cvd-<sym>` records of type CVD and
// `event-cvd-deltaflip-<sym>` records of type DELTA_FLIP. Quantities are BTC, times µs.

const finite = z.number().finite();
const side = z.union([z.literal(1), z.literal(-1)]);

/** One closed 1m bar of cumulative volume delta. */
export const CvdBarSchema = z.strictObject({
  bar_open_us: z.number().int(),
  /** Bar delta D = taker buy - taker sell volume. */
  delta_btc: finite,
  /** Cumulative delta since the 00:00 UTC anchor, this bar included. */
  cvd_btc: finite,
  ema_delta_btc: finite,
  buy_btc: finite.nonnegative(),
  sell_btc: finite.nonnegative(),
  /** Sample sd of D over the previous 60 bars; null in warm-up or when it is 0. */
  sigma_delta_btc: finite.positive().nullable(),
});
export type CvdBar = z.infer<typeof CvdBarSchema>;

/** A change of the hysteresis flip state between +1 and -1. */
export const DeltaFlipSchema = z.strictObject({
  from: side,
  to: side,
  ema_delta_btc: finite,
  threshold_btc: finite.nonnegative(),
  /** |ema_D| / sigma_D. */
  strength: finite.nonnegative(),
  cvd_btc: finite,
  close: finite.positive(),
});
export type DeltaFlip = z.infer<typeof DeltaFlipSchema>;
