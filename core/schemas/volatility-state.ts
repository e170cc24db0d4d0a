import { z } from 'zod';

// Zod schema of the Volatility State record payload (SPEC §6, topic data-volatility-state-<sym>).

export const VolStateSchema = z.enum(['UNKNOWN', 'LOW_VOL', 'MEDIUM_VOL', 'HIGH_VOL']);
export type VolState = z.infer<typeof VolStateSchema>;

export const VolatilityStatePayloadSchema = z.strictObject({
  bar_open_us: z.number().int(),
  state: VolStateSchema,
  /** The class of this bar's value without hysteresis; UNKNOWN when GARCH is not OK. */
  raw_state: VolStateSchema,
  vol_ann_pct: z.number().finite().positive().nullable(),
  changed: z.boolean(),
  prev_state: VolStateSchema,
  bars_in_state: z.number().int().positive(),
});
export type VolatilityStatePayload = z.infer<typeof VolatilityStatePayloadSchema>;
