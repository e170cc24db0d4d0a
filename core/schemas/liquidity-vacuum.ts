import { z } from 'zod';

// Zod schema of the VACUUM record on `data-liquidity-vacuum-<sym>` (SPEC §10).

const qty = z.number().finite().nonnegative();

export const VacuumVoid = z.strictObject({
  lo: z.number().finite().positive(),
  hi: z.number().finite().positive(),
  width_bps: qty,
}).refine((v) => v.lo < v.hi, { message: 'void lo must be below hi' });

export const VacuumPayload = z.strictObject({
  side: z.enum(['BID', 'ASK']),
  band_bps: z.number().finite().positive(),
  /** Depth within the band at the sample; null when the book broke the run. */
  depth_btc: qty.nullable(),
  /** Median of the previous samples; null before any baseline exists. */
  baseline_btc: qty.nullable(),
  /** depth / baseline, null when the baseline is 0 or unknown. */
  ratio: qty.nullable(),
  state: z.enum(['START', 'ONGOING', 'END']),
  duration_ms: qty,
  /** The largest gaps inside the band (up to the voidsMax param, 3), widest first. */
  voids: z.array(VacuumVoid),
  coverage_ok: z.boolean(),
  /** Time of the first low sample of the vacuum's run, µs. */
  start_us: z.number().int(),
});
export type VacuumPayload = z.infer<typeof VacuumPayload>;
