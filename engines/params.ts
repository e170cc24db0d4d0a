import { z } from 'zod';

// Parameters shared by the six execution engines (SPEC §16 validation, §17 execution), every one
// defaulted. Fractions are written in basis points where SPEC does (1 bp = 1e-4). A nullable
// stress bound is skipped when null; `stress_overrides` replaces single bounds per generator key
// (the signal topic kind without its `signal-` prefix, e.g. `cse-volatilitystress`).

/** The stress bounds of SPEC §16; a null bound is not checked. */
export const StressBounds = z.strictObject({
  vpin_z_max: z.number().nullable().default(3),
  vol_ann_pct_min: z.number().nullable().default(15),
  vol_ann_pct_max: z.number().nullable().default(120),
  /** Rejects while the volatility state is UNKNOWN (or missing). */
  require_vol_state: z.boolean().default(true),
  spread_z_max: z.number().nullable().default(3),
  s1btc_bps_max: z.number().nullable().default(2),
  /** No VACUUM active on the entry side, nor ended within this many seconds. */
  vacuum_window_s: z.number().min(0).nullable().default(30),
});
export type StressBounds = z.infer<typeof StressBounds>;

const StressOverride = StressBounds.partial();
export type StressOverride = z.infer<typeof StressOverride>;

/** Volatility Stress and Void Swept skip the vpin and vacuum bounds but allow vol up to 150 % (SPEC §16). */
const STRESS_EXEMPT: StressOverride = { vpin_z_max: null, vacuum_window_s: null, vol_ann_pct_max: 150 };

const RegimeMults = z.strictObject({
  LOW: z.number().positive(),
  MEDIUM: z.number().positive(),
  HIGH: z.number().positive(),
});

export const EngineParams = z.strictObject({
  /** Starting equity, USDT. */
  equity0_usdt: z.number().positive().default(100_000),
  /** Share of equity risked per trade: qty = floor_step(equity*risk/D_SL). */
  risk_frac: z.number().positive().max(1).default(0.005),
  /** Reward-to-risk ratio: TP = E + d*RR*D_SL. */
  rr: z.number().positive().default(2.0),
  /** Slippage of market fills (entry, stop, time stop), bps. */
  slip_bps: z.number().min(0).default(1),
  fee_taker_bps: z.number().min(0).default(10),
  fee_maker_bps: z.number().min(0).default(10),
  /** Fee class of the take-profit limit order. */
  tp_fee: z.enum(['taker', 'maker']).default('taker'),
  qty_step: z.number().positive().default(0.00001),
  stop_mode: z.enum(['atr', 'sigma']).default('atr'),
  atr_period: z.number().int().min(1).default(14),
  atr_mult: RegimeMults.default({ LOW: 1.0, MEDIUM: 1.5, HIGH: 2.0 }),
  sigma_mult: RegimeMults.default({ LOW: 1.5, MEDIUM: 2.0, HIGH: 2.5 }),
  /** D_SL is clamped into [max(min_bps, cost_mult*roundtrip_cost), max_bps] of the signal close. */
  d_sl_min_bps: z.number().min(0).default(5),
  d_sl_cost_mult: z.number().min(0).default(4),
  d_sl_max_bps: z.number().positive().default(150),
  /** Triple-barrier time stop: exit at the close of entry bar + this many bars. */
  time_stop_bars: z.number().int().min(0).default(240),
  /** Entry may slip to later bars when bars are missing; a delay of this many bars cancels it. */
  entry_cancel_delay_bars: z.number().int().min(1).default(2),
  /** 'bar': SL first when both levels lie inside one bar; 'tape': the first raw trade decides. */
  fill_mode: z.enum(['bar', 'tape']).default('bar'),
  session_filter: z.boolean().default(true),
  session_mode: z.enum(['local', 'utc_fixed']).default('local'),
  /** Per-generator cooldown after an accepted signal, minutes of data time. */
  cooldown_min: z.number().min(0).default(15),
  /** Optional spacing between accepted signals of any generator of this engine (SPEC: 5 min). */
  global_spacing_min: z.number().min(0).nullable().default(null),
  /** Engine cooldown after a trade closes (the COOLDOWN state of the seed's state machine). */
  exit_cooldown_min: z.number().min(0).default(15),
  score_min: z.number().default(0.6),
  components_min: z.number().int().min(0).default(2),
  component_level: z.number().default(0.5),
  /** Timing confirmation (cpbc, flip): same-direction Phase Timing within this many bars. */
  confirm_window_bars: z.number().int().min(0).default(30),
  /** Timing confirmation also passes when the Kalman trend at the signal bar agrees. */
  confirm_kalman: z.boolean().default(true),
  stress: StressBounds.prefault({}),
  stress_overrides: z.record(z.string(), StressOverride).default({
    'cse-volatilitystress': STRESS_EXEMPT,
    'uso-voidswept': STRESS_EXEMPT,
  }),
  /** Processed signal ids are kept this long in data time; a replay inside it is a no-op. */
  dedup_keep_h: z.number().positive().default(24),
  /** Market readings older than this are treated as missing. */
  data_max_age_s: z.number().positive().default(120),
});
export type EngineParams = z.infer<typeof EngineParams>;

/** Returns the stress bounds of a generator key: the defaults with its overrides applied. */
export function boundsFor(p: EngineParams, key: string): StressBounds {
  const o = Object.prototype.hasOwnProperty.call(p.stress_overrides, key) ? p.stress_overrides[key] : undefined;
  return o === undefined ? p.stress : { ...p.stress, ...o };
}
