import { z } from 'zod';

// Zod schema of the L2 delta provider's payload (SPEC §4): `data-l2-delta-<sym>`, one record of
// type L2_DELTA per 1m bar. Quantities are BTC, times µs.

const finite = z.number().finite();

/** Order-flow imbalance of one bar. Null values mean the book was never valid in the bar. */
export const L2DeltaSchema = z.strictObject({
  bar_open_us: z.number().int(),
  /** Sum of the CKS e_n over the bar (level 1). */
  ofi_btc: finite.nullable(),
  /** OFI / AD_W, AD_W the time-weighted mean of (qb+qa)/2 over the bar. */
  ofi_norm: finite.nullable(),
  /** Multi-level OFI for price-rank levels 1..5; element 0 equals ofi_btc. */
  mlofi_btc: z.array(finite).length(5).nullable(),
  /** zprev_60 of ofi_btc. */
  ofi_z: finite.nullable(),
  /** Change of the 10 bps band depth from the bar's start to its end, per side. */
  depth_delta_bid_btc: finite.nullable(),
  depth_delta_ask_btc: finite.nullable(),
  /** Depth messages of the bar that produced an e_n (the first after a sync counts with e = 0). */
  n_msgs: z.number().int().nonnegative(),
});
export type L2Delta = z.infer<typeof L2DeltaSchema>;
