import { z } from 'zod';

// Zod schema of the HIDDEN_LIQUIDITY record on `data-hidden-liquidity-<sym>` (SPEC §7).
// Times are µs; durations keep the SPEC's ms names.

const qty = z.number().finite().nonnegative();

export const HiddenLiquidityPayload = z.strictObject({
  /** BID absorbs taker sells, ASK absorbs taker buys. */
  side: z.enum(['BID', 'ASK']),
  price: z.number().finite().positive(),
  /** E: taker quantity executed at the level during the episode. */
  executed_btc: qty,
  /** D0: displayed quantity when the episode started. */
  displayed_start_btc: qty,
  /** A: visible additions (increases not within tau_r after a trade at the level). */
  visible_added_btc: qty,
  /** H = max(0, E - (D0 + A)). */
  hidden_lb_btc: qty,
  /** R: increases within tau_r after a trade at the level. */
  refills: z.number().int().nonnegative(),
  /** E / (D0 + A), null when D0 + A = 0. */
  absorption: qty.nullable(),
  episode_start_us: z.number().int(),
  duration_ms: qty,
  /** The side's best price is at or better than the level (the level was not traded through). */
  price_held: z.boolean(),
  /** False on the first record of an episode, true on its updates. */
  is_update: z.boolean(),
});
export type HiddenLiquidityPayload = z.infer<typeof HiddenLiquidityPayload>;
