import { z } from 'zod';
import type { Component, Ctx } from '../core/component.ts';
import type { Kline, QxEvent } from '../core/event.ts';
import { US_PER_MINUTE } from '../core/time.ts';

// SPEC §12 and §0.6, Kalman filter on y_k = ln(c_k) per 1m bar. The default model is the local
// linear trend x = [level, slope], T = [[1,1],[0,1]], Z = [1,0], Q = diag(s_eta^2, s_zeta^2),
// H = s_eps^2; mode 'll' is the local level (x = level, T = Z = 1, Q = s_eta^2). The covariance
// update is the Joseph form, which stays symmetric and positive under rounding. The first
// observation uses a_1 = [y_1, 0], P_1 = 1e6 H I with no predict step; each missing minute runs a
// predict step only; more than 60 missing minutes restart the filter at the next observation.
// slope_t and dev_bps use the filtered (post-update) state. Warm after 30 applied observations.

export const KalmanParams = z.strictObject({
  mode: z.enum(['llt', 'll']).default('llt'),
  sigmaEps: z.number().positive().default(5e-4),
  sigmaEta: z.number().nonnegative().default(1e-4),
  sigmaZeta: z.number().nonnegative().default(5e-6),
  /** P_1 = diffuse * H * I. */
  diffuse: z.number().positive().default(1e6),
  warmObs: z.number().int().min(1).default(30),
  /** More missing minutes than this restart the filter. */
  maxGapMin: z.number().int().min(0).default(60),
  outlierZ: z.number().positive().default(6),
  /** SPEC option: skip the update of an OUTLIER observation (the default still updates). */
  skipOutliers: z.boolean().default(false),
  trendT: z.number().positive().default(2),
});
export type KalmanParams = z.infer<typeof KalmanParams>;

/** Filter state; in local-level mode x1, P01 and P11 stay 0. */
export interface KalmanState {
  x0: number;
  x1: number;
  P00: number;
  P01: number;
  P11: number;
  /** Innovation and its variance of the last update. */
  v: number;
  F: number;
  /** Open time of the last bar, µs. */
  lastT: number;
  nObs: number;
}

/** Returns an empty filter state. */
export function kalmanNew(): KalmanState {
  return { x0: 0, x1: 0, P00: 0, P01: 0, P11: 0, v: 0, F: 0, lastT: -Infinity, nObs: 0 };
}

/** Sets the predicted state for the first observation: a_1 = [y, 0], P_1 = p1 I. */
export function kalmanStart(s: KalmanState, y: number, p1: number, ll: boolean): void {
  s.x0 = y;
  s.x1 = 0;
  s.P00 = p1;
  s.P01 = 0;
  s.P11 = ll ? 0 : p1;
  s.nObs = 0;
}

/** Predict step: x- = T x+, P- = T P+ T' + Q (local level: P- = P+ + qLevel). */
export function kalmanPredict(s: KalmanState, qLevel: number, qSlope: number, ll: boolean): void {
  if (ll) {
    s.P00 += qLevel;
    return;
  }
  s.x0 += s.x1;
  s.P00 = s.P00 + 2 * s.P01 + s.P11 + qLevel;
  s.P01 = s.P01 + s.P11;
  s.P11 = s.P11 + qSlope;
}

/** Update step with the Joseph form P+ = (I-KZ) P- (I-KZ)' + K H K'; stores v and F. */
export function kalmanUpdate(s: KalmanState, y: number, H: number): void {
  const v = y - s.x0;
  const F = s.P00 + H;
  const k0 = s.P00 / F;
  const k1 = s.P01 / F;
  const a = 1 - k0;
  const b = -k1;
  const P00 = s.P00;
  const P01 = s.P01;
  const P11 = s.P11;
  s.x0 += k0 * v;
  s.x1 += k1 * v;
  s.P00 = a * a * P00 + k0 * k0 * H;
  s.P01 = a * (b * P00 + P01) + k0 * k1 * H;
  s.P11 = b * b * P00 + 2 * b * P01 + P11 + k1 * k1 * H;
  s.v = v;
  s.F = F;
  s.nObs++;
}

export const kalman: Component<KalmanParams, KalmanState> = {
  id: 'kalman',
  layer: 'provider',
  inputs: ['kline-1m'],
  outputs: ['data-kalman'],
  params: KalmanParams,
  init: () => kalmanNew(),
  reduce(s: KalmanState, ev: QxEvent, ctx: Ctx<KalmanParams>) {
    const k = ev.payload as Kline;
    const p = ctx.params;
    // The runtime drops duplicate and older klines; a stale restore must not rewind the filter.
    if (k.t <= s.lastT) return;
    const ll = p.mode === 'll';
    const H = p.sigmaEps * p.sigmaEps;
    const qL = p.sigmaEta * p.sigmaEta;
    const qS = p.sigmaZeta * p.sigmaZeta;
    const y = Math.log(k.c);
    const flags: string[] = [];
    const missing = s.lastT === -Infinity ? Infinity : Math.round((k.t - s.lastT) / US_PER_MINUTE) - 1;
    if (missing > p.maxGapMin) {
      if (s.lastT !== -Infinity) flags.push('RESET');
      kalmanStart(s, y, p.diffuse * H, ll);
    } else {
      for (let i = 0; i <= missing; i++) kalmanPredict(s, qL, qS, ll);
      if (missing > 0) flags.push('GAP_PREDICT');
    }
    s.lastT = k.t;
    // The innovation is judged against the prediction before deciding whether to apply it.
    const z = (y - s.x0) / Math.sqrt(s.P00 + H);
    const outlier = Math.abs(z) > p.outlierZ;
    if (outlier) flags.push('OUTLIER');
    if (outlier && p.skipOutliers) {
      s.v = y - s.x0;
      s.F = s.P00 + H;
    } else {
      kalmanUpdate(s, y, H);
    }
    const slopeT = ll || !(s.P11 > 0) ? null : s.x1 / Math.sqrt(s.P11);
    ctx.emit('data-kalman', 'KALMAN', {
      bar_open_us: k.t,
      level_usdt: Math.exp(s.x0),
      slope_bps_per_min: ll ? null : 1e4 * s.x1,
      slope_t: slopeT,
      innov_z: z,
      dev_bps: 1e4 * (y - s.x0),
      trend: slopeT === null ? 'FLAT' : slopeT >= p.trendT ? 'UP' : slopeT <= -p.trendT ? 'DOWN' : 'FLAT',
      outlier,
    }, { warm: s.nObs >= p.warmObs, flags, window: { start_us: k.t, end_us: ev.ts } });
  },
};
