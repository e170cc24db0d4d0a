import { z } from 'zod';

// Zod schema of the `data-vpin-zscore-<sym>` payload (SPEC §11). VPIN_BUCKET records one completed
// volume bucket; VPIN repeats the latest bucket at every bar close (all bucket fields null before
// the first bucket completes).

const num = z.number().finite();

export const VpinPayloadSchema = z.strictObject({
  bucket_idx: z.number().int().nonnegative().nullable(),
  bucket_btc: num.positive().nullable(),
  vpin: num.min(0).max(1 + 1e-12).nullable(),
  z: num.nullable(),
  cdf: num.gt(0).max(1).nullable(),
  buy_btc: num.nonnegative().nullable(),
  sell_btc: num.nonnegative().nullable(),
  bucket_start_us: z.number().int().nullable(),
  bucket_end_us: z.number().int().nullable(),
  bar_open_us: z.number().int(),
});
export type VpinPayload = z.infer<typeof VpinPayloadSchema>;
