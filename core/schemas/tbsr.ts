import { z } from 'zod';

// Zod schema of the TBSR provider's payload (SPEC §2): `data-tbsr-<sym>`, one record of type TBSR
// per window per closed 1m bar. Quantities are BTC over the last `window_m` closed bars.

const finite = z.number().finite();

/** Taker buy/sell ratio over one rolling window. */
export const TbsrSchema = z.strictObject({
  bar_open_us: z.number().int(),
  window_m: z.number().int().positive(),
  buy_btc: finite.nonnegative(),
  sell_btc: finite.nonnegative(),
  /** B/S; null when either side is 0 (see `saturated`). */
  tbsr: finite.positive().nullable(),
  /** B/(B+S); null when B = S = 0. */
  buy_share: finite.min(0).max(1).nullable(),
  /** ln(B/S); null when either side is 0. */
  log_ratio: finite.nullable(),
  /** zprev_240 of log_ratio; null until 240 earlier values exist or when their sd is 0. */
  z_log_ratio: finite.nullable(),
  /** The side that is alone in the window, or null. */
  saturated: z.enum(['BUY', 'SELL']).nullable(),
});
export type Tbsr = z.infer<typeof TbsrSchema>;
