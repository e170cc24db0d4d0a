import { z } from 'zod';

// Zod schema of the `data-multi-vwap-<sym>` payload (SPEC §14): one VWAP record per anchor per bar.

const num = z.number().finite();
const nullableNum = num.nullable();

export const VwapAnchorName = z.enum(['day', 'week', 'london', 'newyork']);

export const VwapPayloadSchema = z.strictObject({
  bar_open_us: z.number().int(),
  anchor: VwapAnchorName,
  anchor_us: z.number().int(),
  vwap: nullableNum,
  sigma: num.nonnegative().nullable(),
  upper1: nullableNum,
  upper2: nullableNum,
  upper3: nullableNum,
  lower1: nullableNum,
  lower2: nullableNum,
  lower3: nullableNum,
  dev_sigma: nullableNum,
  volume_btc: num.nonnegative(),
});
export type VwapPayload = z.infer<typeof VwapPayloadSchema>;
