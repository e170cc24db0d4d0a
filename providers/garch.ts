import { z } from 'zod';
import type { Component, Ctx } from '../core/component.ts';
import type { Kline, QxEvent } from '../core/event.ts';
import { ringNew, ringPush, ringValues, type Ring } from '../core/ring.ts';
import { US_PER_MINUTE } from '../core/time.ts';
import { fitGarchMle, fitGarchVt, garchForecast, garchNext, meanSquare, NM_SPEC } from './garch-math.ts';

// SPEC §5, GARCH(1,1) 5-minute volatility forecast on 1m closes. Returns r_t = 100(ln c_t - ln c_{t-1})
// (§0.6) fill a ring of the last 2880; the model is refitted every 60 returns (variance targeting
// by default, Nelder-Mead warm-started from the last optimum) and, between refits, filtered in O(1)
// per bar with fixed parameters. After each refit h is recomputed from the window start with
// h_1 = s2, so the state is a pure function of (window, params).
//
// One record per kline, always. Status WARMUP (warm=false, every number null) until 720 returns
// exist and a fit succeeded, for 30 bars after a long gap, and while the last refit saw s2 = 0.
// FALLBACK (degraded) when the last refit gave a non-finite LL or phi at the bound: the previous
// parameters stay in use, or every number is null when there were none. Short gaps (<= 3 missing
// bars) are filled with flat bars (r = 0; this biases variance low, as the SPEC accepts).

export const GarchParams = z.strictObject({
  window: z.number().int().min(10).default(2880),
  minReturns: z.number().int().min(10).default(720),
  refitEvery: z.number().int().min(1).default(60),
  /** Variance targeting ('vt', the default) or full MLE of (omega, alpha, beta) ('mle'). */
  mode: z.enum(['vt', 'mle']).default('vt'),
  /** A gap of at most this many missing bars is filled with flat bars. */
  maxFillBars: z.number().int().min(0).default(3),
  /** Bars of WARMUP after a longer gap (the gap bar counts as the first). */
  gapWarmupBars: z.number().int().min(0).default(30),
  /** A fit with phi at or above this is "stuck at the bound" (0.9999) and rejected. */
  phiStuckMin: z.number().positive().max(0.9999).default(0.9998),
});
export type GarchParams = z.infer<typeof GarchParams>;

export type GarchStatus = 'WARMUP' | 'OK' | 'FALLBACK';

/** The parameters in use and the fit that produced them. */
export interface GarchFitState {
  omega: number;
  alpha: number;
  beta: number;
  loglik: number;
  n_obs: number;
  fit_ts_us: number;
  converged: boolean;
  /** Optimizer coordinates of the optimum, the warm start of the next refit. */
  x: number[];
}

export interface GarchState {
  returns: Ring;
  /** Open time of the last bar seen, µs. */
  lastT: number;
  lastClose: number;
  fit: GarchFitState | null;
  /** One-step-ahead variance h(1) for the next return, %^2 (NaN without a fit). */
  hNext: number;
  /** Returns added since the last refit attempt. */
  sinceFit: number;
  attempted: boolean;
  /** The last refit was rejected (FALLBACK). */
  failed: boolean;
  /** The last refit saw s2 = 0 (WARMUP). */
  zeroVar: boolean;
  /** Bars of WARMUP left after a long gap. */
  gapWarmup: number;
}

export const garch: Component<GarchParams, GarchState> = {
  id: 'garch',
  layer: 'provider',
  inputs: ['kline-1m'],
  outputs: ['data-garch-volatility-forecast-5min'],
  params: GarchParams,
  init: (p) => ({
    returns: ringNew(p.window), lastT: -Infinity, lastClose: NaN, fit: null, hNext: NaN,
    sinceFit: 0, attempted: false, failed: false, zeroVar: false, gapWarmup: 0,
  }),
  reduce(s: GarchState, ev: QxEvent, ctx: Ctx<GarchParams>) {
    const k = ev.payload as Kline;
    const p = ctx.params;
    // The runtime drops duplicate and older klines; a stale restore must not rewind the filter.
    if (k.t <= s.lastT) return;
    const flags: string[] = [];
    if (s.lastT !== -Infinity) {
      const missing = Math.round((k.t - s.lastT) / US_PER_MINUTE) - 1;
      if (missing > p.maxFillBars) {
        gapReset(s, p);
        flags.push('GAP_RESET');
      } else {
        // Filled bars close at the previous close, so each adds r = 0 and may trigger a refit.
        for (let i = 1; i <= missing; i++) addReturn(s, 0, s.lastT + i * US_PER_MINUTE + (ev.ts - k.t), p);
        if (missing > 0) flags.push('GAP_FILLED');
        addReturn(s, 100 * (Math.log(k.c) - Math.log(s.lastClose)), ev.ts, p);
      }
    }
    s.lastT = k.t;
    s.lastClose = k.c;
    publish(s, k, ev.ts, flags, ctx);
    if (s.gapWarmup > 0) s.gapWarmup--;
  },
};

/** Drops the gap's return, restarts the filter at the long-run variance and starts WARMUP. */
function gapReset(s: GarchState, p: GarchParams): void {
  const f = s.fit;
  s.hNext = f === null ? NaN : f.omega / (1 - f.alpha - f.beta);
  s.gapWarmup = p.gapWarmupBars;
}

/** Adds one return: O(1) filter step with fixed parameters, then a refit when one is due. */
function addReturn(s: GarchState, r: number, closeUs: number, p: GarchParams): void {
  ringPush(s.returns, r);
  const f = s.fit;
  if (f !== null) s.hNext = f.omega + f.alpha * r * r + f.beta * s.hNext;
  s.sinceFit++;
  if (s.returns.size >= p.minReturns && (!s.attempted || s.sinceFit >= p.refitEvery)) refit(s, closeUs, p);
}

/** Refits on the current window; keeps the old parameters when the new fit is rejected. */
function refit(s: GarchState, closeUs: number, p: GarchParams): void {
  s.attempted = true;
  s.sinceFit = 0;
  const r = ringValues(s.returns);
  const s2 = meanSquare(r);
  s.zeroVar = !(s2 > 0);
  if (s.zeroVar) return;
  const warm = s.fit === null ? null : s.fit.x;
  const fit = p.mode === 'vt' ? fitGarchVt(r, warm, NM_SPEC) : fitGarchMle(r, warm);
  const phi = fit.alpha + fit.beta;
  s.failed = !Number.isFinite(fit.loglik) || !(phi < p.phiStuckMin) || !(fit.omega > 0);
  if (!s.failed) {
    s.fit = {
      omega: fit.omega, alpha: fit.alpha, beta: fit.beta, loglik: fit.loglik,
      n_obs: r.length, fit_ts_us: closeUs, converged: fit.converged, x: fit.x,
    };
  }
  const f = s.fit;
  if (f !== null) s.hNext = garchNext(r, f.omega, f.alpha, f.beta, s2);
}

/** Returns the status of the current bar (SPEC §5 edge cases). */
export function garchStatus(s: GarchState, p: GarchParams): GarchStatus {
  if (s.returns.size < p.minReturns || !s.attempted || s.gapWarmup > 0 || s.zeroVar) return 'WARMUP';
  if (s.failed || s.fit === null) return 'FALLBACK';
  return 'OK';
}

const NULL_NUMBERS = {
  vol_ann_pct: null, sigma_5m_pct: null, sigma_5m_usdt: null, h1_pct2: null, V5_pct2: null,
  omega: null, alpha: null, beta: null, persistence: null, VL_pct2: null, half_life_min: null,
  loglik: null, n_obs: null, fit_ts_us: null, converged: null,
};

function publish(s: GarchState, k: Kline, ts: number, flags: string[], ctx: Ctx<GarchParams>): void {
  const status = garchStatus(s, ctx.params);
  const f = s.fit;
  const numbers = status !== 'WARMUP' && f !== null && Number.isFinite(s.hNext);
  if (status === 'FALLBACK') flags.push('FALLBACK');
  let body: object = NULL_NUMBERS;
  if (numbers) {
    const fc = garchForecast(f.omega, f.alpha, f.beta, s.hNext);
    body = {
      vol_ann_pct: fc.volAnnPct, sigma_5m_pct: fc.sigma5mPct, sigma_5m_usdt: (k.c * fc.sigma5mPct) / 100,
      h1_pct2: fc.h1, V5_pct2: fc.V5, omega: f.omega, alpha: f.alpha, beta: f.beta,
      persistence: f.alpha + f.beta, VL_pct2: fc.VL, half_life_min: fc.halfLifeMin,
      loglik: f.loglik, n_obs: f.n_obs, fit_ts_us: f.fit_ts_us, converged: f.converged,
    };
  }
  ctx.emit('data-garch-volatility-forecast-5min', 'GARCH', { bar_open_us: k.t, ...body, status }, {
    warm: numbers, degraded: status === 'FALLBACK', flags, window: { start_us: k.t, end_us: ts },
  });
}
