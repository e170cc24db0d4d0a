import { z } from 'zod';

// `data-volume-ratio` (SPEC §3).

export const VolumeRatioPayloadSchema = z.strictObject({
  bar_open_us: z.number().int(),
  volume_btc: z.number().nonnegative(),
  baseline_btc: z.number().nonnegative(),
  vr: z.number().nonnegative().nullable(),
  mode: z.enum(['rolling', 'seasonal']),
  event: z.enum(['VOLUME_SPIKE', 'DRY_UP']).nullable(),
});
