import { z } from 'zod';

// Zod schemas of the `data-spread-<sym>` payloads (SPEC §9): the per-bar SPREAD record and the
// SPREAD_WIDENING event.

const num = z.number().finite();
const bps = num.nullable();

export const SpreadState = z.enum(['TIGHT', 'NORMAL', 'WIDE']);

export const SpreadBarSchema = z.strictObject({
  bar_open_us: z.number().int(),
  tws_bps: num.nonnegative().nullable(),
  p50_bps: num.nonnegative().nullable(),
  p95_bps: num.nonnegative().nullable(),
  max_bps: num.nonnegative().nullable(),
  s1btc_bps: bps,
  s10btc_bps: bps,
  eff_bps_vw: bps,
  realized_bps_vw: bps,
  impact_bps_vw: bps,
  roll_usdt: num.positive().nullable(),
  state: SpreadState,
  z: bps,
});
export type SpreadBar = z.infer<typeof SpreadBarSchema>;

export const SpreadWideningSchema = z.strictObject({
  episode_start_us: z.number().int(),
  z: num,
  s1btc_bps: num,
});
export type SpreadWidening = z.infer<typeof SpreadWideningSchema>;
