import { z } from 'zod';

// Zod schemas of the records on `data-spoofing-<sym>` (SPEC §8): SPOOF_SUSPECT and
// LAYERING_SUSPECT share one payload; SPOOF_PRESSURE is the per-bar record.

const qty = z.number().finite().nonnegative();

export const SpoofSuspectPayload = z.strictObject({
  side: z.enum(['BID', 'ASK']),
  /** The flickering level(s): one price for SPOOF_SUSPECT, three or more distinct for LAYERING_SUSPECT. */
  prices: z.array(z.number().finite().positive()).min(1),
  added_btc: qty,
  cancelled_btc: qty,
  life_ms: qty,
  /** Distance of the level(s) from the mid at the add, bps (the mean over layering members). */
  distance_bps: qty,
  /** Signed mid move from the add to the cancel, bps. */
  mid_move_bps: z.number().finite(),
  /** Taker volume on the side that benefits the spoofer during the life. */
  opp_taker_btc: qty,
  score: z.number().finite().min(0).max(1),
});
export type SpoofSuspectPayload = z.infer<typeof SpoofSuspectPayload>;

export const SpoofPressurePayload = z.strictObject({
  bar_open_us: z.number().int(),
  /** Sum of score * added_btc over the flickers of the last 5 minutes. */
  spoof_pressure_bid: qty,
  spoof_pressure_ask: qty,
});
export type SpoofPressurePayload = z.infer<typeof SpoofPressurePayload>;
