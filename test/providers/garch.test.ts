import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GarchPayloadSchema, type GarchPayload } from '../../core/schemas/garch.ts';
import { garch, type GarchState } from '../../providers/garch.ts';
import {
  fitGarchMle, fitGarchVt, garchForecast, garchLogLik, garchNll, garchPath, meanSquare, nelderMead,
} from '../../providers/garch-math.ts';
import { bar, harness, type Harness } from '../support/harness.ts';
import { parseCsv, readFirstZipEntry } from '../support/zip.ts';

// Goal: the GARCH(1,1) provider of SPEC §5 gives the closed-form forecast, the exact fixed-parameter
// variance path, the full-MLE optimum of the golden fit on real BTCUSDT closes, and the schedule,
// status and gap rules of the provider. Method: closed forms and a plain loop written here as
// oracles; the golden JSON read at test time; synthetic GARCH klines driven through a real Runtime.

const SHARED = new URL('../../../shared/', import.meta.url).pathname;
const T0 = Date.UTC(2024, 0, 1) * 1000;
const MIN = 60_000_000;
const TOPIC = 'data-garch-volatility-forecast-5min';

/** The oracle: h_1 = h1, h_t = omega + alpha r_{t-1}^2 + beta h_{t-1}, written out plainly. */
function loopPath(r: number[], omega: number, alpha: number, beta: number, h1: number): number[] {
  const h = [h1];
  for (let t = 1; t < r.length; t++) {
    h.push(omega + alpha * r[t - 1] ** 2 + beta * h[t - 1]);
  }
  return h;
}

/** Seeded GARCH(1,1) closes (mulberry32 + Box-Muller), so every run sees the same market. */
function simCloses(n: number, seed: number, omega = 5e-5, alpha = 0.08, beta = 0.9): number[] {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const c = [10000];
  let h = omega / (1 - alpha - beta);
  let e = 0;
  for (let i = 1; i < n; i++) {
    h = omega + alpha * e * e + beta * h;
    e = Math.sqrt(h) * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
    c.push(c[i - 1] * Math.exp(e / 100));
  }
  return c;
}

function returnsOf(c: number[]): number[] {
  return c.slice(1).map((x, i) => 100 * (Math.log(x) - Math.log(c[i])));
}

function feed(h: Harness, closes: number[], minutes: number[] = closes.map((_, i) => i)): GarchPayload[] {
  closes.forEach((c, i) => h.kline(bar(T0, minutes[i], { c })));
  return h.on(TOPIC).map((o) => GarchPayloadSchema.parse(o.payload));
}

describe('providers > garch > math', () => {
  it('matches the SPEC closed form (reference check a)', () => {
    const fc = garchForecast(5e-5, 0.05, 0.93, 0.0036);
    expect(fc.VL).toBeCloseTo(0.0025, 15);
    expect(0.0025 * (1 - 0.98)).toBeCloseTo(5e-5, 15);
    expect(fc.V5).toBeCloseTo(0.017784356, 9);
    expect(fc.volAnnPct).toBeCloseTo(43.2376, 4);
    expect(fc.halfLifeMin).toBeCloseTo(34.31, 2);
    expect(garchForecast(5e-5, 0.05, 0.93, 0.0025).volAnnPct).toBeCloseTo(36.249, 3);
  });

  it('filters the same h path as a plain loop, and the LL is its Gaussian sum (check b)', () => {
    const r = returnsOf(simCloses(500, 7));
    const s2 = meanSquare(r);
    const oracle = loopPath(r, 3e-5, 0.07, 0.91, s2);
    const h = garchPath(r, 3e-5, 0.07, 0.91, s2);
    for (let t = 0; t < r.length; t++) expect(Math.abs(h[t] / oracle[t] - 1)).toBeLessThan(1e-12);
    let ll = 0;
    for (let t = 1; t < r.length; t++) ll -= 0.5 * (Math.log(2 * Math.PI) + Math.log(oracle[t]) + r[t] ** 2 / oracle[t]);
    expect(Math.abs(garchLogLik(r, 3e-5, 0.07, 0.91, s2) / ll - 1)).toBeLessThan(1e-12);
    expect(garchNll(r, 1e-5, 0.5, 0.6, -1)).toBe(Infinity);
  });

  it('Nelder-Mead finds the minimum of a shifted quadratic deterministically', () => {
    const f = (x: Float64Array) => (x[0] - 1.5) ** 2 + 3 * (x[1] + 0.25) ** 2 + 2;
    const a = nelderMead(f, [0, 0], 0.5, 400, 1e-14);
    expect(a.converged).toBe(true);
    expect(a.x[0]).toBeCloseTo(1.5, 5);
    expect(a.x[1]).toBeCloseTo(-0.25, 5);
    expect(nelderMead(f, [0, 0], 0.5, 400, 1e-14)).toEqual(a);
    expect(nelderMead(f, [0, 0], 0.5, 3, 1e-14)).toMatchObject({ converged: false, iterations: 3 });
  });

  it('GOLDEN: the full MLE on BTCUSDT 1m 2020-01-01 meets the acceptance rule (check c)', () => {
    const g = JSON.parse(readFileSync(`${SHARED}golden/garch-btcusdt-1m-2020-01-01.json`, 'utf8'));
    const zip = readFirstZipEntry(`${SHARED}data/${g.data}`);
    const closes = parseCsv(zip.data.toString('utf8')).map((row) => Number(row[4]));
    const r = returnsOf(closes);
    expect(r.length).toBe(g.n_returns);
    expect(Math.abs(r.reduce((s, x) => s + x * x, 0) / g.sum_r2 - 1)).toBeLessThan(1e-12);
    expect(Math.abs(meanSquare(r) / g.mean_r2 - 1)).toBeLessThan(1e-12);
    const b = g.best_found;
    // Our LL at the published optimum is the published LL: the two definitions agree.
    expect(garchLogLik(r, b.omega, b.alpha, b.beta, meanSquare(r))).toBeCloseTo(b.our_loglik, 6);
    const fit = fitGarchMle(r);
    expect(fit.loglik).toBeGreaterThanOrEqual(b.our_loglik - 1e-4);
    expect(Math.abs(fit.alpha - b.alpha)).toBeLessThanOrEqual(2e-3);
    expect(Math.abs(fit.beta - b.beta)).toBeLessThanOrEqual(2e-3);
    expect(Math.abs(fit.omega / b.omega - 1)).toBeLessThanOrEqual(0.05);
    // Each reference optimum is no better than ours by more than the acceptance margin.
    for (const ref of [g.tseries, g.fgarch, g.optim_our_ll]) expect(fit.loglik).toBeGreaterThan(ref.our_loglik - 1e-4);
    // Variance targeting can only do worse than the unconstrained optimum on the same LL.
    expect(fitGarchVt(r, null).loglik).toBeLessThanOrEqual(fit.loglik + 1e-9);
  });
});

/** Returns the bar index of the refit in force at bar i (refits at 720, 780, ... returns). */
const refitBar = (i: number) => 720 + 60 * Math.floor((i - 720) / 60);
const closeUs = (i: number) => T0 + i * MIN + 59_999_000;
const stateOf = (h: Harness) => h.rt.stateOf('garch') as GarchState;

/** The provider's h(1) by the oracle loop: filter r from h_1 = s2 of the fit window. */
function oracleH1(r: number[], fitStart: number, fitEnd: number, upto: number, p: GarchPayload): number {
  const s2 = meanSquare(r.slice(fitStart, fitEnd));
  const path = loopPath(r.slice(fitStart, upto), p.omega!, p.alpha!, p.beta!, s2);
  return p.omega! + p.alpha! * r[upto - 1] ** 2 + p.beta! * path[path.length - 1];
}

describe('providers > garch > provider', () => {
  it('publishes WARMUP before 720 returns, then refits every 60 bars and filters in between', () => {
    const closes = simCloses(900, 11);
    const r = returnsOf(closes);
    const h = harness([garch]);
    const out = feed(h, closes);
    const env = h.on(TOPIC);
    expect(out).toHaveLength(900);
    for (let i = 0; i < 720; i++) {
      expect(out[i]).toMatchObject({ status: 'WARMUP', vol_ann_pct: null, omega: null, fit_ts_us: null, bar_open_us: T0 + i * MIN });
      expect(env[i].warm).toBe(false);
    }
    const x720 = fitGarchVt(r.slice(0, 720), null);
    const x780 = fitGarchVt(r.slice(0, 780), x720.x);
    expect(out[720]).toMatchObject({ omega: x720.omega, alpha: x720.alpha, beta: x720.beta, loglik: x720.loglik });
    expect(out[780]).toMatchObject({ omega: x780.omega, alpha: x780.alpha, beta: x780.beta, converged: true });
    for (let i = 720; i < 900; i++) {
      const p = out[i];
      expect(p.status).toBe('OK');
      expect(env[i].warm).toBe(true);
      expect(p.fit_ts_us).toBe(closeUs(refitBar(i)));
      expect(p.n_obs).toBe(refitBar(i));
      expect(Math.abs(p.h1_pct2! / oracleH1(r, 0, refitBar(i), i, p) - 1)).toBeLessThan(1e-12);
      const phi = p.alpha! + p.beta!;
      const VL = p.omega! / (1 - phi);
      const V5 = 5 * VL + ((p.h1_pct2! - VL) * (1 - phi ** 5)) / (1 - phi);
      expect(Math.abs(p.V5_pct2! / V5 - 1)).toBeLessThan(1e-12);
      expect(Math.abs(p.vol_ann_pct! / Math.sqrt(V5 * 105120) - 1)).toBeLessThan(1e-12);
      expect(Math.abs(p.sigma_5m_usdt! / ((closes[i] * Math.sqrt(V5)) / 100) - 1)).toBeLessThan(1e-12);
      expect(p.persistence).toBe(phi);
    }
    // The simulation's persistence (0.98) is found, roughly, from 720..900 returns.
    expect(out[899].persistence!).toBeGreaterThan(0.9);
  });

  it('rolls the window and recomputes h from the window start at each refit', () => {
    const closes = simCloses(500, 5);
    const r = returnsOf(closes);
    const h = harness([{ component: garch, params: { window: 300, minReturns: 120, refitEvery: 25 } }]);
    const out = feed(h, closes);
    expect(out[119].status).toBe('WARMUP');
    expect(out[120].n_obs).toBe(120);
    const last = out[499];
    expect(last.n_obs).toBe(300);
    expect(last.fit_ts_us).toBe(closeUs(495));
    const win = r.slice(195, 495);
    expect(last.loglik).toBe(garchLogLik(win, last.omega!, last.alpha!, last.beta!, meanSquare(win)));
    expect(Math.abs(last.h1_pct2! / oracleH1(r, 195, 495, 499, last) - 1)).toBeLessThan(1e-12);
  });

  it('fills a gap of 3 bars with flat returns', () => {
    const closes = simCloses(830, 3);
    const minutes = closes.map((_, i) => (i < 800 ? i : i + 3));
    const h = harness([garch]);
    const out = feed(h, closes, minutes);
    const r = [...returnsOf(closes.slice(0, 800)), 0, 0, 0, ...returnsOf(closes.slice(799))];
    expect(h.on(TOPIC)[800].flags).toEqual(['GAP_FILLED']);
    expect(out[800].status).toBe('OK');
    const s = stateOf(h);
    expect(s.returns.size).toBe(r.length);
    // 832 returns: the fit in force is the one at 780 returns, filtered through the zeros.
    expect(out[829].fit_ts_us).toBe(closeUs(780));
    expect(Math.abs(out[829].h1_pct2! / oracleH1(r, 0, 780, r.length, out[829]) - 1)).toBeLessThan(1e-12);
  });

  it('drops the return of a longer gap, restarts h at VL and gives WARMUP for 30 bars', () => {
    const closes = simCloses(880, 4);
    const minutes = closes.map((_, i) => (i < 800 ? i : i + 4));
    const h = harness([garch]);
    feed(h, closes.slice(0, 801), minutes.slice(0, 801));
    const s = stateOf(h);
    const f = s.fit!;
    expect(s.returns.size).toBe(799);
    expect(s.hNext).toBe(f.omega / (1 - f.alpha - f.beta));
    const out = feed(h, closes.slice(801), minutes.slice(801));
    const r801 = 100 * (Math.log(closes[801]) - Math.log(closes[800]));
    expect(h.on(TOPIC)[800].flags).toEqual(['GAP_RESET']);
    for (let i = 800; i < 830; i++) expect(out[i]).toMatchObject({ status: 'WARMUP', vol_ann_pct: null });
    expect(out[830].status).toBe('OK');
    // The first return after the gap is filtered from h = VL, and the refit cadence counts returns.
    const VL = f.omega / (1 - f.alpha - f.beta);
    const h2 = harness([garch]);
    feed(h2, closes.slice(0, 802), minutes.slice(0, 802));
    expect(stateOf(h2).hNext).toBe(f.omega + f.alpha * r801 * r801 + f.beta * VL);
    expect(out[840].fit_ts_us).toBe(closeUs(780));
    expect(out[841].fit_ts_us).toBe(T0 + minutes[841] * MIN + 59_999_000);
  });

  it('fits (omega, alpha, beta) by full MLE in mode mle', () => {
    const closes = simCloses(730, 13);
    const out = feed(harness([{ component: garch, params: { mode: 'mle' } }]), closes);
    const want = fitGarchMle(returnsOf(closes).slice(0, 720));
    expect(out[720]).toMatchObject({ status: 'OK', omega: want.omega, alpha: want.alpha, beta: want.beta, loglik: want.loglik });
    expect(want.omega).not.toBeCloseTo(want.s2 * (1 - want.alpha - want.beta), 12);
  });

  it('gives WARMUP when s2 = 0 (a flat market)', () => {
    const h = harness([garch]);
    const out = feed(h, Array.from({ length: 800 }, () => 100));
    expect(out.every((p) => p.status === 'WARMUP' && p.vol_ann_pct === null)).toBe(true);
    expect(stateOf(h)).toMatchObject({ attempted: true, zeroVar: true, fit: null });
  });

  it('gives FALLBACK when phi is at the bound: null numbers without a previous fit', () => {
    const h = harness([{ component: garch, params: { phiStuckMin: 0.5 } }]);
    const out = feed(h, simCloses(760, 11));
    expect(out[719].status).toBe('WARMUP');
    expect(out[720]).toMatchObject({ status: 'FALLBACK', vol_ann_pct: null, omega: null });
    expect(h.on(TOPIC)[720]).toMatchObject({ warm: false, degraded: true, flags: ['FALLBACK'] });
  });

  it('gives FALLBACK with the old parameters when a refit is rejected', () => {
    const closes = simCloses(800, 11);
    const r = returnsOf(closes);
    const a = harness([garch]);
    const good = feed(a, closes.slice(0, 750))[749];
    const b = harness([{ component: garch, params: { phiStuckMin: 0.5 } }]);
    b.rt.replaceState('garch', a.rt.stateOf('garch'));
    closes.slice(750).forEach((c, k) => b.kline(bar(T0, 750 + k, { c })));
    const out = b.on(TOPIC).map((o) => GarchPayloadSchema.parse(o.payload));
    expect(out[29].status).toBe('OK');
    const fb = out[30];
    expect(fb).toMatchObject({ status: 'FALLBACK', omega: good.omega, alpha: good.alpha, beta: good.beta, fit_ts_us: closeUs(720) });
    expect(b.on(TOPIC)[30]).toMatchObject({ warm: true, degraded: true });
    // After the rejected refit h is recomputed from the window start with the kept parameters.
    expect(Math.abs(fb.h1_pct2! / oracleH1(r, 0, 780, 780, fb) - 1)).toBeLessThan(1e-12);
  });

  it('resumes from a snapshot exactly', () => {
    const closes = simCloses(900, 9);
    const whole = harness([garch]);
    const all = feed(whole, closes);
    const first = harness([garch]);
    feed(first, closes.slice(0, 790));
    const resumed = harness([garch]);
    resumed.rt.restore(first.rt.snapshot());
    closes.slice(790).forEach((c, k) => resumed.kline(bar(T0, 790 + k, { c })));
    expect(resumed.on(TOPIC).map((o) => o.payload)).toEqual(all.slice(790));
    expect(resumed.rt.digest()).toBe(whole.rt.digest());
  });
});
