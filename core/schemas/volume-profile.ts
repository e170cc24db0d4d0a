import { z } from 'zod';

// Zod schema of the `data-volume-profile-<sym>` payload (SPEC §13): one record per profile per bar.

const num = z.number().finite();

export const VolumeProfileName = z.enum(['session', 'previous', 'rolling24h']);

export const VolumeProfilePayloadSchema = z
  .strictObject({
    bar_open_us: z.number().int(),
    profile: VolumeProfileName,
    poc_usdt: num,
    vah_usdt: num,
    val_usdt: num,
    total_btc: num.positive(),
    va_btc: num.positive(),
    va_pct: num.gt(0).max(100),
    hvn: z.array(num),
    lvn: z.array(num),
  })
  .refine((p) => p.val_usdt < p.poc_usdt && p.poc_usdt < p.vah_usdt, { message: 'POC must lie inside [VAL, VAH]' })
  .refine((p) => p.va_btc <= p.total_btc, { message: 'value-area volume exceeds the total' });
export type VolumeProfilePayload = z.infer<typeof VolumeProfilePayloadSchema>;
