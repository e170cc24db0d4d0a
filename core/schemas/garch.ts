import { z } from 'zod';

// Zod schema of the GARCH record payload (SPEC §5, topic data-garch-volatility-forecast-5min-<sym>).
// Every number is null while the status is WARMUP, and under FALLBACK before any fit succeeded.

const num = z.number().finite().nullable();
const pos = z.number().finite().positive().nullable();

export const GarchStatusSchema = z.enum(['WARMUP', 'OK', 'FALLBACK']);

export const GarchPayloadSchema = z.strictObject({
  bar_open_us: z.number().int(),
  vol_ann_pct: pos,
  sigma_5m_pct: pos,
  sigma_5m_usdt: pos,
  h1_pct2: pos,
  V5_pct2: pos,
  omega: pos,
  alpha: z.number().finite().nonnegative().nullable(),
  beta: z.number().finite().nonnegative().nullable(),
  persistence: z.number().finite().nonnegative().lt(1).nullable(),
  VL_pct2: pos,
  half_life_min: z.number().finite().nonnegative().nullable(),
  loglik: num,
  n_obs: z.number().int().positive().nullable(),
  fit_ts_us: z.number().int().nullable(),
  converged: z.boolean().nullable(),
  status: GarchStatusSchema,
});
export type GarchPayload = z.infer<typeof GarchPayloadSchema>;
