import { z } from 'zod';

// Zod schema of the Kalman record payload (SPEC §12, topic data-kalman-<sym>). The slope fields
// are null in local-level mode, which has no slope state.

export const KalmanTrendSchema = z.enum(['UP', 'DOWN', 'FLAT']);

export const KalmanPayloadSchema = z.strictObject({
  bar_open_us: z.number().int(),
  level_usdt: z.number().finite().positive(),
  slope_bps_per_min: z.number().finite().nullable(),
  slope_t: z.number().finite().nullable(),
  innov_z: z.number().finite(),
  dev_bps: z.number().finite(),
  trend: KalmanTrendSchema,
  outlier: z.boolean(),
});
export type KalmanPayload = z.infer<typeof KalmanPayloadSchema>;
